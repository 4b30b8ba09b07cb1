//! Explicit cancellation: propagation down the tree, never up, reasons and causes.
use ctxgroup::{Cause, Context, Error, VirtualClock};

#[test]
fn cancelling_a_parent_cancels_every_descendant_with_the_same_reason() {
    let root = Context::with_clock(VirtualClock::new());
    let (parent, cancel) = root.with_cancel();
    parent.set_name("parent");
    let (a, _) = parent.with_cancel();
    let (b, _) = a.with_cancel();
    let c = b.with_value(5u8);
    let (sibling, _) = root.with_cancel();
    assert!(cancel.cancel());
    for ctx in [&parent, &a, &b, &c] {
        let reason = ctx.err().expect("cancelled");
        assert_eq!(reason.to_string(), "context canceled");
        assert_eq!(reason.origin(), Some("parent"));
    }
    assert!(!root.is_cancelled(), "cancellation never goes up");
    assert!(!sibling.is_cancelled(), "nor sideways");
}

#[test]
fn cancelling_a_child_leaves_the_parent_alone() {
    let root = Context::with_clock(VirtualClock::new());
    let (parent, _p) = root.with_cancel();
    let (child, cancel_child) = parent.with_cancel();
    cancel_child.cancel();
    assert!(child.is_cancelled());
    assert!(!parent.is_cancelled());
}

#[test]
fn only_the_first_cancel_counts_and_keeps_its_cause() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    assert!(cancel.cancel_with_cause(Error::msg("first")));
    assert!(!cancel.cancel_with_cause(Error::msg("second")));
    match ctx.err().unwrap().cause() {
        Cause::Canceled(Some(e)) => assert_eq!(e.to_string(), "first"),
        other => panic!("unexpected cause {other:?}"),
    }
}

#[test]
fn a_child_of_a_cancelled_context_is_born_cancelled() {
    let (parent, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    cancel.cancel();
    let (child, _) = parent.with_cancel();
    assert!(child.is_cancelled());
    assert_eq!(
        parent.children(),
        0,
        "a born-cancelled child is not registered"
    );
}

#[test]
fn done_wakes_a_waiting_task() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let waiter = std::thread::spawn(move || futures::executor::block_on(ctx.done()).to_string());
    std::thread::sleep(std::time::Duration::from_millis(20));
    cancel.cancel();
    assert_eq!(waiter.join().unwrap(), "context canceled");
}

#[test]
fn run_until_cancelled_prefers_the_cancellation_on_a_tie() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    cancel.cancel();
    let out = futures::executor::block_on(ctx.run_until_cancelled(async { 1 }));
    assert!(out.is_err(), "both ready: the cancellation wins");
}

#[test]
fn a_cancel_fn_does_not_keep_its_context_alive() {
    let root = Context::with_clock(VirtualClock::new());
    let (child, cancel) = root.with_cancel();
    drop(child);
    assert_eq!(root.children(), 0);
    assert!(!cancel.cancel(), "cancelling a dropped context is a no-op");
}
