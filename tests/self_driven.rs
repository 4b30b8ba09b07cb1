//! A group without a spawner drives its own tasks. A task that returns at its first poll is
//! counted, not listed, until it waits; those that return together are settled at the end of the
//! driver's round. These tests check that what the group reports stays exact.
#![cfg(not(target_arch = "wasm32"))]
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use ctxgroup::{Context, Error, SystemClock, TaskGroup};

#[path = "support/touchy.rs"]
mod touchy;
use futures::executor::block_on;
use futures::future::{pending, poll_fn};
use std::future::Future;
use std::task::Poll;
use touchy::Touchy;

/// A task that waits (pending until woken) is listed once it waits, by its id or its name;
/// tasks never polled (queued behind the shutdown) are named from the queue; nobody is named
/// twice, and the names come in spawn order.
#[test]
fn shutdown_names_every_task_still_running_once_in_spawn_order() {
    let group = TaskGroup::new(&Context::with_clock(SystemClock::new()));
    let report = block_on(async {
        group.spawn(|_| async { Ok(()) }).await; // task-0 returns
        group.spawn(|_| pending()).await; // task-1 ignores the cancellation
        group.task("named").spawn(|_| pending()).await; // task-2
        group
            .spawn(|ctx| async move {
                ctx.done().await; // task-3 stops when told
                Ok(())
            })
            .await;
        group.spawn(|_| pending()).await; // task-4 ignores it too
        group.shutdown(Duration::from_millis(50)).await
    });
    assert_eq!(report.ignored, ["task-1", "named", "task-4"]);
    assert_eq!(group.running(), 3);
}

/// A task that blocks its driver's thread in its first poll, ignoring the cancellation, is named
/// by a shutdown on another thread; the tasks queued behind it in the driver's batch, which
/// that thread cannot see, are counted.
#[test]
fn a_task_blocking_its_first_poll_is_named_by_a_shutdown_on_another_thread() {
    let group = TaskGroup::new(&Context::with_clock(SystemClock::new()));
    let release = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicBool::new(false));
    let (r, s) = (release.clone(), started.clone());
    block_on(async {
        group
            .spawn(move |_| async move {
                s.store(true, Ordering::SeqCst);
                while !r.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(())
            })
            .await;
        for _ in 0..3 {
            group.spawn(|_| async { Ok(()) }).await;
        }
    });
    std::thread::scope(|s| {
        let driver = s.spawn(|| block_on(group.wait()));
        while !started.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let report = block_on(group.shutdown(Duration::from_millis(50)));
        assert_eq!(report.ignored, ["task-0", "3 more not polled yet"]);
        release.store(true, Ordering::SeqCst);
        driver.join().unwrap().unwrap();
    });
    assert_eq!(group.running(), 0);
}

/// Tasks that returned in a round are settled even when a panic goes through the driver in
/// that round (a failing task's cancellation runs a callback that panics): the next `wait`
/// returns, with the error.
#[test]
fn a_panic_through_the_driver_leaves_no_returned_task_counted_as_running() {
    let group = TaskGroup::new(&Context::background());
    let _callback = group.context().after_cancel(|_| panic!("callback"));
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        block_on(async {
            for _ in 0..3 {
                group.spawn(|_| async { Ok(()) }).await;
            }
            group.spawn(|_| async { Err(Error::msg("boom")) }).await;
            for _ in 0..3 {
                group.spawn(|_| async { Ok(()) }).await;
            }
            group.wait().await
        })
    }));
    assert!(first.is_err(), "the callback's panic reaches the caller");
    let second = block_on(group.wait());
    assert_eq!(second.unwrap_err().to_string(), "boom");
    assert_eq!(group.running(), 0);
}

/// The count `running` gives is exact between rounds: a hundred thousand tasks that each
/// return at once, spawned before any is polled, and a `wait` that sees them all settled.
#[test]
fn a_hundred_thousand_tasks_that_return_at_once_are_all_counted() {
    let group = TaskGroup::new(&Context::background());
    block_on(async {
        for i in 0..100_000u32 {
            group
                .spawn(move |_| async move {
                    std::hint::black_box(i);
                    Ok(())
                })
                .await;
        }
        assert_eq!(group.running(), 100_000);
        // One poll drives them all: then none is left.
        let mut wait = Box::pin(group.wait());
        poll_fn(|cx| match wait.as_mut().poll(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending => panic!("every task returned in the first round"),
        })
        .await
        .unwrap();
    });
    assert_eq!(group.running(), 0);
}

/// `spawn` in a group with no limit makes the task's body before it counts the task: a spawn
/// closure that panics is still a task that failed, and `wait` returns its error.
#[test]
fn a_spawn_closure_that_panics_is_a_failed_task_for_wait() {
    let group = TaskGroup::new(&Context::background());
    let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        block_on(
            group.spawn(|_| -> futures::future::Ready<Result<(), Error>> {
                panic!("the closure panics before making its future")
            }),
        )
    }));
    assert!(spawned.is_err(), "the closure's panic reaches the caller");
    block_on(group.spawn(|_| async { Ok(()) }));
    let err = block_on(group.wait()).unwrap_err();
    assert!(err.to_string().contains("panicked"), "{err}");
    assert_eq!(group.running(), 0);
}

/// A task body that panics at its first poll is an error at once (not left to the end of the
/// round with the tasks that returned): the group is cancelled by it, as by any failure.
#[test]
fn a_task_that_panics_at_its_first_poll_fails_the_group_among_tasks_that_return() {
    let group = TaskGroup::new(&Context::background());
    let err = block_on(async {
        for _ in 0..10 {
            group.spawn(|_| async { Ok(()) }).await;
        }
        group
            .spawn(|_| async {
                panic!("boom");
                #[allow(unreachable_code)]
                Ok(())
            })
            .await;
        for _ in 0..10 {
            group
                .spawn(|ctx| async move {
                    // Runs after the panic in the same round: the group is cancelled by then.
                    assert!(ctx.is_cancelled());
                    Ok(())
                })
                .await;
        }
        group.wait().await.unwrap_err()
    });
    assert!(err.to_string().contains("boom"), "{err}");
    assert_eq!(group.running(), 0);
}

/// A driver that panics mid-batch (the user's error type panics converting a task's panic)
/// leaves the rest of its batch in the poisoned batch: a `wait` on another thread, which
/// registered as a driver while the batch was held, is woken to drive them.
#[test]
fn a_panic_mid_batch_wakes_a_waiter_on_another_thread_to_drive_the_rest() {
    let group = TaskGroup::builder(&Context::background()).build_typed::<(), Touchy>();
    let (go_tx, go_rx) = mpsc::channel::<()>();
    let driving = Arc::new(AtomicBool::new(false));
    let d = driving.clone();
    block_on(async {
        group
            .spawn(move |_| async move {
                d.store(true, Ordering::SeqCst);
                go_rx.recv().unwrap(); // t0 holds the driver's thread
                Ok(())
            })
            .await;
        group
            .spawn(|_| async {
                panic!("boom");
                #[allow(unreachable_code)]
                Ok(())
            })
            .await; // t1: its panic's conversion panics
        group.spawn(|_| async { Ok(()) }).await; // t2: left in the batch
    });
    let a = {
        let g = group.clone();
        thread::spawn(move || {
            std::panic::catch_unwind(AssertUnwindSafe(|| block_on(g.wait()))).is_err()
        })
    };
    while !driving.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(1)); // until A holds the batch, blocked in t0
    }
    let (done_tx, done_rx) = mpsc::channel();
    {
        let g = group.clone();
        thread::spawn(move || {
            let r = block_on(g.wait());
            let _ = done_tx.send(r.is_err());
        });
    }
    thread::sleep(Duration::from_millis(200)); // B registered as a driver and a waiter
    go_tx.send(()).unwrap();
    assert!(
        a.join().unwrap(),
        "A's wait panicked (the conversion's panic)"
    );
    assert!(
        done_rx.recv_timeout(Duration::from_secs(3)).is_ok(),
        "B's wait was never woken: t2 is stranded in the poisoned batch (running = {})",
        group.running()
    );
}

/// In a group with a limit, a task that has returned frees its slot at once (not at the end of
/// the driver's round): the next task of the same round sees it gone, and `try_spawn` finds
/// the slot free.
#[test]
fn in_a_limited_group_a_returned_task_frees_its_slot_before_the_next_task_runs() {
    let group = TaskGroup::builder(&Context::background()).limit(2).build();
    let seen = Arc::new(AtomicUsize::new(99));
    let started = Arc::new(AtomicBool::new(false));
    let (g, s, st) = (group.clone(), seen.clone(), started.clone());
    block_on(async {
        group.spawn(|_| async { Ok(()) }).await; // task-0 returns at its first poll
        group
            .spawn(move |_| async move {
                s.store(g.running(), Ordering::SeqCst);
                st.store(g.try_spawn(|_| async { Ok(()) }), Ordering::SeqCst);
                Ok(())
            })
            .await;
        group.wait().await.unwrap();
    });
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "task-0 had returned: one task running"
    );
    assert!(
        started.load(Ordering::SeqCst),
        "a slot was free (task-0 had returned)"
    );
}

/// A plain task whose future panics when dropped after returning Ready is a failed task: it is
/// counted as finished, and `wait` returns its panic as the error.
#[test]
fn a_future_whose_drop_panics_after_ready_is_a_failed_task() {
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                panic!("cleanup failed");
            }
        }
    }
    struct ReadyWithBomb(#[allow(dead_code)] Bomb);
    impl Future for ReadyWithBomb {
        type Output = Result<(), Error>;
        fn poll(self: Pin<&mut Self>, _: &mut std::task::Context<'_>) -> Poll<Self::Output> {
            Poll::Ready(Ok(()))
        }
    }
    let group = TaskGroup::new(&Context::background());
    block_on(group.spawn(|_| ReadyWithBomb(Bomb)));
    let first = std::panic::catch_unwind(AssertUnwindSafe(|| block_on(group.wait())));
    let (tx, rx) = mpsc::channel();
    let g = group.clone();
    thread::spawn(move || {
        let r = block_on(g.wait());
        let _ = tx.send(r.map_err(|e| e.to_string()));
    });
    let second = rx.recv_timeout(Duration::from_secs(3));
    assert!(
        second.is_ok(),
        "first wait panicked: {}; second wait hangs, running = {}",
        first.is_err(),
        group.running()
    );
    let err = first
        .expect("the destructor's panic is the task's error, not wait's panic")
        .unwrap_err();
    assert!(err.to_string().contains("cleanup failed"), "{err}");
}

/// Without a limit, the tasks that returned earlier in the driver's round are settled with the
/// group at the end of the round, but `running` does not count them meanwhile.
#[test]
fn running_does_not_count_tasks_returned_earlier_in_the_round() {
    let group = TaskGroup::new(&Context::background());
    let seen = Arc::new(AtomicUsize::new(99));
    let (g, s) = (group.clone(), seen.clone());
    block_on(async {
        for _ in 0..3 {
            group.spawn(|_| async { Ok(()) }).await;
        }
        group
            .spawn(move |_| async move {
                s.store(g.running(), Ordering::SeqCst);
                Ok(())
            })
            .await;
        group.wait().await.unwrap();
    });
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "only the task asking was running"
    );
}
