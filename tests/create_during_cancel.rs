//! A child made while another thread cancels its parent is never left uncancelled (multi-thread
//! stress; the loom model of the same race is in tests/loom_tree.rs).
#![cfg(not(target_arch = "wasm32"))]
use std::sync::{Arc, Barrier};

use ctxgroup::{Context, TaskGroup, VirtualClock};

/// Races `make` (on its own thread, making contexts under a fresh parent) against the parent's
/// cancel, `iterations` times, and checks that every context it made ends cancelled.
fn race(iterations: usize, make: impl Fn(&Context) -> Vec<Context> + Send + Sync + 'static) {
    let make = Arc::new(make);
    for _ in 0..iterations {
        let (parent, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
        let barrier = Arc::new(Barrier::new(2));
        let (b, p, m) = (barrier.clone(), parent.clone(), make.clone());
        let maker = std::thread::spawn(move || {
            b.wait();
            m(&p)
        });
        barrier.wait();
        cancel.cancel();
        for ctx in maker.join().unwrap() {
            assert!(
                ctx.is_cancelled(),
                "a context made under a cancelled parent was left running"
            );
            // done() completes at once.
            futures::executor::block_on(ctx.done());
        }
    }
}

#[test]
fn children_created_during_a_cancel_are_all_cancelled() {
    race(3_000, |p| (0..64).map(|_| p.with_cancel().0).collect());
}

#[test]
fn groups_and_task_contexts_made_during_a_cancel_are_cancelled() {
    race(1_000, |p| {
        (0..16)
            .map(|_| TaskGroup::new(p).context().clone())
            .collect()
    });
}
