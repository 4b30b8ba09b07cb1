//! A task's own deadline context (`task(name).timeout(…)`) is cancelled when the task returns,
//! as Go's `ctx, cancel := context.WithTimeout(…); defer cancel()`: what it left running sees
//! `context canceled` at once, and its timer is gone.
#![cfg(not(target_arch = "wasm32"))]
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::{Clock, Context, TaskGroup, VirtualRuntime};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// A group on `rt` whose hook logs "name event" lines.
fn logged_group(rt: &VirtualRuntime) -> (TaskGroup, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .hook(move |e: &ctxgroup::group::Event<'_>| {
            sink.lock().unwrap().push(format!("{} {}", e.name, e.kind))
        })
        .build();
    (group, log)
}

#[test]
fn what_a_task_leaves_running_on_its_deadline_context_is_cancelled_when_it_returns() {
    for hooked in [false, true] {
        let rt = VirtualRuntime::new();
        let mut builder =
            TaskGroup::builder(&Context::with_clock(rt.clock())).spawner(rt.spawner());
        if hooked {
            builder = builder.hook(|_: &ctxgroup::group::Event<'_>| {});
        }
        let group = builder.build();
        let left: Arc<Mutex<Option<Context>>> = Arc::default();
        let keep = left.clone();
        let seen = Arc::new(Mutex::new(None));
        let s = seen.clone();
        let clock = rt.clock();
        rt.block_on(async move {
            group
                .task("t7")
                .timeout(secs(5))
                .spawn(move |ctx| async move {
                    *keep.lock().unwrap() = Some(ctx.clone());
                    let _ = ctx.after_cancel(move |reason| {
                        *s.lock().unwrap() = Some((clock.now(), reason.explain()));
                    });
                    ctx.sleep(secs(1)).await?;
                    Ok(())
                })
                .await;
            // A sibling keeps the group's wait from returning before 3 s.
            group
                .spawn(|ctx| async move { Ok(ctx.sleep(secs(3)).await?) })
                .await;
            group.wait().await
        })
        .unwrap()
        .unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            Some((
                secs(1),
                "context canceled: cancel of t7 was called".to_string()
            )),
            "hooked: {hooked}"
        );
        let ctx = left.lock().unwrap().take().unwrap();
        assert!(ctx.err().unwrap().is_canceled());
        assert_eq!(rt.clock().now(), secs(3));
        assert_eq!(
            rt.clock().pending_timers(),
            0,
            "the 5 s deadline's timer is gone"
        );
    }
}

#[test]
fn a_task_without_a_deadline_leaves_the_groups_context_alone() {
    // A hook gives each task a context of its own, for its events; Go's task has the
    // group's context, cancelled only when Wait returns: so is this one.
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .hook(|_: &ctxgroup::group::Event<'_>| {})
        .build();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (s, g, checked) = (seen.clone(), group.clone(), seen.clone());
    rt.block_on(async move {
        group
            .task("quick")
            .spawn(move |ctx| async move {
                let _ = ctx.after_cancel(move |r| s.lock().unwrap().push(r.explain()));
                Ok(())
            })
            .await;
        group
            .task("slow")
            .spawn(|ctx| async move { Ok(ctx.sleep(secs(2)).await?) })
            .await;
        ctxgroup::clock::sleep(g.context().clock().clone(), secs(1)).await;
        assert!(
            checked.lock().unwrap().is_empty(),
            "quick's context outlives it"
        );
        group.wait().await
    })
    .unwrap()
    .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["context canceled: the group's wait returned"]
    );
}

#[test]
fn a_panicking_callback_on_the_ending_context_does_not_hang_wait() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .build();
    let g = group.clone();
    let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r = ran.clone();
    let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async move {
            group
                .task("t")
                .timeout(secs(5))
                .spawn(|ctx| async move {
                    let _ = ctx.after_cancel(move |_| {
                        r.store(true, std::sync::atomic::Ordering::SeqCst);
                        panic!("callback panics")
                    });
                    Ok(())
                })
                .await;
        })
    }));
    let _ = spawned;
    // The panic goes to whoever ran the task (here the runtime's task, which it unwinds); the
    // task is finished all the same.
    let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(g.wait()).unwrap()
    }));
    match waited {
        Ok(result) => assert!(result.is_ok(), "{result:?}"),
        Err(_) => assert_eq!(g.running(), 0, "finished before the panic went on"),
    }
    assert_eq!(g.running(), 0);
    assert!(
        ran.load(std::sync::atomic::Ordering::SeqCst),
        "the callback ran"
    );
}

#[test]
fn on_a_multi_thread_runtime_every_task_ends_its_own_deadline_context() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    for round in 0..200 {
        let causes = rt.block_on(async {
            let handle = tokio::runtime::Handle::current();
            let group = TaskGroup::builder(&Context::background())
                .spawner(move |f| {
                    handle.spawn(f);
                })
                .build();
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            for i in 0..20 {
                let tx = tx.clone();
                group
                    .task(format!("t{i}"))
                    .timeout(Duration::from_secs(60))
                    .spawn(move |ctx| async move {
                        tokio::spawn(async move {
                            let _ = tx.send(ctx.done().await.explain());
                        });
                        tokio::task::yield_now().await;
                        Ok(())
                    })
                    .await;
            }
            drop(tx);
            group.wait().await.unwrap();
            let mut causes = Vec::new();
            while let Some(c) = rx.recv().await {
                causes.push(c);
            }
            causes
        });
        assert_eq!(causes.len(), 20, "round {round}");
        for c in causes {
            assert!(
                c.starts_with("context canceled: cancel of t") && c.ends_with(" was called"),
                "round {round}: {c}"
            );
        }
    }
}

#[test]
fn no_hook_event_of_a_task_comes_after_its_end() {
    // What it left running looks at its context after the task ended (and the end cancelled
    // it): the task's hook hears nothing more of it.
    let rt = VirtualRuntime::new();
    let (group, log) = logged_group(&rt);
    let spawn = rt.spawner();
    rt.block_on(async move {
        group
            .task("t")
            .timeout(secs(10))
            .spawn(move |ctx| async move {
                let left = ctx.clone();
                spawn(Box::pin(async move {
                    left.done().await;
                    let _ = left.err();
                }));
                ctx.sleep(secs(1)).await?;
                Ok(())
            })
            .await;
        group.wait().await
    })
    .unwrap()
    .unwrap();
    rt.run_until(None).unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log.last().unwrap(), "t completed", "{log:?}");
}

#[test]
fn no_hook_event_comes_after_a_spawn_closure_that_panicked() {
    // The closure left work on the task's context, then panicked: the task ended there, its
    // context was cancelled, and what it left looks at it later without a word to the hook.
    let rt = VirtualRuntime::new();
    let (group, log) = logged_group(&rt);
    let spawn = rt.spawner();
    let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        futures::executor::block_on(group.task("t").timeout(secs(10)).spawn(
            move |ctx| -> std::future::Ready<Result<(), ctxgroup::Error>> {
                spawn(Box::pin(async move {
                    ctx.done().await;
                    let _ = ctx.err();
                }));
                panic!("the spawn closure panics")
            },
        ))
    }));
    assert!(spawned.is_err());
    rt.run_until(None).unwrap();
    let log = log.lock().unwrap();
    assert!(log.last().unwrap().starts_with("t failed"), "{log:?}");
}
