//! LocalTaskGroup: tasks that are not `Send` (an `Rc` held across an await), on LocalPool and
//! self-driven, with fail-fast cancellation, outputs and panics.
#![cfg(not(target_arch = "wasm32"))]
use std::cell::RefCell;
use std::rc::Rc;

use ctxgroup::group::LocalTaskGroup;
use ctxgroup::{Context, Error, TaskGroup};
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;

fn on_pool<T: Send + 'static>(pool: &LocalPool) -> LocalTaskGroup<T, Error> {
    let spawner = pool.spawner();
    TaskGroup::builder(&Context::background())
        .local_spawner(move |task| spawner.spawn_local(task).unwrap())
        .build_local_with_outputs()
}

#[test]
fn tasks_holding_an_rc_across_awaits_run_on_a_local_pool_in_spawn_order() {
    let mut pool = LocalPool::new();
    let group = on_pool::<usize>(&pool);
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let outputs = pool
        .run_until(async move {
            for i in 0..100usize {
                let log = l.clone();
                group
                    .spawn(move |ctx| async move {
                        futures::future::ready(()).await;
                        ctx.check()?;
                        log.borrow_mut().push(i);
                        Ok(i * 2)
                    })
                    .await;
            }
            group.wait_outputs().await
        })
        .unwrap();
    assert_eq!(outputs, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    assert_eq!(log.borrow().len(), 100);
}

#[test]
fn the_first_error_cancels_a_local_sibling_waiting_on_its_context() {
    let mut pool = LocalPool::new();
    let group = on_pool::<()>(&pool);
    let seen = Rc::new(RefCell::new(None));
    let s = seen.clone();
    let err = pool
        .run_until(async move {
            group
                .spawn(move |ctx| async move {
                    ctx.done().await;
                    *s.borrow_mut() = ctx.err().map(|r| r.cause().to_string());
                    Ok(())
                })
                .await;
            group.spawn(|_| async { Err(Error::msg("HTTP 502")) }).await;
            group.wait().await
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "HTTP 502");
    assert_eq!(seen.borrow().as_deref(), Some("HTTP 502"));
}

#[test]
fn a_self_driven_local_group_needs_no_executor_of_its_own() {
    let group = LocalTaskGroup::new(&Context::background());
    let cell = Rc::new(RefCell::new(0));
    futures::executor::block_on(async {
        for _ in 0..1_000 {
            let cell = cell.clone();
            group
                .spawn(move |_| async move {
                    *cell.borrow_mut() += 1;
                    Ok(())
                })
                .await;
        }
        group.wait().await
    })
    .unwrap();
    assert_eq!(*cell.borrow(), 1_000);
}

#[test]
fn a_local_task_that_panics_is_its_error_and_wait_returns() {
    let mut pool = LocalPool::new();
    let group = on_pool::<u8>(&pool);
    let g = group.clone();
    let err = pool
        .run_until(async move {
            let rc = Rc::new(());
            g.spawn(move |_| async move {
                let _rc = rc;
                panic!("local boom")
            })
            .await;
            g.wait().await
        })
        .unwrap_err();
    assert!(err.to_string().contains("local boom"), "{err}");
    assert_eq!(group.running(), 0);
}

#[test]
fn a_local_spawn_closure_that_panics_does_not_hang_wait() {
    let group = LocalTaskGroup::new(&Context::background());
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        group.try_spawn(|_| -> futures::future::Ready<Result<(), Error>> { panic!("closure") })
    }));
    assert!(panicked.is_err());
    let err = futures::executor::block_on(group.wait()).unwrap_err();
    assert!(err.to_string().contains("closure"), "{err}");
}

#[test]
fn a_local_task_gets_a_name_and_its_own_deadline() {
    use ctxgroup::group::Event;
    use ctxgroup::{Clock, VirtualRuntime};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    let rt = VirtualRuntime::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = log.clone();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .hook(move |e: &Event<'_>| sink.lock().unwrap().push(format!("{} {}", e.name, e.kind)))
        .limit(1)
        .build_local();
    let cause = Rc::new(RefCell::new(String::new()));
    let seen = cause.clone();
    let err = rt
        .block_on(async {
            let local = Rc::new(5);
            group
                .task("slow")
                .timeout_cause(Duration::from_secs(2), Error::msg("slow too slow"))
                .spawn(move |ctx| async move {
                    let r = ctx.sleep(Duration::from_secs(*local)).await.unwrap_err();
                    *seen.borrow_mut() = r.cause().to_string();
                    Err(r.into())
                })
                .await;
            assert!(
                !group
                    .task("extra")
                    .timeout(Duration::from_secs(1))
                    .try_spawn(|_| async { Ok(()) }),
                "slow holds the one slot"
            );
            group.wait().await
        })
        .unwrap()
        .unwrap_err();
    assert_eq!(err.to_string(), "context deadline exceeded");
    assert_eq!(*cause.borrow(), "slow too slow");
    assert_eq!(rt.clock().now(), Duration::from_secs(2));
    let log = log.lock().unwrap();
    assert_eq!(log[0], "slow spawned");
    assert_eq!(
        log.last().unwrap(),
        "slow cancelled (context deadline exceeded)"
    );
    assert!(!log.iter().any(|l| l.starts_with("extra")), "{log:?}");
}

#[test]
fn a_named_local_task_that_panics_is_its_error() {
    let group = LocalTaskGroup::new(&Context::background());
    let err = futures::executor::block_on(async {
        let local = Rc::new(());
        group
            .task("boom")
            .spawn(move |_| async move {
                let _keep = local;
                panic!("local panic")
            })
            .await;
        assert!(group.task("quick").try_spawn(|_| async { Ok(()) }));
        group.wait().await
    })
    .unwrap_err();
    assert!(err.to_string().contains("local panic"), "{err}");
}
