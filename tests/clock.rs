//! Clocks: virtual (manual and auto-advancing) and the native real-time clock.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::{clock, Clock, VirtualClock, VirtualRuntime};

#[test]
fn virtual_timers_fire_in_time_order_then_schedule_order() {
    let clock = VirtualClock::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    for (at, name) in [(3, "c"), (1, "a"), (3, "d"), (2, "b")] {
        let log = log.clone();
        clock.schedule(
            Duration::from_secs(at),
            Box::new(move || log.lock().unwrap().push(name)),
        );
    }
    clock.advance(Duration::from_secs(10));
    assert_eq!(*log.lock().unwrap(), ["a", "b", "c", "d"]);
    assert_eq!(clock.now(), Duration::from_secs(10));
}

#[test]
fn a_cancelled_timer_never_fires() {
    let clock = VirtualClock::new();
    let fired = Arc::new(Mutex::new(false));
    let f = fired.clone();
    let id = clock.schedule(
        Duration::from_secs(1),
        Box::new(move || *f.lock().unwrap() = true),
    );
    assert!(clock.cancel_timer(id));
    clock.advance(Duration::from_secs(2));
    assert!(!*fired.lock().unwrap());
}

#[test]
fn the_runtime_jumps_time_only_when_every_task_is_blocked() {
    let rt = VirtualRuntime::new();
    let c = rt.clock();
    let order = Arc::new(Mutex::new(Vec::new()));
    for (d, name) in [(3u64, "slow"), (1, "fast")] {
        let (c, order) = (c.clone(), order.clone());
        rt.spawn(async move {
            clock::sleep(c.clone(), Duration::from_secs(d)).await;
            order.lock().unwrap().push((name, c.now()));
        });
    }
    rt.run_until(None).unwrap();
    assert_eq!(
        *order.lock().unwrap(),
        [
            ("fast", Duration::from_secs(1)),
            ("slow", Duration::from_secs(3))
        ]
    );
}

#[test]
fn a_stalled_runtime_says_so_instead_of_hanging() {
    let rt = VirtualRuntime::new();
    let err = rt.block_on(futures::future::pending::<()>()).unwrap_err();
    assert!(!err.timers_pending);
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_system_clock_fires_real_timers_in_order() {
    let clock = ctxgroup::SystemClock::new();
    let (tx, rx) = std::sync::mpsc::channel();
    let now = clock.now();
    for ms in [30u64, 10, 20] {
        let tx = tx.clone();
        clock.schedule(
            now + Duration::from_millis(ms),
            Box::new(move || tx.send(ms).unwrap()),
        );
    }
    let got: Vec<u64> = (0..3)
        .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
        .collect();
    assert_eq!(got, [10, 20, 30]);
    assert!(clock.now() >= now + Duration::from_millis(30));
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_system_sleep_works_under_futures_executor() {
    let clock = ctxgroup::SystemClock::global();
    let start = std::time::Instant::now();
    futures::executor::block_on(clock::sleep(clock.clone(), Duration::from_millis(25)));
    assert!(start.elapsed() >= Duration::from_millis(25));
}

/// A clock that says when it is dropped.
#[derive(Debug)]
struct Watched {
    inner: Arc<VirtualClock>,
    dropped: Arc<std::sync::atomic::AtomicBool>,
}

impl Clock for Watched {
    fn now(&self) -> Duration {
        self.inner.now()
    }
    fn schedule(
        &self,
        at: Duration,
        callback: ctxgroup::clock::TimerCallback,
    ) -> ctxgroup::clock::TimerId {
        self.inner.schedule(at, callback)
    }
    fn cancel_timer(&self, id: ctxgroup::clock::TimerId) -> bool {
        self.inner.cancel_timer(id)
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.dropped
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn a_tree_keeps_its_clock_while_any_context_of_it_lives_and_releases_it_after() {
    // Only the root holds the clock; the others reach it through the root, which they keep
    // alive. With every other handle gone, a grandchild still reads the clock and its deadline
    // still fires; once it goes, the clock goes too.
    let virtual_clock = VirtualClock::new();
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let root = ctxgroup::Context::with_clock(Arc::new(Watched {
        inner: virtual_clock.clone(),
        dropped: dropped.clone(),
    }));
    let (child, cancel_child) = root.with_cancel();
    let (grandchild, _cancel) = child.with_timeout(Duration::from_secs(5));
    let value = grandchild.with_value(7u32);
    drop((root, child, cancel_child, grandchild));
    assert!(!dropped.load(std::sync::atomic::Ordering::SeqCst));
    virtual_clock.advance(Duration::from_secs(2));
    assert_eq!(value.clock().now(), Duration::from_secs(2));
    virtual_clock.advance(Duration::from_secs(3));
    assert!(value.err().is_some_and(|r| r.is_deadline_exceeded()));
    assert_eq!(value.value::<u32>(), Some(&7));
    drop(value);
    assert!(
        dropped.load(std::sync::atomic::Ordering::SeqCst),
        "the clock went with the last context"
    );
}
