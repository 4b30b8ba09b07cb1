//! An audit of the task group's outputs, error types and aborting shutdown, as a demanding
//! user meets them: races on tokio's multi-thread runtime, panics where user code runs, which
//! error is "first", and what a shutdown that aborts leaves behind.
#![cfg(not(target_arch = "wasm32"))]
use std::fmt;
use std::sync::mpsc;
use std::time::Duration;

use ctxgroup::error::Panicked;
use ctxgroup::group::{Event, EventKind};
use ctxgroup::{Cause, Context, Error, Errors, Policy, Reason, TaskGroup, VirtualRuntime};

fn tokio_group() -> ctxgroup::group::GroupBuilder {
    TaskGroup::builder(&Context::background()).spawner(|f| {
        tokio::spawn(f);
    })
}

/// Runs `f` on a thread of its own and fails if it does not return within `secs`: a hang
/// becomes a failed test instead of a stuck test run.
fn within<R: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("{what}: no answer within {secs} s (hang)"))
}

/// Awaits `f`, failing if it has not finished within `secs` (the deadline is checked first, so
/// a future that only completes because the deadline's poll found it done still fails).
async fn finishes_within<F: std::future::Future>(secs: u64, what: &str, f: F) -> F::Output {
    tokio::select! {
        biased;
        _ = tokio::time::sleep(Duration::from_secs(secs)) => panic!("{what}: not done within {secs} s (hang)"),
        output = f => output,
    }
}

// ---------------------------------------------------------------------------------------------
// Aborting shutdown

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborting_shutdown_aborts_a_task_whose_spawn_closure_was_still_running() {
    let group = tokio_group().abort_stragglers().build();
    let g = group.clone();
    // The spawn closure builds the task slowly (it is still running when the grace ends): the
    // task already counts as running, so shutdown must abort it too, not wait for it forever.
    let runtime = tokio::runtime::Handle::current();
    let spawning = std::thread::spawn(move || {
        let _in_runtime = runtime.enter();
        futures::executor::block_on(g.spawn(|_ctx| {
            std::thread::sleep(Duration::from_millis(400));
            futures::future::pending()
        }))
    });
    while group.running() == 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let report = finishes_within(
        5,
        "shutdown(abort) returned: the straggler was aborted",
        group.shutdown(Duration::from_millis(50)),
    )
    .await;
    assert!(report.aborted);
    assert_eq!(report.ignored, ["task-0"]);
    assert!(report.result.unwrap().is_err());
    spawning.join().unwrap();
    assert_eq!(group.running(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aborting_shutdown_leaves_no_task_running_that_was_queued_for_a_slot() {
    let group = tokio_group().limit(1).abort_stragglers().build();
    group
        .task("deaf")
        .spawn(|_| futures::future::pending())
        .await;
    let g = group.clone();
    let queued =
        tokio::spawn(async move { g.task("queued").spawn(|_| futures::future::pending()).await });
    while !format!("{group:?}").contains("queued: 1") {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let report = finishes_within(
        5,
        "shutdown(abort) returned",
        group.shutdown(Duration::from_millis(50)),
    )
    .await;
    assert!(report.aborted);
    queued.await.unwrap();
    // The queued spawn got the slot the aborted task freed; a shutdown that aborts stragglers
    // must not leave it running forever behind the report.
    for _ in 0..500 {
        if group.running() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!(
        "a task is still running after an aborting shutdown: {:?}",
        group
    );
}

// ---------------------------------------------------------------------------------------------
// Panics where user code runs

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_after_cancel_callback_does_not_strand_wait_on_tokio() {
    let group = tokio_group().build();
    let _callback = group.context().after_cancel(|_| panic!("callback"));
    group
        .spawn(|_| async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(Error::msg("boom"))
        })
        .await;
    // The callback's panic comes out of wait (the failing task ran on a worker thread, which
    // would have lost it); a second wait returns the task's error.
    let first = finishes_within(
        5,
        "wait returned although a cancel callback panicked",
        futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(group.wait())),
    )
    .await;
    let panic = first.unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"callback"));
    let result = finishes_within(5, "the second wait", group.wait()).await;
    assert_eq!(result.unwrap_err().to_string(), "boom");
}

#[test]
fn a_panicking_after_cancel_callback_does_not_stop_a_self_driven_group() {
    let group = TaskGroup::new(&Context::background());
    let _callback = group.context().after_cancel(|_| panic!("callback"));
    let g = group.clone();
    let second = within(5, "wait after the callback's panic", move || {
        futures::executor::block_on(async {
            g.spawn(|ctx| async move {
                ctx.done().await; // woken by the fail-fast cancel
                Ok(())
            })
            .await;
            g.spawn(|_| async { Err(Error::msg("boom")) }).await;
            // The callback's panic goes on to the caller of cancel: here, whoever drives.
            let first =
                futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(g.wait())).await;
            assert!(first.is_err(), "the callback's panic reaches the driver");
            g.wait().await
        })
    });
    assert_eq!(second.unwrap_err().to_string(), "boom");
    assert_eq!(group.running(), 0);
}

/// A user's error whose `Display` panics.
#[derive(Debug)]
struct LoudError;
impl fmt::Display for LoudError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("Display of LoudError")
    }
}
impl From<Reason> for LoudError {
    fn from(_: Reason) -> Self {
        LoudError
    }
}
impl From<Panicked> for LoudError {
    fn from(_: Panicked) -> Self {
        LoudError
    }
}
impl From<Errors> for LoudError {
    fn from(_: Errors) -> Self {
        LoudError
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_whose_display_panics_still_ends_its_task() {
    let group: TaskGroup<u8, LoudError> = tokio_group().build_with_outputs();
    group.spawn(|_| async { Err(LoudError) }).await;
    group.spawn(|_| async { Ok(1) }).await;
    let result = finishes_within(
        5,
        "wait returned although an error's Display panicked",
        group.wait(),
    )
    .await;
    assert!(matches!(result, Err(LoudError)));
    assert_eq!(group.running(), 0);
}

// ---------------------------------------------------------------------------------------------
// Which error is "first"

#[test]
fn wait_returns_the_first_error_even_after_join_next_took_it() {
    let rt = VirtualRuntime::new();
    let group: TaskGroup<u8, Error> = TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
    let (taken, waited) = rt
        .block_on(async move {
            group
                .spawn(|ctx| async move {
                    ctx.sleep(Duration::from_secs(1)).await?;
                    Err(Error::msg("HTTP 502"))
                })
                .await;
            group
                .spawn(|ctx| async move {
                    ctx.sleep(Duration::from_secs(5)).await?; // cancelled at 1 s
                    Ok(7)
                })
                .await;
            let taken = group.join_next().await.unwrap().unwrap_err();
            (taken, group.wait().await.unwrap_err())
        })
        .unwrap();
    assert_eq!(taken.to_string(), "HTTP 502");
    assert_eq!(
        waited.to_string(),
        "HTTP 502",
        "wait returns the first error, not the cancelled sibling's"
    );
}

#[test]
fn wait_called_twice_returns_the_same_first_error() {
    let rt = VirtualRuntime::new();
    let group: TaskGroup<u8, Error> = TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
    let (first, second) = rt
        .block_on(async move {
            group
                .spawn(|ctx| async move {
                    ctx.sleep(Duration::from_secs(1)).await?;
                    Err(Error::msg("HTTP 502"))
                })
                .await;
            group
                .spawn(|ctx| async move {
                    ctx.sleep(Duration::from_secs(5)).await?;
                    Ok(7)
                })
                .await;
            (group.wait().await, group.wait().await)
        })
        .unwrap();
    assert_eq!(first.unwrap_err().to_string(), "HTTP 502");
    assert_eq!(second.unwrap_err().to_string(), "HTTP 502");
}

#[test]
fn under_continue_wait_returns_the_first_error_after_join_next_took_it() {
    let rt = VirtualRuntime::new();
    let group: TaskGroup<u8, Error> = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .policy(Policy::Continue)
        .build_with_outputs();
    let waited = rt
        .block_on(async move {
            for (s, msg) in [(1, "a"), (2, "b")] {
                group
                    .spawn(move |ctx| async move {
                        ctx.sleep(Duration::from_secs(s)).await?;
                        Err(Error::msg(msg))
                    })
                    .await;
            }
            assert_eq!(
                group.join_next().await.unwrap().unwrap_err().to_string(),
                "a"
            );
            group.wait().await
        })
        .unwrap();
    assert_eq!(waited.unwrap_err().to_string(), "a");
}

// ---------------------------------------------------------------------------------------------
// Fail-fast ordering against a concurrent wait

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_does_not_return_before_the_fail_fast_cancellation() {
    // The hook slows the moment between the task's end being recorded and the fail-fast cancel;
    // a wait that is polled meanwhile (a select! loop with a ticker) must not slip through and
    // cancel the group as "done" before the task's error does (Go cancels before wg.Done).
    let group = tokio_group()
        .hook(|e: &Event<'_>| {
            if matches!(e.kind, EventKind::Finished(_)) {
                std::thread::sleep(Duration::from_millis(300));
            }
        })
        .build();
    group.spawn(|_| async { Err(Error::msg("boom")) }).await;
    let wait = group.wait();
    futures::pin_mut!(wait);
    let result = loop {
        if let Ok(result) = tokio::time::timeout(Duration::from_millis(5), &mut wait).await {
            break result;
        }
    };
    assert_eq!(result.unwrap_err().to_string(), "boom");
    let reason = group.context().err().unwrap();
    assert!(
        matches!(reason.cause(), Cause::TaskFailed { .. }),
        "the group was cancelled by {:?}, not by the task's error",
        reason.cause()
    );
}

// ---------------------------------------------------------------------------------------------
// What held: Send futures on tokio, ergonomics of typed groups

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_groups_futures_are_send_and_their_builders_work() {
    let group: TaskGroup<String, anyhow::Error> = tokio_group().limit(2).build_with_outputs();
    let g = group.clone();
    let driver = tokio::spawn(async move {
        g.task("named")
            .timeout(Duration::from_secs(5))
            .spawn(|ctx| async move {
                ctx.check()?;
                ctx.sleep(Duration::from_millis(1)).await?;
                let n: u32 = "5".parse()?;
                Ok(n.to_string())
            })
            .await;
        assert!(g.try_spawn(|_| async { Ok("try".to_string()) }));
        let first = g.join_next().await.unwrap().unwrap();
        let rest = g.wait_outputs().await.unwrap();
        (first, rest)
    });
    let (first, rest) = driver.await.unwrap();
    let mut all = vec![first];
    all.extend(rest);
    all.sort();
    assert_eq!(all, ["5", "try"]);
    let g = group.clone();
    tokio::spawn(async move { g.shutdown(Duration::from_millis(1)).await })
        .await
        .unwrap();
    let g = group.clone();
    tokio::spawn(async move { g.wait().await })
        .await
        .unwrap()
        .unwrap();
}

#[test]
fn a_boxed_std_error_is_a_task_error() {
    type BoxError = Box<dyn std::error::Error + Send + Sync>;
    let group: TaskGroup<u8, BoxError> = TaskGroup::with_outputs(&Context::background());
    let err = futures::executor::block_on(async {
        group
            .spawn(|ctx| async move {
                ctx.check()?;
                Err("plain".into())
            })
            .await;
        group.wait().await
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "plain");
}

/// A future that is pending once, waking itself: a task that yields to its driver.
fn yield_once() -> impl std::future::Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
}

#[test]
fn a_self_driven_group_driven_from_several_threads_delivers_each_output_once() {
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    const TASKS: u32 = 20_000;
    let group: TaskGroup<u32, Error> = TaskGroup::builder(&Context::background())
        .limit(64)
        .build_with_outputs();
    let spawned_all = Arc::new(AtomicBool::new(false));
    let joiners: Vec<_> = (0..2)
        .map(|_| {
            let (g, spawned_all) = (group.clone(), spawned_all.clone());
            std::thread::spawn(move || {
                futures::executor::block_on(async {
                    let mut mine = Vec::new();
                    loop {
                        match g.join_next().await {
                            Some(result) => mine.push(result.unwrap()),
                            None if spawned_all.load(Ordering::SeqCst) => break,
                            None => yield_once().await,
                        }
                    }
                    mine
                })
            })
        })
        .collect();
    let g = group.clone();
    let rest = within(60, "spawning, joining and waiting", move || {
        futures::executor::block_on(async {
            for i in 0..TASKS {
                g.spawn(move |_| async move {
                    yield_once().await;
                    Ok(i)
                })
                .await;
            }
            spawned_all.store(true, Ordering::SeqCst);
            g.wait_outputs().await.unwrap()
        })
    });
    let mut seen: HashSet<u32> = HashSet::new();
    for v in rest {
        assert!(seen.insert(v), "{v} delivered twice");
    }
    for j in joiners {
        for v in j.join().unwrap() {
            assert!(seen.insert(v), "{v} delivered twice");
        }
    }
    assert_eq!(seen.len() as u32, TASKS, "every output delivered");
}

#[test]
fn a_long_lived_group_with_its_own_error_type_that_only_waits_does_not_grow() {
    // A group whose tasks return anyhow::Error (or an enum of the user's) that only calls wait:
    // build_typed keeps no Ok(()), one entry per finished task would grow without bound.
    let group: TaskGroup<(), anyhow::Error> =
        TaskGroup::builder(&Context::background()).build_typed();
    futures::executor::block_on(async {
        for _ in 0..10_000 {
            group.spawn(|_| async { Ok(()) }).await;
        }
        group.wait().await.unwrap();
    });
    let debug = format!("{group:?}");
    assert!(debug.contains("kept_results: 0"), "{debug}");
}

/// An error that counts how many of its kind are alive.
#[derive(Debug)]
struct Counted(std::sync::Arc<std::sync::atomic::AtomicIsize>);

impl Counted {
    fn new(alive: &std::sync::Arc<std::sync::atomic::AtomicIsize>) -> Counted {
        alive.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Counted(alive.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl std::fmt::Display for Counted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("503")
    }
}

impl std::error::Error for Counted {}

impl From<ctxgroup::error::Panicked> for Counted {
    fn from(_: ctxgroup::error::Panicked) -> Counted {
        unreachable!("no task panics")
    }
}

impl From<ctxgroup::Errors> for Counted {
    fn from(_: ctxgroup::Errors) -> Counted {
        unreachable!("not collected")
    }
}

impl From<ctxgroup::Reason> for Counted {
    fn from(_: ctxgroup::Reason) -> Counted {
        unreachable!("no task returns a reason")
    }
}

#[test]
fn a_long_lived_group_keeps_only_its_first_error_as_go_does() {
    // Go's errgroup keeps the first error and lets the others go: a group that lives as long
    // as a server and sees its tasks fail must not grow with every failure.
    use ctxgroup::Policy;
    for policy in [Policy::FailFast, Policy::Continue] {
        let group = TaskGroup::builder(&Context::background())
            .policy(policy)
            .build();
        futures::executor::block_on(async {
            for i in 0..1_000 {
                group
                    .spawn(move |_| async move { Err(ctxgroup::Error::msg(format!("{i}"))) })
                    .await;
            }
            assert_eq!(group.wait().await.unwrap_err().to_string(), "0");
        });
        assert_eq!(group.errors().len(), 1, "{policy:?}");

        let alive = std::sync::Arc::new(std::sync::atomic::AtomicIsize::new(0));
        let typed: TaskGroup<(), Counted> = TaskGroup::builder(&Context::background())
            .policy(policy)
            .build_typed();
        futures::executor::block_on(async {
            for _ in 0..1_000 {
                let alive = alive.clone();
                typed
                    .spawn(move |_| async move { Err(Counted::new(&alive)) })
                    .await;
            }
            let first = typed.wait().await.unwrap_err();
            assert_eq!(
                alive.load(std::sync::atomic::Ordering::SeqCst),
                1,
                "{policy:?}: only the first ({first}) was kept, for wait"
            );
        });
        assert_eq!(typed.errors().len(), 1, "{policy:?}");
    }
    // Every error is what CollectAll is for.
    let group = TaskGroup::builder(&Context::background())
        .policy(Policy::CollectAll)
        .build();
    futures::executor::block_on(async {
        for i in 0..10 {
            group
                .spawn(move |_| async move { Err(ctxgroup::Error::msg(format!("{i}"))) })
                .await;
        }
        let _ = group.wait().await;
    });
    assert_eq!(group.errors().len(), 10);
}

#[test]
fn a_spawner_that_panics_leaves_no_task_counted_as_running() {
    // As `tokio::spawn` does when called outside a runtime: the panic goes on to the caller of
    // spawn, and the group must not wait forever for a task that never ran.
    let group = TaskGroup::builder(&Context::background())
        .spawner(|_task| panic!("there is no reactor running"))
        .build();
    let g = group.clone();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        g.try_spawn(|_| async { Ok(()) })
    }));
    assert!(panicked.is_err(), "the spawner's panic reaches the caller");
    assert_eq!(group.running(), 0);
    let err = within(5, "wait after the spawner panicked", move || {
        futures::executor::block_on(group.wait())
    })
    .unwrap_err();
    assert!(err.to_string().contains("dropped"), "{err}");
}

#[test]
fn a_spawner_that_drops_the_task_leaves_no_task_counted_as_running() {
    // An executor that is shutting down drops what it is given.
    let group = TaskGroup::builder(&Context::background())
        .spawner(drop)
        .build();
    futures::executor::block_on(group.spawn(|_| async { Ok(()) }));
    assert_eq!(group.running(), 0);
    let err = within(5, "wait after the spawner dropped the task", move || {
        futures::executor::block_on(group.wait())
    })
    .unwrap_err();
    assert!(err.to_string().contains("dropped"), "{err}");
}

#[test]
fn a_self_driven_group_whose_producer_stops_driving_still_finishes_for_its_waiter() {
    // A producer thread spawns under a limit (its blocked spawns drive the group) and then
    // stops; a consumer thread waits. Tasks are woken from the clock's thread, at any moment,
    // also while the other thread holds the group's task list.
    for round in 0..20 {
        let group: TaskGroup<u32, Error> = TaskGroup::builder(&Context::background())
            .limit(4)
            .build_with_outputs();
        let g = group.clone();
        let producer = std::thread::spawn(move || {
            futures::executor::block_on(async {
                for i in 0..300u32 {
                    g.spawn(move |ctx| async move {
                        ctx.sleep(Duration::from_micros(50)).await?;
                        Ok(i)
                    })
                    .await;
                }
            })
        });
        let outputs = within(
            20,
            &format!("round {round}: the consumer's wait"),
            move || {
                futures::executor::block_on(async {
                    let mut got = 0usize;
                    loop {
                        match group.join_next().await {
                            Some(result) => {
                                result.unwrap();
                                got += 1;
                            }
                            None if got == 300 => break got,
                            None => yield_once().await,
                        }
                    }
                })
            },
        );
        producer.join().unwrap();
        assert_eq!(outputs, 300);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_aborting_shutdowns_at_once_both_return() {
    let group = tokio_group().abort_stragglers().build();
    group
        .task("deaf")
        .spawn(|_| futures::future::pending())
        .await;
    let (a, b) = (group.clone(), group.clone());
    let first = tokio::spawn(async move { a.shutdown(Duration::from_millis(20)).await });
    let second = tokio::spawn(async move { b.shutdown(Duration::from_millis(30)).await });
    let (first, second) = finishes_within(5, "two shutdowns", async {
        (first.await.unwrap(), second.await.unwrap())
    })
    .await;
    for report in [first, second] {
        assert!(report.result.unwrap().is_err());
    }
    assert_eq!(group.running(), 0);
}

// ---------------------------------------------------------------------------------------------
// A lost wakeup between two drivers of a self-driven group

std::thread_local! {
    /// Set while the first driver's poll runs: the second driver's "thread" polls at once.
    static INSIDE_FIRST_DRIVER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The second driver: a `wait()` whose executor, when woken while the first driver holds the
/// group, polls it at that very moment (as another thread would); otherwise it records the
/// wake, for the test to poll it as an executor would.
struct SecondDriver {
    wait: std::sync::Mutex<Option<futures::future::BoxFuture<'static, Result<(), Error>>>>,
    woken: std::sync::atomic::AtomicBool,
    done: std::sync::atomic::AtomicBool,
}

impl SecondDriver {
    fn poll(self: &std::sync::Arc<Self>) {
        let waker = std::task::Waker::from(self.clone());
        let mut cx = std::task::Context::from_waker(&waker);
        // Woken while being polled: poll again afterwards, as an executor would.
        let Ok(mut wait) = self.wait.try_lock() else {
            self.woken.store(true, std::sync::atomic::Ordering::SeqCst);
            return;
        };
        if let Some(fut) = wait.as_mut() {
            if fut.as_mut().poll(&mut cx).is_ready() {
                *wait = None;
                self.done.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
    }
}

impl std::task::Wake for SecondDriver {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        if INSIDE_FIRST_DRIVER.with(|inside| inside.get()) {
            self.poll();
        } else {
            self.woken.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

#[test]
fn a_driver_turned_away_while_another_drives_is_woken_when_work_is_left() {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    let group: TaskGroup<u32, Error> = TaskGroup::with_outputs(&Context::background());
    let g = group.clone();
    let second = Arc::new(SecondDriver {
        wait: std::sync::Mutex::new(Some(Box::pin(async move { g.wait().await }))),
        woken: Default::default(),
        done: Default::default(),
    });
    let s = second.clone();
    // X: runs inside the first driver's poll; the second driver is polled meanwhile and is
    // turned away (the first holds the task list).
    assert!(group.try_spawn(move |_| async move {
        s.poll();
        Ok(1)
    }));
    // Y: yields once; its wake comes while the first driver still holds the list.
    assert!(group.try_spawn(|_| async {
        yield_once().await;
        Ok(2)
    }));
    // The first driver: a join_next that gets X's result and is not polled again.
    struct First<F>(F);
    impl<F: std::future::Future + Unpin> std::future::Future for First<F> {
        type Output = F::Output;
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<F::Output> {
            INSIDE_FIRST_DRIVER.with(|inside| inside.set(true));
            let out = std::pin::Pin::new(&mut self.0).poll(cx);
            INSIDE_FIRST_DRIVER.with(|inside| inside.set(false));
            out
        }
    }
    let first = futures::executor::block_on(First(Box::pin(group.join_next())));
    assert_eq!(first.unwrap().unwrap(), 1);
    // The second driver's executor polls it whenever it was woken.
    while !second.done.load(Ordering::SeqCst) && second.woken.swap(false, Ordering::SeqCst) {
        second.poll();
    }
    assert!(
        second.done.load(Ordering::SeqCst),
        "wait was never woken again though task Y is ready to run (running: {})",
        group.running()
    );
}

/// A waker that counts how many of its kind are alive.
struct CountedWaker(std::sync::Arc<std::sync::atomic::AtomicIsize>);

impl futures::task::ArcWake for CountedWaker {
    fn wake_by_ref(_: &std::sync::Arc<Self>) {}
}

impl Drop for CountedWaker {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn a_wait_polled_with_a_new_waker_each_time_keeps_one() {
    // Some executors make a new waker for every poll; a `select!` loop makes and drops a wait
    // each turn. Each waiting future keeps one waker in the group, not one per poll.
    use std::future::Future;
    use std::sync::atomic::{AtomicIsize, Ordering};
    let alive = std::sync::Arc::new(AtomicIsize::new(0));
    let fresh = || {
        alive.fetch_add(1, Ordering::SeqCst);
        futures::task::waker(std::sync::Arc::new(CountedWaker(alive.clone())))
    };
    // A spawner that keeps its task and never runs it: the group waits for ever.
    let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = kept.clone();
    let group: TaskGroup<u8, Error> = TaskGroup::builder(&Context::background())
        .spawner(move |task| keep.lock().unwrap().push(task))
        .build_with_outputs();
    assert!(group.try_spawn(|_| async { Ok(1) }));
    let mut wait = Box::pin(group.wait());
    let mut join = Box::pin(group.join_next());
    for _ in 0..1_000 {
        assert!(wait
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&fresh()))
            .is_pending());
        assert!(join
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&fresh()))
            .is_pending());
    }
    assert_eq!(alive.load(Ordering::SeqCst), 2, "one waker each");
    drop((wait, join));
    // A wait made and dropped each turn leaves nothing behind.
    for _ in 0..1_000 {
        let mut wait = Box::pin(group.wait());
        assert!(wait
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&fresh()))
            .is_pending());
    }
    assert_eq!(alive.load(Ordering::SeqCst), 0, "none left behind");
    assert!(format!("{group:?}").contains("waiting: 0"));
}
