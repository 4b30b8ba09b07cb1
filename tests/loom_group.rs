//! A loom model of the tasks a group without a spawner drives itself (its task cells, ready
//! queue and drivers): wakes from other threads racing the driver, two drivers at once, a
//! task that panics, and a waker woken while the group is dropped. The scheduler's locks and
//! atomics are loom's when the crate is built with `--cfg ctxgroup_loom`.
//!
//! ```sh
//! RUSTFLAGS="--cfg ctxgroup_loom" CARGO_TARGET_DIR=target/loom cargo test --release -p ctxgroup --test loom_group
//! ```
//!
//! A lost wake shows up as a `wait` that is never woken, which loom reports as a deadlock.
#![cfg(ctxgroup_loom)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};

use ctxgroup::{Context, Error, TaskGroup, VirtualClock};
use loom::thread;

/// Every interleaving with up to three preemptions (the group's context tree alone has many
/// atomic steps; three is where the races here show, and keeps the run to seconds).
fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(3);
    model.check(f);
}

fn root() -> Context {
    Context::with_clock(VirtualClock::new())
}

/// Pending until its flag is set; keeps the last waker it was polled with where a test can wake
/// it from another thread (or after the group is gone).
#[derive(Clone, Default)]
struct Gate {
    open: Arc<AtomicBool>,
    waker: Arc<Mutex<Option<Waker>>>,
}

impl Gate {
    fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
        if let Some(w) = self.waker.lock().unwrap().take() {
            w.wake();
        }
    }
}

impl Future for Gate {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        if self.open.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[test]
fn a_task_woken_from_another_thread_is_driven_to_its_end() {
    model(|| {
        let group = TaskGroup::new(&root());
        let (ctx, cancel) = root().with_cancel();
        assert!(group.try_spawn(move |_| async move {
            ctx.done().await;
            Ok(())
        }));
        let canceller = thread::spawn(move || cancel.cancel());
        loom::future::block_on(group.wait()).unwrap();
        canceller.join().unwrap();
    });
}

#[test]
fn a_task_with_a_hook_woken_from_another_thread_is_driven_to_its_end() {
    // A hook gives the task a context and a future of its own (not the plain task cell).
    model(|| {
        let group = TaskGroup::builder(&root())
            .hook(|_: &ctxgroup::group::Event<'_>| {})
            .build();
        let (ctx, cancel) = root().with_cancel();
        assert!(group.try_spawn(move |_| async move {
            ctx.done().await;
            Ok(())
        }));
        let canceller = thread::spawn(move || cancel.cancel());
        loom::future::block_on(group.wait()).unwrap();
        canceller.join().unwrap();
    });
}

#[test]
fn two_drivers_and_a_wake_from_a_third_thread_lose_nothing() {
    model(|| {
        let group = TaskGroup::new(&root());
        let (ctx, cancel) = root().with_cancel();
        assert!(group.try_spawn(move |_| async move {
            ctx.done().await;
            Ok(())
        }));
        let other = group.clone();
        let second_driver = thread::spawn(move || loom::future::block_on(other.wait()));
        let canceller = thread::spawn(move || cancel.cancel());
        loom::future::block_on(group.wait()).unwrap();
        second_driver.join().unwrap().unwrap();
        canceller.join().unwrap();
    });
}

#[test]
fn a_task_that_panics_while_another_is_woken_fails_the_group() {
    model(|| {
        let group = TaskGroup::new(&root());
        let (ctx, cancel) = root().with_cancel();
        assert!(group.try_spawn(move |_| async move {
            ctx.done().await;
            Ok(())
        }));
        assert!(group.try_spawn(|_| async { panic!("boom") }));
        let canceller = thread::spawn(move || cancel.cancel());
        let err: Error = loom::future::block_on(group.wait()).unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
        canceller.join().unwrap();
    });
}

#[test]
fn a_waker_woken_while_the_group_is_dropped_touches_nothing_freed() {
    model(|| {
        let group = TaskGroup::new(&root());
        let gate = Gate::default();
        let dropped = Arc::new(AtomicBool::new(false));
        struct SetOnDrop(Arc<AtomicBool>);
        impl Drop for SetOnDrop {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let (task_gate, guard) = (gate.clone(), SetOnDrop(dropped.clone()));
        assert!(group.try_spawn(move |_| async move {
            let _guard = guard;
            task_gate.await;
            Ok(())
        }));
        // One poll: the task is pending, its waker kept by the gate.
        let mut join = Box::pin(group.join_next());
        let mut cx = TaskContext::from_waker(futures::task::noop_waker_ref());
        assert!(join.as_mut().poll(&mut cx).is_pending());
        drop(join);
        let waker = thread::spawn(move || gate.open());
        drop(group);
        waker.join().unwrap();
        assert!(
            dropped.load(Ordering::SeqCst),
            "the task's future was dropped"
        );
    });
}

#[test]
fn a_spawn_from_another_thread_while_the_group_is_driven_and_waited_on_is_driven() {
    // The spawn makes its task's body, then counts and queues it under the one lock that a
    // driver looks at the queue and registers under: `join_next` on this thread must be
    // woken for it, and return its output.
    model(|| {
        let group = TaskGroup::<u8, Error>::with_outputs(&root());
        let spawner = group.clone();
        let spawning =
            thread::spawn(move || loom::future::block_on(spawner.spawn(|_| async { Ok(7u8) })));
        let mut outputs = Vec::new();
        loop {
            match loom::future::block_on(group.join_next()) {
                Some(output) => outputs.push(output.unwrap()),
                // Nothing ran yet, or it all has: the spawn may not have come.
                None if outputs.is_empty() => loom::thread::yield_now(),
                None => break,
            }
        }
        spawning.join().unwrap();
        assert_eq!(outputs, [7]);
    });
}

#[test]
fn tasks_returned_in_a_round_are_settled_for_a_waiter_on_another_thread() {
    // A task that returns at its first poll is counted as finished at the end of the driver's
    // round: a `wait` on another thread (turned away from the batch, registered as a driver)
    // must still be woken once the count reaches zero.
    model(|| {
        let group = TaskGroup::new(&root());
        let (ctx, cancel) = root().with_cancel();
        assert!(group.try_spawn(|_| async { Ok(()) }));
        assert!(group.try_spawn(move |_| async move {
            ctx.done().await;
            Ok(())
        }));
        let other = group.clone();
        let waiter = thread::spawn(move || loom::future::block_on(other.wait()));
        cancel.cancel();
        loom::future::block_on(group.wait()).unwrap();
        waiter.join().unwrap().unwrap();
        assert_eq!(group.running(), 0);
    });
}

#[test]
fn a_task_its_executor_drops_on_another_thread_ends_a_wait_with_an_error() {
    // A runtime shutting down drops a running task's future on its own thread, while `wait`
    // runs on another: the wait is woken, with the task's error.
    model(|| {
        type Task = Pin<Box<dyn Future<Output = ()> + Send>>;
        let held: Arc<Mutex<Vec<Task>>> = Arc::default();
        let spawned = held.clone();
        let group = TaskGroup::builder(&root())
            .spawner(move |task| spawned.lock().unwrap().push(task))
            .build();
        assert!(group.try_spawn(|ctx| async move {
            ctx.done().await;
            Ok(())
        }));
        let mut task = held.lock().unwrap().pop().unwrap();
        let waker = futures::task::noop_waker();
        let polled = task.as_mut().poll(&mut TaskContext::from_waker(&waker));
        assert!(polled.is_pending(), "it runs, waiting on its context");
        let executor = thread::spawn(move || drop(task));
        let err: Error = loom::future::block_on(group.wait()).unwrap_err();
        assert!(
            err.to_string().contains("dropped before it finished"),
            "{err}"
        );
        executor.join().unwrap();
    });
}

#[test]
fn a_tasks_own_deadline_context_ends_once_as_the_group_is_cancelled_on_another_thread() {
    // The task returns (its own context is cancelled: Go's `defer cancel()`) while a shutdown
    // cancels the group from another thread: its after-cancel callback runs exactly once, and
    // the context ends cancelled either way.
    model(|| {
        type Task = Pin<Box<dyn Future<Output = ()> + Send>>;
        let held: Arc<Mutex<Vec<Task>>> = Arc::default();
        let spawned = held.clone();
        let (parent, cancel) = root().with_cancel();
        let group = TaskGroup::builder(&parent)
            .spawner(move |task| spawned.lock().unwrap().push(task))
            .build();
        let runs = Arc::new(loom::sync::atomic::AtomicUsize::new(0));
        let kept: Arc<Mutex<Option<Context>>> = Arc::default();
        let (r, k) = (runs.clone(), kept.clone());
        futures::executor::block_on(
            group
                .task("t")
                .timeout(std::time::Duration::from_secs(60))
                .spawn(move |ctx| async move {
                    let _ = ctx.after_cancel(move |_| {
                        r.fetch_add(1, loom::sync::atomic::Ordering::SeqCst);
                    });
                    *k.lock().unwrap() = Some(ctx);
                    Ok(())
                }),
        );
        let mut task = held.lock().unwrap().pop().unwrap();
        let canceller = thread::spawn(move || {
            cancel.cancel();
        });
        let waker = futures::task::noop_waker();
        assert!(task
            .as_mut()
            .poll(&mut TaskContext::from_waker(&waker))
            .is_ready());
        canceller.join().unwrap();
        assert_eq!(runs.load(loom::sync::atomic::Ordering::SeqCst), 1);
        assert!(kept.lock().unwrap().as_ref().unwrap().is_cancelled());
    });
}

#[test]
fn a_task_returning_on_another_thread_as_the_grace_runs_out_is_in_time_or_named() {
    // The shutdown counts the stragglers while the last task returns on another thread: the
    // report is `wait`'s result with nobody named, or the task named; never "still running"
    // with no names.
    model(|| {
        type Task = Pin<Box<dyn Future<Output = ()> + Send>>;
        let held: Arc<Mutex<Vec<Task>>> = Arc::default();
        let spawned = held.clone();
        let clock = VirtualClock::new();
        let group = TaskGroup::builder(&Context::with_clock(clock.clone()))
            .spawner(move |task| spawned.lock().unwrap().push(task))
            .build();
        futures::executor::block_on(group.task("t").spawn(|_| async { Ok(()) }));
        let mut task = held.lock().unwrap().pop().unwrap();
        let executor = thread::spawn(move || {
            let waker = futures::task::noop_waker();
            assert!(task
                .as_mut()
                .poll(&mut TaskContext::from_waker(&waker))
                .is_ready());
        });
        let grace = std::time::Duration::from_secs(1);
        let shutdown = group.shutdown(grace);
        clock.advance(grace);
        let report = loom::future::block_on(shutdown);
        match report.result {
            Some(result) => {
                assert!(result.is_ok());
                assert!(report.ignored.is_empty());
            }
            None => assert_eq!(report.ignored, ["t"]),
        }
        executor.join().unwrap();
    });
}
