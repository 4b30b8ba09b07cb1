//! TaskBuilder's extras: a task's own deadline with a cause, and a named `try_spawn`.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::group::Event;
use ctxgroup::{Clock, Context, Error, TaskGroup, VirtualRuntime};

#[test]
fn a_tasks_own_deadline_carries_its_cause() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .build();
    let seen = Arc::new(Mutex::new(String::new()));
    let s = seen.clone();
    let err = rt
        .block_on(async move {
            group
                .task("api")
                .timeout_cause(Duration::from_secs(2), Error::msg("API too slow"))
                .spawn(move |ctx| async move {
                    let reason = ctx.sleep(Duration::from_secs(5)).await.unwrap_err();
                    *s.lock().unwrap() = reason.cause().to_string();
                    Err(reason.into())
                })
                .await;
            group.wait().await
        })
        .unwrap()
        .unwrap_err();
    assert_eq!(err.to_string(), "context deadline exceeded");
    assert_eq!(*seen.lock().unwrap(), "API too slow");
    assert_eq!(rt.clock().now(), Duration::from_secs(2));
}

#[test]
fn a_named_try_spawn_on_a_full_group_starts_nothing_and_reports_nothing() {
    let rt = VirtualRuntime::new();
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let l = log.clone();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .limit(1)
        .hook(move |e: &Event<'_>| l.lock().unwrap().push(format!("{} {}", e.name, e.kind)))
        .build();
    let (first, second) = rt
        .block_on(async move {
            let first =
                group
                    .task("a")
                    .timeout(Duration::from_secs(1))
                    .try_spawn(|ctx| async move {
                        ctx.done().await;
                        Ok(())
                    });
            let second = group.task("b").try_spawn(|_| async { Ok(()) });
            group.wait().await.unwrap();
            (first, second)
        })
        .unwrap();
    assert!(first && !second);
    let log = log.lock().unwrap();
    assert!(!log.iter().any(|l| l.starts_with("b ")), "{log:?}");
    assert_eq!(log[..2], ["a spawned", "a started"]);
    assert_eq!(log.last().unwrap(), "a completed");
    assert_eq!(
        rt.clock().now(),
        Duration::from_secs(1),
        "its own timeout applied"
    );
}

#[test]
fn a_named_try_spawn_whose_closure_panics_lets_wait_return() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .build();
    let g = group.clone();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        g.task("boom")
            .try_spawn(|_| -> futures::future::Ready<Result<(), Error>> {
                panic!("in the closure")
            })
    }));
    assert!(caught.is_err(), "the panic reaches the caller");
    let err = rt
        .block_on(async move { group.wait().await })
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("in the closure"), "{err}");
}
