//! The native CLI, as a documentation pipeline calls it.
#![cfg(not(target_arch = "wasm32"))]
use std::io::Write;
use std::process::{Command, Stdio};

fn ctxgroup(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctxgroup"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
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
