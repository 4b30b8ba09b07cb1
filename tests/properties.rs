//! Property tests of the core invariants over random groups on the virtual clock.
#![cfg(not(target_arch = "wasm32"))]
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::group::{Event, EventKind};
use ctxgroup::{clock, Clock, Context, Error, Policy, TaskGroup, VirtualClock, VirtualRuntime};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Task {
    ms: u64,
    cooperative: bool,
    fails: bool,
}

fn task() -> impl Strategy<Value = Task> {
    (1u64..5000, any::<bool>(), prop::bool::weighted(0.2)).prop_map(|(ms, cooperative, fails)| {
        Task {
            ms,
            cooperative,
            fails,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn invariants_hold_for_random_groups(
        tasks in prop::collection::vec(task(), 1..24),
        limit in prop::option::of(1usize..5),
        timeout in prop::option::of(1u64..6000),
        fail_fast in any::<bool>(),
    ) {
        let rt = VirtualRuntime::new();
        let root = Context::with_clock(rt.clock());
        let (ctx, _c) = match timeout { Some(t) => root.with_timeout(Duration::from_millis(t)), None => root.with_cancel() };
        let finished: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let sink = finished.clone();
        let mut b = TaskGroup::builder(&ctx)
            .policy(if fail_fast { Policy::FailFast } else { Policy::Continue })
            .spawner(rt.spawner())
            .hook(move |e: &Event<'_>| if let EventKind::Finished(_) = e.kind {
                *sink.lock().unwrap().entry(e.name.to_string()).or_default() += 1;
            });
        if let Some(l) = limit { b = b.limit(l); }
        let group = b.build();
        let g = group.clone();
        let (r, p) = (running.clone(), peak.clone());
        let spec = tasks.clone();
        rt.block_on(async move {
            for (i, t) in spec.into_iter().enumerate() {
                let (r, p) = (r.clone(), p.clone());
                g.task(format!("t{i}")).spawn(move |ctx| async move {
                    let n = r.fetch_add(1, Ordering::SeqCst) + 1;
                    p.fetch_max(n, Ordering::SeqCst);
                    let out = if t.cooperative {
                        ctx.sleep(Duration::from_millis(t.ms)).await.map_err(Error::from)
                    } else {
                        clock::sleep(ctx.clock().clone(), Duration::from_millis(t.ms)).await;
                        Ok(())
                    };
                    r.fetch_sub(1, Ordering::SeqCst);
                    out?;
                    if t.fails { Err(Error::msg("boom")) } else { Ok(()) }
                }).await;
            }
            g.wait().await
        }).unwrap().ok();
        let finished = finished.lock().unwrap();
        // Every task ends exactly once.
        prop_assert_eq!(finished.len(), tasks.len());
        prop_assert!(finished.values().all(|&n| n == 1));
        // The limit is never exceeded.
        if let Some(l) = limit { prop_assert!(peak.load(Ordering::SeqCst) <= l); }
        // After wait returns no task is still running (fail-fast or not: wait waits for all).
        prop_assert_eq!(running.load(Ordering::SeqCst), 0);
        prop_assert_eq!(rt.live_tasks(), 0);
    }

    #[test]
    fn a_childs_effective_deadline_is_never_later_than_its_parents(
        deadlines in prop::collection::vec(prop::option::of(0u64..10_000), 1..40),
    ) {
        let mut ctx = Context::with_clock(VirtualClock::new());
        let mut chain = vec![ctx.clone()];
        for d in deadlines {
            ctx = match d { Some(ms) => ctx.with_deadline(Duration::from_millis(ms)).0, None => ctx.with_cancel().0 };
            chain.push(ctx.clone());
        }
        for pair in chain.windows(2) {
            if let Some(parent) = pair[0].deadline() {
                prop_assert!(pair[1].deadline().is_some_and(|c| c <= parent));
            }
        }
    }

    #[test]
    fn under_fail_fast_cooperative_tasks_stop_at_the_first_error(
        fail_at in 1u64..1000, others in prop::collection::vec(1001u64..5000, 1..10),
    ) {
        let rt = VirtualRuntime::new();
        let group = TaskGroup::builder(&Context::with_clock(rt.clock())).spawner(rt.spawner()).build();
        let res = rt.block_on(async move {
            group.spawn(move |ctx| async move { ctx.sleep(Duration::from_millis(fail_at)).await?; Err(Error::msg("x")) }).await;
            for ms in others {
                group.spawn(move |ctx| async move { ctx.sleep(Duration::from_millis(ms)).await?; Ok(()) }).await;
            }
            group.wait().await
        }).unwrap();
        prop_assert_eq!(res.unwrap_err().to_string(), "x");
        prop_assert_eq!(rt.clock().now(), Duration::from_millis(fail_at));
    }
}
