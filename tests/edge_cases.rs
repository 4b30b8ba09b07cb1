//! Small defects found by auditing: extreme durations, Debug, policies, limits.
#![cfg(not(target_arch = "wasm32"))]
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::group::{Event, EventKind};
use ctxgroup::{
    clock::ScaledClock, Clock, Context, Error, Errors, Policy, TaskGroup, VirtualClock,
};

#[test]
fn a_scaled_clock_takes_the_longest_duration() {
    let base = VirtualClock::new();
    let slow = ScaledClock::new(base.clone(), 0.1);
    let id = slow.schedule(Duration::MAX, Box::new(|| {}));
    assert!(slow.cancel_timer(id));
    let ctx = Context::with_clock(slow);
    let (_c, _cancel) = ctx.with_timeout(Duration::MAX);
}

#[test]
fn debug_formatting_a_task_context_is_not_a_check() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let group = TaskGroup::builder(&Context::with_clock(VirtualClock::new()))
        .hook(move |e: &Event<'_>| {
            if matches!(e.kind, EventKind::Check { .. }) {
                sink.lock().unwrap().push(e.name.to_string());
            }
        })
        .build();
    futures::executor::block_on(async {
        group
            .spawn(|ctx| async move {
                let _ = format!("{ctx:?}");
                Ok(())
            })
            .await;
        group.wait().await.unwrap();
    });
    assert!(
        events.lock().unwrap().is_empty(),
        "{:?}",
        events.lock().unwrap()
    );
}

#[test]
fn collect_all_returns_errors_even_for_one_failure() {
    let group = TaskGroup::builder(&Context::with_clock(VirtualClock::new()))
        .policy(Policy::CollectAll)
        .build();
    let err = futures::executor::block_on(async {
        group.spawn(|_| async { Err(Error::msg("only one")) }).await;
        group.spawn(|_| async { Ok(()) }).await;
        group.wait().await
    })
    .unwrap_err();
    let all = err
        .downcast_ref::<Errors>()
        .expect("an Errors, as with several");
    assert_eq!(all.0.len(), 1);
    assert_eq!(
        err.to_string(),
        "only one",
        "errors.Join of one error reads as that error"
    );
}

#[test]
fn a_limit_of_zero_admits_no_task_until_raised() {
    // Go's SetLimit(0): "A limit of zero will prevent any new goroutines from being added."
    let group = TaskGroup::builder(&Context::with_clock(VirtualClock::new()))
        .limit(0)
        .build();
    assert_eq!(group.limit(), Some(0));
    assert!(!group.try_spawn(|_| async { Ok(()) }));
    group.set_limit(Some(1));
    assert!(group.try_spawn(|_| async { Ok(()) }));
    futures::executor::block_on(group.wait()).unwrap();
}
