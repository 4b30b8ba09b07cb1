//! A chart's SVG reads the same outside a browser: renderers that do not read CSS variables
//! (librsvg's `rsvg-convert`, cairosvg, Inkscape) painted every chart black. The test renders
//! charts with `rsvg-convert` (installed by the setup script; skipped with a message where it is
//! missing, unless `CTXGROUP_REQUIRE_RSVG=1`, which the test command sets) and reads the colours
//! it painted.
#![cfg(not(target_arch = "wasm32"))]
use std::io::Write;
use std::process::{Command, Stdio};

use ctxgroup_playground::gantt::{render, Options};
use ctxgroup_playground::scenario::parse;
use ctxgroup_playground::simulate::simulate;

/// The fills `rsvg-convert` painted, as `rgb(…)` texts of its own SVG output (cairo's).
fn painted_fills(svg: &str) -> Option<Vec<String>> {
    let child = Command::new("rsvg-convert")
        .args(["-f", "svg"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if std::env::var_os("CTXGROUP_REQUIRE_RSVG").is_none() => {
            eprintln!("skipped: rsvg-convert not found ({e}); scripts/setup.sh installs it");
            return None;
        }
        Err(e) => panic!("rsvg-convert: {e}"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(svg.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "rsvg-convert failed");
    let text = String::from_utf8(out.stdout).unwrap();
    Some(
        text.match_indices("fill:rgb(")
            .map(|(at, _)| {
                let rest = &text[at + 5..];
                rest[..rest.find(')').unwrap() + 1].to_string()
            })
            .collect(),
    )
}

/// `#rrggbb` as cairo writes it: `rgb(100%,100%,100%)`, to two decimals.
fn cairo(hex: &str) -> String {
    let c = |i: usize| u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap();
    let pct = |v: u8| {
        let p = f64::from(v) / 255.0 * 100.0;
        let s = format!("{p:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    format!("rgb({}%,{}%,{}%)", pct(c(0)), pct(c(1)), pct(c(2)))
}

fn rounded(rgb: &str) -> String {
    // cairo writes 10.196079%: keep two decimals, as `cairo` does.
    let inner = &rgb[4..rgb.len() - 1];
    let parts: Vec<String> = inner
        .split(',')
        .map(|p| {
            let v: f64 = p.trim_end_matches('%').parse().unwrap();
            let s = format!("{v:.2}");
            format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
        })
        .collect();
    format!("rgb({})", parts.join(","))
}

#[test]
fn a_chart_is_painted_in_its_palette_by_librsvg() {
    let text = "timeout 7s\ntask ok 5s\ntask bad 2s fail=\"HTTP 502\"\ntask slow 10s\n";
    let trace = simulate(&parse(text).unwrap()).unwrap();
    for (dark, bg, completed, failed) in [
        (false, "#ffffff", "#1a7f37", "#cf222e"),
        (true, "#0d1117", "#3fb950", "#f85149"),
    ] {
        let svg = render(
            &trace,
            &Options {
                dark,
                ..Default::default()
            },
        );
        let Some(fills) = painted_fills(&svg) else {
            return;
        };
        let fills: Vec<String> = fills.iter().map(|f| rounded(f)).collect();
        for colour in [bg, completed, failed] {
            assert!(
                fills.contains(&cairo(colour)),
                "dark: {dark}: {colour} ({}) not painted; painted: {fills:?}",
                cairo(colour)
            );
        }
        let black = fills.iter().filter(|f| *f == "rgb(0%,0%,0%)").count();
        assert!(
            black * 4 < fills.len(),
            "dark: {dark}: {black} of {} fills black",
            fills.len()
        );
    }
}
