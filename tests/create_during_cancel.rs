//! A child made while another thread cancels its parent is never left uncancelled (multi-thread
//! stress; the loom model of the same race is in tests/loom_tree.rs).
#![cfg(not(target_arch = "wasm32"))]
use std::sync::{Arc, Barrier};

use ctxgroup::{Context, TaskGroup, VirtualClock};

#[test]
fn children_created_during_a_cancel_are_all_cancelled() {
    let iterations = 3_000;
    for _ in 0..iterations {
        let (parent, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
        let barrier = Arc::new(Barrier::new(2));
        let b = barrier.clone();
        let p = parent.clone();
        let maker = std::thread::spawn(move || {
            b.wait();
            (0..64).map(|_| p.with_cancel()).collect::<Vec<_>>()
        });
        barrier.wait();
        cancel.cancel();
        let children = maker.join().unwrap();
        for (child, _) in &children {
            assert!(
                child.is_cancelled(),
                "a child of a cancelled parent was left running"
            );
            // done() completes at once.
            futures::executor::block_on(child.done());
        }
    }
}

#[test]
fn groups_and_task_contexts_made_during_a_cancel_are_cancelled() {
    for _ in 0..1_000 {
        let (parent, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
        let barrier = Arc::new(Barrier::new(2));
        let b = barrier.clone();
        let p = parent.clone();
        let maker = std::thread::spawn(move || {
            b.wait();
            (0..16)
                .map(|_| TaskGroup::new(&p).context().clone())
                .collect::<Vec<_>>()
        });
        barrier.wait();
        cancel.cancel();
        for ctx in maker.join().unwrap() {
            assert!(ctx.is_cancelled());
        }
    }
}
