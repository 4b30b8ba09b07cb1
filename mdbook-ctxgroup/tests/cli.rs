//! The binary as mdBook runs it: `supports RENDERER`, `[context, book]` on standard input and the
//! book on standard output, errors on standard error with a failing exit status.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_mdbook-ctxgroup");

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
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
    child.wait_with_output().unwrap()
}

fn input(content: &str) -> String {
    serde_json::json!([
        {"root": "/book", "config": {"book": {"src": "src"}, "preprocessor": {"ctxgroup": {"width": 500}}}, "renderer": "html", "mdbook_version": "0.5.4"},
        {"items": [{"Chapter": {"name": "A", "content": content, "number": [1], "sub_items": [], "path": "a.md", "source_path": "a.md", "parent_names": []}}]}
    ])
    .to_string()
}

#[test]
fn supports_only_the_html_renderer() {
    assert!(run(&["supports", "html"], "").status.success());
    assert_eq!(run(&["supports", "latex"], "").status.code(), Some(1));
    assert_eq!(run(&["supports"], "").status.code(), Some(2));
}

#[test]
fn a_book_goes_through_with_its_charts() {
    let out = run(
        &[],
        &input("# A\n\n```ctxgroup\ntimeout 7s\ntask t 10s check=every:1s\n```\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let book: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let content = book["items"][0]["Chapter"]["content"].as_str().unwrap();
    assert!(content.contains("<ctxgroup-playground autorun>"));
    // book.toml's width reaches the chart.
    assert!(
        content.contains("class=\"cg-gantt\" width=\"500"),
        "{content}"
    );
}

#[test]
fn a_failed_expect_fails_with_the_file_and_line_on_stderr() {
    let out = run(
        &[],
        &input("x\n```ctxgroup\ntask t 1s\nexpect t cancelled\n```\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("src/a.md:4: expect failed: expected t cancelled, got completed at 1s\n"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn input_that_is_not_a_book_is_an_error_not_a_panic() {
    for bad in [
        "",
        "{",
        "[1, 2, 3]",
        "null",
        "[{}, {\"items\": [{\"Chapter\": {\"content\": 5}}]}]",
    ] {
        let out = run(&[], bad);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{bad}: {err}");
    }
    assert_eq!(run(&[], "{").status.code(), Some(1));
    assert_eq!(run(&["frobnicate"], "").status.code(), Some(2));
}
