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
