//! The native CLI, as a documentation pipeline calls it.
#![cfg(not(target_arch = "wasm32"))]
use std::io::Write;
use std::process::{Command, Stdio};

fn ctxgroup(args: &[&str], stdin: &str) -> (i32, String, String) {
    ctxgroup_bytes(args, stdin.as_bytes())
}

fn ctxgroup_bytes(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctxgroup"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const FIXED: &str = "timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\nexpect returned at 7s \"context deadline exceeded\"\n";

#[test]
fn trace_reads_stdin_and_prints_json() {
    let (code, out, _) = ctxgroup(&["trace", "-"], FIXED);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["returned"]["at"], 7.0);
    assert_eq!(v["tasks"][1]["outcome"], "cancelled");
}

#[test]
fn svg_and_chrome_write_their_formats() {
    let dir = std::env::temp_dir().join(format!("ctxgroup-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("chart.svg");
    let (code, _, _) = ctxgroup(&["svg", "-", "-o", svg.to_str().unwrap()], FIXED);
    assert_eq!(code, 0);
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    let (code, out, _) = ctxgroup(&["chrome", "-"], FIXED);
    assert_eq!(code, 0);
    assert!(serde_json::from_str::<serde_json::Value>(&out).unwrap()["traceEvents"].is_array());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn check_exits_1_when_an_expectation_fails() {
    let (code, out, _) = ctxgroup(&["check", "-"], FIXED);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("1 passed, 0 failed\n"));
    let (code, out, _) = ctxgroup(&["check", "-"], &FIXED.replace("at 7s", "at 8s"));
    assert_eq!(code, 1);
    assert!(out.contains("FAILED expected returned at 8s"), "{out}");
}

#[test]
fn bad_input_goes_to_stderr_with_line_column_and_exit_2() {
    let (code, out, err) = ctxgroup(&["trace", "-"], "timeout 7s\ntask t1 5sx\n");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.starts_with("<stdin>:2:10: error: unknown unit \"sx\" in \"5sx\""),
        "{err}"
    );
    assert!(err.contains("  | task t1 5sx\n  |          ^^"), "{err}");
    assert!(err.contains("hint: use ms, s, m or h"));
    let (code, _, err) = ctxgroup(&["frobnicate", "-"], "");
    assert_eq!(code, 2);
    assert!(err.contains("unknown command"));
    let (code, _, err) = ctxgroup(&["trace", "/nonexistent/file.txt"], "");
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/file.txt"));
}

#[test]
fn go_prints_the_go_program() {
    let (code, out, _) = ctxgroup(&["go", "-"], FIXED);
    assert_eq!(code, 0);
    assert!(out.contains("\npackage main\n"));
    assert!(out.contains("g, gctx := errgroup.WithContext(ctx)"));
    assert!(out.contains("g.Go(task(\"t2\", gctx, func() error {"));
    let (code, _, err) = ctxgroup(&["go", "-"], "task t1 5x\n");
    assert_eq!(code, 2);
    assert!(err.contains("<stdin>:1:"), "{err}");
}

#[test]
fn rust_prints_the_rust_program() {
    let (code, out, _) = ctxgroup(&["rust", "-"], FIXED);
    assert_eq!(code, 0);
    assert!(out.contains("async fn run(root: Context, env: Env) -> Result<(), Error> {"));
    assert!(out.contains(".task(\"t2\")"));
    assert!(out.contains("fn main() {"));
}

#[test]
fn the_cli_refuses_by_the_pages_step_budget() {
    // What the page refuses for its steps, a book built with the CLI or the preprocessor must
    // not render: the same budget everywhere (the page's time cap is only a last resort).
    let mut text = String::new();
    for i in 0..61 {
        text += &format!("task t{i} 100s check=every:1ms\n");
    }
    let (code, _, err) = ctxgroup(&["check", "-"], &text);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("budget of 6,000,000 steps"), "{err}");
    assert_eq!(
        ctxgroup_playground::simulate::Budget::default().max_steps,
        ctxgroup_playground::simulate::MAX_RUN_STEPS
    );
}

#[test]
fn check_writes_its_report_to_the_output_file() {
    let dir = std::env::temp_dir().join(format!("ctxgroup-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report.txt");
    let (code, out, _) = ctxgroup(&["check", "-", "-o", report.to_str().unwrap()], FIXED);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "{out}");
    let written = std::fs::read_to_string(&report).unwrap();
    assert!(written.ends_with("1 passed, 0 failed\n"), "{written}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_caret_sits_under_the_error_after_tabs_and_wide_characters() {
    // Each character before the error is padded as wide as a terminal shows it.
    let (_, _, err) = ctxgroup(&["check", "-"], "task t1 5s fail=\"超时错误\" chek=never\n");
    // 17 characters, 4 wide ones, 2 more: chek is 27 columns in.
    let caret = format!("  | {}^^^^\n", " ".repeat(27));
    assert!(
        err.contains(&format!(
            "  | task t1 5s fail=\"超时错误\" chek=never\n{caret}"
        )),
        "{err}"
    );
    // A combining mark takes no column; an emoji two.
    let (_, _, err) = ctxgroup(&["check", "-"], "task e\u{301}🚀 5x\n");
    assert!(
        err.contains(&format!("\n  | {}^\n", " ".repeat(10))),
        "{err}"
    );
    // A control character is shown, not sent to the terminal.
    let (_, _, err) = ctxgroup(&["check", "-"], "task a 1s \u{1b}[2J\n");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    let (_, _, err) = ctxgroup(&["check", "-"], "\ttask t1 5x\n");
    assert!(err.contains("  | \ttask t1 5x\n  | \t         ^"), "{err}");
}

#[test]
fn every_error_has_a_place_and_a_line_to_show() {
    // Not UTF-8: where, and how to fix it.
    let (code, _, err) = ctxgroup_bytes(&["check", "-"], b"timeout 7s\ntask t\xff1 5s\n");
    assert_eq!(code, 2);
    assert!(
        err.starts_with("<stdin>:2:7: error: the text is not UTF-8 (byte 0xff)"),
        "{err}"
    );
    assert!(err.contains("hint: save the file as UTF-8"), "{err}");
    // Over the run's budget: the line and its text.
    let (code, _, err) = ctxgroup(
        &["check", "-"],
        "task a 1000000s\ntask b forever check=every:1ms\n",
    );
    assert_eq!(code, 2);
    assert!(err.starts_with("<stdin>:2:1: error: "), "{err}");
    assert!(
        err.contains("\n  | task b forever check=every:1ms\n"),
        "{err}"
    );
    // A huge line is shown around the error, not whole.
    let name = "n".repeat(200_000);
    let (code, _, err) = ctxgroup(&["check", "-"], &format!("task {name} 5x\n"));
    assert_eq!(code, 2);
    assert!(err.len() < 2_000, "{} bytes of error", err.len());
    let token = "x".repeat(100_000);
    let (_, _, err) = ctxgroup(&["check", "-"], &format!("task a 1s {token}\n"));
    assert!(err.len() < 2_000, "{} bytes of error", err.len());
    assert!(err.contains("…"), "{err}");
    // Too long a text: no empty line shown.
    let (code, _, err) = ctxgroup(&["check", "-"], &"#".repeat(1_000_001));
    assert_eq!(code, 2);
    assert!(!err.contains("  | \n"), "{err}");
}
