//! shutdown(grace): cancel, wait up to grace, name the tasks that ignored it.
use std::time::Duration;

use ctxgroup::{clock, Cause, Clock, Context, TaskGroup, VirtualRuntime};

#[test]
fn names_the_tasks_that_ignore_cancellation() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .build();
    let g = group.clone();
    let report = rt
        .block_on(async move {
            g.task("polite")
                .spawn(|ctx| async move {
                    ctx.sleep(Duration::from_secs(60)).await?;
                    Ok(())
                })
                .await;
            g.task("slow-to-stop")
                .spawn(|ctx| async move {
                    let _ = ctx.sleep(Duration::from_secs(60)).await;
                    clock::sleep(ctx.clock().clone(), Duration::from_millis(500)).await; // cleanup
                    Ok(())
                })
                .await;
            g.task("deaf")
                .spawn(|ctx| async move {
                    clock::sleep(ctx.clock().clone(), Duration::from_secs(60)).await;
                    Ok(())
                })
                .await;
            clock::sleep(g.context().clock().clone(), Duration::from_secs(1)).await;
            g.shutdown(Duration::from_secs(2)).await
        })
        .unwrap();
    assert_eq!(report.ignored, ["deaf"]);
    assert!(report.result.is_none());
    // As in Go, a task that ignores the cancellation goes on running.
    assert!(!report.aborted);
    assert_eq!(group.running(), 1);
    assert_eq!(rt.clock().now(), Duration::from_secs(3));
    assert!(matches!(
        group.context().err().unwrap().cause(),
        Cause::Shutdown
    ));
}

#[test]
fn a_clean_shutdown_returns_waits_result() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .build();
    let report = rt
        .block_on(async move {
            group
                .spawn(|ctx| async move {
                    ctx.done().await;
                    Ok(())
                })
                .await;
            group.shutdown(Duration::from_secs(1)).await
        })
        .unwrap();
    assert!(report.is_clean());
    assert!(report.result.unwrap().is_ok());
    assert_eq!(rt.clock().now(), Duration::ZERO);
}

/// Sets its flag when dropped: shows an aborted task's destructors ran.
struct DropFlag(std::sync::Arc<std::sync::atomic::AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn a_group_that_aborts_stragglers_drops_them_after_the_grace_and_names_them() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    for on_spawner in [true, false] {
        let rt = VirtualRuntime::new();
        let builder = TaskGroup::builder(&Context::with_clock(rt.clock())).abort_stragglers();
        let group = if on_spawner {
            builder.spawner(rt.spawner()).build()
        } else {
            builder.build()
        };
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = DropFlag(dropped.clone());
        let g = group.clone();
        let report = rt
            .block_on(async move {
                g.task("polite")
                    .spawn(|ctx| async move {
                        ctx.done().await;
                        Ok(())
                    })
                    .await;
                g.task("deaf")
                    .spawn(move |ctx| async move {
                        let _flag = flag;
                        clock::sleep(ctx.clock().clone(), Duration::from_secs(60)).await;
                        Ok(())
                    })
                    .await;
                g.shutdown(Duration::from_secs(1)).await
            })
            .unwrap();
        assert_eq!(report.ignored, ["deaf"], "on a spawner: {on_spawner}");
        assert!(report.aborted);
        let err = report.result.expect("every task returned").unwrap_err();
        assert!(
            matches!(err.reason().unwrap().cause(), Cause::Shutdown),
            "{err}"
        );
        assert!(dropped.load(Ordering::SeqCst), "the straggler was dropped");
        assert_eq!(
            rt.clock().now(),
            Duration::from_secs(1),
            "no wait past the grace"
        );
        assert_eq!(group.running(), 0);
    }
}

#[test]
fn a_straggler_whose_destructor_panics_when_aborted_is_a_task_error() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("cleanup failed");
        }
    }
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .abort_stragglers()
        .build();
    let report = rt
        .block_on(async move {
            group
                .task("deaf")
                .spawn(|ctx| async move {
                    let _guard = PanicOnDrop;
                    clock::sleep(ctx.clock().clone(), Duration::from_secs(60)).await;
                    Ok(())
                })
                .await;
            group.shutdown(Duration::from_secs(1)).await
        })
        .unwrap();
    let err = report.result.unwrap().unwrap_err();
    assert!(err.to_string().contains("cleanup failed"), "{err}");
}

#[test]
fn shutdown_cancels_at_the_call_and_its_grace_counts_from_there() {
    // Like a deadline, a shutdown starts when it is asked for, not when its future is first
    // polled: code between the call and the await does not delay the cancel.
    let rt = VirtualRuntime::new();
    let clock = rt.clock();
    let group = TaskGroup::builder(&Context::with_clock(clock.clone()))
        .spawner(rt.spawner())
        .build();
    let ctx = group.context().clone();
    let report = rt
        .block_on(async move {
            group
                .task("deaf")
                .spawn(|_| futures::future::pending())
                .await;
            let going = group.shutdown(Duration::from_secs(1));
            assert!(ctx.is_cancelled(), "cancelled at the call");
            clock::sleep(clock.clone(), Duration::from_millis(400)).await;
            let report = going.await;
            (report, clock.now())
        })
        .unwrap();
    assert_eq!(report.0.ignored, ["deaf"]);
    assert_eq!(
        report.1,
        Duration::from_secs(1),
        "the grace ran from the call"
    );
}

#[test]
fn a_task_that_ends_at_the_graces_very_instant_is_in_time() {
    // In Go the grace's timer is armed after the caller woke from the shutdown's, so a task
    // whose own timer ends at the same scenario instant returns first (11 of 12 runs): `Wait`'s
    // result, not a straggler. Whether the caller is the runtime's main future or a task of it,
    // and in a group that drives its own tasks.
    for (caller_spawned, self_driven) in [(false, false), (true, false), (false, true)] {
        let rt = VirtualRuntime::new();
        let clock = rt.clock();
        let builder = TaskGroup::builder(&Context::with_clock(clock.clone()));
        let group = if self_driven {
            builder.build()
        } else {
            builder.spawner(rt.spawner()).build()
        };
        let g = group.clone();
        let shutdown = async move {
            g.task("deaf-until-3s")
                .spawn(|ctx| async move {
                    // Until 3 s: a group that drives its own tasks starts them at its wait.
                    clock::sleep_until(ctx.clock().clone(), Duration::from_secs(3)).await;
                    Ok(())
                })
                .await;
            clock::sleep(g.context().clock().clone(), Duration::from_secs(2)).await;
            g.shutdown(Duration::from_secs(1)).await
        };
        let report = if caller_spawned {
            let (tx, rx) = futures::channel::oneshot::channel();
            rt.spawn(async move {
                let _ = tx.send(shutdown.await);
            });
            rt.block_on(rx).unwrap().unwrap()
        } else {
            rt.block_on(shutdown).unwrap()
        };
        assert!(report.ignored.is_empty(), "{:?}", report.ignored);
        assert!(
            matches!(report.result, Some(Ok(()))),
            "caller spawned: {caller_spawned}, self-driven: {self_driven}"
        );
        assert_eq!(clock.now(), Duration::from_secs(3));
        assert_eq!(group.running(), 0);
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_task_ending_on_another_thread_as_the_grace_runs_out_is_never_an_empty_straggler_list() {
    // On a multi-thread runtime the last task can return between the shutdown's last look at
    // `wait` and its count of the stragglers. Then nobody is running: that is `wait`'s result,
    // never "still running" with no names.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut outcomes = [0usize; 2];
    for _ in 0..5_000 {
        let report = rt.block_on(async {
            let group = TaskGroup::builder(&Context::background())
                .spawner(|f| {
                    tokio::spawn(f);
                })
                .build();
            let end = group.context().now() + Duration::from_micros(300);
            for _ in 0..4 {
                group
                    .task("on-time")
                    .spawn(move |ctx| async move {
                        clock::sleep_until(ctx.clock().clone(), end).await;
                        Ok(())
                    })
                    .await;
            }
            tokio::spawn(async move { group.shutdown(Duration::from_micros(300)).await })
                .await
                .unwrap()
        });
        match report.result {
            Some(result) => {
                assert!(result.is_ok());
                outcomes[0] += 1;
            }
            None => {
                assert!(!report.ignored.is_empty(), "no straggler named");
                outcomes[1] += 1;
            }
        }
    }
    eprintln!("in time, straggler: {outcomes:?}");
}

#[test]
fn a_self_driven_groups_task_woken_at_the_graces_instant_is_in_time() {
    // The group has no spawner: its tasks run only when `wait` drives them. A task woken at
    // the grace's instant by something else (here a relay on the runtime) must be driven
    // before the stragglers are counted.
    for abort_stragglers in [false, true] {
        let rt = VirtualRuntime::new();
        let clock = rt.clock();
        let builder = TaskGroup::builder(&Context::with_clock(clock.clone()));
        let group = if abort_stragglers {
            builder.abort_stragglers().build()
        } else {
            builder.build()
        };
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        let c = clock.clone();
        rt.spawn(async move {
            clock::sleep_until(c, Duration::from_secs(3)).await;
            let _ = tx.send(());
        });
        let g = group.clone();
        let report = rt
            .block_on(async move {
                g.task("relayed")
                    .spawn(|_| async move {
                        let _ = rx.await;
                        Ok(())
                    })
                    .await;
                clock::sleep(g.context().clock().clone(), Duration::from_secs(2)).await;
                g.shutdown(Duration::from_secs(1)).await
            })
            .unwrap();
        assert!(report.ignored.is_empty(), "{:?}", report.ignored);
        assert!(matches!(report.result, Some(Ok(()))));
        assert!(!report.aborted);
        assert_eq!(clock.now(), Duration::from_secs(3));
    }
}
