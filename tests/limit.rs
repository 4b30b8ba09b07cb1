//! Limits: spawn waits for a slot like Go's g.Go, in order, even after cancellation.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::group::{Event, EventKind};
use ctxgroup::{clock, Clock, Context, TaskGroup, VirtualRuntime};

const S: fn(u64) -> Duration = Duration::from_secs;

fn starts(limit: usize, durations: &[u64], timeout: Option<u64>) -> Vec<(String, f64)> {
    let rt = VirtualRuntime::new();
    let root = Context::with_clock(rt.clock());
    let (ctx, _c) = match timeout {
        Some(t) => root.with_timeout(S(t)),
        None => root.with_cancel(),
    };
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let group = TaskGroup::builder(&ctx)
        .limit(limit)
        .spawner(rt.spawner())
        .hook(move |e: &Event<'_>| {
            if let EventKind::Started = e.kind {
                sink.lock()
                    .unwrap()
                    .push((e.name.to_string(), e.at.as_secs_f64()));
            }
        })
        .build();
    let durations = durations.to_vec();
    rt.block_on(async move {
        for (i, d) in durations.into_iter().enumerate() {
            group
                .task(format!("t{}", i + 1))
                .spawn(move |ctx| async move {
                    clock::sleep(ctx.clock().clone(), S(d)).await;
                    Ok(())
                })
                .await;
        }
        group.wait().await
    })
    .unwrap()
    .unwrap();
    let out = log.lock().unwrap().clone();
    out
}

#[test]
fn set_limit_2_with_five_1s_tasks_starts_them_at_0_0_1_1_2() {
    let got: Vec<f64> = starts(2, &[1, 1, 1, 1, 1], None)
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(got, [0.0, 0.0, 1.0, 1.0, 2.0]);
}

#[test]
fn queued_tasks_start_in_order_when_a_slot_frees() {
    let got = starts(1, &[2, 1, 3], None);
    assert_eq!(
        got,
        [
            ("t1".to_string(), 0.0),
            ("t2".to_string(), 2.0),
            ("t3".to_string(), 3.0)
        ]
    );
}

#[test]
fn a_queued_task_starts_even_after_the_context_is_cancelled() {
    // Go: g.Go blocks on the semaphore, then runs the function whatever the context says.
    let got = starts(1, &[5, 1], Some(2));
    assert_eq!(got, [("t1".to_string(), 0.0), ("t2".to_string(), 5.0)]);
}

#[test]
fn try_spawn_fails_at_the_limit_and_succeeds_when_a_slot_frees() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .limit(1)
        .spawner(rt.spawner())
        .build();
    assert!(group.try_spawn(|ctx| async move {
        ctx.sleep(S(1)).await?;
        Ok(())
    }));
    assert!(!group.try_spawn(|_| async { Ok(()) }));
    let g = group.clone();
    rt.block_on(async move { g.wait().await }).unwrap().unwrap();
    assert!(group.try_spawn(|_| async { Ok(()) }));
}

#[test]
fn raising_the_limit_releases_queued_spawns() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .limit(1)
        .spawner(rt.spawner())
        .build();
    let g = group.clone();
    let c = rt.clock();
    rt.spawn(async move {
        clock::sleep(c, S(1)).await;
        g.set_limit(Some(3));
    });
    let g = group.clone();
    rt.block_on(async move {
        for _ in 0..3 {
            g.spawn(|ctx| async move {
                clock::sleep(ctx.clock().clone(), S(10)).await;
                Ok(())
            })
            .await;
        }
    })
    .unwrap();
    assert_eq!(rt.clock().now(), S(1), "all three started by 1 s");
    assert_eq!(group.running(), 3);
}

#[cfg(not(target_arch = "wasm32"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawns_queued_for_a_slot_and_dropped_on_other_threads_leave_the_line_in_order() {
    // Handlers queue for a slot under a limit; many are cancelled (their spawn dropped) as
    // others finish on other threads: the limit holds, every spawn still queued gets a slot,
    // and the group ends.
    use std::sync::atomic::{AtomicUsize, Ordering};
    let group = TaskGroup::builder(&Context::background())
        .limit(2)
        .spawner(|f| {
            tokio::spawn(f);
        })
        .build();
    let (running, most, started) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut handlers = Vec::new();
    for i in 0..400u64 {
        let (group, running, most, started) = (
            group.clone(),
            running.clone(),
            most.clone(),
            started.clone(),
        );
        handlers.push(tokio::spawn(async move {
            let spawn = group.spawn(move |_| async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                started.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_micros(200)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            });
            // Two handlers in three give up after a while; the third waits its turn.
            if i % 3 == 0 {
                spawn.await;
                true
            } else {
                tokio::time::timeout(Duration::from_micros(100 + i * 7), spawn)
                    .await
                    .is_ok()
            }
        }));
    }
    let mut got_a_slot = 0;
    for h in handlers {
        got_a_slot += usize::from(h.await.unwrap());
    }
    tokio::time::timeout(Duration::from_secs(20), group.wait())
        .await
        .expect("the group ended")
        .unwrap();
    assert_eq!(started.load(Ordering::SeqCst), got_a_slot);
    assert!(
        got_a_slot >= 134,
        "every patient handler got a slot: {got_a_slot}"
    );
    assert!(most.load(Ordering::SeqCst) <= 2, "the limit held");
}
