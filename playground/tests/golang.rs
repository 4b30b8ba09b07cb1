//! The Go view (and the Rust view's hostile input): the generated program's text for each construct, hostile input, and the
//! examples' freedom from ties (where Go's outcome would be a race).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/examples.rs"]
mod examples;

use std::path::PathBuf;

use ctxgroup_playground::golang::{go_program, ties};
use ctxgroup_playground::scenario::parse;

fn go(text: &str) -> String {
    go_program(&parse(text).unwrap())
}

fn examples() -> Vec<(PathBuf, String)> {
    let files = examples::example_files();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn examples_have_no_ties() {
    let mut tied = Vec::new();
    for (path, text) in examples() {
        let found = ties(&parse(&text).unwrap());
        if !found.is_empty() {
            tied.push(format!("{}: {}", path.display(), found.join("; ")));
        }
    }
    assert!(
        tied.is_empty(),
        "ties, which Go resolves by a race:\n{}",
        tied.join("\n")
    );
}

#[test]
fn the_group_context_follows_on_error() {
    let cancel = go("timeout 7s\ntask a 1s");
    assert!(cancel.contains(
        "ctx, cancel := context.WithTimeout(context.Background(), scaled(7*time.Second))"
    ));
    assert!(cancel.contains("g, gctx := errgroup.WithContext(ctx)"));
    assert!(cancel.contains("case <-gctx.Done():"));
    let plain = go("on-error continue\ntask a 1s");
    assert!(plain.contains("ctx, cancel := context.WithCancel(context.Background())"));
    assert!(plain.contains("var g errgroup.Group"));
    assert!(plain.contains("case <-ctx.Done():"));
    assert!(!plain.contains("errgroup.WithContext"));
}

#[test]
fn every_tasks_context_goes_to_the_watcher_and_unused_ones_are_blank() {
    // The `task` wrapper gets the task's context, for context.Cause when it ends.
    let never = go("timeout 7s\ntask a 1s check=never");
    assert!(never.contains("g, gctx := errgroup.WithContext(ctx)"));
    assert!(never.contains("g.Go(task(\"a\", gctx, func() error {"));
    let plain = go("on-error continue\ntask a 1s check=never");
    assert!(plain.contains("ctx, cancel := context.WithCancel(context.Background())"));
    let own = go("task a 1s check=never timeout=2s");
    assert!(own.contains("ctx, cancel := context.WithTimeout(gctx, scaled(2*time.Second))"));
    assert!(own.contains("watch.context(\"a\", ctx)"));
    // Go rejects an unused variable: a group without tasks does not name its context.
    let empty = go("group g {\n}");
    assert!(
        empty.contains("\t\tg, _ := errgroup.WithContext(ctx)"),
        "{empty}"
    );
}

#[test]
fn limit_cancel_value_and_after() {
    let text = go("limit 2\ncancel 3s\nvalue trace=1\ntask a 1s after=500ms");
    assert!(text.contains("g.SetLimit(2)"));
    assert!(text.contains("time.AfterFunc(scaled(3*time.Second), cancel)"));
    assert!(
        text.contains("ctx := context.WithValue(context.Background(), ctxKey(\"trace\"), \"1\")")
    );
    assert!(text.contains("type ctxKey string"));
    assert!(text.contains("start := time.Now()"));
    assert!(text.contains("time.Sleep(time.Until(start.Add(scaled(500 * time.Millisecond))))"));
    assert!(!go("task a 1s").contains("start := time.Now()"));
}

#[test]
fn every_check_mode_as_go_writes_it() {
    let never = go("task a 5s check=never");
    assert!(never.contains("\t\ttime.Sleep(scaled(5 * time.Second))\n\t\treturn nil\n"));
    let start = go("task a 5s check=start");
    assert!(start.contains("\t\tselect {\n\t\tcase <-gctx.Done():\n\t\t\treturn gctx.Err()\n\t\tdefault:\n\t\t}\n\t\ttime.Sleep(scaled(5 * time.Second))\n"));
    let every = go("task a 2.5s check=every:1s");
    assert!(every.contains("for i := 0; i < 2; i++ {"));
    assert!(every.contains("// The last, shorter step."));
    assert!(every.contains("time.Sleep(scaled(500 * time.Millisecond))"));
    let wait = go("task a 5s");
    assert!(wait.contains("case <-time.After(scaled(5 * time.Second)):"));
    assert!(go("task a forever check=never").contains("\t\tselect {}\n"));
    assert!(go("task a forever").contains("\t\t<-gctx.Done()\n\t\treturn gctx.Err()\n"));
    let endless = go("task a forever check=every:1s");
    assert!(endless.contains("\t\tfor {\n\t\t\tselect {"));
    assert!(
        endless.contains("\t\t\ttime.Sleep(scaled(time.Second))\n\t\t}\n\t}))"),
        "an endless loop has no return after it"
    );
}

#[test]
fn fail_timeout_and_wait_cancel() {
    let text = go("wait cancel\ntask a 3s fail=\"HTTP \\\"502\\\"\" timeout=2s");
    assert!(text.contains(r#"return errors.New("HTTP \"502\"")"#));
    assert!(text.contains("ctx, cancel := context.WithTimeout(gctx, scaled(2*time.Second))"));
    assert!(text.contains("go func() { waited <- g.Wait() }()"));
    assert!(text.contains(
        "case err := <-waited:\n\t\treturn err\n\tcase <-ctx.Done():\n\t\treturn ctx.Err()\n"
    ));
}

#[test]
fn nested_groups_run_as_one_task() {
    let text = go("group batch timeout=3s limit=1 on-error=continue {\n  task b1 1s\n  group inner wait=cancel {\n    task c 1s\n  }\n}");
    assert!(text.contains("g.Go(task(\"batch\", gctx, func() error {"));
    assert!(text.contains("\t\tctx, cancel := context.WithTimeout(gctx, scaled(3*time.Second))"));
    assert!(text.contains("\t\tvar g errgroup.Group\n"));
    assert!(text.contains("\t\tg.Go(task(\"batch/b1\", ctx, func() error {"));
    assert!(text.contains("\t\t\tg, gctx := errgroup.WithContext(ctx)"));
    assert!(text.contains("\t\t\tg.Go(task(\"batch/inner/c\", gctx, func() error {"));
    // The nested group's Wait is the task's result.
    assert!(text.contains("\t\treturn g.Wait()\n\t}))"));
    assert!(text.contains("\"batch/inner/c\",\n"), "listed in paths");
}

#[test]
fn the_header_quotes_the_scenario_and_the_program_has_a_horizon() {
    let text = go("timeout 7s\ntask t1 5s check=never\nexpect t1 completed at 5s");
    assert!(text
        .contains("//\ttimeout 7s\n//\ttask t1 5s check=never\n//\texpect t1 completed at 5s\n"));
    assert!(text.contains("const horizon = 13 * time.Second"));
    assert!(text.contains("\npackage main\n"));
    assert!(text.contains("\"golang.org/x/sync/errgroup\""));
}

#[test]
fn hostile_input_gives_a_program_not_a_panic() {
    // As deep as the parser allows.
    let depth = ctxgroup_playground::scenario::MAX_DEPTH;
    let mut text = String::new();
    for i in 0..depth {
        text += &format!("group g{i} timeout=1s wait=cancel {{\n");
    }
    text += "task leaf 1s check=every:100ms\n";
    text += &"}\n".repeat(depth);
    let deep = go(&text);
    let deep_rust = ctxgroup_playground::rustgen::rust_program(&parse(&text).unwrap());
    assert_eq!(deep_rust.matches("TaskGroup::builder").count(), depth + 1);
    assert!(deep.contains(&format!(
        "\"{}leaf\"",
        (0..depth).map(|i| format!("g{i}/")).collect::<String>()
    )));
    // A thousand tasks, names and errors full of quotes, backslashes and non-ASCII.
    let mut text = String::from("limit 3\n");
    for i in 0..1000 {
        text += &format!(
            "task t{i}-é.x {}ms fail=\"a \\\"quote\\\" and \\\\ {i} ✓\" after={}ms\n",
            i + 1,
            i
        );
    }
    let many = go(&text);
    let many_rust = ctxgroup_playground::rustgen::rust_program(&parse(&text).unwrap());
    assert_eq!(many_rust.matches(".spawn(|ctx| async move {").count(), 1000);
    assert_eq!(many.matches("g.Go(task(").count(), 1000);
    assert!(many.contains(r#"return errors.New("a \"quote\" and \\ 999 ✓")"#));
}

#[test]
fn a_failure_tied_with_a_nested_group_ending_on_a_check_is_a_tie() {
    // Found by the fuzzer: at 750 ms t0 fails while g1 fails (its last task's check), so which
    // error the top group returns is a race in Go.
    let text = "limit 3\nwait cancel\ntask t0 750ms fail=\"Et0\"\ngroup g1 timeout=1000ms {\n  group g1_0 {\n    task t1_0_0 250ms check=never fail=\"Et1_0_0\"\n    task t1_0_1 1500ms check=every:750ms\n    task t1_0_2 750ms check=start fail=\"Et1_0_2\"\n  }\n}\ntask t2 1000ms check=never after=250ms\n";
    assert!(!ties(&parse(text).unwrap()).is_empty());
}

#[test]
fn the_program_says_which_errgroup_it_behaves_as_shown_with() {
    // A learner's `go get` brings a later errgroup, whose failing tasks become the cause of the
    // group's context: the header says so before context.Cause surprises them.
    let program = go("task a 1s fail=\"x\"\n");
    let header: String = program
        .lines()
        .take_while(|l| l.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(header.contains("errgroup v0.1.0"), "{header}");
    assert!(header.contains("context.Cause returns it"), "{header}");
}

#[test]
fn a_shutdown_whose_tasks_all_returned_as_the_grace_ran_out_returns_waits_result() {
    // In Go the grace's timer and Wait's goroutine can both be ready: when the select takes
    // the timer after the last task returned, nobody is left to name. Wait's result is on its
    // way; the program had printed "still running after the 1s grace: " with no names.
    let program = go("shutdown 2s grace=1s\ntask worker forever\ntask exporter 3s check=never");
    let names = program
        .find("var names []string")
        .expect("names the stragglers");
    let empty = program[names..]
        .find("if len(names) == 0 {\n\t\t// The last ones returned as the grace ran out: that is Wait's result.\n\t\treturn <-waited\n\t}")
        .expect("an empty list returns Wait's result");
    let message = program[names..]
        .find("still running after the 1s grace")
        .unwrap();
    assert!(empty < message);
}

/// The trace of `text` with its races, as the page and the CLI make it.
fn with_races(text: &str) -> ctxgroup_playground::trace::Trace {
    let scenario = parse(text).unwrap();
    let mut trace = ctxgroup_playground::simulate::simulate(&scenario).unwrap();
    trace.races = ctxgroup_playground::golang::races(&scenario, &trace);
    trace
}

#[test]
fn races_in_go_the_chart_draws_one_side_of_are_said_in_the_summary_and_the_row() {
    // Each came from a learner's audit, with Go 1.23's counts (scale 0.2 s): the chart had
    // drawn one side as certain.
    // TryGo at the instant a slot frees: b started in 5 of 10 runs of the page's program.
    let t = with_races("limit 1\ntask a 2s\ntask b 1s try after=2s\n");
    assert!(
        t.summary()
            .ends_with("· in Go a race: b may also complete at 3s (and 1 more)"),
        "{}",
        t.summary()
    );
    let svg = ctxgroup_playground::gantt::render(&t, &Default::default());
    assert!(
        svg.contains("in Go a race: it may also complete at 3s"),
        "the row says it"
    );
    // Two errors at one instant under collect: A first in 6 runs of 12, B first in 6.
    let t = with_races("on-error collect\ntask a 1s fail=\"A\"\ntask b 1s fail=\"B\"\n");
    assert!(t
        .summary()
        .ends_with("· in Go a race: it may also return at 1s: B; A"));
    // A task not looking at its context failing at the deadline: x in 7 of 12.
    let t = with_races("timeout 1s\ntask a 1s check=never fail=\"x\"\ntask b 2s\n");
    assert!(t
        .summary()
        .contains("· in Go a race: it may also return at 1s: x"));
    // No race: the examples (above) and a scenario whose instants are apart.
    let t = with_races("limit 1\ntask a 2s\ntask b 1s try after=2.5s\n");
    assert!(t.races.is_empty(), "{:?}", t.races);
    assert!(!t.summary().contains("race"));
}

#[test]
fn races_are_not_looked_for_in_a_trace_too_big_to_read_row_by_row() {
    // Three more simulations of 10,000 tasks would double the page's work for a note on
    // rows nobody reads one by one.
    let mut text = String::from("on-error collect\n");
    for i in 0..=ctxgroup_playground::golang::RACES_UP_TO_ROWS {
        text.push_str(&format!("task t{i} 1s fail=\"E{i}\"\n"));
    }
    assert!(with_races(&text).races.is_empty());
    text = text.replacen("task t0 1s fail=\"E0\"\n", "", 1);
    assert!(!with_races(&text).races.is_empty(), "at the bound, it is");
}

#[test]
fn two_errors_at_one_instant_under_fail_fast_say_the_group_may_return_either() {
    // A second audit, Go 1.23 (the page's program, 32 runs at scale 0.2 and 0.3): Wait
    // returned A 17 times and B 15. The summary named b's tie, not the result.
    let t = with_races("task a 1s fail=\"A\"\ntask b 1s fail=\"B\"\ntask c 3s\n");
    assert!(
        t.summary().ends_with("· it may also return at 1s: B"),
        "{}",
        t.summary()
    );
    // An exported picture has no summary: the return's own label says it.
    let svg = ctxgroup_playground::gantt::render(&t, &Default::default());
    assert!(svg.contains("returned at 1s: A · a race in Go"));
}
