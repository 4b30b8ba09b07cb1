//! The core in a real browser (headless Chromium): BrowserClock timers, contexts, groups,
//! AbortSignal, and deep chains on the 1 MiB wasm stack.
#![cfg(target_arch = "wasm32")]
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::{clock, BrowserClock, Clock, Context, Error, TaskGroup};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_browser_timer_really_fires_after_its_delay() {
    let clock = BrowserClock::new();
    let start = clock.now();
    clock::sleep(clock.clone(), Duration::from_millis(60)).await;
    let waited = clock.now() - start;
    assert!(waited >= Duration::from_millis(59), "woke after {waited:?}");
    assert!(waited < Duration::from_secs(5));
}

#[wasm_bindgen_test]
async fn ten_thousand_pending_deadlines_use_one_browser_timer() {
    let clock = BrowserClock::new();
    let root = Context::with_clock(clock.clone());
    let now = clock.now();
    let contexts: Vec<_> = (0..10_000u64)
        .map(|i| {
            root.with_deadline(now + Duration::from_millis(1_500 + i % 50))
                .0
        })
        .collect();
    assert_eq!(clock.pending_timers(), 10_000);
    assert_eq!(clock.armed_browser_timers(), 1);
    contexts[9_999].done().await;
    clock::sleep(clock.clone(), Duration::from_millis(20)).await;
    assert!(contexts
        .iter()
        .all(|c| c.err().is_some_and(|r| r.is_deadline_exceeded())));
    assert_eq!(clock.pending_timers(), 0);
}

#[wasm_bindgen_test]
async fn a_delay_past_2_pow_31_ms_does_not_fire_at_once() {
    let clock = BrowserClock::new();
    let (far, _c) =
        Context::with_clock(clock.clone()).with_timeout(Duration::from_millis(1u64 << 32));
    clock::sleep(clock.clone(), Duration::from_millis(50)).await;
    assert!(
        !far.is_cancelled(),
        "a 49-day deadline must not fire after 50 ms"
    );
}

#[wasm_bindgen_test]
async fn a_timeout_cancels_a_group_on_real_browser_timers() {
    let clock = BrowserClock::new();
    let (ctx, _c) = Context::with_clock(clock.clone()).with_timeout(Duration::from_millis(400)); // far from the 20 ms task: a busy page fires timers late
    let group = TaskGroup::new(&ctx);
    let log = Arc::new(Mutex::new(Vec::new()));
    for (name, ms) in [("quick", 20u64), ("slow", 5_000)] {
        let log = log.clone();
        group
            .spawn(move |ctx| async move {
                let r = ctx.sleep(Duration::from_millis(ms)).await;
                log.lock().unwrap().push((name, r.is_ok()));
                r.map_err(Error::from)
            })
            .await;
    }
    let err = group.wait().await.unwrap_err();
    assert_eq!(err.to_string(), "context deadline exceeded");
    assert_eq!(*log.lock().unwrap(), [("quick", true), ("slow", false)]);
}

#[wasm_bindgen_test]
fn abort_signal_follows_the_context_and_back() {
    let (ctx, cancel) = Context::with_clock(BrowserClock::new()).with_cancel();
    let signal = ctx.abort_signal();
    assert!(!signal.aborted());
    cancel.cancel();
    assert!(signal.aborted());
    assert_eq!(
        signal.reason().as_string().unwrap(),
        "context canceled: canceled by the caller"
    );

    let controller = web_sys::AbortController::new().unwrap();
    let linked = Context::with_clock(BrowserClock::new()).with_abort_signal(&controller.signal());
    assert!(!linked.is_cancelled());
    controller.abort();
    assert!(linked.is_cancelled());
}

#[wasm_bindgen_test]
fn a_million_deep_chain_cancels_and_drops_on_the_wasm_stack() {
    let (root, cancel) = Context::with_clock(BrowserClock::new()).with_cancel();
    let mut ctx = root.clone();
    for i in 0..1_000_000u32 {
        ctx = if i % 2 == 0 {
            ctx.with_cancel().0
        } else {
            ctx.with_value(i)
        };
    }
    cancel.cancel();
    assert!(ctx.is_cancelled());
    drop(ctx);
    assert_eq!(root.children(), 0);
}

fn outcomes(json: &str) -> Vec<(String, String, Option<String>)> {
    // The trace's rows: (path, outcome, error), read with the browser's JSON parser.
    let v = js_sys::JSON::parse(json).unwrap();
    let trace = js_sys::Reflect::get(&v, &"trace".into()).unwrap();
    let tasks: js_sys::Array = js_sys::Reflect::get(&trace, &"tasks".into())
        .unwrap()
        .into();
    tasks
        .iter()
        .map(|t| {
            let get = |k: &str| js_sys::Reflect::get(&t, &k.into()).unwrap().as_string();
            (get("path").unwrap(), get("outcome").unwrap(), get("error"))
        })
        .collect()
}

#[wasm_bindgen_test]
fn the_page_api_runs_a_scenario_and_reports_errors_with_line_and_column() {
    let mut pg = ctxgroup::web::Playground::new();
    let ok = pg.run(
        "timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\n",
        800.0,
        false,
    );
    assert!(
        ok.starts_with(r#"{"ok":true,"summary":"returned at 7s: context deadline exceeded"#),
        "{ok}"
    );
    assert!(ok.contains(r"\u003csvg"), "the SVG, escaped in JSON");
    assert!(pg.chrome_json().contains("traceEvents"));
    let bad = pg.run("task t1 5s\ntask t2 3q\n", 800.0, false);
    assert!(bad.starts_with(r#"{"ok":false"#));
    assert!(bad.contains(r#""line":2,"col":10"#), "{bad}");
    // The previous trace survives a failed run: nothing the user saw is lost.
    assert!(pg.trace_json().contains(r#""path":"t2""#));
    assert!(
        pg.render(600.0, true).contains("--cg-bg:#0d1117"),
        "dark rendering"
    );
}

#[wasm_bindgen_test]
async fn live_mode_on_real_timers_ends_with_the_outcomes_of_virtual_mode() {
    let text = "timeout 300ms\ntask a 1s\ntask b 100ms check=never\ntask c 600ms check=every:50ms\ntask d 150ms fail=\"boom\" after=50ms\n";
    let mut pg = ctxgroup::web::Playground::new();
    let virtual_run = pg.run(text, 800.0, false);
    assert_eq!(pg.start_live(text, 1.0), r#"{"ok":true}"#);
    let mut snapshot;
    loop {
        clock::sleep(BrowserClock::shared(), Duration::from_millis(25)).await;
        snapshot = pg.live_snapshot(800.0, false);
        if snapshot.contains(r#""done":true"#) {
            break;
        }
    }
    assert_eq!(outcomes(&snapshot), outcomes(&virtual_run));
    assert_eq!(pg.live_pending_timers(), 0, "no stray timers after the run");
}

#[wasm_bindgen_test]
async fn stopping_a_live_run_drops_its_timers() {
    let mut pg = ctxgroup::web::Playground::new();
    assert_eq!(
        pg.start_live("task a 60s\ntask b forever check=every:1s\n", 1.0),
        r#"{"ok":true}"#
    );
    clock::sleep(BrowserClock::shared(), Duration::from_millis(30)).await;
    assert!(pg.live_pending_timers() > 0);
    pg.stop();
    assert_eq!(pg.live_pending_timers(), 0);
}
