//! `ctxgroup`: run playground scenarios from the command line, for documentation pipelines that
//! pre-render charts or check their examples in CI.
//!
//! ```text
//! ctxgroup trace FILE            trace JSON to stdout
//! ctxgroup svg FILE [-o OUT]     Gantt chart SVG (stdout, or OUT)
//! ctxgroup chrome FILE [-o OUT]  Chrome trace-event JSON (open in Perfetto)
//! ctxgroup check FILE [-o OUT]   run the scenario's `expect` lines; exit 1 if one fails
//! ctxgroup go FILE [-o OUT]      the Go program the scenario stands for (context + errgroup)
//! ctxgroup rust FILE [-o OUT]    the same as a Rust program on ctxgroup (virtual time)
//! ```
//! FILE `-` reads standard input. Errors go to standard error with line and column; exit status 2.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: ctxgroup <trace|svg|chrome|check|summary|go|rust> FILE [-o OUT]\n\
  FILE is a scenario file, or - for standard input\n\
  trace    the run's trace as JSON\n\
  svg      the Gantt chart as SVG\n\
  chrome   Chrome trace-event JSON (open it in https://ui.perfetto.dev)\n\
  check    run the scenario's expect lines; exit status 1 if one fails\n\
  summary  one line on how the run went\n\
  go       the Go program the scenario stands for (context + errgroup; go run it)\n\
  rust     the same scenario as a Rust program on ctxgroup, in virtual time";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let mut positional = Vec::new();
    let mut out: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-o" | "--output" => {
                out = Some(args.get(i + 1).ok_or("-o needs a file name")?.clone());
                i += 2;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            "-V" | "--version" => {
                println!("ctxgroup {}", env!("CARGO_PKG_VERSION"));
                return Ok(ExitCode::SUCCESS);
            }
            _ => {
                positional.push(args[i].clone());
                i += 1;
            }
        }
    }
    let [command, file] = positional.as_slice() else {
        return Err(USAGE.to_string());
    };
    if !matches!(
        command.as_str(),
        "trace" | "svg" | "chrome" | "check" | "summary" | "go" | "rust"
    ) {
        return Err(format!("unknown command \"{command}\"\n{USAGE}"));
    }
    let (name, bytes) = if file == "-" {
        let mut s = Vec::new();
        std::io::stdin()
            .read_to_end(&mut s)
            .map_err(|e| format!("<stdin>: {e}"))?;
        ("<stdin>".to_string(), s)
    } else {
        let s = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        (file.clone(), s)
    };
    let text = utf8(&name, bytes)?;
    let scenario = ctxgroup_playground::scenario::parse(&text).map_err(|errs| {
        errs.0
            .iter()
            .map(|e| {
                report(
                    &name,
                    (e.line, e.col, e.end_col),
                    &e.message,
                    &e.source_line,
                    Some(&e.hint),
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    match command.as_str() {
        "go" => {
            return write_output(
                out.as_deref(),
                &ctxgroup_playground::golang::go_program(&scenario),
            )
        }
        "rust" => {
            return write_output(
                out.as_deref(),
                &ctxgroup_playground::rustgen::rust_program(&scenario),
            )
        }
        _ => {}
    }
    let mut trace = ctxgroup_playground::simulate::simulate(&scenario).map_err(|e| {
        let line = text.lines().nth(e.line.saturating_sub(1)).unwrap_or("");
        report(&name, (e.line, 1, 1), &e.message, line, None)
    })?;
    trace.races = ctxgroup_playground::golang::races(&scenario, &trace);
    let output = match command.as_str() {
        "trace" => trace.to_json() + "\n",
        "svg" => ctxgroup_playground::gantt::render(
            &trace,
            &ctxgroup_playground::gantt::Options::default(),
        ),
        "chrome" => ctxgroup_playground::trace::to_chrome_json(&trace) + "\n",
        "summary" => trace.summary() + "\n",
        _ => {
            let mut failed = 0;
            let mut lines = String::new();
            for x in &trace.expectations {
                let _ = writeln!(
                    lines,
                    "{name}:{}: {} {}",
                    x.line,
                    if x.ok { "ok" } else { "FAILED" },
                    x.message
                );
                failed += usize::from(!x.ok);
            }
            let _ = writeln!(
                lines,
                "{} passed, {failed} failed",
                trace.expectations.len() - failed
            );
            write_output(out.as_deref(), &lines)?;
            return Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
    };
    write_output(out.as_deref(), &output)
}

/// `bytes` as text, or an error that says where it stops being UTF-8.
fn utf8(name: &str, bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_no = before.matches('\n').count() + 1;
        let col = before[line_start..].chars().count() + 1;
        let line_end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        let line = String::from_utf8_lossy(&bytes[line_start..line_end]);
        report(
            name,
            (line_no, col, col + 1),
            &format!("the text is not UTF-8 (byte {:#04x})", bytes[at]),
            &line,
            Some("save the file as UTF-8"),
        )
    })
}

/// An error as compilers write it: where, what, the line with a caret under the place, a hint.
fn report(
    name: &str,
    (line, col, end_col): (usize, usize, usize),
    message: &str,
    source_line: &str,
    hint: Option<&str>,
) -> String {
    // A message quoting a huge token is cut in its middle, as the line is.
    let message: String = if message.chars().count() > 4 * CONTEXT {
        let head: String = message.chars().take(2 * CONTEXT).collect();
        let tail: String = message
            .chars()
            .skip(message.chars().count() - CONTEXT)
            .collect();
        format!("{head}…{tail}")
    } else {
        message.to_string()
    };
    let mut s = format!("{name}:{line}:{col}: error: {message}");
    if !source_line.is_empty() {
        let (shown, caret) = excerpt(source_line, col, end_col);
        let _ = write!(s, "\n  | {shown}\n  | {caret}");
    }
    if let Some(hint) = hint {
        let _ = write!(s, "\n  = hint: {hint}");
    }
    s
}

/// Characters shown on each side of an error in a long line.
const CONTEXT: usize = 60;

/// The part of `line` to show (all of it, or the error with `CONTEXT` characters either side,
/// cut with "…"), and the caret line under columns `col..end_col` (1-based, in characters):
/// padded with a tab under a tab and two spaces under a wide (CJK) character, as a terminal
/// shows them.
fn excerpt(line: &str, col: usize, end_col: usize) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let col = col.max(1) - 1;
    // A long span is marked for its first `2 × CONTEXT` characters.
    let end_col = (end_col.max(col + 2) - 1).min(col + 2 * CONTEXT);
    let from = col.saturating_sub(CONTEXT);
    let to = chars.len().min(end_col + CONTEXT);
    let cut_start = if from > 0 { "…" } else { "" };
    let cut_end = if to < chars.len() { "…" } else { "" };
    // Control characters are shown, not sent to the terminal (an escape sequence would act).
    let visible = |c: char| {
        if c.is_control() && c != '\t' {
            '\u{fffd}'
        } else {
            c
        }
    };
    let shown = format!(
        "{cut_start}{}{cut_end}",
        chars[from..to]
            .iter()
            .map(|&c| visible(c))
            .collect::<String>()
    );
    let mut caret = String::from(if from > 0 { " " } else { "" });
    for &c in &chars[from..col.min(chars.len())] {
        caret.push_str(match c {
            '\t' => "\t",
            c => &"  "[..width(c)],
        });
    }
    let marked: usize = chars[col.min(chars.len())..end_col.min(to).max(col.min(chars.len()))]
        .iter()
        .map(|&c| width(c))
        .sum();
    caret.push_str(&"^".repeat(marked.max(1)));
    (shown, caret)
}

/// How many columns a terminal gives `c`: none for a combining mark, two for East Asian wide
/// and full-width characters and emoji, else one.
fn width(c: char) -> usize {
    let combining = matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0x200B..=0x200F);
    match (combining, is_wide(c)) {
        (true, _) => 0,
        (false, true) => 2,
        (false, false) => 1,
    }
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F680..=0x1F6FF
        | 0x1F900..=0x1F9FF
        | 0x1FA70..=0x1FAFF
        | 0x20000..=0x3FFFD)
}

/// Writes `output` to the file `out`, or to standard output.
fn write_output(out: Option<&str>, output: &str) -> Result<ExitCode, String> {
    match out {
        Some(path) => std::fs::write(path, output).map_err(|e| format!("{path}: {e}"))?,
        None => std::io::stdout()
            .write_all(output.as_bytes())
            .map_err(|e| e.to_string())?,
    }
    Ok(ExitCode::SUCCESS)
}
