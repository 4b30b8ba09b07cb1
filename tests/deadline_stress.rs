//! Multi-thread stress of deadlines on the `SystemClock`, which mark and wake on its timer
//! thread and hand callbacks and releases to its runners: racing cancels, drops of every
//! handle and children made as the deadline fires, no cancellation, callback or release is
//! lost or doubled.
#![cfg(not(target_arch = "wasm32"))]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ctxgroup::{clock, Clock, Context, SystemClock};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// Counts its drops: a value under a deadline is released exactly once.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Waits until `count` reads `want`, at most 20 s.
fn settle(count: &AtomicUsize, want: usize, what: &str) {
    let give_up = Instant::now() + Duration::from_secs(20);
    while count.load(Ordering::SeqCst) != want {
        assert!(
            Instant::now() < give_up,
            "{what}: {} of {want}",
            count.load(Ordering::SeqCst)
        );
        thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn deadlines_racing_cancels_drops_and_children_lose_and_double_nothing() {
    const THREADS: u64 = 4;
    const ROUNDS: usize = 1_500;
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let (ran, dropped, registered) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (root, ran, dropped, registered) = (
                root.clone(),
                ran.clone(),
                dropped.clone(),
                registered.clone(),
            );
            thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9 + t);
                let mut kept = Vec::new();
                for _ in 0..ROUNDS {
                    let valued = root.with_value(Counted(dropped.clone()));
                    let after = Duration::from_micros(rng.below(2_000));
                    let (ctx, cancel) = valued.with_timeout(after);
                    let (child, _child_cancel) = ctx.with_cancel();
                    if rng.below(2) == 0 {
                        let ran = ran.clone();
                        registered.fetch_add(1, Ordering::SeqCst);
                        // Not stopped: the callback keeps its context alive until it runs.
                        std::mem::forget(child.after_cancel(move |_| {
                            ran.fetch_add(1, Ordering::SeqCst);
                        }));
                    }
                    match rng.below(4) {
                        // Every handle goes at once: the deadline's cancel holds the last.
                        0 => drop((ctx, cancel, child)),
                        // A cancel racing the deadline: the child is cancelled by one or the
                        // other (if the deadline's walk is under way, a moment later).
                        1 => {
                            thread::sleep(after / 2);
                            cancel.cancel();
                            futures::executor::block_on(child.done());
                        }
                        // A grandchild made as the deadline fires sees it, or is reached.
                        2 => {
                            thread::sleep(after);
                            let (grandchild, _g) = child.with_cancel();
                            futures::executor::block_on(grandchild.done());
                        }
                        _ => kept.push((ctx, cancel, child)),
                    }
                }
                for (ctx, _cancel, child) in &kept {
                    futures::executor::block_on(child.done());
                    assert!(ctx.is_cancelled());
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    settle(&ran, registered.load(Ordering::SeqCst), "callbacks ran");
    settle(&dropped, THREADS as usize * ROUNDS, "values released");
    // Nothing later: no callback runs twice, no value is released twice.
    thread::sleep(Duration::from_millis(50));
    assert_eq!(
        ran.load(Ordering::SeqCst),
        registered.load(Ordering::SeqCst)
    );
    assert_eq!(dropped.load(Ordering::SeqCst), THREADS as usize * ROUNDS);
}

#[test]
fn a_deadline_is_seen_by_a_sleep_due_at_the_same_instant() {
    // Both fire on the timer thread, in the order they were armed: a task waking from a sleep
    // to its context's deadline finds the context cancelled, as the virtual clock has it.
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    for _ in 0..100 {
        let at = clock.now() + Duration::from_micros(300);
        let (ctx, _cancel) = root.with_deadline(at);
        futures::executor::block_on(clock::sleep_until(clock.clone(), at));
        assert!(ctx.is_cancelled(), "the sleep woke before the deadline");
    }
}

#[test]
fn a_nearer_deadline_armed_from_any_thread_wakes_the_timer_thread() {
    // The timer thread sleeps until the earliest timer it knows of: one armed earlier, from
    // another thread, while it sleeps or while it is awake, must wake it.
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let (_far, _c) = root.with_timeout(Duration::from_secs(30));
    let workers: Vec<_> = (0..4u64)
        .map(|t| {
            let root = root.clone();
            thread::spawn(move || {
                let mut rng = Rng(0x5851_f42d + t);
                for _ in 0..200 {
                    let (_later, _l) = root.with_timeout(Duration::from_secs(20));
                    let after = Duration::from_micros(rng.below(3_000));
                    let (soon, _s) = root.with_timeout(after);
                    let armed = Instant::now();
                    futures::executor::block_on(soon.done());
                    let late = armed.elapsed().saturating_sub(after);
                    assert!(late < Duration::from_secs(2), "a deadline {late:?} late");
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}
