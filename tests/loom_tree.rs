//! A loom model of the cancellation tree: every interleaving of cancel, child creation, drop,
//! collapse and after-cancel register/stop, on the real code (the tree's locks and atomics are
//! loom's when the crate is built with `--cfg ctxgroup_loom`; `Arc`'s own counts are not).
//!
//! ```sh
//! RUSTFLAGS="--cfg ctxgroup_loom" CARGO_TARGET_DIR=target/loom cargo test --release -p ctxgroup --test loom_tree
//! ```
//!
//! A lost cancellation shows up as a `done()` that is never woken, which loom reports as a
//! deadlock; a callback run twice or not at all, as a failed assertion.
#![cfg(ctxgroup_loom)]

use std::sync::Arc;

use ctxgroup::{Context, VirtualClock};
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

fn root() -> (Context, ctxgroup::CancelFn) {
    Context::with_clock(VirtualClock::new()).with_cancel()
}

#[test]
fn a_child_made_during_a_cancel_is_cancelled() {
    loom::model(|| {
        let (parent, cancel) = root();
        let p = parent.clone();
        let maker = thread::spawn(move || {
            let (child, _cancel) = p.with_cancel();
            loom::future::block_on(child.done());
            child.err().expect("cancelled").to_string()
        });
        cancel.cancel();
        assert_eq!(maker.join().unwrap(), "context canceled");
    });
}

#[test]
fn a_grandchild_made_during_a_cancel_of_the_root_is_cancelled() {
    loom::model(|| {
        let (root, cancel) = root();
        let (child, _keep) = root.with_cancel();
        let maker = thread::spawn(move || {
            let (grandchild, _cancel) = child.with_cancel();
            loom::future::block_on(grandchild.done());
        });
        cancel.cancel();
        maker.join().unwrap();
    });
}

#[test]
fn a_child_dropped_during_a_cancel_leaves_nothing_behind() {
    loom::model(|| {
        let (parent, cancel) = root();
        let (child, child_cancel) = parent.with_cancel();
        let dropper = thread::spawn(move || {
            drop(child);
            drop(child_cancel);
        });
        cancel.cancel();
        dropper.join().unwrap();
        assert_eq!(parent.children(), 0);
        assert!(parent.is_cancelled());
    });
}

#[test]
fn parent_and_child_cancelled_at_once_both_end_cancelled() {
    loom::model(|| {
        let (parent, cancel_parent) = root();
        let (child, cancel_child) = parent.with_cancel();
        let t = thread::spawn(move || {
            cancel_child.cancel();
        });
        cancel_parent.cancel();
        t.join().unwrap();
        assert!(parent.is_cancelled());
        loom::future::block_on(child.done());
    });
}

#[test]
fn an_after_cancel_registered_during_a_cancel_runs_exactly_once() {
    loom::model(|| {
        let (ctx, cancel) = root();
        let runs = Arc::new(AtomicUsize::new(0));
        let r = runs.clone();
        let registrar = thread::spawn(move || {
            let _handle = ctx.after_cancel(move |_| {
                r.fetch_add(1, Ordering::SeqCst);
            });
        });
        cancel.cancel();
        registrar.join().unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn stop_racing_a_cancel_says_truly_whether_the_callback_will_run() {
    loom::model(|| {
        let (ctx, cancel) = root();
        let runs = Arc::new(AtomicUsize::new(0));
        let r = runs.clone();
        let handle = ctx.after_cancel(move |_| {
            r.fetch_add(1, Ordering::SeqCst);
        });
        let stopper = thread::spawn(move || handle.stop());
        cancel.cancel();
        let stopped = stopper.join().unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), usize::from(!stopped));
    });
}

#[test]
fn a_child_dropped_while_its_parent_makes_another_keeps_the_registry_right() {
    loom::model(|| {
        let (parent, cancel) = root();
        let (first, first_cancel) = parent.with_cancel();
        let p = parent.clone();
        let t = thread::spawn(move || {
            drop((first, first_cancel));
        });
        // Reuses the freed slot when the drop came first: the late drop must not remove it.
        let (second, _second_cancel) = p.with_cancel();
        t.join().unwrap();
        assert_eq!(parent.children(), 1);
        cancel.cancel();
        assert!(second.is_cancelled());
    });
}

// A link with no handle left leaves the tree (its children move up to where it was registered):
// the collapse racing a cancel, a drop, a child's creation and a neighbour's collapse.

#[test]
fn a_collapse_racing_a_cancel_of_the_root_loses_no_cancellation() {
    loom::model(|| {
        let (root, cancel) = root();
        let (middle, middle_cancel) = root.with_cancel();
        let (leaf, _leaf_cancel) = middle.with_cancel();
        let collapser = thread::spawn(move || drop((middle, middle_cancel)));
        cancel.cancel();
        collapser.join().unwrap();
        loom::future::block_on(leaf.done());
    });
}

#[test]
fn a_collapse_racing_a_drop_of_a_child_leaves_no_slot_behind() {
    loom::model(|| {
        let (root, cancel) = root();
        let (middle, middle_cancel) = root.with_cancel();
        let gone = middle.with_cancel();
        let (kept, _kept_cancel) = middle.with_cancel();
        let dropper = thread::spawn(move || drop(gone));
        drop((middle, middle_cancel));
        dropper.join().unwrap();
        assert_eq!(root.children(), 1, "only the kept child, moved up");
        cancel.cancel();
        loom::future::block_on(kept.done());
    });
}

#[test]
fn a_child_made_under_the_leaf_during_a_collapse_and_a_cancel_is_cancelled() {
    loom::model(|| {
        let (root, cancel) = root();
        let (middle, middle_cancel) = root.with_cancel();
        let (leaf, _leaf_cancel) = middle.with_cancel();
        let maker = thread::spawn(move || {
            let (grandchild, _cancel) = leaf.with_cancel();
            loom::future::block_on(grandchild.done());
        });
        drop((middle, middle_cancel));
        cancel.cancel();
        maker.join().unwrap();
    });
}

#[test]
fn adjacent_links_collapsing_at_once_leave_the_leaf_at_the_root() {
    loom::model(|| {
        let (root, cancel) = root();
        let (upper, upper_cancel) = root.with_cancel();
        let (lower, lower_cancel) = upper.with_cancel();
        let (leaf, _leaf_cancel) = lower.with_cancel();
        let other = thread::spawn(move || drop((upper, upper_cancel)));
        drop((lower, lower_cancel));
        other.join().unwrap();
        assert_eq!(root.children(), 1, "the leaf, at depth 1");
        cancel.cancel();
        loom::future::block_on(leaf.done());
    });
}
