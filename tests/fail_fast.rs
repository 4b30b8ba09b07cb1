//! Failure policies: fail-fast (errgroup.WithContext), continue (errgroup.Group), collect-all.
use std::time::Duration;

use ctxgroup::{clock, Cause, Clock, Context, Error, Errors, Policy, TaskGroup, VirtualRuntime};

const S: fn(u64) -> Duration = Duration::from_secs;

fn run(policy: Policy) -> (Duration, Result<(), Error>, Option<ctxgroup::Reason>) {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .policy(policy)
        .spawner(rt.spawner())
        .build();
    let g = group.clone();
    let result = rt
        .block_on(async move {
            g.task("fails")
                .spawn(|ctx| async move {
                    ctx.sleep(S(1)).await?;
                    Err(Error::msg("HTTP 502"))
                })
                .await;
            g.task("slow")
                .spawn(|ctx| async move {
                    ctx.sleep(S(3)).await?;
                    Ok(())
                })
                .await;
            g.task("other")
                .spawn(|ctx| async move {
                    ctx.sleep(S(2)).await?;
                    Err(Error::msg("HTTP 404"))
                })
                .await;
            g.wait().await
        })
        .unwrap();
    let ctx_reason = group.context().err();
    (rt.clock().now(), result, ctx_reason)
}

#[test]
fn seed_003_first_error_cancels_the_others_and_is_returned() {
    let (at, result, reason) = run(Policy::FailFast);
    assert_eq!(at, S(1), "the others stop at 1 s");
    assert_eq!(result.unwrap_err().to_string(), "HTTP 502");
    let reason = reason.unwrap();
    assert_eq!(reason.to_string(), "context canceled");
    match reason.cause() {
        Cause::TaskFailed { task, error } => {
            assert_eq!(&**task, "fails");
            assert_eq!(error.to_string(), "HTTP 502");
        }
        other => panic!("unexpected cause {other:?}"),
    }
}

#[test]
fn continue_records_errors_cancels_nothing_and_returns_the_first() {
    let (at, result, reason) = run(Policy::Continue);
    assert_eq!(at, S(3), "every task ran its course");
    assert_eq!(result.unwrap_err().to_string(), "HTTP 502");
    // Go's Wait cancels the group's context once it returns.
    assert!(matches!(reason.unwrap().cause(), Cause::GroupDone));
}

#[test]
fn collect_all_returns_every_error_in_order() {
    let (at, result, _) = run(Policy::CollectAll);
    assert_eq!(at, S(3));
    let err = result.unwrap_err();
    let all = err.downcast_ref::<Errors>().expect("several errors");
    let texts: Vec<String> = all.0.iter().map(|e| e.to_string()).collect();
    assert_eq!(texts, ["HTTP 502", "HTTP 404"]);
}

#[test]
fn a_task_that_ignores_cancellation_delays_wait() {
    // Seed 001, attempt 3: the watcher returns ctx.Err() at 7 s, but wait() returns at 10 s.
    let rt = VirtualRuntime::new();
    let (ctx, _c) = Context::with_clock(rt.clock()).with_timeout(S(7));
    let group = TaskGroup::builder(&ctx).spawner(rt.spawner()).build();
    let result = rt
        .block_on(async move {
            group
                .spawn(|ctx| async move {
                    clock::sleep(ctx.clock().clone(), S(5)).await;
                    Ok(())
                })
                .await;
            group
                .spawn(|ctx| async move {
                    clock::sleep(ctx.clock().clone(), S(10)).await;
                    Ok(())
                })
                .await;
            group
                .spawn(|ctx| async move { Err(ctx.done().await.into()) })
                .await;
            group.wait().await
        })
        .unwrap();
    assert_eq!(rt.clock().now(), S(10));
    assert_eq!(result.unwrap_err().to_string(), "context deadline exceeded");
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_panicking_task_becomes_that_tasks_error() {
    let group = TaskGroup::new(&Context::background());
    let err = futures::executor::block_on(async {
        group.spawn(|_| async { panic!("boom") }).await;
        group.wait().await
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "task panicked: boom");
    assert!(
        group.context().is_cancelled(),
        "a panic fails the group like any error"
    );
}

#[test]
fn without_a_spawner_the_group_drives_its_own_tasks() {
    let group = TaskGroup::new(&Context::background());
    let result = futures::executor::block_on(async {
        for i in 0..100 {
            group
                .spawn(move |_| async move {
                    if i == 42 {
                        Err(Error::msg("42"))
                    } else {
                        Ok(())
                    }
                })
                .await;
        }
        group.wait().await
    });
    assert_eq!(result.unwrap_err().to_string(), "42");
}

#[test]
fn hooks_report_checks_and_the_first_observation_of_a_cancel() {
    use ctxgroup::group::Event;
    use std::sync::{Arc, Mutex};
    let rt = VirtualRuntime::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let (ctx, _c) = Context::with_clock(rt.clock()).with_timeout(S(2));
    let group = TaskGroup::builder(&ctx)
        .spawner(rt.spawner())
        .hook(move |e: &Event<'_>| {
            sink.lock()
                .unwrap()
                .push((e.at.as_secs(), e.name.to_string(), e.kind.to_string()))
        })
        .build();
    rt.block_on(async move {
        group
            .task("loop")
            .spawn(|ctx| async move {
                loop {
                    ctx.check()?;
                    clock::sleep(ctx.clock().clone(), S(1)).await;
                }
            })
            .await;
        group
            .task("waiter")
            .spawn(|ctx| async move { Err(ctx.done().await.into()) })
            .await;
        group.wait().await
    })
    .unwrap()
    .unwrap_err();
    let log = log.lock().unwrap();
    let of = |name: &str| -> Vec<(u64, String)> {
        log.iter()
            .filter(|(_, n, _)| n == name)
            .map(|(t, _, k)| (*t, k.clone()))
            .collect()
    };
    let expected_loop: Vec<(u64, String)> = [
        (0, "spawned"),
        (0, "started"),
        (0, "check (live)"),
        (1, "check (live)"),
        (2, "cancel requested (context deadline exceeded)"),
        (2, "check (cancelled)"),
        (2, "cancel observed (context deadline exceeded)"),
        (2, "cancelled (context deadline exceeded)"),
    ]
    .iter()
    .map(|(t, k)| (*t, k.to_string()))
    .collect();
    assert_eq!(of("loop"), expected_loop);
    let waiter = of("waiter");
    assert_eq!(
        waiter[waiter.len() - 2],
        (2, "cancel observed (context deadline exceeded)".to_string())
    );
}
