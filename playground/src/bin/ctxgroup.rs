//! `ctxgroup`: run playground scenarios from the command line, for documentation pipelines that
//! pre-render charts or check their examples in CI.
//!
//! ```text
//! ctxgroup trace FILE            trace JSON to stdout
//! ctxgroup svg FILE [-o OUT]     Gantt chart SVG (stdout, or OUT)
//! ctxgroup chrome FILE [-o OUT]  Chrome trace-event JSON (open in Perfetto)
//! ctxgroup check FILE            run the scenario's `expect` lines; exit 1 if one fails
//! ctxgroup go FILE [-o OUT]      the Go program the scenario stands for (context + errgroup)
//! ctxgroup rust FILE [-o OUT]    the same as a Rust program on ctxgroup (virtual time)
//! ```
//! FILE `-` reads standard input. Errors go to standard error with line and column; exit status 2.

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
    let (name, text) = if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("<stdin>: {e}"))?;
        ("<stdin>".to_string(), s)
    } else {
        let s = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
        (file.clone(), s)
    };
    let scenario = ctxgroup_playground::scenario::parse(&text).map_err(|errs| {
        errs.0
            .iter()
            .map(|e| {
                let caret = format!(
                    "{}{}",
                    " ".repeat(e.col - 1),
                    "^".repeat((e.end_col - e.col).max(1))
                );
                format!(
                    "{name}:{}:{}: error: {}\n  | {}\n  | {caret}\n  = hint: {}",
                    e.line, e.col, e.message, e.source_line, e.hint
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
    let trace = ctxgroup_playground::simulate::simulate(&scenario)
        .map_err(|e| format!("{name}:{}: error: {}", e.line, e.message))?;
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
            for x in &trace.expectations {
                println!(
                    "{name}:{}: {} {}",
                    x.line,
                    if x.ok { "ok" } else { "FAILED" },
                    x.message
                );
                failed += usize::from(!x.ok);
            }
            println!(
                "{} passed, {failed} failed",
                trace.expectations.len() - failed
            );
            return Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
    };
    write_output(out.as_deref(), &output)
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
