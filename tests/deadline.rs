//! Deadlines and timeouts on the virtual clock, with Go's semantics.
use std::time::Duration;

use ctxgroup::{Cause, Clock, Context, VirtualClock, VirtualRuntime};

const S: fn(u64) -> Duration = Duration::from_secs;

/// Seed 000: callSlowAPI, a `select` between the API's reply and ctx.Done().
fn call_slow_api(api: Duration, timeout: Duration) -> (Duration, Result<(), String>) {
    let rt = VirtualRuntime::new();
    let (ctx, _cancel) = Context::with_clock(rt.clock()).with_timeout(timeout);
    let result = rt
        .block_on(async move { ctx.sleep(api).await.map_err(|r| r.to_string()) })
        .unwrap();
    (rt.clock().now(), result)
}

#[test]
fn seed_000_slow_api_under_2s_timeout_is_cut_at_2s() {
    assert_eq!(
        call_slow_api(S(5), S(2)),
        (S(2), Err("context deadline exceeded".into()))
    );
}

#[test]
fn seed_000_exercise_1_timeout_6s_lets_the_5s_api_finish() {
    assert_eq!(call_slow_api(S(5), S(6)), (S(5), Ok(())));
}

#[test]
fn seed_000_exercise_2_a_1s_api_finishes_under_2s() {
    assert_eq!(call_slow_api(S(1), S(2)), (S(1), Ok(())));
}

#[test]
fn seed_002_with_deadline_50ms_beats_a_1s_sleep() {
    let rt = VirtualRuntime::new();
    let (ctx, _c) = Context::with_clock(rt.clock()).with_deadline(Duration::from_millis(50));
    let err = rt
        .block_on(async move { ctx.sleep(S(1)).await })
        .unwrap()
        .unwrap_err();
    assert!(err.is_deadline_exceeded());
    assert_eq!(rt.clock().now(), Duration::from_millis(50));
}

#[test]
fn effective_deadline_is_the_nearest_of_self_and_ancestors() {
    let root = Context::with_clock(VirtualClock::new());
    let (a, _) = root.with_timeout(S(10));
    let (b, _) = a.with_timeout(S(3));
    let (c, _) = b.with_timeout(S(20));
    let d = c.with_value(1u8);
    assert_eq!(a.deadline(), Some(S(10)));
    assert_eq!(b.deadline(), Some(S(3)));
    assert_eq!(c.deadline(), Some(S(3)));
    assert_eq!(d.deadline(), Some(S(3)));
    assert_eq!(c.without_cancel().deadline(), None);
}

#[test]
fn a_parents_deadline_reaches_a_child_with_a_later_one_naming_the_parent() {
    let clock = VirtualClock::new();
    let root = Context::with_clock(clock.clone());
    let (parent, _) = root.with_timeout(S(3));
    parent.set_name("request");
    let (child, _) = parent.with_timeout(S(10));
    clock.advance(S(3));
    let reason = child.err().expect("cancelled by the parent's deadline");
    assert!(reason.is_deadline_exceeded());
    assert_eq!(reason.origin(), Some("request"));
    assert!(
        matches!(reason.cause(), Cause::DeadlineExceeded { deadline, .. } if *deadline == S(3))
    );
    assert_eq!(
        reason.explain(),
        "context deadline exceeded: deadline of request passed at 3s"
    );
}

#[test]
fn a_deadline_in_the_past_cancels_at_once() {
    let clock = VirtualClock::new();
    clock.advance(S(5));
    let (ctx, _) = Context::with_clock(clock.clone()).with_deadline(S(1));
    assert!(ctx.err().unwrap().is_deadline_exceeded());
}

#[test]
fn cancelling_before_the_deadline_disarms_the_timer() {
    let clock = VirtualClock::new();
    let (ctx, cancel) = Context::with_clock(clock.clone()).with_timeout(S(5));
    assert_eq!(clock.pending_timers(), 1);
    cancel.cancel();
    assert_eq!(clock.pending_timers(), 0);
    clock.advance(S(10));
    assert!(
        !ctx.err().unwrap().is_deadline_exceeded(),
        "it stays `canceled`"
    );
}

#[test]
fn dropping_a_context_with_a_deadline_disarms_its_timer() {
    let clock = VirtualClock::new();
    let root = Context::with_clock(clock.clone());
    let (ctx, _cancel) = root.with_timeout(S(5));
    drop(ctx);
    assert_eq!(clock.pending_timers(), 0);
}

#[test]
fn a_deadline_fires_before_a_plain_sleep_due_at_the_same_instant() {
    // Its timer was armed first: a check after a plain sleep to the same instant sees it (Go's
    // check after a chain of steps usually does too). `ctx.sleep` to that instant ends `Ok`
    // (tests/sleep_tie.rs).
    let rt = VirtualRuntime::new();
    let (ctx, _c) = Context::with_clock(rt.clock()).with_timeout(S(5));
    let clock = rt.clock();
    let out = rt
        .block_on(async move {
            ctxgroup::clock::sleep(clock, S(5)).await;
            ctx.check()
        })
        .unwrap();
    assert!(out.unwrap_err().is_deadline_exceeded());
}

#[test]
fn a_deadline_is_told_in_gos_units() {
    // The same units as Go's time.Duration: what a Go programmer reads in a log.
    for (after, told) in [
        (Duration::from_millis(45), "45ms"),
        (Duration::from_millis(1500), "1.5s"),
        (Duration::from_millis(90_500), "1m30.5s"),
        (S(120), "2m"),
        (S(3725), "1h2m5s"),
        (S(3605), "1h0m5s"),
        (S(7200), "2h"),
    ] {
        let clock = VirtualClock::new();
        let (ctx, _) = Context::with_clock(clock.clone()).with_timeout(after);
        ctx.set_name("main");
        clock.advance(after);
        assert_eq!(
            ctx.err().unwrap().describe_cause(),
            format!("deadline of main passed at {told}")
        );
    }
}
