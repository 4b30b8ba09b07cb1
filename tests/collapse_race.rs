//! Multi-thread stress of the collapse (links with no handle left leaving the cancellation
//! tree) racing cancels, drops and the creation of children; the loom model of the same races
//! is in tests/loom_tree.rs.
#![cfg(not(target_arch = "wasm32"))]
use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;

use ctxgroup::{CancelFn, Context, VirtualClock};
use futures::FutureExt;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// What a builder hands to the other thread: a middle node's cancel, or its last context.
enum Handover {
    Cancel(usize, CancelFn),
    LastContext(Context),
}

const CHAINS: usize = 100;
const DEPTH: usize = 40;

#[test]
fn collapses_racing_cancels_and_drops_cancel_exactly_the_subtrees() {
    for round in 0..30u64 {
        let (root, cancel_root) = Context::with_clock(VirtualClock::new()).with_cancel();
        let (tx, rx) = mpsc::channel();
        let builders: Vec<_> = (0..2u64)
            .map(|b| {
                let (root, tx) = (root.clone(), tx.clone());
                thread::spawn(move || {
                    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (round * 2 + b + 1));
                    let mut leaves = Vec::new();
                    for chain in 0..CHAINS {
                        let id = b as usize * CHAINS + chain;
                        let mut ctx = root.clone();
                        for _ in 0..DEPTH {
                            let (next, cancel) = ctx.with_cancel();
                            match rng.below(8) {
                                0 => tx.send(Handover::Cancel(id, cancel)).unwrap(),
                                1 => tx.send(Handover::LastContext(next.clone())).unwrap(),
                                _ => {}
                            }
                            ctx = next;
                        }
                        leaves.push((id, ctx));
                    }
                    leaves
                })
            })
            .collect();
        drop(tx);
        let other = thread::spawn(move || {
            let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ (round + 1));
            let (mut cancelled, mut kept) = (HashSet::new(), Vec::new());
            for handover in rx {
                match handover {
                    Handover::Cancel(id, cancel) => match rng.below(3) {
                        0 => {
                            cancel.cancel();
                            cancelled.insert(id);
                        }
                        1 => drop(cancel), // its last handle: the link collapses from here
                        _ => kept.push(cancel),
                    },
                    Handover::LastContext(ctx) => drop(ctx),
                }
            }
            drop(kept);
            cancelled
        });
        let leaves: Vec<(usize, Context)> = builders
            .into_iter()
            .flat_map(|b| b.join().unwrap())
            .collect();
        let cancelled = other.join().unwrap();
        assert!(!cancelled.is_empty() && cancelled.len() < 2 * CHAINS);
        for (id, leaf) in &leaves {
            assert_eq!(
                leaf.is_cancelled(),
                cancelled.contains(id),
                "chain {id}: a leaf is cancelled exactly when a link above it was"
            );
        }
        assert!(!root.is_cancelled());
        // Every handle but the leaves is gone: each chain is one registration at the root, its
        // leaf or its topmost cancelled link.
        assert_eq!(root.children(), 2 * CHAINS);
        drop(leaves);
        assert_eq!(root.children(), 0, "no slot left behind");
        assert!(cancel_root.cancel());
    }
}

#[test]
fn collapses_racing_a_cancel_of_the_root_lose_no_cancellation() {
    for round in 0..300u64 {
        let (root, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
        let barrier = Arc::new(Barrier::new(3));
        let builders: Vec<_> = (0..2u64)
            .map(|b| {
                let (root, barrier) = (root.clone(), barrier.clone());
                thread::spawn(move || {
                    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (round * 2 + b + 1));
                    let mut kept = Vec::new();
                    barrier.wait();
                    for _ in 0..10 {
                        let mut ctx = root.clone();
                        for _ in 0..20 {
                            ctx = ctx.with_cancel().0;
                            // A child made under the current leaf while links above collapse.
                            if rng.below(4) == 0 {
                                kept.push(ctx.with_cancel().0);
                            }
                        }
                        kept.push(ctx);
                    }
                    kept
                })
            })
            .collect();
        barrier.wait();
        for _ in 0..round % 50 * 20 {
            std::hint::spin_loop();
        }
        cancel.cancel();
        for ctx in builders.into_iter().flat_map(|b| b.join().unwrap()) {
            assert!(
                ctx.is_cancelled(),
                "a context under the cancelled root runs"
            );
            assert!(ctx.done().now_or_never().is_some());
        }
    }
}
