//! On the `SystemClock`, a slow callback run by a deadline holds up no other deadline: timers
//! due at the same pass, or while every runner is busy, get a runner of their own (as each Go
//! `AfterFunc` runs on its own goroutine). Each test uses a clock of its own, so no runner
//! left idle by another test hides the defect.
#![cfg(not(target_arch = "wasm32"))]
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::{clock, Context, SystemClock};

const SLOW: Duration = Duration::from_secs(2);

/// Two contexts with deadlines `gap` apart; the first's callback is slow. Returns whether the
/// slow callback had ended when the second context was cancelled.
fn second_deadline_waits_for_the_slow_callback(gap: Duration) -> bool {
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let at = root.now() + Duration::from_millis(50);
    let (a, _ca) = root.with_deadline(at);
    let (b, _cb) = root.with_deadline(at + gap);
    let slow_ended = Arc::new(AtomicBool::new(false));
    let ended = slow_ended.clone();
    let _h = a.after_cancel(move |_| {
        std::thread::sleep(SLOW);
        ended.store(true, Ordering::SeqCst);
    });
    futures::executor::block_on(b.done());
    slow_ended.load(Ordering::SeqCst)
}

#[test]
fn a_deadline_at_the_same_instant_is_not_held_up_by_a_slow_callback() {
    assert!(!second_deadline_waits_for_the_slow_callback(Duration::ZERO));
}

#[test]
fn a_deadline_a_millisecond_later_is_not_held_up_by_a_slow_callback() {
    assert!(!second_deadline_waits_for_the_slow_callback(
        Duration::from_millis(1)
    ));
}

#[test]
fn a_sleep_due_with_a_slow_callback_is_not_held_up() {
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let at = root.now() + Duration::from_millis(50);
    let (a, _ca) = root.with_deadline(at);
    let slow_ended = Arc::new(AtomicBool::new(false));
    let ended = slow_ended.clone();
    let _h = a.after_cancel(move |_| {
        std::thread::sleep(SLOW);
        ended.store(true, Ordering::SeqCst);
    });
    futures::executor::block_on(clock::sleep_until(clock.clone(), at));
    assert!(!slow_ended.load(Ordering::SeqCst));
}

#[test]
fn slow_callbacks_due_together_all_run_at_once() {
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let at = root.now() + Duration::from_millis(50);
    let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut keep = Vec::new();
    for _ in 0..8 {
        let (ctx, cancel) = root.with_deadline(at);
        let (running, most) = (running.clone(), most.clone());
        let h = ctx.after_cancel(move |_| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(500));
            running.fetch_sub(1, Ordering::SeqCst);
        });
        keep.push((ctx, cancel, h));
    }
    futures::executor::block_on(clock::sleep_until(
        clock.clone(),
        at + Duration::from_secs(1),
    ));
    assert_eq!(
        most.load(Ordering::SeqCst),
        8,
        "each slow callback had a runner"
    );
}

#[test]
fn ten_thousand_quick_callbacks_due_together_take_few_threads() {
    // Runners start for callbacks that wait behind slow ones, not one per callback.
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let at = root.now() + Duration::from_millis(50);
    let threads = Arc::new(Mutex::new(HashSet::new()));
    let ran = Arc::new(AtomicUsize::new(0));
    let mut keep = Vec::new();
    for _ in 0..10_000 {
        let (ctx, cancel) = root.with_deadline(at);
        let (threads, ran) = (threads.clone(), ran.clone());
        let h = ctx.after_cancel(move |_| {
            threads.lock().unwrap().insert(std::thread::current().id());
            ran.fetch_add(1, Ordering::SeqCst);
        });
        keep.push((ctx, cancel, h));
    }
    let last = root.with_deadline(at).0;
    futures::executor::block_on(last.done());
    while ran.load(Ordering::SeqCst) < 10_000 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let threads = threads.lock().unwrap().len();
    assert!(threads <= 8, "{threads} runner threads for quick callbacks");
}

#[test]
fn three_hundred_slow_callbacks_due_together_share_a_bounded_number_of_threads() {
    // Go would run 300 goroutines; a thread costs more, so runners stop at a bound and the
    // rest wait for one to free up. Every callback still runs.
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let at = root.now() + Duration::from_millis(20);
    let (running, most, ran) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut keep = Vec::new();
    for _ in 0..300 {
        let (ctx, cancel) = root.with_deadline(at);
        let (running, most, ran) = (running.clone(), most.clone(), ran.clone());
        let h = ctx.after_cancel(move |_| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(100));
            running.fetch_sub(1, Ordering::SeqCst);
            ran.fetch_add(1, Ordering::SeqCst);
        });
        keep.push((ctx, cancel, h));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while ran.load(Ordering::SeqCst) < 300 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} ran",
            ran.load(Ordering::SeqCst)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let most = most.load(Ordering::SeqCst);
    assert!((8..=64).contains(&most), "{most} callbacks at once");
}

/// Blocks `MAX_RUNNERS` (64) after-cancel callbacks, run by deadlines, until the returned
/// sender is dropped or sent to, and waits until every one of them is blocked.
fn block_every_runner(root: &Context) -> (std::sync::mpsc::Sender<()>, Vec<impl Sized>) {
    let at = root.now() + Duration::from_millis(20);
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let release_rx = Arc::new(Mutex::new(release_rx));
    let blocked = Arc::new(AtomicUsize::new(0));
    let mut keep = Vec::new();
    for _ in 0..64 {
        let (ctx, cancel) = root.with_deadline(at);
        let (release_rx, blocked) = (release_rx.clone(), blocked.clone());
        let h = ctx.after_cancel(move |_| {
            blocked.fetch_add(1, Ordering::SeqCst);
            // Every callback waits on the one receiver: dropping the sender frees them all.
            let _ = release_rx.lock().unwrap().recv();
        });
        keep.push((ctx, cancel, h));
    }
    let give_up = std::time::Instant::now() + Duration::from_secs(30);
    while blocked.load(Ordering::SeqCst) < 64 {
        assert!(
            std::time::Instant::now() < give_up,
            "the callbacks never all ran"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    (release_tx, keep)
}

/// Waits for `future` on a thread of its own, at most `limit`: whether it completed.
fn completes_within(limit: Duration, future: impl std::future::Future + Send + 'static) -> bool {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        futures::executor::block_on(future);
        let _ = tx.send(());
    });
    rx.recv_timeout(limit).is_ok()
}

#[test]
fn a_deadline_fires_while_every_runner_is_blocked_in_a_callback() {
    // Only user code waits for a runner: marking a context cancelled and waking its waiters
    // does not, so 64 callbacks that block stall no deadline.
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let (release, _keep) = block_every_runner(&root);
    let (late, _cancel) = root.with_timeout(Duration::from_millis(20));
    let fired = completes_within(Duration::from_secs(3), async move {
        late.done().await;
    });
    drop(release);
    assert!(fired, "a deadline waited for a blocked callback");
}

#[test]
fn a_sleep_ends_while_every_runner_is_blocked_in_a_callback() {
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let (release, _keep) = block_every_runner(&root);
    let woke = completes_within(
        Duration::from_secs(3),
        clock::sleep(clock.clone(), Duration::from_millis(20)),
    );
    drop(release);
    assert!(woke, "a sleep waited for a blocked callback");
}

#[test]
fn a_deadline_callback_still_runs_once_a_runner_frees_up() {
    // The 65th callback waits for a runner (user code never runs on the timer thread), and
    // runs once one is released.
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let (release, _keep) = block_every_runner(&root);
    let (late, _cancel) = root.with_timeout(Duration::from_millis(20));
    let (tx, rx) = std::sync::mpsc::channel();
    let _h = late.after_cancel(move |_| {
        let _ = tx.send(std::thread::current().name().map(str::to_owned));
    });
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
    drop(release);
    let thread = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the callback ran");
    assert_eq!(thread.as_deref(), Some("ctxgroup-callbacks"));
}

#[test]
fn callbacks_still_get_runners_while_the_timer_thread_is_kept_busy_with_wake_ups() {
    // The timer thread runs deadlines' and sleeps' wake-ups itself: kept busy by a stream of
    // them, it must still hand the callbacks waiting for a runner to one (it served the
    // runners only in a turn that found no wake-up due, so under load, never).
    use ctxgroup::Clock;
    fn spin(d: Duration) {
        let t = std::time::Instant::now();
        while t.elapsed() < d {}
    }
    let clock = SystemClock::new();
    let root = Context::with_clock(clock.clone());
    let stop = Arc::new(AtomicBool::new(false));
    // Wake-ups of 30 µs each, one armed every 10 µs: always some due. (Dropping the clock at
    // the end stops its thread within one batch of what is left.)
    let load = {
        let (clock, stop) = (clock.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                clock.schedule_wake(clock.now(), Box::new(|| spin(Duration::from_micros(30))));
                spin(Duration::from_micros(10));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let (tx, rx) = std::sync::mpsc::channel();
    let scheduled = tx.clone();
    clock.schedule(
        clock.now() + Duration::from_millis(1),
        Box::new(move || scheduled.send("schedule").unwrap()),
    );
    let (ctx, _cancel) = root.with_timeout(Duration::from_millis(5));
    let _h = ctx.after_cancel(move |_| tx.send("after_cancel").unwrap());
    let mut ran = Vec::new();
    while ran.len() < 2 {
        match rx.recv_timeout(Duration::from_secs(3)) {
            Ok(what) => ran.push(what),
            Err(_) => break,
        }
    }
    stop.store(true, Ordering::Relaxed);
    load.join().unwrap();
    ran.sort();
    assert_eq!(
        ran,
        ["after_cancel", "schedule"],
        "callbacks starved while the timer thread was busy"
    );
}
