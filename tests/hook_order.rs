//! A hook hears each task's events in the order they happened, on every thread: the cancel
//! requested before the task saw it, and nothing after the task finished. On the
//! `SystemClock` a deadline wakes the task from the timer thread while the after-cancel
//! callbacks (the hook's watch among them) run on a runner: the two race.
#![cfg(not(target_arch = "wasm32"))]
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::group::{Event, EventKind};
use ctxgroup::{Context, SystemClock, TaskGroup};

/// The kind of each event, per task id, in the order the hook heard them.
type Heard = Arc<Mutex<HashMap<u64, Vec<String>>>>;

fn kind(event: &Event<'_>) -> String {
    match event.kind {
        EventKind::CancelRequested(_) => "requested".into(),
        EventKind::Check { cancelled: true } => "check cancelled".into(),
        EventKind::CancelObserved(_) => "observed".into(),
        EventKind::Finished(_) => "finished".into(),
        ref other => other.to_string(),
    }
}

/// Whether a task's events read spawned, started, then (if any) cancel requested before
/// every cancelled check and the cancel observed, and finished last.
fn in_order(events: &[String]) -> bool {
    let at = |k: &str| events.iter().position(|e| e == k);
    let (Some(started), Some(finished)) = (at("started"), at("finished")) else {
        return false;
    };
    if finished != events.len() - 1 || started > finished {
        return false;
    }
    match (at("requested"), at("check cancelled"), at("observed")) {
        (Some(requested), cancelled_check, observed) => {
            cancelled_check.map_or(true, |c| requested < c)
                && observed.map_or(true, |o| requested < o)
        }
        (None, None, None) => true,
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlines_events_reach_the_hook_in_order_on_a_multi_thread_runtime() {
    let heard: Heard = Arc::default();
    let mut out_of_order = Vec::new();
    for round in 0..20 {
        heard.lock().unwrap().clear();
        let root = Context::with_clock(SystemClock::new());
        let (ctx, _cancel) = root.with_timeout(Duration::from_millis(20));
        let sink = heard.clone();
        let group = TaskGroup::builder(&ctx)
            .spawner(|f| {
                tokio::spawn(f);
            })
            .hook(move |e: &Event<'_>| {
                sink.lock()
                    .unwrap()
                    .entry(e.task)
                    .or_default()
                    .push(kind(e));
            })
            .build();
        for _ in 0..200 {
            group
                .spawn(|ctx| async move {
                    ctx.done().await;
                    ctx.check()?;
                    Ok(())
                })
                .await;
        }
        let _ = group.wait().await;
        // The hook may still be told of a late watch on another thread: give it the time.
        tokio::time::sleep(Duration::from_millis(30)).await;
        for (id, events) in heard.lock().unwrap().iter() {
            if !in_order(events) {
                out_of_order.push(format!("round {round}, task {id}: {events:?}"));
            }
        }
    }
    assert!(
        out_of_order.is_empty(),
        "{} tasks heard out of order, e.g. {:?}",
        out_of_order.len(),
        out_of_order.first()
    );
}

#[test]
fn a_hook_that_looks_at_its_tasks_context_waits_for_nobody() {
    // The task's context reaches the hook through a slot; the hook looks at it once, inside
    // the event of that task's check: the look is told right after, in order, never waiting
    // for the telling the hook is in.
    use std::sync::atomic::{AtomicBool, Ordering};
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let slot: Arc<Mutex<Option<Context>>> = Arc::default();
        let looked = Arc::new(AtomicBool::new(false));
        let heard: Arc<Mutex<Vec<String>>> = Arc::default();
        let (hook_slot, sink) = (slot.clone(), heard.clone());
        let group = TaskGroup::builder(&Context::background())
            .hook(move |e: &Event<'_>| {
                sink.lock().unwrap().push(kind(e));
                if matches!(e.kind, EventKind::Check { .. }) && !looked.swap(true, Ordering::SeqCst)
                {
                    let ctx = hook_slot.lock().unwrap().clone();
                    assert!(ctx.expect("the task left its context").err().is_none());
                }
            })
            .build();
        let task_slot = slot.clone();
        let started = group.try_spawn(move |ctx| {
            *task_slot.lock().unwrap() = Some(ctx.clone());
            async move { ctx.check().map_err(Into::into) }
        });
        assert!(started);
        futures::executor::block_on(group.wait()).unwrap();
        let _ = done_tx.send(heard.lock().unwrap().clone());
    });
    let heard = done_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the hook waited for itself");
    assert_eq!(
        heard,
        [
            "spawned",
            "started",
            "check (live)",
            "check (live)",
            "finished"
        ]
    );
}

#[test]
fn hooks_that_cancel_each_others_tasks_at_once_do_not_deadlock() {
    // Two groups, a task in each, on two threads: each task's check is told to a hook that,
    // once both are inside it, cancels the context of the other group's task. Each cancel
    // tells that task's watch at once, on the cancelling thread. Had a task's telling held a
    // lock while the hook ran, each thread would wait for the other's.
    use std::sync::Barrier;
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (x, cancel_x) = Context::background().with_cancel();
        let (y, cancel_y) = Context::background().with_cancel();
        let both_in = Arc::new(Barrier::new(2));
        let cancels: Arc<Mutex<HashMap<&'static str, ctxgroup::CancelFn>>> =
            Arc::new(Mutex::new(HashMap::from([
                ("g1", cancel_y),
                ("g2", cancel_x),
            ])));
        let hook = {
            let (both_in, cancels) = (both_in.clone(), cancels.clone());
            move |e: &Event<'_>| {
                if let (EventKind::Check { .. }, Some(group)) = (&e.kind, e.group) {
                    let other = cancels.lock().unwrap().remove(group);
                    if let Some(cancel) = other {
                        both_in.wait();
                        cancel.cancel();
                    }
                }
            }
        };
        let g1 = TaskGroup::builder(&x).name("g1").hook(hook.clone()).build();
        let g2 = TaskGroup::builder(&y).name("g2").hook(hook).build();
        let task = |ctx: Context| async move {
            let _ = ctx.check();
            ctx.done().await;
            Ok(())
        };
        assert!(g1.try_spawn(task));
        assert!(g2.try_spawn(task));
        let one = std::thread::spawn(move || futures::executor::block_on(g1.wait()));
        let two = std::thread::spawn(move || futures::executor::block_on(g2.wait()));
        let _ = (one.join().unwrap(), two.join().unwrap());
        let _ = done_tx.send(());
    });
    done_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the two hooks waited for each other");
}
