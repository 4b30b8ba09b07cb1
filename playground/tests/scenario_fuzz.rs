//! The parser never panics: random text, and random mutations of valid scenarios. Whatever
//! parses also simulates without panicking.
#![cfg(not(target_arch = "wasm32"))]
use proptest::prelude::*;

const VALID: &str = "timeout 7s cause=\"SLA\"\nlimit 2\non-error cancel\nwait all\ncancel 3s cause=stop\nvalue trace=1\n\
task t1 5s check=never\ntask t2 10s check=every:1s\ntask t3 10s check=start\ntask t4 5s\n\
task t5 3s fail=\"HTTP 502\"\ntask t6 forever check=never\ntask t7 5s timeout=2s cause=slow\ntask t8 1s after=2s\ntask t9 1s try\ntask t10 1s without-cancel\nafter-cancel cleanup 500ms\n\
task worker forever check=every:1s {\n  go worker2 forever check=every:1s {\n    go w3 2s check=never\n  }\n}\n\
group batch timeout=3s cause=\"batch SLA\" limit=1 on-error=continue {\n  task b1 1s\n  task b2 5s\n}\n\
group all on-error=collect {\n  task c1 1s fail=x\n}\n\
expect t1 completed at 5s\nexpect returned never\n";

fn check(text: &str) {
    match ctxgroup_playground::scenario::parse(text) {
        Ok(s) => {
            if let Ok(trace) = ctxgroup_playground::simulate::simulate(&s) {
                let _ = trace.to_json();
                let _ = ctxgroup_playground::gantt::render(&trace, &Default::default());
            }
        }
        Err(errs) => {
            let lines: Vec<&str> = text.lines().collect();
            for e in errs.0 {
                assert!(
                    e.line >= 1 && e.line <= lines.len().max(1),
                    "line {} out of range",
                    e.line
                );
                assert!(e.col >= 1 && e.end_col > e.col, "bad columns in {e}");
                assert!(!e.message.is_empty());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_text_never_panics(text in "[ -~\n\t{}\"#=:.é]{0,300}") {
        check(&text);
    }

    #[test]
    fn random_token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(vec![
        "task", "group", "timeout", "limit", "on-error", "wait", "cancel", "value", "expect", "{", "}", "\n",
        "t1", "5s", "0s", "-1s", "1.5s", "250ms", "2m", "forever", "check=never", "check=every:1s", "check=every:0s",
        "check=start", "fail=\"x\"", "timeout=2s", "after=1s", "limit=1", "on-error=continue", "wait=cancel",
        "all", "completed", "at", "returned", "never", "\"context canceled\"", "ok", "#", "=", "x=y",
        "collect", "on-error=collect", "cause=\"SLA\"", "cause=", "cause=\"a\\nb\"", "\"x\\ny\"", "try", "skipped", "go", "go w 1s {", "task w 2s {", "without-cancel", "after-cancel", "after-cancel c 1s", "shutdown", "grace=1s", "shutdown 1s grace=0s",
    ]), 0..60)) {
        check(&tokens.join(" "));
    }

    #[test]
    fn mutations_of_a_valid_scenario_never_panic(cuts in prop::collection::vec((0usize..VALID.len(), 0usize..8, "[ -~\n]{0,4}"), 1..6)) {
        let mut text = VALID.to_string();
        for (at, len, insert) in cuts {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(at..end, &insert);
        }
        check(&text);
    }
}

#[test]
fn the_full_example_parses() {
    let s = ctxgroup_playground::scenario::parse(VALID).unwrap();
    assert_eq!(s.group.items.len(), 13);
}

#[test]
fn heavy_go_blocks_are_checked_not_slow() {
    // Ten thousand goroutines under one task parse and simulate; one more is refused.
    let mut text = String::from("task t 1s {\n");
    for i in 0..9_999 {
        text += &format!("  go g{i} 1s check=never\n");
    }
    text += "}\n";
    let started = std::time::Instant::now();
    let s = ctxgroup_playground::scenario::parse(&text).unwrap();
    let trace = ctxgroup_playground::simulate::simulate(&s).unwrap();
    assert_eq!(trace.tasks.len(), 10_000);
    assert_eq!(trace.goroutines.iter().map(|(_, n)| *n).max(), Some(10_000));
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    let over = text.replace("}\n", "  go extra 1s\n}\n");
    let e = ctxgroup_playground::scenario::parse(&over).unwrap_err();
    assert!(e.0[0].message.contains("more than 10000"), "{}", e);
    // A forever goroutine checking every millisecond is refused by the budget, not run for minutes.
    let busy = "task t 1s {\n  go spin forever check=every:1ms\n}\ntask u 1000000s check=never";
    let s = ctxgroup_playground::scenario::parse(busy).unwrap();
    assert!(ctxgroup_playground::simulate::simulate(&s).is_err());
}
