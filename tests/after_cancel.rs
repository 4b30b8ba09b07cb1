//! After-cancel callbacks (Go's AfterFunc).
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::{Context, VirtualClock};

#[test]
fn runs_once_with_the_reason_when_the_deadline_passes() {
    let clock = VirtualClock::new();
    let (ctx, cancel) = Context::with_clock(clock.clone()).with_timeout(Duration::from_secs(2));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let _h = ctx.after_cancel(move |r| s.lock().unwrap().push((r.to_string(), r.at())));
    clock.advance(Duration::from_secs(2));
    cancel.cancel();
    assert_eq!(
        *seen.lock().unwrap(),
        [(
            "context deadline exceeded".to_string(),
            Duration::from_secs(2)
        )]
    );
}

#[test]
fn stop_prevents_it_and_reports_whether_it_had_run() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let h = ctx.after_cancel(move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert!(h.stop());
    assert!(!h.stop());
    cancel.cancel();
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[test]
fn registered_on_a_cancelled_context_it_runs_at_once() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    cancel.cancel();
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let h = ctx.after_cancel(move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(!h.stop());
}

#[test]
fn a_callback_may_cancel_another_context_without_deadlock() {
    let root = Context::with_clock(VirtualClock::new());
    let (a, cancel_a) = root.with_cancel();
    let (b, cancel_b) = root.with_cancel();
    let _h = a.after_cancel(move |_| {
        cancel_b.cancel();
    });
    cancel_a.cancel();
    assert!(b.is_cancelled());
}

#[test]
fn stopping_twice_never_removes_another_callback() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let first = ctx.after_cancel(|_| {});
    assert!(first.stop());
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let _second = ctx.after_cancel(move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    assert!(!first.stop(), "already stopped");
    cancel.cancel();
    assert_eq!(ran.load(Ordering::SeqCst), 1, "the second callback ran");
}

#[test]
fn stop_through_a_dropped_value_context_still_stops() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let valued = ctx.with_value(7u8);
    let handle = valued.after_cancel(|_| panic!("stopped callbacks never run"));
    drop(valued);
    assert!(handle.stop());
    cancel.cancel();
}

#[test]
fn callbacks_run_when_a_dropped_timeout_context_expires() {
    // Go keeps a context with an AfterFunc alive until the function runs or is stopped.
    let clock = VirtualClock::new();
    let root = Context::with_clock(clock.clone());
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let (ctx, cancel) = root.with_timeout(Duration::from_secs(2));
    let _handle = ctx.after_cancel(move |reason| {
        assert!(reason.is_deadline_exceeded());
        r.fetch_add(1, Ordering::SeqCst);
    });
    drop((ctx, cancel));
    clock.advance(Duration::from_secs(2));
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert_eq!(root.children(), 0, "freed once the callback ran");
}

#[test]
fn a_callback_on_a_context_nothing_can_cancel_is_not_kept() {
    // Go's AfterFunc registers nothing on a context whose Done is nil: the callback, and what
    // it holds, are not kept for ever.
    let held = Arc::new(());
    let background = ctxgroup::Context::background();
    let (cancellable, cancel) = background.with_cancel();
    let detached = cancellable.without_cancel().with_value(7u8);
    for ctx in [&background, &detached] {
        let h = held.clone();
        let handle = ctx.after_cancel(move |_| drop(h));
        assert_eq!(
            Arc::strong_count(&held),
            1,
            "the callback was dropped at once"
        );
        assert!(handle.stop(), "as Go's stop: it never runs");
        assert!(
            !handle.stop(),
            "as Go's stop: the second says it was stopped already"
        );
    }
    // A context that can be cancelled keeps it until then.
    let h = held.clone();
    let _handle = cancellable.after_cancel(move |_| drop(h));
    assert_eq!(Arc::strong_count(&held), 2);
    cancel.cancel();
    assert_eq!(Arc::strong_count(&held), 1);
}
