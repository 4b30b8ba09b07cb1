//! Context values: typed, inherited, nearest wins, kept by without_cancel.
use ctxgroup::{Context, VirtualClock};

#[derive(Debug, PartialEq)]
struct TraceCode(String);
#[derive(Debug, PartialEq)]
struct User(u32);

#[test]
fn seed_002_trace_code_reaches_every_descendant() {
    let root = Context::with_clock(VirtualClock::new());
    let (ctx, _) = root.with_timeout(std::time::Duration::from_millis(50));
    let ctx = ctx.with_value(TraceCode("12512312234".into()));
    let (worker, _) = ctx.with_cancel();
    let (worker2, _) = worker.with_cancel();
    assert_eq!(
        worker2.value::<TraceCode>(),
        Some(&TraceCode("12512312234".into()))
    );
    assert_eq!(root.value::<TraceCode>(), None, "values never flow up");
}

#[test]
fn the_nearest_value_of_a_type_wins_and_types_do_not_collide() {
    let root = Context::with_clock(VirtualClock::new());
    let a = root.with_value(User(1)).with_value(TraceCode("x".into()));
    let b = a.with_value(User(2));
    assert_eq!(b.value::<User>(), Some(&User(2)));
    assert_eq!(a.value::<User>(), Some(&User(1)));
    assert_eq!(b.value::<TraceCode>(), Some(&TraceCode("x".into())));
}

#[test]
fn value_contexts_share_their_parents_cancellation() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let v = ctx.with_value(User(1));
    cancel.cancel();
    assert!(v.is_cancelled());
}

#[test]
fn without_cancel_keeps_values_and_drops_cancellation() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let ctx = ctx.with_value(User(9));
    let detached = ctx.without_cancel();
    let (under, _) = detached.with_cancel();
    cancel.cancel();
    assert!(!detached.is_cancelled() && !under.is_cancelled());
    assert_eq!(under.value::<User>(), Some(&User(9)));
}
