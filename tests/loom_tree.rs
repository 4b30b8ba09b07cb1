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

// Three at once: the models above race two operations; these race three, where a lost
// cancellation would need two others to line up against it. Every interleaving of three
// threads takes over ten minutes, so these explore those with at most four preemptions (about
// 60,000 interleavings in all, in seconds; bugs found in practice need two or three).

/// Runs `f` in every interleaving with at most four preemptions.
fn model_bounded(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(4);
    builder.check(f);
}

#[test]
fn a_child_made_during_a_collapse_of_its_parent_and_a_cancel_of_the_root_is_cancelled() {
    model_bounded(|| {
        let (root, cancel) = root();
        let (middle, middle_cancel) = root.with_cancel();
        let m = middle.clone();
        let maker = thread::spawn(move || {
            let (child, _cancel) = m.with_cancel();
            drop(m);
            loom::future::block_on(child.done());
            child.err().expect("cancelled").is_canceled()
        });
        let collapser = thread::spawn(move || drop((middle, middle_cancel)));
        cancel.cancel();
        collapser.join().unwrap();
        assert!(maker.join().unwrap());
        assert_eq!(root.children(), 0, "every child is gone with its handles");
    });
}

#[test]
fn siblings_made_on_two_threads_during_a_cancel_are_both_cancelled_once() {
    model_bounded(|| {
        let (parent, cancel) = root();
        let runs = Arc::new(AtomicUsize::new(0));
        let makers: Vec<_> = (0..2)
            .map(|_| {
                let p = parent.clone();
                let r = runs.clone();
                thread::spawn(move || {
                    let (child, _cancel) = p.with_cancel();
                    let _watch = child.after_cancel(move |_| {
                        r.fetch_add(1, Ordering::SeqCst);
                    });
                    loom::future::block_on(child.done());
                })
            })
            .collect();
        cancel.cancel();
        for maker in makers {
            maker.join().unwrap();
        }
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "each child's callback ran once"
        );
    });
}

#[test]
fn a_callback_stopped_while_its_context_is_cancelled_and_dropped_runs_at_most_once() {
    model_bounded(|| {
        let (parent, cancel) = root();
        let (child, child_cancel) = parent.with_cancel();
        let runs = Arc::new(AtomicUsize::new(0));
        let r = runs.clone();
        let handle = child.after_cancel(move |_| {
            r.fetch_add(1, Ordering::SeqCst);
        });
        let stopper = thread::spawn(move || handle.stop());
        let dropper = thread::spawn(move || drop((child, child_cancel)));
        cancel.cancel();
        let stopped = stopper.join().unwrap();
        dropper.join().unwrap();
        // Go's AfterFunc: stop() is true only if the callback will not run; a dropped context's
        // callbacks still run when its parent is cancelled.
        assert_eq!(runs.load(Ordering::SeqCst), usize::from(!stopped));
        assert_eq!(parent.children(), 0);
    });
}
