//! A task whose executor drops it mid-run (a runtime shutting down, an executor dropped with
//! its tasks) ends with an error: `wait` never waits for it forever, as tokio's `JoinSet`
//! reports such a task cancelled.
#![cfg(not(target_arch = "wasm32"))]
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Context as TaskContext;
use std::time::Duration;

use ctxgroup::{Context, Error, TaskGroup};
use futures::task::noop_waker;

type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A spawner that keeps its tasks where the test can poll them and drop them.
#[derive(Clone, Default)]
struct Held(Arc<Mutex<Vec<Task>>>);

impl Held {
    fn spawner(&self) -> impl Fn(Task) + Send + Sync + 'static {
        let held = self.0.clone();
        move |task| held.lock().unwrap().push(task)
    }

    /// Polls every task once; returns how many finished.
    fn poll_once(&self) -> usize {
        let waker = noop_waker();
        let mut cx = TaskContext::from_waker(&waker);
        let mut tasks = self.0.lock().unwrap();
        let before = tasks.len();
        tasks.retain_mut(|t| t.as_mut().poll(&mut cx).is_pending());
        before - tasks.len()
    }

    fn drop_all(&self) {
        let tasks = std::mem::take(&mut *self.0.lock().unwrap());
        drop(tasks);
    }
}

fn dropped_error(err: &Error) -> bool {
    err.to_string().contains("dropped before it finished")
}

/// A group on a holding spawner, with one task that waits on its context.
fn group_with_a_waiting_task() -> (Held, TaskGroup) {
    let held = Held::default();
    let group = TaskGroup::builder(&Context::background())
        .spawner(held.spawner())
        .build();
    assert!(group.try_spawn(|ctx| async move {
        ctx.done().await;
        Ok(())
    }));
    (held, group)
}

#[test]
fn a_task_dropped_after_its_first_poll_ends_the_wait_with_an_error() {
    let (held, group) = group_with_a_waiting_task();
    assert_eq!(held.poll_once(), 0, "it runs, waiting on its context");
    held.drop_all();
    let err = futures::executor::block_on(group.wait()).unwrap_err();
    assert!(dropped_error(&err), "{err}");
}

#[test]
fn under_fail_fast_the_dropped_task_cancels_its_siblings() {
    let (held, group) = group_with_a_waiting_task();
    held.poll_once();
    held.drop_all();
    let reason = group
        .context()
        .err()
        .expect("the group's context is cancelled");
    assert!(
        reason
            .describe_cause()
            .contains("dropped before it finished"),
        "{reason:?}"
    );
}

#[test]
fn a_task_that_finished_is_not_reported_when_its_future_is_dropped() {
    let held = Held::default();
    let group = TaskGroup::builder(&Context::background())
        .spawner(held.spawner())
        .build();
    assert!(group.try_spawn(|_| async { Ok(()) }));
    assert_eq!(held.poll_once(), 1);
    held.drop_all();
    futures::executor::block_on(group.wait()).unwrap();
}

#[test]
fn a_tokio_runtime_shut_down_under_a_running_task_does_not_hang_the_wait() {
    let other = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = other.handle().clone();
    let group = TaskGroup::builder(&Context::background())
        .spawner(move |f| {
            handle.spawn(f);
        })
        .build();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    futures::executor::block_on(group.spawn(move |ctx| async move {
        started_tx.send(()).unwrap();
        ctx.done().await;
        Ok(())
    }));
    started_rx.recv().unwrap();
    other.shutdown_timeout(Duration::from_secs(5));
    let err = futures::executor::block_on(group.wait()).unwrap_err();
    assert!(dropped_error(&err), "{err}");
}

#[test]
fn runtimes_shut_down_at_any_moment_never_hang_the_wait() {
    // Many threads: tasks start, finish and are dropped while the runtime shuts down.
    for round in 0..200 {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let handle = rt.handle().clone();
        let group = TaskGroup::builder(&Context::background())
            .spawner(move |f| {
                handle.spawn(f);
            })
            .policy(ctxgroup::Policy::CollectAll)
            .build();
        for i in 0..20u64 {
            assert!(group.try_spawn(move |ctx| async move {
                if i % 2 == 0 {
                    tokio::task::yield_now().await;
                    Ok(())
                } else {
                    ctx.done().await;
                    Ok(())
                }
            }));
        }
        std::thread::sleep(Duration::from_micros(round % 7 * 50));
        drop(rt);
        let waited = std::thread::spawn(move || futures::executor::block_on(group.wait()));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !waited.is_finished() {
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: wait hangs"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        // The odd tasks wait on a context nobody cancels: each ended only by being dropped,
        // before its first poll too when the runtime shut down at once.
        let err = waited.join().unwrap().unwrap_err();
        assert!(
            dropped_error(&err) || err.to_string().contains("dropped before it started"),
            "round {round}: {err}"
        );
    }
}

#[test]
fn the_error_of_a_dropped_task_is_not_a_panic_and_nothing_of_it_comes_after_its_end() {
    use ctxgroup::error::Panicked;
    let held = Held::default();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let group = TaskGroup::builder(&Context::background())
        .spawner(held.spawner())
        .hook(move |e: &ctxgroup::group::Event<'_>| {
            let kind = e.kind.to_string();
            let kind = kind.split(':').next().unwrap_or_default().to_string();
            seen.lock().unwrap().push(format!("{} {kind}", e.name));
        })
        .build();
    for name in ["a", "b"] {
        assert!(group.task(name).try_spawn(|ctx| async move {
            ctx.done().await;
            Ok(())
        }));
    }
    held.poll_once();
    // The executor drops a first: its error fails the group, which cancels b.
    let a = held.0.lock().unwrap().remove(0);
    drop(a);
    let events = events.lock().unwrap().clone();
    let a_end = events
        .iter()
        .position(|e| e.starts_with("a failed"))
        .unwrap_or_else(|| panic!("{events:?}"));
    assert!(
        events[a_end + 1..].iter().all(|e| !e.starts_with("a ")),
        "an event of a after its end: {events:?}"
    );
    held.poll_once();
    let err = futures::executor::block_on(group.wait()).unwrap_err();
    assert!(dropped_error(&err), "{err}");
    assert!(
        err.downcast_ref::<Panicked>().is_none(),
        "reported as a panic: {err:?}"
    );
}
