//! `Context::sleep` ends `Ok` when its time was up by the moment the context was cancelled (the
//! same instant, or the task polled late): it reports the order in which things happened on the
//! clock, not the order a task happens to be polled in. At the very same instant the sleep
//! wins, as Go's `select` between `time.After(d)` and `ctx.Done()` usually decides it (the
//! timer's channel is ready before the context's timer goroutine closes Done).
#![cfg(not(target_arch = "wasm32"))]
use std::future::Future;
use std::time::Duration;

use ctxgroup::{Clock, Context, TaskGroup, VirtualClock, VirtualRuntime};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn a_sleep_that_ends_with_the_deadline_has_ended() {
    let rt = VirtualRuntime::new();
    let (ctx, _c) = Context::with_clock(rt.clock()).with_timeout(secs(2));
    let slept = rt
        .block_on(async move { ctx.sleep(secs(2)).await })
        .unwrap();
    assert!(slept.is_ok(), "{slept:?}");
    // A cancel one millisecond earlier wins.
    let rt = VirtualRuntime::new();
    let (ctx, _c) = Context::with_clock(rt.clock()).with_timeout(Duration::from_millis(1999));
    let slept = rt
        .block_on(async move { ctx.sleep(secs(2)).await })
        .unwrap();
    assert!(slept.unwrap_err().is_deadline_exceeded());
}

#[test]
fn a_sibling_failing_at_the_instant_a_task_ends_does_not_cancel_it() {
    let rt = VirtualRuntime::new();
    let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
        .spawner(rt.spawner())
        .build_with_outputs::<&str, ctxgroup::Error>();
    let outputs = rt
        .block_on(async move {
            group
                .spawn(|ctx| async move {
                    ctx.sleep(secs(2)).await?;
                    Err(ctxgroup::Error::msg("HTTP 502"))
                })
                .await;
            group
                .spawn(|ctx| async move {
                    ctx.sleep(secs(2)).await?;
                    Ok("done")
                })
                .await;
            let first = group.join_next().await.unwrap();
            let second = group.join_next().await.unwrap();
            (first, second)
        })
        .unwrap();
    assert_eq!(outputs.0.unwrap_err().to_string(), "HTTP 502");
    assert_eq!(outputs.1.unwrap(), "done");
}

#[test]
fn a_sleep_polled_after_a_later_cancel_has_ended() {
    // The sleep's time is up at 1 s; the context is cancelled at 3 s; the task looks at 5 s.
    let clock = VirtualClock::new();
    let (ctx, cancel) = Context::with_clock(clock.clone()).with_cancel();
    let sleep = ctx.sleep(secs(1));
    clock.advance(secs(3));
    cancel.cancel();
    clock.advance(secs(2));
    let slept = futures::executor::block_on(sleep);
    assert!(slept.is_ok(), "{slept:?}");
    // Started after the cancel: the cancel came first.
    assert!(futures::executor::block_on(ctx.sleep(secs(1))).is_err());
}

#[test]
fn a_zero_sleep_on_a_cancelled_context_says_so_at_once() {
    // Or a loop of zero sleeps would never see the cancel at its instant.
    let clock = VirtualClock::new();
    let (ctx, cancel) = Context::with_clock(clock.clone()).with_cancel();
    cancel.cancel();
    assert!(futures::executor::block_on(ctx.sleep(Duration::ZERO)).is_err());
    assert_eq!(clock.now(), Duration::ZERO);
}

/// A clock whose timers fire a second late (a loaded machine, a throttled tab).
#[derive(Debug)]
struct Late(std::sync::Arc<VirtualClock>);

impl Clock for Late {
    fn now(&self) -> Duration {
        self.0.now()
    }
    fn schedule(
        &self,
        at: Duration,
        callback: ctxgroup::clock::TimerCallback,
    ) -> ctxgroup::clock::TimerId {
        self.0.schedule(at + secs(1), callback)
    }
    fn cancel_timer(&self, id: ctxgroup::clock::TimerId) -> bool {
        self.0.cancel_timer(id)
    }
}

#[test]
fn a_deadline_that_fires_late_still_came_first() {
    // The deadline passed at 2 s, before the sleep's end at 2.5 s, though its timer fired at 3 s.
    let clock = VirtualClock::new();
    let late: std::sync::Arc<dyn Clock> = std::sync::Arc::new(Late(clock.clone()));
    let (ctx, _c) = Context::with_clock(late).with_timeout(secs(2));
    let sleep = ctx.sleep(Duration::from_millis(2500));
    clock.advance(secs(3));
    assert_eq!(ctx.err().unwrap().at(), secs(3), "noticed late");
    let slept = futures::executor::block_on(sleep);
    assert!(slept.unwrap_err().is_deadline_exceeded());
}

#[test]
fn a_cancel_racing_the_poll_after_the_sleeps_end_never_wins() {
    // Cancelled on another thread while the sleep is polled, both after its end: always Ok.
    for round in 0..3000 {
        let clock = VirtualClock::new();
        let (ctx, cancel) = Context::with_clock(clock.clone()).with_cancel();
        let mut sleep = Box::pin(ctx.sleep(secs(1)));
        clock.advance(secs(2));
        let canceller = std::thread::spawn(move || cancel.cancel());
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        let slept = loop {
            if let std::task::Poll::Ready(r) = sleep.as_mut().poll(&mut cx) {
                break r;
            }
        };
        canceller.join().unwrap();
        assert!(slept.is_ok(), "round {round}: {slept:?}");
    }
}
