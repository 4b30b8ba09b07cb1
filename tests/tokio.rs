//! The same contexts and groups on tokio's multi-threaded runtime, in real time.
#![cfg(not(target_arch = "wasm32"))]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ctxgroup::{Context, Error, TaskGroup};

fn tokio_group(ctx: &Context) -> TaskGroup {
    TaskGroup::builder(ctx)
        .spawner(|f| {
            tokio::spawn(f);
        })
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_stops_cooperative_tasks_on_tokio() {
    let (ctx, _c) = Context::background().with_timeout(Duration::from_millis(100));
    let group = tokio_group(&ctx);
    let start = Instant::now();
    for _ in 0..8 {
        group
            .spawn(|ctx| async move {
                ctx.sleep(Duration::from_secs(30)).await?;
                Ok(())
            })
            .await;
    }
    let err = group.wait().await.unwrap_err();
    assert!(err.reason().unwrap().is_deadline_exceeded());
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "stopped long before 30 s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_fast_on_tokio_cancels_the_siblings() {
    let group = tokio_group(&Context::background());
    let cancelled = Arc::new(AtomicUsize::new(0));
    for i in 0..50 {
        let cancelled = cancelled.clone();
        group
            .spawn(move |ctx| async move {
                if i == 25 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    return Err(Error::msg("task 25 failed"));
                }
                let r = ctx.done().await;
                cancelled.fetch_add(1, Ordering::SeqCst);
                Err(r.into())
            })
            .await;
    }
    let err = group.wait().await.unwrap_err();
    assert_eq!(err.to_string(), "task 25 failed");
    assert_eq!(cancelled.load(Ordering::SeqCst), 49);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_is_never_exceeded_across_threads() {
    let group = TaskGroup::builder(&Context::background())
        .limit(3)
        .spawner(|f| {
            tokio::spawn(f);
        })
        .build();
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    for _ in 0..40 {
        let (now, peak) = (now.clone(), peak.clone());
        group
            .spawn(move |_| async move {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            })
            .await;
    }
    group.wait().await.unwrap();
    assert_eq!(peak.load(Ordering::SeqCst), 3);
}

#[test]
fn contexts_and_groups_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Context>();
    check::<TaskGroup>();
    check::<ctxgroup::CancelFn>();
    check::<ctxgroup::Reason>();
    check::<ctxgroup::Error>();
}

#[test]
fn cancellation_from_another_thread_wakes_a_tokio_task() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (ctx, cancel) = Context::background().with_cancel();
    let waiter = rt.spawn(async move { ctx.done().await.to_string() });
    std::thread::sleep(Duration::from_millis(10));
    std::thread::spawn(move || cancel.cancel()).join().unwrap();
    assert_eq!(rt.block_on(waiter).unwrap(), "context canceled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_result_wins_and_cancel_stops_the_rest() {
    // join_next, then cancel: the other tasks see `context canceled` at once, not their sleep's
    // end, and wait returns when they have.
    let group = TaskGroup::builder(&Context::background())
        .spawner(|f| {
            tokio::spawn(f);
        })
        .build_with_outputs();
    for ms in [300u64, 20, 60_000, 60_000] {
        group
            .spawn(move |ctx| async move {
                ctx.sleep(Duration::from_millis(ms)).await?;
                Ok::<_, Error>(ms)
            })
            .await;
    }
    let first = group.join_next().await.unwrap().unwrap();
    assert_eq!(first, 20);
    assert!(group.cancel());
    assert!(!group.cancel(), "only the first cancel counts");
    let rest = tokio::time::timeout(Duration::from_secs(10), group.wait())
        .await
        .expect("the rest stopped at the cancel");
    assert_eq!(rest.unwrap_err().to_string(), "context canceled");
    assert_eq!(group.running(), 0);
}
