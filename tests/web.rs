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
async fn a_chain_of_timers_is_not_clamped_to_4_ms_apart() {
    // Each sleep starts when the one before it ends, as a task's steps do: browsers clamp a
    // timer nested five deep in timer tasks to 4 ms, so 60 sleeps of 1 ms would take 230 ms
    // or more if the clock armed each from the last one's task.
    let clock = BrowserClock::new();
    let start = clock.now();
    for _ in 0..60 {
        clock::sleep(clock.clone(), Duration::from_millis(1)).await;
    }
    let took = clock.now() - start;
    assert!(took >= Duration::from_millis(60), "took {took:?}");
    assert!(
        took < Duration::from_millis(200),
        "60 sleeps of 1 ms took {took:?}: clamped to 4 ms each"
    );
}

#[wasm_bindgen_test]
async fn deadlines_fire_on_time_never_early() {
    // A browser timer fires whole milliseconds after it is armed, and late by up to a
    // millisecond or more besides; the clock arms it early and polls the last stretch, so a
    // deadline runs within a fraction of a millisecond of its due time, and never before it.
    let clock = BrowserClock::new();
    let mut late = Vec::new();
    for i in 0..40u64 {
        let due = clock.now() + Duration::from_micros(3_000 + i * 1_370);
        let (ctx, _cancel) = Context::with_clock(clock.clone()).with_deadline(due);
        ctx.done().await;
        let woke = clock.now();
        assert!(woke >= due, "deadline {i} fired {:?} early", due - woke);
        late.push(woke - due);
    }
    late.sort();
    let median = late[late.len() / 2];
    assert!(
        median < Duration::from_micros(300),
        "median lateness {median:?} (all: {late:?})"
    );
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

/// The browser recipe of the crate's guide: a group on `spawn_local`, its deadline handed to
/// `fetch` through an AbortSignal.
#[wasm_bindgen_test]
async fn a_group_on_spawn_local_stops_at_its_deadline_and_aborts_the_signal() {
    let (ctx, _cancel) = Context::background().with_timeout(Duration::from_millis(50));
    let signal = ctx.abort_signal();
    let group = TaskGroup::builder(&ctx)
        .spawner(wasm_bindgen_futures::spawn_local)
        .build();
    group
        .spawn(|ctx| async move {
            ctx.sleep(Duration::from_secs(30)).await?;
            Ok(())
        })
        .await;
    let err = group.wait().await.unwrap_err();
    assert!(err.reason().unwrap().is_deadline_exceeded());
    assert!(signal.aborted());
}

/// A Web Worker has no `window`; its global scope has `performance` all the same. The clock
/// reads it from the global scope: here `Window` is made unknown (as in a worker), and the
/// clock must still tick in fractions of a millisecond, not in `Date.now()`'s whole ones.
#[wasm_bindgen_test]
fn the_clock_reads_performance_from_the_global_scope_without_a_window() {
    let global = js_sys::global();
    let window_class = js_sys::Reflect::get(&global, &"Window".into()).unwrap();
    let not_a_window = js_sys::Function::new_no_args("");
    js_sys::Reflect::set(&global, &"Window".into(), &not_a_window).unwrap();
    assert!(
        web_sys::window().is_none(),
        "Window is unknown, as in a worker"
    );
    let clock = BrowserClock::new();
    let mut readings = Vec::new();
    let start = js_sys::Date::now();
    while js_sys::Date::now() - start < 30.0 {
        readings.push(clock.now());
    }
    js_sys::Reflect::set(&global, &"Window".into(), &window_class).unwrap();
    let fractional = readings
        .iter()
        .filter(|d| d.as_nanos() % 1_000_000 != 0)
        .count();
    assert!(
        fractional > 0,
        "{} readings, all whole milliseconds: the clock fell back to Date.now()",
        readings.len()
    );
    // It moves forward, never back (how far it gets in 30 ms of Date.now() varies with the
    // machine: 24 ms was seen on a loaded one).
    assert!(
        readings.windows(2).all(|w| w[0] <= w[1]),
        "the clock went back"
    );
    assert!(readings.last() > readings.first(), "the clock did not move");
}

/// Browser futures are not `Send` (a JS promise, a browser timer): a LocalTaskGroup runs them,
/// here on `spawn_local`, and its deadline still stops the one that outlives it.
#[wasm_bindgen_test]
async fn a_local_group_runs_tasks_that_await_js_promises_and_browser_timers() {
    let (ctx, _cancel) = Context::background().with_timeout(Duration::from_millis(200));
    let group: ctxgroup::group::LocalTaskGroup<f64, Error> = TaskGroup::builder(&ctx)
        .local_spawner(wasm_bindgen_futures::spawn_local)
        .build_local_with_outputs();
    group
        .spawn(|_| async {
            let promise = js_sys::Promise::resolve(&wasm_bindgen::JsValue::from(42));
            let value: wasm_bindgen::JsValue =
                wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
            Ok(value.as_f64().unwrap())
        })
        .await;
    group
        .spawn(|ctx| async move {
            // A promise on a 10 s browser timer, raced against the context.
            let slow = js_sys::Promise::new(&mut |resolve, _reject| {
                web_sys::window()
                    .unwrap()
                    .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10_000)
                    .unwrap();
            });
            let _ = ctx
                .run_until_cancelled(wasm_bindgen_futures::JsFuture::from(slow))
                .await?;
            Ok(0.0)
        })
        .await;
    let err = group.wait_outputs().await.unwrap_err();
    assert!(err.reason().unwrap().is_deadline_exceeded(), "{err}");
    assert_eq!(group.join_next().await.unwrap().unwrap(), 42.0);
}

#[wasm_bindgen_test]
async fn clocks_polling_at_once_share_one_message() {
    // Three clocks with deadlines close together poll at the same time: each message serves
    // all of them, so they all fire on time and no message is left behind to run for nothing.
    let clocks: Vec<_> = (0..3).map(|_| BrowserClock::new()).collect();
    let dones: Vec<_> = clocks
        .iter()
        .map(|c| {
            let due = c.now() + Duration::from_millis(5);
            Context::with_clock(c.clone()).with_deadline(due)
        })
        .collect();
    for ((ctx, _cancel), clock) in dones.iter().zip(&clocks) {
        ctx.done().await;
        assert_eq!(clock.pending_timers(), 0);
    }
    // Wait a few message turns: nothing is armed any more.
    clock::sleep(BrowserClock::new(), Duration::from_millis(10)).await;
    for clock in &clocks {
        assert_eq!(clock.armed_browser_timers(), 0);
    }
}
