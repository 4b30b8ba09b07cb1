//! User code that panics (after-cancel callbacks, spawn closures, task bodies, trace hooks)
//! leaves every context and group consistent: nothing hangs, nothing is lost.
#![cfg(not(target_arch = "wasm32"))]
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ctxgroup::group::Event;

#[path = "support/touchy.rs"]
mod touchy;
use ctxgroup::{Context, Error, SystemClock, TaskGroup, VirtualClock};
use touchy::Touchy;

#[test]
fn a_panicking_after_cancel_callback_does_not_stop_the_cancel() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let (child, _c) = ctx.with_cancel();
    let ran = Arc::new(AtomicUsize::new(0));
    let _a = ctx.after_cancel(|_| panic!("callback panics"));
    let r = ran.clone();
    let _b = ctx.after_cancel(move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    let r = ran.clone();
    let _c = child.after_cancel(move |_| {
        r.fetch_add(1, Ordering::SeqCst);
    });
    let outcome = catch_unwind(AssertUnwindSafe(|| cancel.cancel()));
    assert!(
        outcome.is_err(),
        "the callback's panic reaches the caller of cancel()"
    );
    assert!(child.is_cancelled(), "the child is cancelled all the same");
    futures::executor::block_on(child.done());
    assert_eq!(ran.load(Ordering::SeqCst), 2, "the other callbacks ran");
}

#[test]
fn a_panicking_callback_on_a_deadline_does_not_kill_the_timer_thread() {
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let (first, _c1) = root.with_timeout(Duration::from_millis(10));
    let _h = first.after_cancel(|_| panic!("callback panics on the timer thread"));
    futures::executor::block_on(first.done());
    std::thread::sleep(Duration::from_millis(20));
    let (second, _c2) = root.with_timeout(Duration::from_millis(20));
    let start = Instant::now();
    futures::executor::block_on(second.done());
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "later deadlines still fire"
    );
}

#[test]
fn a_slow_callback_does_not_delay_an_unrelated_deadline() {
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let (slow, _c1) = root.with_timeout(Duration::from_millis(10));
    let _h = slow.after_cancel(|_| std::thread::sleep(Duration::from_millis(1_500)));
    let (other, _c2) = root.with_timeout(Duration::from_millis(60));
    let start = Instant::now();
    futures::executor::block_on(other.done());
    // Go runs AfterFunc on its own goroutine: the 1.5 s callback must not hold up this deadline.
    assert!(
        start.elapsed() < Duration::from_millis(1_000),
        "an unrelated deadline waited for a slow callback: {:?}",
        start.elapsed()
    );
}

#[test]
fn wait_returns_after_the_spawn_closure_panics() {
    let group = TaskGroup::new(&Context::with_clock(VirtualClock::new()));
    let spawned = catch_unwind(AssertUnwindSafe(|| {
        group.try_spawn(|_ctx| -> futures::future::Ready<Result<(), Error>> {
            panic!("the closure panics before making its future")
        })
    }));
    assert!(spawned.is_err());
    let err = futures::executor::block_on(group.wait()).unwrap_err();
    assert!(err.to_string().contains("panicked"), "{err}");
}

#[test]
fn wait_returns_after_a_hook_panics_without_a_spawner() {
    let group = TaskGroup::builder(&Context::with_clock(VirtualClock::new()))
        .hook(|e: &Event<'_>| {
            if e.kind.to_string() == "completed" {
                panic!("hook panics")
            }
        })
        .build();
    futures::executor::block_on(async {
        group.spawn(|_| async { Ok(()) }).await;
        group.spawn(|_| async { Ok(()) }).await;
        group.wait().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_returns_after_a_hook_panics_with_a_tokio_spawner() {
    let group = TaskGroup::builder(&Context::background())
        .spawner(|f| {
            tokio::spawn(f);
        })
        .hook(|e: &Event<'_>| {
            if e.kind.to_string() == "completed" {
                panic!("hook panics")
            }
        })
        .build();
    group.spawn(|_| async { Ok(()) }).await;
    tokio::time::timeout(Duration::from_secs(5), group.wait())
        .await
        .expect("wait hung after a hook panicked")
        .unwrap();
}

#[test]
fn a_non_string_panic_payload_is_kept() {
    let group = TaskGroup::new(&Context::with_clock(VirtualClock::new()));
    let err = futures::executor::block_on(async {
        group
            .spawn(|_| async { std::panic::panic_any(42u32) })
            .await;
        group.wait().await
    })
    .unwrap_err();
    let panicked = err.downcast_ref::<ctxgroup::error::Panicked>().unwrap();
    let payload = panicked.take_payload().expect("the payload is kept");
    assert_eq!(payload.downcast_ref::<u32>(), Some(&42));
}

/// A waker that panics when woken (an executor's bug, or a hostile one).
struct PanickingWaker;

impl futures::task::ArcWake for PanickingWaker {
    fn wake_by_ref(_: &std::sync::Arc<Self>) {
        panic!("waker panicked");
    }
}

#[test]
fn a_waker_that_panics_during_cancel_leaves_no_context_uncancelled() {
    use std::future::Future;
    let (root, cancel) = ctxgroup::Context::background().with_cancel();
    let (first, _c1) = root.with_cancel();
    let (second, _c2) = root.with_cancel();
    let (grandchild, _c3) = second.with_cancel();
    // The last registered child is walked first: its waiter's waker panics.
    let (last, _c4) = root.with_cancel();
    let waker = futures::task::waker(std::sync::Arc::new(PanickingWaker));
    let mut done = Box::pin(last.done());
    assert!(done
        .as_mut()
        .poll(&mut std::task::Context::from_waker(&waker))
        .is_pending());
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r = ran.clone();
    let _watch = first.after_cancel(move |_| r.store(true, std::sync::atomic::Ordering::SeqCst));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cancel.cancel()));
    assert!(
        outcome.is_err(),
        "the waker's panic goes on to the caller of cancel"
    );
    for ctx in [&root, &first, &second, &grandchild, &last] {
        assert!(
            ctx.is_cancelled(),
            "every context of the subtree is cancelled"
        );
    }
    assert!(
        ran.load(std::sync::atomic::Ordering::SeqCst),
        "and the callbacks ran"
    );
}

/// A task output whose `Drop` panics: user code that runs when a group that keeps no outputs
/// lets go of it.
struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("output's drop panics")
    }
}

fn expect_the_drop_panic_as_the_tasks_error(waited: Result<(), Error>) {
    let err = waited.expect_err("the output's panic is the task's error");
    assert!(err.to_string().contains("output's drop panics"), "{err}");
}

#[test]
fn an_output_whose_drop_panics_is_the_tasks_panic_when_the_group_drives_itself() {
    for limit in [None, Some(1)] {
        let mut builder = TaskGroup::builder(&Context::with_clock(VirtualClock::new()));
        if let Some(limit) = limit {
            builder = builder.limit(limit);
        }
        let group = builder.build_typed::<PanicsOnDrop, Error>();
        let waited = catch_unwind(AssertUnwindSafe(|| {
            futures::executor::block_on(async {
                group.spawn(|_| async { Ok(PanicsOnDrop) }).await;
                group
                    .task("named")
                    .spawn(|_| async { Ok(PanicsOnDrop) })
                    .await;
                group.wait().await
            })
        }))
        .expect("the panic does not come out of wait");
        expect_the_drop_panic_as_the_tasks_error(waited);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_output_whose_drop_panics_is_the_tasks_panic_on_tokio() {
    let group = TaskGroup::builder(&Context::background())
        .spawner(|f| {
            tokio::spawn(f);
        })
        .build_typed::<PanicsOnDrop, Error>();
    group.spawn(|_| async { Ok(PanicsOnDrop) }).await;
    let waited = tokio::time::timeout(Duration::from_secs(5), group.wait())
        .await
        .expect("wait hung");
    expect_the_drop_panic_as_the_tasks_error(waited);
}

#[test]
fn a_drop_guard_unwinding_with_a_panicking_callback_cancels_and_does_not_abort() {
    // The guard cancels on every way out of a scope, a panic included. Its callback's panic
    // then would be a second panic while unwinding: the process would abort.
    let (ctx, cancel) = Context::background().with_cancel();
    let ran = Arc::new(AtomicUsize::new(0));
    let seen = ran.clone();
    let _callback = ctx.after_cancel(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        panic!("the callback panics");
    });
    let (child, _child_cancel) = ctx.with_cancel();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let _guard = cancel.drop_guard();
        panic!("the scope panics");
    }))
    .unwrap_err();
    // The scope's own panic is what comes out; the cancel happened in full.
    assert_eq!(caught.downcast_ref::<&str>(), Some(&"the scope panics"));
    assert!(ctx.is_cancelled() && child.is_cancelled());
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    // Outside an unwind the guard's cancel still passes the callback's panic on.
    let (ctx, cancel) = Context::background().with_cancel();
    let _callback = ctx.after_cancel(|_| panic!("the callback panics"));
    let caught = catch_unwind(AssertUnwindSafe(|| drop(cancel.drop_guard()))).unwrap_err();
    assert_eq!(caught.downcast_ref::<&str>(), Some(&"the callback panics"));
}

#[test]
fn a_callback_that_panics_in_the_groups_fail_fast_cancel_comes_out_of_wait_on_every_executor() {
    // A task's after-cancel callback panics when a sibling's failure cancels the group. Where
    // the failing task ran must not decide whether anyone hears of it: on tokio the panic
    // was lost on a worker thread and `wait` returned the failure.
    // One task leaves the callback on the group's context; then the other fails.
    async fn spawn_the_pair(group: &TaskGroup) {
        let (registered, then) = futures::channel::oneshot::channel();
        group
            .spawn(|ctx| async move {
                let _callback = ctx.after_cancel(|_| panic!("the callback panics"));
                let _ = registered.send(());
                ctx.done().await;
                Ok(())
            })
            .await;
        group
            .spawn(|_| async {
                let _ = then.await;
                Err(Error::msg("the task fails"))
            })
            .await;
    }
    async fn run(group: TaskGroup) -> Result<(), Error> {
        spawn_the_pair(&group).await;
        group.wait().await
    }
    let expect_the_callbacks_panic = |caught: Box<dyn std::any::Any + Send>| {
        assert_eq!(caught.downcast_ref::<&str>(), Some(&"the callback panics"));
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    for _ in 0..50 {
        let group = TaskGroup::builder(&Context::background())
            .spawner(|f| {
                tokio::spawn(f);
            })
            .build();
        let waited = rt.block_on(async { tokio::spawn(run(group)).await });
        expect_the_callbacks_panic(waited.unwrap_err().into_panic());
    }
    // A group that drives its own tasks: the same.
    let group = TaskGroup::builder(&Context::background()).build();
    let caught = catch_unwind(AssertUnwindSafe(|| futures::executor::block_on(run(group))));
    expect_the_callbacks_panic(caught.unwrap_err());
    // A caller that only ever joins: its last join_next, which finds every task returned.
    let group = TaskGroup::builder(&Context::background())
        .spawner(|f| {
            tokio::spawn(f);
        })
        .build_with_outputs::<(), Error>();
    let joined = rt.block_on(async {
        tokio::spawn(async move {
            spawn_the_pair(&group).await;
            let mut results = 0;
            while group.join_next().await.is_some() {
                results += 1;
            }
            results
        })
        .await
    });
    expect_the_callbacks_panic(joined.unwrap_err().into_panic());
}

/// Runs `body` with a group of `Touchy<ALL>` errors, on a tokio runtime of two workers in a
/// thread of its own: the group drives its tasks itself, or spawns them on tokio. `None` when
/// it has not returned within 5 s (a hang, or an abort's dead thread).
fn with_a_touchy_group<const ALL: bool, R: Send + 'static>(
    self_driven: bool,
    body: impl FnOnce(TaskGroup<(), Touchy<ALL>>) -> futures::future::BoxFuture<'static, R>
        + Send
        + 'static,
) -> Option<R> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let builder = TaskGroup::builder(&Context::background()).policy(ctxgroup::Policy::Continue);
        let group = if self_driven {
            builder.build_typed()
        } else {
            builder
                .spawner(|f| {
                    tokio::spawn(f);
                })
                .build_typed()
        };
        let _ = tx.send(rt.block_on(body(group)));
    });
    rx.recv_timeout(Duration::from_secs(5)).ok()
}

#[test]
fn an_error_type_whose_from_panicked_panics_does_not_hang_wait() {
    // The task's panic is converted to the user's error type, whose conversion panics too. The
    // task must still end: a group that drove it itself had left it running forever.
    for self_driven in [true, false] {
        let (first, second, running) = with_a_touchy_group::<false, _>(self_driven, |group| {
            Box::pin(async move {
                group.spawn(|_| async { panic!("the body panics") }).await;
                group.spawn(|_| async { Ok(()) }).await;
                let first = futures::FutureExt::catch_unwind(AssertUnwindSafe(group.wait())).await;
                (first.is_err(), group.wait().await.is_err(), group.running())
            })
        })
        .unwrap_or_else(|| panic!("self-driven {self_driven}: wait hung"));
        // Driven by the group, the conversion's panic goes on through the driver: out of the
        // first wait. On tokio it is the executor's. Either way the task ended with an error.
        assert_eq!(first, self_driven);
        assert!(second);
        assert_eq!(running, 0);
    }
}

#[test]
fn an_error_type_whose_every_conversion_panics_neither_aborts_nor_hangs() {
    // A task panics, and neither the conversion of its panic nor the fallback "dropped" error
    // can be made in the user's type. On tokio the second panic came while unwinding: the
    // process aborted. Driven by the group, the task never ended: wait hung.
    for self_driven in [true, false] {
        let (first_panicked, errors, running) =
            with_a_touchy_group::<true, _>(self_driven, |group| {
                Box::pin(async move {
                    group.spawn(|_| async { panic!("the body panics") }).await;
                    group.spawn(|_| async { Ok(()) }).await;
                    // Driven by the group, the conversion's panic goes on through the driver, and
                    // a second wait drives the rest.
                    let first =
                        futures::FutureExt::catch_unwind(AssertUnwindSafe(group.wait())).await;
                    let _ = futures::FutureExt::catch_unwind(AssertUnwindSafe(group.wait())).await;
                    let errors: Vec<String> =
                        group.errors().iter().map(|e| e.to_string()).collect();
                    (first.is_err(), errors, group.running())
                })
            })
            .unwrap_or_else(|| panic!("self-driven {self_driven}: wait hung (or the thread died)"));
        assert_eq!(running, 0, "self-driven {self_driven}");
        assert_eq!(errors.len(), 1, "self-driven {self_driven}: {errors:?}");
        assert!(
            errors[0].contains("so did the conversion of its panic")
                || errors[0].contains("dropped before it finished"),
            "{errors:?}"
        );
        // wait's error is made in the user's type too: that panics, out of wait.
        assert!(first_panicked, "self-driven {self_driven}");
    }
}

#[test]
fn a_kept_callback_panic_comes_out_once_and_never_stays_behind_a_shutdown() {
    // A task's own context's callback panics at the task's end (kept for wait), and the group's
    // context has one that panics at wait's closing cancel: the first wait raises one, the
    // second returns. It had raised the kept one from the second wait.
    let group = TaskGroup::new(&Context::background());
    let _at_close = group
        .context()
        .after_cancel(|_| panic!("at the group's end"));
    let g = group.clone();
    futures::executor::block_on(async move {
        g.task("t")
            .timeout(Duration::from_secs(10))
            .spawn(|ctx| async move {
                std::mem::forget(ctx.after_cancel(|_| panic!("at the task's end")));
                Ok(())
            })
            .await;
    });
    let first = catch_unwind(AssertUnwindSafe(|| {
        futures::executor::block_on(group.wait())
    }));
    let panic = first.unwrap_err();
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"at the task's end"));
    let second = catch_unwind(AssertUnwindSafe(|| {
        futures::executor::block_on(group.wait())
    }));
    assert!(matches!(second, Ok(Ok(()))), "the second wait returns");

    // A shutdown that names a straggler is the caller's last look at the group: a kept panic
    // comes out of it (it stayed in the group, and went with it).
    let group = TaskGroup::builder(&Context::with_clock(VirtualClock::new())).build();
    let _callback = group
        .context()
        .after_cancel(|_| panic!("on the fail-fast cancel"));
    let g = group.clone();
    let shut = catch_unwind(AssertUnwindSafe(|| {
        futures::executor::block_on(async move {
            g.task("deaf").spawn(|_| futures::future::pending()).await;
            g.spawn(|_| async { Err(Error::msg("fails")) }).await;
            // Drive the failure (its cancel's callback panics, kept), then shut down with no
            // grace: the deaf task is named.
            let _ = futures::FutureExt::now_or_never(g.wait());
            g.shutdown(Duration::ZERO).await
        })
    }));
    let panic = shut.unwrap_err();
    assert_eq!(
        panic.downcast_ref::<&str>(),
        Some(&"on the fail-fast cancel")
    );
}

#[test]
fn an_output_whose_drop_panics_ends_its_task_though_the_conversion_panics_too() {
    // The output nobody keeps panics as it is dropped, and the error type cannot convert that
    // panic: the task ends all the same, with an error of ours. (On an executor: a group that
    // drives itself passes the conversion's panic on through its driver.)
    let rt = ctxgroup::VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .policy(ctxgroup::Policy::Continue)
        .spawner(rt.spawner())
        .build_typed::<PanicsOnDrop, Touchy>();
    let g = group.clone();
    let waited = rt
        .block_on(async move {
            g.spawn(|_| async { Ok(PanicsOnDrop) }).await;
            g.wait().await
        })
        .unwrap();
    assert!(waited.is_err());
    assert_eq!(group.running(), 0);
    let errors: Vec<String> = group.errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        ["the task panicked, and so did the conversion of its panic to the task's error type"]
    );
}

#[test]
fn a_waker_that_panics_as_a_deadline_fires_kills_no_timer_and_skips_no_callback() {
    // A deadline marks and wakes on the clock's timer thread: a waker's panic there is
    // reported, the subtree is still cancelled, its callbacks still run, and later deadlines
    // and sleeps still fire.
    use std::future::Future;
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let (ctx, _c) = root.with_timeout(Duration::from_millis(30));
    let (child, _cc) = ctx.with_cancel();
    let waker = futures::task::waker(std::sync::Arc::new(PanickingWaker));
    let mut done = Box::pin(ctx.done());
    assert!(done
        .as_mut()
        .poll(&mut std::task::Context::from_waker(&waker))
        .is_pending());
    let mut sleep = Box::pin(ctxgroup::clock::sleep(
        clock.clone(),
        Duration::from_millis(30),
    ));
    assert!(sleep
        .as_mut()
        .poll(&mut std::task::Context::from_waker(&waker))
        .is_pending());
    let (tx, rx) = std::sync::mpsc::channel();
    let _h = child.after_cancel(move |_| tx.send(()).unwrap());
    rx.recv_timeout(Duration::from_secs(5))
        .expect("the deadline's callback ran");
    assert!(ctx.is_cancelled() && child.is_cancelled());
    let (later, _c2) = root.with_timeout(Duration::from_millis(20));
    let start = Instant::now();
    futures::executor::block_on(later.done());
    futures::executor::block_on(ctxgroup::clock::sleep(
        clock.clone(),
        Duration::from_millis(10),
    ));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the timer thread lives"
    );
}

#[test]
fn a_closed_standard_error_does_not_kill_the_timer_thread() {
    // The timer thread says on standard error that a waker panicked. With standard error a
    // closed pipe (`prog 2>&1 | head`), `eprintln!` would panic there, outside any catch, and
    // no deadline or sleep would ever fire again. Run in a child process whose standard error
    // is a pipe closed at once.
    use std::future::Future;
    if std::env::var_os("CTXGROUP_CLOSED_STDERR_CHILD").is_some() {
        let clock = SystemClock::new();
        let root = Context::with_clock(clock.clone());
        let (ctx, _c) = root.with_timeout(Duration::from_millis(20));
        let waker = futures::task::waker(std::sync::Arc::new(PanickingWaker));
        let mut done = Box::pin(ctx.done());
        let _ = done
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&waker));
        std::thread::sleep(Duration::from_millis(100));
        let (later, _l) = root.with_timeout(Duration::from_millis(20));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            futures::executor::block_on(later.done());
            let _ = tx.send(());
        });
        std::process::exit(if rx.recv_timeout(Duration::from_secs(5)).is_ok() {
            0
        } else {
            3
        });
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_closed_standard_error_does_not_kill_the_timer_thread",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CTXGROUP_CLOSED_STDERR_CHILD", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a later deadline fired: {status}");
}
