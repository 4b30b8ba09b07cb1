//! A group without a spawner drives its own tasks. A task that returns at its first poll is
//! counted, not listed, until it waits; those that return together are settled at the end of the
//! driver's round. These tests check that what the group reports stays exact.
#![cfg(not(target_arch = "wasm32"))]
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ctxgroup::{Context, Error, SystemClock, TaskGroup};
use futures::executor::block_on;
use futures::future::{pending, poll_fn};
use std::future::Future;
use std::task::Poll;

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
