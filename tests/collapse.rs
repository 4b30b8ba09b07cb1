//! A link of the cancellation tree that nothing can cancel or observe any more (every handle to
//! it dropped) leaves the tree: its children move up to where it was registered, so cancelling
//! the root of a long chain whose middle handles were dropped is O(1), as in tokio-util. What
//! can still be seen stays: values, deadlines, and the middle nodes something still holds.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ctxgroup::{Context, VirtualClock};
use futures::FutureExt;

/// `depth` cancellable links under `from`, every middle handle dropped; the last one is kept.
fn chain(from: &Context, depth: usize) -> Context {
    let mut ctx = from.clone();
    for _ in 0..depth {
        ctx = ctx.with_cancel().0;
    }
    ctx
}

/// `depth` links under `from` alternating values (`u32`), cancels and deadlines an hour away;
/// every middle handle dropped.
fn mixed_chain(from: &Context, depth: u32, with_deadlines: bool) -> Context {
    let mut ctx = from.clone();
    for i in 0..depth {
        ctx = match i % 3 {
            0 => ctx.with_value(i),
            2 if with_deadlines => ctx.with_timeout(Duration::from_secs(3600 + u64::from(i))).0,
            _ => ctx.with_cancel().0,
        };
    }
    ctx
}

#[test]
fn a_chain_whose_middle_handles_were_dropped_collapses_into_the_root() {
    let (root, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let fork = chain(&root, 10_000);
    let leaves: Vec<Context> = (0..3).map(|_| chain(&fork, 10_000)).collect();
    assert_eq!(root.children(), 1, "the fork is still held");
    drop(fork);
    assert_eq!(
        root.children(),
        3,
        "the three leaves, registered at depth 1"
    );
    assert!(!leaves.iter().any(Context::is_cancelled));
    cancel.cancel();
    assert!(leaves.iter().all(Context::is_cancelled));
    assert_eq!(
        leaves[0].err().unwrap().to_string(),
        "context canceled",
        "the root's reason"
    );
}

#[test]
fn a_collapsed_chain_keeps_its_values_and_deadline() {
    let clock = VirtualClock::new();
    let root = Context::with_clock(clock.clone()).with_value("request-7");
    let above = mixed_chain(&root, 3_000, false);
    let (timed, _cancel) = above.with_timeout(Duration::from_secs(5));
    drop(above);
    let below = mixed_chain(&timed, 3_000, true);
    let leaves: Vec<Context> = (0..3usize)
        .map(|k| below.with_value(k).with_cancel().0)
        .collect();
    drop(below);
    assert_eq!(
        timed.children(),
        3,
        "the links below the timed context left the tree"
    );
    for (k, leaf) in leaves.iter().enumerate() {
        assert_eq!(leaf.value::<&str>(), Some(&"request-7"));
        assert_eq!(leaf.value::<u32>(), Some(&2_997));
        assert_eq!(leaf.value::<usize>(), Some(&k));
        assert_eq!(leaf.deadline(), Some(Duration::from_secs(5)));
    }
    clock.advance(Duration::from_secs(5));
    for leaf in &leaves {
        assert!(leaf.err().expect("cancelled").is_deadline_exceeded());
    }
}

#[test]
fn a_cancel_fn_kept_for_a_middle_node_still_cancels_its_subtree() {
    let (root, cancel_root) = Context::with_clock(VirtualClock::new()).with_cancel();
    let top = chain(&root, 1_000);
    let (first, cancel_first) = top.with_cancel();
    let (second, cancel_second) = top.with_cancel();
    let first_leaf = chain(&first, 1_000);
    let second_leaf = chain(&second, 1_000);
    // Only the cancel functions of `first` and `second` are left: every context handle is gone.
    drop((top, first, second));
    assert_eq!(root.children(), 2, "first and second, moved up to the root");
    assert!(cancel_first.cancel());
    assert!(first_leaf.is_cancelled());
    assert!(!second_leaf.is_cancelled() && !root.is_cancelled());
    // Its last handle dropped, `second` leaves the tree too.
    drop(cancel_second);
    assert_eq!(
        root.children(),
        2,
        "first (cancelled, still held) and second's leaf"
    );
    cancel_root.cancel();
    assert!(second_leaf.is_cancelled());
}

#[test]
fn a_middle_node_that_can_still_be_observed_stays_in_the_tree() {
    let clock = VirtualClock::new();
    let (root, cancel) = Context::with_clock(clock.clone()).with_cancel();
    let top = chain(&root, 100);
    let ran = Arc::new(AtomicUsize::new(0));

    // A `Done` kept for a middle node: one polled (a waiter registered), one never polled.
    let (polled, _) = top.with_cancel();
    let mut polled_done = Box::pin(polled.done());
    assert!(polled_done.as_mut().now_or_never().is_none());
    let polled_leaf = chain(&polled, 100);
    let (unpolled, _) = top.with_cancel();
    let unpolled_done = unpolled.done();
    let unpolled_leaf = chain(&unpolled, 100);
    // A value context kept below a middle node, which shares its cancellation.
    let (valued, _) = top.with_cancel();
    let value_ctx = valued.with_value(7u8);
    let valued_leaf = chain(&valued, 100);
    // A pending after-cancel callback on a middle node.
    let (called, _) = top.with_cancel();
    let r = ran.clone();
    let _callback = called.after_cancel(move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    let called_leaf = chain(&called, 100);
    // A middle node's own deadline, the nearest.
    let (timed, _) = top.with_timeout(Duration::from_secs(1));
    let timed_leaf = chain(&timed, 100);

    drop((top, polled, unpolled, valued, called, timed));
    assert_eq!(
        root.children(),
        5,
        "each observed middle node, moved up to the root; its own leaf stays below it"
    );

    clock.advance(Duration::from_secs(1));
    assert!(timed_leaf.err().unwrap().is_deadline_exceeded());
    assert!(!polled_leaf.is_cancelled());

    cancel.cancel();
    assert!(polled_done.now_or_never().is_some());
    assert!(unpolled_done.now_or_never().is_some());
    assert!(value_ctx.is_cancelled());
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    for leaf in [&polled_leaf, &unpolled_leaf, &valued_leaf, &called_leaf] {
        assert_eq!(leaf.err().unwrap().to_string(), "context canceled");
    }
}

#[test]
fn the_last_handle_going_later_collapses_then() {
    let (root, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let top = chain(&root, 10);
    let (middle, cancel_middle) = top.with_cancel();
    let callback = middle.after_cancel(|_| panic!("stopped before the cancel"));
    let done = middle.done();
    let leaves: Vec<Context> = (0..2).map(|_| chain(&middle, 10)).collect();
    drop((top, middle));
    assert_eq!(
        root.children(),
        1,
        "middle, held by its cancel, done and callback"
    );
    drop(cancel_middle);
    assert_eq!(root.children(), 1, "still held by its done and callback");
    drop(done);
    assert_eq!(root.children(), 1, "still held by its pending callback");
    assert!(callback.stop());
    assert_eq!(root.children(), 1, "still held by the callback's handle");
    drop(callback);
    assert_eq!(
        root.children(),
        2,
        "middle's last handle gone: its leaves moved up"
    );
    cancel.cancel();
    assert!(leaves.iter().all(Context::is_cancelled));
}

#[test]
fn dropping_collapsed_chains_leaves_no_slot_behind() {
    let (root, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let mut leaves: Vec<Context> = (0..100).map(|_| chain(&root, 100)).collect();
    assert_eq!(root.children(), 100);
    leaves.truncate(40);
    assert_eq!(root.children(), 40);
    // Two forks under each leaf, then the leaves dropped: their forks move up to the root.
    let forks: Vec<Context> = leaves
        .iter()
        .flat_map(|l| [chain(l, 10), chain(l, 10)])
        .collect();
    drop(leaves);
    assert_eq!(
        root.children(),
        80,
        "each leaf left the tree; its forks moved up"
    );
    drop(forks);
    assert_eq!(root.children(), 0);
    assert!(cancel.cancel());
}
