//! Groups whose tasks return values and errors of the user's own types: outputs as they finish
//! (`join_next`) and in spawn order (`wait_outputs`), with `ctxgroup::Error`, `anyhow::Error`
//! and an error enum of the user's.
#![cfg(not(target_arch = "wasm32"))]
use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ctxgroup::error::Panicked;
use ctxgroup::{Context, Error, Errors, Policy, Reason, TaskGroup, VirtualRuntime};

#[derive(Debug)]
enum FetchError {
    Stopped(Reason),
    Crashed(Panicked),
    Many(Errors),
    Status(u16),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Stopped(r) => write!(f, "{r}"),
            FetchError::Crashed(p) => write!(f, "{p}"),
            FetchError::Many(e) => write!(f, "{e}"),
            FetchError::Status(s) => write!(f, "HTTP {s}"),
        }
    }
}
impl From<Reason> for FetchError {
    fn from(r: Reason) -> Self {
        FetchError::Stopped(r)
    }
}
impl From<Panicked> for FetchError {
    fn from(p: Panicked) -> Self {
        FetchError::Crashed(p)
    }
}
impl From<Errors> for FetchError {
    fn from(e: Errors) -> Self {
        FetchError::Many(e)
    }
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn join_next_gives_results_as_tasks_finish_and_none_at_the_end() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
    let got = rt
        .block_on(async move {
            for s in [3u64, 1, 2] {
                group
                    .spawn(move |ctx| async move {
                        ctx.sleep(secs(s)).await?;
                        Ok::<_, Error>(s * 10)
                    })
                    .await;
            }
            let mut got = Vec::new();
            while let Some(result) = group.join_next().await {
                got.push(result.unwrap());
            }
            assert!(group.join_next().await.is_none());
            got
        })
        .unwrap();
    assert_eq!(got, [10, 20, 30]);
}

#[test]
fn wait_outputs_are_in_spawn_order_without_those_already_joined() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
    let (first, rest) = rt
        .block_on(async move {
            for (name, s) in [("slow", 3), ("fast", 1), ("mid", 2)] {
                group
                    .spawn(move |ctx| async move {
                        ctx.sleep(secs(s)).await?;
                        Ok::<_, Error>(name)
                    })
                    .await;
            }
            let first = group.join_next().await.unwrap().unwrap();
            (first, group.wait_outputs().await.unwrap())
        })
        .unwrap();
    assert_eq!(first, "fast");
    assert_eq!(rest, ["slow", "mid"]);
}

#[test]
fn the_users_own_error_comes_back_as_itself_and_cancels_the_others() {
    let rt = VirtualRuntime::new();
    let group: TaskGroup<u32, FetchError> =
        TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
    let g = group.clone();
    let err = rt
        .block_on(async move {
            g.spawn(|ctx| async move {
                ctx.sleep(secs(1)).await?;
                Err(FetchError::Status(502))
            })
            .await;
            g.spawn(|ctx| async move {
                ctx.sleep(secs(5)).await?; // `?` turns the Reason into FetchError::Stopped
                Ok(7)
            })
            .await;
            g.wait_outputs().await
        })
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, FetchError::Status(502)), "{err:?}");
    assert_eq!(ctxgroup::Clock::now(&*rt.clock()), secs(1));
    // The cancelled sibling's result is kept, as its own error type.
    let rest = rt.block_on(async move { group.join_next().await }).unwrap();
    match rest {
        Some(Err(FetchError::Stopped(reason))) => {
            assert_eq!(reason.to_string(), "context canceled");
            assert_eq!(reason.cause().to_string(), "HTTP 502");
        }
        other => panic!("expected the sibling's cancellation, got {other:?}"),
    }
}

#[test]
fn anyhow_errors_work_with_question_mark_inside_and_outside() {
    async fn run(rt: &VirtualRuntime) -> anyhow::Result<Vec<u8>> {
        let group = TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
        group
            .spawn(|ctx| async move {
                ctx.check()?;
                let n: u8 = "42".parse()?;
                Ok::<_, anyhow::Error>(n)
            })
            .await;
        let outputs = group.wait_outputs().await?;
        Ok(outputs)
    }
    let rt = VirtualRuntime::new();
    assert_eq!(rt.block_on(run(&rt)).unwrap().unwrap(), [42]);

    let rt = VirtualRuntime::new();
    let group: TaskGroup<(), anyhow::Error> =
        TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
    let err = rt
        .block_on(async move {
            group
                .spawn(|_| async { Err(anyhow::anyhow!("disk full")) })
                .await;
            group.wait().await
        })
        .unwrap()
        .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
}

#[test]
fn wait_still_reports_the_error_join_next_already_took() {
    let group: TaskGroup<(), Error> = TaskGroup::with_outputs(&Context::background());
    futures::executor::block_on(async {
        group.spawn(|_| async { Err(Error::msg("boom")) }).await;
        assert!(group.join_next().await.unwrap().is_err());
        let err = group.wait().await.unwrap_err();
        assert_eq!(err.to_string(), "boom");
        // Twice: the same error, not a wrapped copy.
        let again = group.wait().await.unwrap_err();
        assert_eq!(again.to_string(), "boom");
        assert!(again.downcast_ref::<Errors>().is_none());
    });
}

#[test]
fn a_panicking_task_is_an_error_of_the_users_type_with_its_payload() {
    let group: TaskGroup<u8, FetchError> = TaskGroup::with_outputs(&Context::background());
    futures::executor::block_on(async {
        group
            .spawn(|_| async { std::panic::panic_any(17u32) })
            .await;
        match group.join_next().await {
            Some(Err(FetchError::Crashed(p))) => {
                assert_eq!(*p.take_payload().unwrap().downcast::<u32>().unwrap(), 17);
            }
            other => panic!("expected a panic, got {other:?}"),
        }
    });
}

#[test]
fn a_panicking_spawn_closure_is_an_error_of_the_users_type() {
    let group: TaskGroup<u8, FetchError> = TaskGroup::with_outputs(&Context::background());
    let g = group.clone();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        g.try_spawn(|_| -> futures::future::Ready<Result<u8, FetchError>> { panic!("closure") })
    }));
    assert!(
        panicked.is_err(),
        "the closure's panic goes on to the caller"
    );
    futures::executor::block_on(async {
        match group.join_next().await {
            Some(Err(FetchError::Crashed(p))) => assert_eq!(p.message(), "closure"),
            other => panic!("expected the closure's panic, got {other:?}"),
        }
        assert!(group.wait().await.is_err());
    });
}

#[test]
fn collect_all_joins_every_error_into_the_users_type() {
    let group: TaskGroup<u8, FetchError> = TaskGroup::builder(&Context::background())
        .policy(Policy::CollectAll)
        .build_with_outputs();
    let err = futures::executor::block_on(async {
        for code in [500, 503] {
            group
                .spawn(move |_| async move { Err(FetchError::Status(code)) })
                .await;
        }
        group.spawn(|_| async { Ok(1) }).await;
        group.wait().await
    })
    .unwrap_err();
    match err {
        FetchError::Many(all) => assert_eq!(all.to_string(), "HTTP 500\nHTTP 503"),
        other => panic!("expected every error, got {other:?}"),
    }
}

#[test]
fn a_plain_group_keeps_no_results() {
    let group = TaskGroup::new(&Context::background());
    futures::executor::block_on(async {
        for _ in 0..1_000 {
            group.spawn(|_| async { Ok(()) }).await;
        }
        assert!(group.join_next().await.is_none());
        group.wait().await.unwrap();
    });
    assert!(
        format!("{group:?}").contains("kept_results: 0"),
        "{group:?}"
    );
}

#[test]
fn a_hundred_thousand_outputs_come_back_once_each() {
    let group = TaskGroup::with_outputs(&Context::background());
    let outputs = futures::executor::block_on(async {
        for i in 0..100_000u32 {
            group.spawn(move |_| async move { Ok::<_, Error>(i) }).await;
        }
        group.wait_outputs().await.unwrap()
    });
    assert_eq!(outputs, (0..100_000).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_joiners_on_tokio_take_each_result_exactly_once() {
    let group: TaskGroup<u32, Error> = TaskGroup::builder(&Context::background())
        .spawner(|f| {
            tokio::spawn(f);
        })
        .build_with_outputs();
    let spawned_all = Arc::new(AtomicBool::new(false));
    let joiners: Vec<_> = (0..4)
        .map(|_| {
            let (g, spawned_all) = (group.clone(), spawned_all.clone());
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    match g.join_next().await {
                        Some(result) => mine.push(result.unwrap()),
                        // None: nothing running right now; more may still be spawned.
                        None if spawned_all.load(Ordering::SeqCst) => break,
                        None => tokio::task::yield_now().await,
                    }
                }
                mine
            })
        })
        .collect();
    for i in 0..20_000u32 {
        group
            .spawn(move |_| async move {
                tokio::task::yield_now().await;
                Ok(i)
            })
            .await;
    }
    spawned_all.store(true, Ordering::SeqCst);
    group.wait().await.unwrap();
    let rest: Vec<u32> = group.wait_outputs().await.unwrap();
    let mut seen = HashSet::new();
    let mut total = rest.len();
    for v in &rest {
        assert!(seen.insert(*v), "{v} delivered twice");
    }
    for j in joiners {
        let mine = j.await.unwrap();
        total += mine.len();
        for v in mine {
            assert!(seen.insert(v), "{v} delivered twice");
        }
    }
    assert_eq!(total, 20_000);
    assert_eq!(seen.len(), 20_000);
}

#[test]
fn a_typed_group_that_keeps_nothing_still_returns_the_users_own_error() {
    let group: TaskGroup<(), FetchError> = TaskGroup::builder(&Context::background())
        .policy(Policy::Continue)
        .build_typed();
    let err = futures::executor::block_on(async {
        for i in 0..1_000u16 {
            group
                .spawn(move |_| async move {
                    if i == 500 {
                        Err(FetchError::Status(503))
                    } else {
                        Ok(())
                    }
                })
                .await;
        }
        group.wait().await
    })
    .unwrap_err();
    assert!(matches!(err, FetchError::Status(503)), "{err:?}");
    assert!(
        format!("{group:?}").contains("kept_results: 0"),
        "{group:?}"
    );
}

#[test]
#[should_panic(expected = "wait_outputs on a group that keeps no outputs")]
fn wait_outputs_on_a_group_that_keeps_none_says_so_rather_than_return_nothing() {
    // `build_typed` keeps errors only: three outputs came and went. An empty list would say
    // the tasks returned nothing.
    let group = TaskGroup::builder(&Context::background()).build_typed::<u32, Error>();
    let _ = futures::executor::block_on(async {
        for i in 0..3 {
            group.spawn(move |_| async move { Ok(i) }).await;
        }
        group.wait_outputs().await
    });
}
