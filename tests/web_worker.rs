//! BrowserClock in a Web Worker (headless Chromium), where it waits out the last stretch to a
//! deadline in a loop rather than by posting itself messages.
#![cfg(target_arch = "wasm32")]
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::{BrowserClock, Clock, Context};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

#[wasm_bindgen_test]
async fn dense_deadlines_in_a_worker_fire_in_order_never_early() {
    // 300 deadlines 0.8 ms apart, all pending at once (a live run of a thousand tasks at 10×
    // looks like this): the clock is always in the last stretch of one of them, and each loop
    // ends at its deadline, not before. (How late they fire is measured by the browser
    // benchmark: `bash scripts/bench-browser.sh --live 3`.)
    let clock = BrowserClock::new();
    let root = Context::with_clock(clock.clone());
    let start = clock.now() + Duration::from_millis(300); // after the 300 are made
    let fired: Arc<Mutex<Vec<(Duration, Duration)>>> = Arc::default();
    let contexts: Vec<_> = (0..300u64)
        .map(|i| {
            let due = start + Duration::from_micros(800 * i);
            let (ctx, cancel) = root.with_deadline(due);
            let (clock, fired) = (clock.clone(), fired.clone());
            // Read when the deadline fires, not when a task woken by it gets to run.
            let handle = ctx.after_cancel(move |_| fired.lock().unwrap().push((due, clock.now())));
            (ctx, cancel, handle)
        })
        .collect();
    contexts[299].0.done().await;
    let fired = fired.lock().unwrap();
    assert_eq!(fired.len(), 300);
    for (i, &(due, woke)) in fired.iter().enumerate() {
        assert_eq!(
            due,
            start + Duration::from_micros(800 * i as u64),
            "out of order"
        );
        assert!(woke >= due, "deadline {i} fired {:?} early", due - woke);
    }
    assert_eq!(clock.pending_timers(), 0);
}

#[wasm_bindgen_test]
async fn a_clock_in_its_last_stretch_does_not_hold_up_another_clocks_earlier_deadline() {
    // Two clocks poll at once (both deadlines under 2 ms away), the later one listed first:
    // the loop waits for the earliest deadline of the two, never for the later one first.
    let mut late = Vec::new();
    for _ in 0..15 {
        let (early, later) = (BrowserClock::new(), BrowserClock::new());
        let later_due = later.now() + Duration::from_micros(1_900);
        let (_later_ctx, _c1) = Context::with_clock(later.clone()).with_deadline(later_due);
        let due = early.now() + Duration::from_micros(600);
        let (ctx, _c2) = Context::with_clock(early.clone()).with_deadline(due);
        ctx.done().await;
        late.push(early.now() - due);
    }
    late.sort();
    let median = percentile(&late, 0.5);
    assert!(
        median < Duration::from_micros(500),
        "the earlier deadline fired {median:?} late (median; all: {late:?})"
    );
}
