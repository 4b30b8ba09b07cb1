//! The simulator's semantics, one DESIGN.md rule per test.
use ctxgroup_playground::scenario::parse;
use ctxgroup_playground::simulate::simulate;
use ctxgroup_playground::trace::{Outcome, Trace};

fn run(text: &str) -> Trace {
    simulate(&parse(text).unwrap()).unwrap()
}

fn task<'t>(trace: &'t Trace, path: &str) -> &'t ctxgroup_playground::trace::TaskTrace {
    trace
        .tasks
        .iter()
        .find(|t| t.path == path)
        .unwrap_or_else(|| panic!("no task {path}"))
}

#[test]
fn set_limit_2_with_five_1s_tasks_start_at_0_0_1_1_2() {
    let t = run("limit 2\ntask t1 1s\ntask t2 1s\ntask t3 1s\ntask t4 1s\ntask t5 1s");
    let starts: Vec<f64> = t.tasks.iter().map(|t| t.start.unwrap()).collect();
    assert_eq!(starts, [0.0, 0.0, 1.0, 1.0, 2.0]);
    // g.Go blocks: t4 is only spawned when t3's spawn returned.
    let spawned: Vec<f64> = t.tasks.iter().map(|t| t.spawned).collect();
    assert_eq!(spawned, [0.0, 0.0, 0.0, 1.0, 1.0]);
}

#[test]
fn a_queued_task_starts_after_the_cancel_and_follows_its_check_mode() {
    let t = run(
        "limit 1\ncancel 1s\ntask a 2s check=never\ntask b 3s check=never\ntask c 3s check=start",
    );
    let b = task(&t, "b");
    assert_eq!(
        (b.start, b.end, b.outcome),
        (Some(2.0), Some(5.0), Outcome::Completed)
    );
    assert_eq!(
        b.cancel_requested,
        Some(2.0),
        "its context was already cancelled when it started"
    );
    let c = task(&t, "c");
    assert_eq!(
        (c.start, c.end, c.outcome),
        (Some(5.0), Some(5.0), Outcome::Cancelled)
    );
}

#[test]
fn wait_cancel_returns_at_the_deadline_and_leaks_what_still_runs() {
    let t = run("timeout 2s\nwait cancel\ntask query 5s check=never\ntask fetch 5s");
    let r = t.returned.as_ref().unwrap();
    assert_eq!(
        (r.at, r.error.as_deref()),
        (2.0, Some("context deadline exceeded"))
    );
    let q = task(&t, "query");
    assert!(q.leaked);
    assert_eq!(q.end, Some(5.0), "the trace shows it past the return line");
    assert!(!task(&t, "fetch").leaked);
    assert!(t.end >= 5.0);
}

#[test]
fn a_nested_groups_timeout_counts_from_its_start() {
    let t = run("task a 3s\ngroup g after=1s timeout=1s {\n  task x 5s\n}");
    let x = task(&t, "g/x");
    assert_eq!(
        (x.start, x.end, x.outcome),
        (Some(1.0), Some(2.0), Outcome::Cancelled)
    );
    assert_eq!(x.cause.as_deref(), Some("deadline of g passed at 2s"));
    assert_eq!(x.depth, 1);
    let g = task(&t, "g");
    assert_eq!(
        (g.outcome, g.error.as_deref()),
        (Outcome::Cancelled, Some("context deadline exceeded"))
    );
    // The nested group's error is the outer group's first error: it cancels a.
    assert_eq!(task(&t, "a").outcome, Outcome::Cancelled);
    assert_eq!(task(&t, "a").cause_task.as_deref(), Some("g"));
}

#[test]
fn a_nested_groups_settings_apply_to_it_alone() {
    let t = run(
        "group g limit=1 on-error=continue {\n  task x 1s fail=\"boom\"\n  task y 1s\n}\ntask z 1s",
    );
    assert_eq!(task(&t, "g/y").start, Some(1.0), "limit 1 inside g");
    assert_eq!(
        task(&t, "g/y").outcome,
        Outcome::Completed,
        "continue inside g"
    );
    assert_eq!(task(&t, "z").start, Some(0.0), "no limit outside");
    assert_eq!(task(&t, "g").error.as_deref(), Some("boom"));
}

#[test]
fn a_group_that_can_never_return_says_so() {
    let t = run("limit 1\ntask stuck forever check=never\ntask next 1s");
    assert!(t.returned.is_none());
    assert!(t.to_json().starts_with(r#"{"returned":null"#));
    assert_eq!(task(&t, "stuck").outcome, Outcome::Running);
    assert_eq!(task(&t, "next").start, None, "it never gets a slot");
    assert!(t.summary().starts_with("never returns"));
}

#[test]
fn every_cancelled_task_knows_its_reason_and_cause() {
    let t = run(
        "timeout 9s\ncancel 8s\ntask a 1s fail=\"HTTP 502\"\ntask b 5s\ntask c 5s timeout=500ms",
    );
    assert_eq!(
        task(&t, "c").cause.as_deref(),
        Some("deadline of c passed at 500ms")
    );
    assert_eq!(
        task(&t, "b").cause.as_deref(),
        Some("c failed: context deadline exceeded")
    );
    assert_eq!(task(&t, "b").cause_task.as_deref(), Some("c"));
    let t = run("cancel 2s\ntask a 5s");
    assert_eq!(
        task(&t, "a").cause.as_deref(),
        Some("cancel of main was called")
    );
    let t = run("timeout 2s\ntask a 5s");
    assert_eq!(
        task(&t, "a").cause.as_deref(),
        Some("deadline of main passed at 2s")
    );
}

#[test]
fn at_a_tie_the_work_wins_and_a_check_sees_the_cancel() {
    // As Go usually decides these races (the rows say they are races).
    let t = run("timeout 5s\ntask a 5s\ntask b 10s check=every:5s");
    assert_eq!(task(&t, "a").outcome, Outcome::Completed);
    assert_eq!(task(&t, "a").end, Some(5.0));
    assert_eq!(task(&t, "b").end, Some(5.0));
    assert_eq!(task(&t, "b").outcome, Outcome::Cancelled);
}

#[test]
fn context_values_reach_the_tasks() {
    let s = parse("value trace=12512312234\ntask a 1s").unwrap();
    assert_eq!(s.values, [("trace".to_string(), "12512312234".to_string())]);
    simulate(&s).unwrap();
}

#[test]
fn ten_thousand_tasks_simulate_and_render() {
    let text: String = std::iter::once("limit 100\ntimeout 100s\n".to_string())
        .chain(
            (0..10_000)
                .map(|i| format!("task t{i} {}ms check=every:100ms\n", 100 + (i * 37) % 900)),
        )
        .collect();
    let t = run(&text);
    assert_eq!(t.tasks.len(), 10_000);
    assert!(t.tasks.iter().all(|t| t.outcome == Outcome::Completed));
    let svg = ctxgroup_playground::gantt::render(&t, &Default::default());
    assert!(svg.len() > 100_000 && svg.ends_with("</svg>"));
}

#[test]
fn too_many_checks_on_a_forever_task_is_refused_not_frozen() {
    let err =
        simulate(&parse("task a 100000s\ntask b forever check=every:1ms").unwrap()).unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.message.contains("longer step"));
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_chrome_trace_has_lanes_slices_instants_and_a_flow_from_cause_to_victim() {
    let t = run("timeout 9s\ntask a 1s fail=\"HTTP 502\"\ntask b 5s\nlimit 1\n");
    let v: serde_json::Value =
        serde_json::from_str(&ctxgroup_playground::trace::to_chrome_json(&t)).unwrap();
    let events = v["traceEvents"].as_array().unwrap();
    let names: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "thread_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert!(events
        .iter()
        .any(|e| e["ph"] == "X" && e["name"] == "a" && e["dur"] == 1_000_000));
    assert!(events
        .iter()
        .any(|e| e["ph"] == "X" && e["name"] == "queued"));
    assert!(events
        .iter()
        .any(|e| e["ph"] == "i" && e["name"].as_str().unwrap().starts_with("returned")));
    let s = events.iter().find(|e| e["ph"] == "s").expect("flow start");
    let f = events.iter().find(|e| e["ph"] == "f").expect("flow end");
    assert_eq!(s["id"], f["id"]);
}

#[test]
fn the_svg_escapes_names_and_errors() {
    let t = run("task a 1s fail=\"<script>alert(1)</script> & co\"");
    let svg = ctxgroup_playground::gantt::render(&t, &Default::default());
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
}

#[test]
fn checks_are_recorded_compactly_counted_but_not_all_listed() {
    let t = run("timeout 50s\ntask busy 100s check=every:1ms\ntask calm 1s check=every:100ms");
    let busy = task(&t, "busy");
    assert_eq!(
        busy.checks, 50_001,
        "every check is counted, the last one found it cancelled"
    );
    let listed = |path: &str| {
        t.events
            .iter()
            .filter(|e| e.kind == "check" && e.task.as_deref() == Some(path))
            .count() as u64
    };
    // The first checks, the last live one (with the count) and the one that saw the cancel.
    assert_eq!(
        listed("busy"),
        ctxgroup_playground::trace::LISTED_CHECKS + 2
    );
    assert!(t.events.len() < 200, "{} events stored", t.events.len());
    assert_eq!((task(&t, "calm").checks, listed("calm")), (10, 10));
    assert_eq!(busy.work, Some(100.0));
}

#[test]
fn a_run_over_its_budget_is_refused_at_the_line_that_costs_the_most() {
    use ctxgroup_playground::simulate::{simulate_with, Budget};
    let s = parse("task light 1s\ntask heavy 100s check=every:1ms\ntask mid 100s check=every:10ms")
        .unwrap();
    let budget = Budget {
        max_steps: 20_000,
        ..Budget::default()
    };
    let err = simulate_with(&s, &budget).unwrap_err();
    assert_eq!(err.line, 2);
    assert!(
        err.message
            .starts_with("the run passed its budget of 20,000 steps at "),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("Task heavy checked its context"),
        "{}",
        err.message
    );
    assert!(err.message.contains("check=every:100ms"), "{}", err.message);
    // Within the budget, the same scenario runs.
    assert!(simulate_with(&s, &Budget::default()).is_ok());
    // A time limit stops a long run too.
    let budget = Budget {
        max_ms: 0.0,
        now_ms: Some(|| {
            static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as f64
        }),
        ..Budget::default()
    };
    let err = simulate_with(&s, &budget).unwrap_err();
    assert!(
        err.message.starts_with("the run took over 0 s of work"),
        "{}",
        err.message
    );
}

#[test]
fn on_error_collect_cancels_nothing_and_returns_every_error_joined_in_order() {
    let t = run(
        "on-error collect\ntask a 3s fail=\"HTTP 503\"\ntask b 2s\ntask c 1s fail=\"HTTP 502\"",
    );
    assert_eq!(task(&t, "b").outcome, Outcome::Completed);
    assert_eq!(task(&t, "a").outcome, Outcome::Failed);
    let r = t.returned.as_ref().unwrap();
    // errors.Join: in the order they happened, one per line.
    assert_eq!(
        (r.at, r.error.as_deref()),
        (3.0, Some("HTTP 502\nHTTP 503"))
    );
}

#[test]
fn a_nested_group_may_collect_too() {
    let t = run("group g on-error=collect {\n  task a 1s fail=x\n  task b 2s fail=y\n}");
    let g = task(&t, "g");
    assert_eq!((g.end, g.error.as_deref()), (Some(2.0), Some("x\ny")));
}

#[test]
fn a_timeout_cause_is_what_context_cause_says_and_err_is_unchanged() {
    let t = run("timeout 7s cause=\"SLA of 7 s\"\non-error continue\ntask t1 10s\ntask t2 5s timeout=2s cause=\"API too slow\"\ntask t3 1s");
    let t1 = task(&t, "t1");
    assert_eq!(t1.error.as_deref(), Some("context deadline exceeded"));
    assert_eq!(t1.go_cause.as_deref(), Some("SLA of 7 s"));
    let t2 = task(&t, "t2");
    assert_eq!(
        (t2.end, t2.error.as_deref()),
        (Some(2.0), Some("context deadline exceeded"))
    );
    assert_eq!(t2.go_cause.as_deref(), Some("API too slow"));
    assert_eq!(
        task(&t, "t3").go_cause,
        None,
        "only a cancelled task has one"
    );
    assert!(t.to_json().contains(r#""go_cause":"API too slow""#));
}

#[test]
fn a_cancel_cause_and_a_groups_timeout_cause() {
    let t = run("cancel 3s cause=\"user pressed stop\"\non-error continue\ntask a 5s\ngroup g timeout=1s cause=\"batch SLA\" {\n  task b 5s\n}");
    assert_eq!(task(&t, "a").go_cause.as_deref(), Some("user pressed stop"));
    assert_eq!(task(&t, "a").error.as_deref(), Some("context canceled"));
    assert_eq!(task(&t, "g/b").go_cause.as_deref(), Some("batch SLA"));
}

#[test]
fn a_sibling_error_gives_no_cause_under_the_pinned_errgroup() {
    // x/sync's errgroup (as pinned) cancels with plain cancel(): context.Cause says "context canceled".
    let t = run("task a 1s fail=boom\ntask b 5s");
    assert_eq!(task(&t, "b").go_cause.as_deref(), Some("context canceled"));
}

#[test]
fn an_expect_line_may_name_the_cause() {
    let t = run("timeout 1s cause=SLA\ntask a 2s\nexpect a cancelled cause=SLA\nexpect a cancelled cause=other");
    assert!(t.expectations[0].ok, "{}", t.expectations[0].message);
    assert!(!t.expectations[1].ok);
    assert_eq!(
        t.expectations[1].message,
        "expected a cancelled cause=\"other\", got cancelled at 1s cause=\"SLA\""
    );
}

#[test]
fn try_under_a_full_limit_is_skipped_never_started_never_leaked() {
    let t =
        run("limit 1\nwait cancel\ntimeout 5s\ntask a 2s\ntask b 1s try\ntask c 1s after=3s try");
    let b = task(&t, "b");
    assert_eq!(b.outcome, Outcome::Skipped);
    assert_eq!(
        (b.spawned, b.start, b.end, b.leaked),
        (0.0, None, None, false)
    );
    let c = task(&t, "c");
    assert_eq!(
        (c.start, c.end, c.outcome),
        (Some(3.0), Some(4.0), Outcome::Completed)
    );
    assert!(t.to_json().contains(r#""outcome":"skipped""#));
    assert!(t.summary().contains("b skipped"), "{}", t.summary());
    assert_eq!(t.end, 4.0, "a skipped task does not stretch the chart");
}

#[test]
fn try_without_a_limit_always_starts() {
    let t = run("on-error continue\ntask a 1s try\ntask b 1s try timeout=500ms");
    assert_eq!(task(&t, "a").outcome, Outcome::Completed);
    assert_eq!(task(&t, "b").end, Some(0.5));
}

#[test]
fn a_go_goroutine_shares_its_tasks_context_and_nobody_waits_for_it() {
    // Seed 002: worker starts worker2 with the same ctx; both check it every second.
    let t = run(
        "cancel 2.5s\ntask worker forever check=every:1s {\n  go worker2 forever check=every:1s\n}",
    );
    let w2 = task(&t, "worker/worker2");
    assert!(w2.goroutine && !task(&t, "worker").goroutine);
    assert_eq!(w2.depth, 1);
    assert_eq!(
        (w2.start, w2.end, w2.outcome),
        (Some(0.0), Some(3.0), Outcome::Cancelled)
    );
    assert_eq!(w2.error.as_deref(), Some("context canceled"));
    assert!(!w2.leaked);
    assert_eq!(t.returned.as_ref().unwrap().at, 3.0);
}

#[test]
fn a_goroutine_still_running_when_its_tasks_group_returns_is_leaked() {
    // Seed 004: a library call that ignores its context, inside a `go` block.
    let t = run("timeout 1s\ntask handler 500ms {\n  go lib 3s check=never {\n    go retry 4s check=never\n  }\n}");
    assert_eq!(t.returned.as_ref().unwrap().at, 0.5);
    let lib = task(&t, "handler/lib");
    assert_eq!(
        (lib.end, lib.outcome, lib.leaked),
        (Some(3.0), Outcome::Completed, true)
    );
    let retry = task(&t, "handler/lib/retry");
    assert_eq!(
        (retry.start, retry.end, retry.leaked, retry.depth),
        (Some(0.0), Some(4.0), true, 2)
    );
    // Goroutines alive over time: handler, lib and retry at 0; lib and retry after 0.5 s.
    assert_eq!(t.goroutines, [(0.0, 3), (0.5, 2), (3.0, 1), (4.0, 0)]);
    assert!(
        t.to_json()
            .contains(r#""goroutines":[[0.0,3],[0.5,2],[3.0,1],[4.0,0]]"#),
        "{}",
        t.to_json()
    );
}

#[test]
fn without_cancel_keeps_the_values_and_ignores_the_groups_cancellation() {
    let t = run(
        "timeout 1s\nvalue tenant=7\ntask audit 2s check=every:500ms without-cancel\ntask work 3s",
    );
    let audit = task(&t, "audit");
    assert_eq!((audit.end, audit.outcome), (Some(2.0), Outcome::Completed));
    assert_eq!(
        audit.cancel_requested, None,
        "the cancellation never reaches its context"
    );
    assert_eq!(audit.checks, 4, "its checks are its own");
    assert_eq!(task(&t, "work").end, Some(1.0));
    assert_eq!(t.returned.as_ref().unwrap().at, 2.0, "Wait waits for it");
}

#[test]
fn after_cancel_runs_as_its_own_row_once_its_context_is_done() {
    // Top level: on the group's context, done at the deadline; nobody waits for it.
    let t = run("timeout 1s\ntask a 5s\nafter-cancel cleanup 500ms");
    let c = task(&t, "cleanup");
    assert!(c.after_cancel);
    assert_eq!(
        (c.start, c.end, c.outcome),
        (Some(1.0), Some(1.5), Outcome::Completed)
    );
    assert!(c.leaked, "the group returned at 1s, before it ended");
    assert_eq!(t.returned.as_ref().unwrap().at, 1.0);
    // In a task's block: on the task's context; a task's own timeout context is cancelled when
    // it returns (Go's defer cancel()), so its after-cancel runs then.
    let t = run("task a 1s timeout=5s {\n  after-cancel flush 2s\n}\ntask b 3s check=never");
    let f = task(&t, "a/flush");
    assert_eq!((f.start, f.end, f.leaked), (Some(1.0), Some(3.0), false));
    // In a group's block: on that group's context, done when it returns.
    let t = run("group g {\n  task a 1s\n  after-cancel close 1s\n}\ntask b 3s check=never");
    let c = task(&t, "g/close");
    assert_eq!((c.start, c.end, c.leaked), (Some(1.0), Some(2.0), true));
    // A context that is never done: the function never runs, and has no row.
    let t = run("task a 1s without-cancel {\n  after-cancel never-runs 1s\n}");
    assert!(t.tasks.iter().all(|t| t.path != "a/never-runs"));
}

#[test]
fn shutdown_cancels_waits_the_grace_and_names_the_stragglers() {
    let t = run("shutdown 2s grace=1s\ntask polite 10s\ntask deaf 10s check=never\ntask quick 1s");
    let r = t.returned.as_ref().unwrap();
    assert_eq!(
        (r.at, r.error.as_deref()),
        (
            3.0,
            Some("shutdown: still running after the 1s grace: deaf")
        )
    );
    let polite = task(&t, "polite");
    assert_eq!(
        (polite.end, polite.go_cause.as_deref()),
        (Some(2.0), Some("shutdown"))
    );
    let deaf = task(&t, "deaf");
    assert!(deaf.leaked);
    assert_eq!(task(&t, "quick").end, Some(1.0));
    assert!(t
        .marks
        .iter()
        .any(|m| m.t == 2.0 && m.label.contains("shutdown")));
    // Everything stops within the grace: Wait's own result.
    let t = run("shutdown 2s grace=1s\ntask polite 10s");
    let r = t.returned.as_ref().unwrap();
    assert_eq!((r.at, r.error.as_deref()), (2.0, Some("context canceled")));
    // Everything done before the shutdown: it never happens.
    let t = run("shutdown 2s grace=1s\ntask quick 1s");
    assert_eq!(t.returned.as_ref().unwrap().error, None);
}

#[test]
fn a_groups_own_timeout_context_is_cancelled_when_the_group_returns_go_defer_cancel() {
    // Go: `ctx, cancel := context.WithTimeout(parent, 5s); defer cancel()` in the group's
    // function; a goroutine left running on it sees "context canceled" at the group's return,
    // not the deadline later. (Found by the differential fuzzer.)
    let text = "group g timeout=5s on-error=collect {\n  task t 1s {\n    go bg 10s\n  }\n}\ntask other 3s\n";
    let trace = simulate(&parse(text).unwrap()).unwrap();
    let bg = trace.tasks.iter().find(|t| t.path == "g/t/bg").unwrap();
    assert_eq!(bg.end, Some(1.0));
    assert_eq!(bg.error.as_deref(), Some("context canceled"));
}

#[test]
fn contexts_still_live_at_the_watch_horizon_are_cancelled_after_the_trace_is_built_without_a_panic()
{
    // A task waits past the horizon's cap, so the run ends with contexts still live; dropping
    // the run afterwards cancels them, and their callbacks must find the recorder done, not
    // reach for rows the trace has taken.
    for (text, summary) in [
        (
            "limit 1\ntask a 1000000s check=never\ntask b 5s timeout=5s {\n  go g 5s\n}\n",
            "never returns — a completed at 277h46m40s, b still running",
        ),
        (
            "task a 1000000s check=never\ngroup x after=1000000s timeout=5s {\n  task b 10s check=never\n  after-cancel c 1s\n}\n",
            "never returns — a completed at 277h46m40s, x still running",
        ),
    ] {
        let s = parse(text).unwrap();
        let trace = simulate(&s).unwrap();
        assert_eq!(trace.summary(), summary, "{text}");
    }
}

#[test]
fn a_failing_tasks_mark_says_it_cancels_the_groups_tasks_not_the_callers_context() {
    // errgroup.WithContext cancels the context it gave the tasks; `wait cancel` waits on the
    // caller's, which the failure leaves alone (the group returns at 5 s here).
    let trace = run("wait cancel\ntask a 1s fail=\"x\"\ntask b 5s check=never\n");
    assert_eq!(trace.marks[0].label, "a failed: cancels the tasks of main");
    assert_eq!(trace.returned.as_ref().unwrap().at, 5.0);
}

#[test]
fn a_group_returning_is_not_drawn_as_a_cancel() {
    // Its own `defer cancel()` runs when it returns; nothing is stopped by it that the group's
    // Wait had not already stopped, so neither a mark nor a log line says "cancel() of g".
    let trace = run("group g timeout=9s {\n  task a 1s\n  after-cancel c 1s\n}\ntask b 5s\n");
    assert!(trace.marks.is_empty(), "{:?}", trace.marks);
    assert!(
        !trace.events.iter().any(|e| e.kind == "canceled"),
        "{:?}",
        trace.events
    );
    assert_eq!(
        task(&trace, "g/c").start,
        Some(1.0),
        "the after-cancel still runs"
    );
    // Its deadline, when it comes first, is marked as before.
    let trace = run("group g timeout=1s {\n  task a 3s\n}\ntask b 5s\n");
    assert_eq!(
        (trace.marks[0].kind, trace.marks[0].label.as_str()),
        ("deadline", "g timeout 1s"),
        "{:?}",
        trace.marks
    );
}

#[test]
fn a_goroutine_that_sees_the_cancel_says_so_in_the_log_as_a_task_does() {
    for text in [
        "timeout 2s\ntask a 5s {\n  go w 5s check=every:1s\n}\n",
        "timeout 2s\ntask a 5s {\n  go w 5s\n}\n",
    ] {
        let trace = run(text);
        let of = |path: &str| -> Vec<&str> {
            trace
                .events
                .iter()
                .filter(|e| e.task.as_deref() == Some(path) && e.t == 2.0)
                .map(|e| e.kind)
                .filter(|k| *k != "check")
                .collect()
        };
        assert_eq!(of("a"), ["cancel", "observed", "end"], "{text}");
        assert_eq!(of("a/w"), ["cancel", "observed", "end"], "{text}");
    }
    // One that fails on its own, or never looks, observes nothing.
    let trace = run("timeout 2s\ntask a 5s {\n  go w 1s fail=x\n  go v 3s check=never\n}\n");
    assert!(
        !trace
            .events
            .iter()
            .any(|e| e.kind == "observed" && e.task.as_deref() != Some("a")),
        "{:?}",
        trace.events
    );
}

#[test]
fn a_tie_goes_the_way_go_usually_settles_it_by_how_many_timers_came_before_the_work() {
    // Go 1.23, 10–12 runs each: work that started with the deadline's timer, or one timer
    // after it, completes; two or more timers after it (each fires a little late), it is
    // cancelled.
    let outcome = |text: &str, path: &str| task(&run(text), path).outcome;
    assert_eq!(outcome("timeout 2s\ntask a 2s", "a"), Outcome::Completed);
    let chain = |n: usize| {
        let mut text = format!("limit 1\ntimeout {n}s\n");
        for i in 0..n {
            text += &format!("task t{i} 1s\n");
        }
        text
    };
    assert_eq!(
        outcome(&chain(2), "t1"),
        Outcome::Completed,
        "one before it: 12 of 12"
    );
    assert_eq!(
        outcome(&chain(3), "t2"),
        Outcome::Cancelled,
        "two before it: 10 of 12"
    );
    assert_eq!(
        outcome(&chain(5), "t4"),
        Outcome::Cancelled,
        "four before it: 12 of 12"
    );
    // A sibling failing at the instant the work ends: both started together, the work wins.
    assert_eq!(
        outcome("task a 2s fail=\"x\"\ntask b 2s", "b"),
        Outcome::Completed
    );
    // A nested group's task at its parent's deadline: completed, 10 of 10.
    assert_eq!(
        outcome("timeout 3s\ngroup g {\n  task a 3s\n}\ntask b 10s", "g/a"),
        Outcome::Completed
    );
    // The lost tie is still said to be a race.
    let summary = run(&chain(3)).summary();
    assert!(
        summary.ends_with(" · t2 ties with the cancel: in Go a race"),
        "{summary}"
    );
}

#[test]
fn a_failure_after_a_chain_of_steps_loses_to_the_deadline_at_its_instant() {
    // Go 1.23 (an audit, 30 runs at scale 0.3): `context deadline exceeded` 27 times. The
    // failing task's last step is a timer started by the step before it, late by their
    // lateness, so the deadline's cancel reaches errgroup first; under `on-error collect` its
    // error is joined first.
    let returned = |text: &str| run(text).returned.unwrap().error.unwrap();
    let chain = "timeout 2s\ntask a 2s check=every:500ms fail=\"own\"\ntask b 3s\n";
    assert_eq!(returned(chain), "context deadline exceeded");
    assert_eq!(
        returned(&format!("on-error collect\n{chain}")),
        "context deadline exceeded\nown"
    );
    // A sibling's own deadline checked at that instant, after a chain of steps: a race in Go
    // (11 to 8); the check sees the cancel, and the summary says so.
    let t = run("task a 1s timeout=500ms\ntask b 1s check=every:500ms");
    assert_eq!(task(&t, "b").outcome, Outcome::Cancelled);
    assert!(
        t.summary()
            .ends_with(" · b ties with the cancel: in Go a race"),
        "{}",
        t.summary()
    );
}

#[test]
fn a_shutdown_at_the_instant_a_task_fails_cancels_its_siblings_first() {
    // Go 1.23, 12 runs each at scale 0.3: `context canceled` 12 times after a chain of steps,
    // 9 times after one timer. The caller's own timer fires and it cancels at once, before the
    // failing task's error reaches errgroup; its sibling's `context canceled` comes first.
    for work in ["2s check=every:500ms", "2s"] {
        let text = format!("shutdown 2s grace=1s\ntask a {work} fail=\"own\"\ntask b 3s\n");
        let t = run(&text);
        let returned = t.returned.as_ref().unwrap();
        assert_eq!(
            returned.error.as_deref(),
            Some("context canceled"),
            "{text}"
        );
        assert_eq!(returned.at, 2.0);
        assert_eq!(task(&t, "b").outcome, Outcome::Cancelled);
    }
}

#[test]
fn a_task_that_ends_as_the_grace_runs_out_is_in_time() {
    // Go 1.23, 12 runs at scale 0.3: `context canceled` (Wait's result) 11 times, the exporter
    // named a straggler once. The grace's timer is armed when the caller wakes from the
    // shutdown's, later than the exporter's, which was armed at its start.
    let text = "shutdown 2s grace=1s\ntask worker forever\ntask exporter 3s check=never\n";
    let t = run(text);
    let returned = t.returned.as_ref().unwrap();
    assert_eq!(
        (returned.at, returned.error.as_deref()),
        (3.0, Some("context canceled"))
    );
    let exporter = task(&t, "exporter");
    assert_eq!(
        (exporter.outcome, exporter.end, exporter.leaked),
        (Outcome::Completed, Some(3.0), false)
    );
    // It is a race in Go all the same: the tie finder knows it.
    assert!(!ctxgroup_playground::golang::ties(&parse(text).unwrap()).is_empty());
    // A millisecond later, it is a straggler.
    let t = run("shutdown 2s grace=1s\ntask worker forever\ntask exporter 3.001s check=never\n");
    assert_eq!(
        t.returned.as_ref().unwrap().error.as_deref(),
        Some("shutdown: still running after the 1s grace: exporter")
    );
}

#[test]
fn a_task_started_as_a_late_shutdown_comes_is_said_to_be_a_race() {
    // The caller spawns, then shuts down at once: in Go the new goroutine's first look at its
    // context races the cancel (Go 1.23 at scale 0.3: c ran on in 22 of 40 runs after
    // `after=`, 7 of 20 under a limit; cg in 26 of 40).
    for (text, path) in [
        ("shutdown 1s grace=300ms\ntask c 2s check=start after=1500ms\n", "c"),
        ("limit 1\nshutdown 1s grace=300ms\ntask a 1500ms check=never\ntask c 2s check=start\n", "c"),
        ("shutdown 1s grace=300ms\ntask c 2s check=never after=1500ms {\n  go cg 2s check=start\n}\n", "c/cg"),
        // A nested group the caller started then (Go: b ran on in 10 of 20 runs; under a
        // limit, 5 of 20).
        ("shutdown 1s grace=5s\ngroup g after=2s {\n  task b 3s check=start\n}\n", "g/b"),
        ("limit 1\nshutdown 1s grace=5s\ntask a 2s check=never\ngroup g {\n  task b 3s check=start\n}\n", "g/b"),
    ] {
        let t = run(text);
        let row = task(&t, path);
        assert_eq!(row.outcome, Outcome::Cancelled, "{text}");
        assert_eq!(
            t.tie_of(row),
            Some("it started as the shutdown came: in Go a race either may win"),
            "{text}"
        );
        assert!(t.summary().ends_with(&format!(" · {path} ties with the shutdown: in Go a race")), "{}", t.summary());
        let found = ctxgroup_playground::golang::ties(&parse(text).unwrap());
        assert!(found.iter().any(|f| f.starts_with(path)), "{text}: {found:?}");
    }
    // A nested group's task that a slot the shutdown freed starts: no race (the cancel came
    // first), and a task started before the shutdown: none either.
    for text in [
        "shutdown 1s grace=300ms\ngroup g limit=1 {\n  task a 5s\n  task b 2s check=start\n}\n",
        "shutdown 1s grace=300ms\ntask c 2s check=start\n",
        // A goroutine of such a task (Go: cancelled at 2 s in 20 of 20 runs).
        "shutdown 2s grace=5s\ngroup g limit=1 {\n  task x forever\n  task y 3s check=never {\n    go w 3s check=start\n  }\n}\n",
    ] {
        let t = run(text);
        assert!(t.tasks.iter().all(|row| t.tie_of(row).is_none()), "{text}");
    }
}

#[test]
fn a_cancel_at_the_deadlines_instant_usually_wins_and_is_said_to_be_a_race() {
    // Go 1.23: `context canceled` in 16 of 20 runs. Both are `time.AfterFunc` goroutines
    // started in one batch of timers, and the last started runs first.
    for text in [
        "timeout 2s\ncancel 2s\ntask a 5s",
        "cancel 2s\ntimeout 2s\ntask a 5s check=every:1s",
    ] {
        let t = run(text);
        let returned = t.returned.as_ref().expect("returned");
        assert_eq!(
            returned.error.as_deref(),
            Some("context canceled"),
            "{text}"
        );
        assert_eq!(task(&t, "a").outcome, Outcome::Cancelled, "{text}");
        let summary = t.summary();
        assert!(
            summary.ends_with(" · cancel() and the deadline of main at one instant: in Go a race"),
            "{summary}"
        );
        let svg = ctxgroup_playground::gantt::render(&t, &Default::default());
        assert!(
            svg.contains(
                "cancel() and the deadline of main at one instant: in Go a race either may win"
            ),
            "{text}"
        );
    }
    // A millisecond apart, no race.
    let t = run("timeout 2s\ncancel 2001ms\ntask a 5s");
    assert_eq!(
        t.returned.as_ref().unwrap().error.as_deref(),
        Some("context deadline exceeded")
    );
    assert!(!t.summary().contains("race"), "{}", t.summary());
}

#[test]
fn what_a_task_leaves_running_says_the_tasks_return_cancelled_it() {
    // Go: `ctx, cancel := context.WithTimeout(…); defer cancel()` in c's function: its
    // goroutine sees c's cancel when c returns, not one of "the caller".
    let t = run("task c 1s timeout=5s {\n  go bg 3s check=every:500ms\n}\ntask d 4s\n");
    let bg = task(&t, "c/bg");
    assert_eq!(bg.end, Some(1.0));
    assert_eq!(
        bg.cause.as_deref(),
        Some("cancel of c was called"),
        "{bg:?}"
    );
}

#[test]
fn the_summary_names_a_leaked_goroutine_and_counts_what_it_does_not_list() {
    // Seed 004's point: the handler returns at its deadline while the goroutine it started
    // runs on. The top-level list alone said only "handler cancelled at 1s".
    let t = simulate(
        &parse("timeout 1s\ntask handler 2s {\n  go lib-call 5s check=never\n}\n").unwrap(),
    )
    .unwrap();
    assert_eq!(
        t.summary(),
        "returned at 1s: context deadline exceeded — handler cancelled at 1s · handler/lib-call leaked (completed at 5s)"
    );
    // 300 tasks, a third cancelled: the rest of the list is counted by outcome.
    let mut text = String::from("timeout 1500ms\n");
    for i in 0..300 {
        let length = if i % 3 == 0 { "2s" } else { "1s" };
        text.push_str(&format!("task t{i} {length}\n"));
    }
    let t = simulate(&parse(&text).unwrap()).unwrap();
    assert!(
        t.summary()
            .ends_with(" and 294 more (98 cancelled, 196 completed)"),
        "{}",
        t.summary()
    );
}

#[test]
fn expect_can_say_a_task_leaked() {
    // Seed 004's lesson checks itself: the goroutine the handler started outlives the group.
    let text = "timeout 1s\ntask handler 2s {\n  go lib-call 5s check=never\n}\nexpect lib-call completed at 5s leaked\nexpect handler cancelled at 1s leaked\n";
    let t = simulate(&parse(text).unwrap()).unwrap();
    assert!(t.expectations[0].ok, "{}", t.expectations[0].message);
    assert_eq!(
        t.expectations[0].message,
        "expected lib-call completed at 5s leaked, got completed at 5s, leaked"
    );
    assert!(!t.expectations[1].ok);
    assert_eq!(
        t.expectations[1].message,
        "expected handler cancelled at 1s leaked, got cancelled at 1s, not leaked"
    );
    // It is about a task.
    let e = parse("task a 1s\nexpect returned at 1s leaked\n").unwrap_err();
    assert!(e.0[0].message.contains("unexpected \"leaked\""), "{e}");
    // The Go program's copy of the scenario keeps it.
    let go = ctxgroup_playground::golang::go_program(&parse(text).unwrap());
    assert!(go.contains("expect lib-call completed at 5s leaked"));
}

#[test]
fn the_summary_names_a_goroutine_that_never_returns_first() {
    let t = run("timeout 1s\ntask handler 2s {\n  go lib 5s check=never\n  go stuck forever check=never\n}\n");
    assert!(
        t.summary()
            .ends_with("· handler/stuck leaked (never returns) and 1 more"),
        "{}",
        t.summary()
    );
}
