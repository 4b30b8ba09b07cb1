//! Dropping children detaches them: a long-lived root does not grow.
use ctxgroup::{Context, VirtualClock};

#[test]
fn a_million_short_lived_children_leave_the_root_as_it_was() {
    let root = Context::with_clock(VirtualClock::new());
    for _ in 0..1_000_000 {
        let (child, _cancel) = root.with_cancel();
        let (grandchild, _) = child.with_timeout(std::time::Duration::from_secs(1));
        drop(grandchild);
    }
    assert_eq!(root.children(), 0);
    // The slab's capacity stayed tiny: one slot reused a million times.
    let kept: Vec<_> = (0..3).map(|_| root.with_cancel()).collect();
    assert_eq!(root.children(), 3);
    drop(kept);
    assert_eq!(root.children(), 0);
}

#[test]
fn dropped_deadline_contexts_leave_no_timers() {
    let clock = VirtualClock::new();
    let root = Context::with_clock(clock.clone());
    for i in 0..10_000u64 {
        let _ = root.with_timeout(std::time::Duration::from_secs(i + 1));
    }
    assert_eq!(clock.pending_timers(), 0);
}

#[test]
fn cancelling_after_children_were_dropped_is_safe() {
    let (root, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let keep = root.with_cancel();
    for _ in 0..1000 {
        let _ = root.with_cancel();
    }
    cancel.cancel();
    assert!(keep.0.is_cancelled());
}
