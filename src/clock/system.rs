use std::collections::VecDeque;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use super::{Clock, TimerCallback, TimerId, TimerQueue};

/// Real time for native programs: [`Instant`] for reading, one background thread for all timers.
///
/// The thread starts with the first timer and sleeps on a condition variable until the earliest
/// one is due, so a million pending deadlines cost one thread and a heap. Works with any
/// executor (tokio, `futures::executor`, threads).
///
/// Deadlines and sleeps ([`Clock::schedule_wake`]) fire on that thread: it marks contexts
/// cancelled and wakes their waiters (executors' wakers, which must not block), so no slow
/// callback holds them up. User code runs on callback threads of the clock's own: a deadline's
/// after-cancel callbacks, and [`Clock::schedule`]'s callbacks. (Rarely, a context whose last
/// handle goes on another thread as its deadline fires is dropped on the timer thread, with its
/// values.) A deadline over a large subtree holds the other timers up while it marks it: about
/// 6 ms per 100,000 contexts.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{clock, Clock, SystemClock};
///
/// let clock = SystemClock::global();
/// let start = clock.now();
/// futures::executor::block_on(clock::sleep(clock.clone(), Duration::from_millis(20)));
/// assert!(clock.now() - start >= Duration::from_millis(20));
/// ```
pub struct SystemClock {
    origin: Instant,
    shared: Arc<Shared>,
}

struct Shared {
    timers: Mutex<State>,
    /// The timer thread waits here for the earliest timer or a change.
    changed: Condvar,
    /// Runner threads wait here for due callbacks.
    ready_cv: Condvar,
}

struct State {
    queue: TimerQueue<Due>,
    thread_started: bool,
    /// Due callbacks waiting for a runner.
    ready: VecDeque<TimerCallback>,
    /// Callbacks joined `ready` since the timer thread last looked: it starts a runner for them
    /// at once if none is idle.
    fresh: bool,
    /// When the timer thread, waiting, wakes on its own (`Duration::MAX`: only when told);
    /// zero while it is awake, as it looks at the queue again before it waits. A timer due
    /// before then wakes it; any other is left for it to find.
    sleeps_until: Duration,
    /// Runners waiting for work.
    idle_runners: usize,
    /// How many callbacks runners have finished: the timer thread starts more runners when
    /// the count stands still while callbacks wait (every runner is in a slow one).
    finished: u64,
    /// Runner threads alive (at most [`MAX_RUNNERS`]).
    runners: usize,
    /// A runner thread could not be started, and standard error was told (once).
    start_failed: bool,
    /// The clock was dropped: its threads end.
    closed: bool,
}

/// Due timers taken from the queue under one hold of the clock's lock: 100,000 deadlines due
/// at once do not keep every other thread from arming a timer until all are taken.
const DUE_BATCH: usize = 256;

/// How long an idle runner thread waits for more work before it ends.
const RUNNER_IDLE: Duration = Duration::from_millis(500);

/// How long due callbacks wait behind runners that finish none before more runners start.
const RUNNER_STALL: Duration = Duration::from_millis(1);

/// Runner threads at most: past them, due callbacks wait for a runner to free up (threads cost
/// more than Go's goroutines).
const MAX_RUNNERS: usize = 64;

impl SystemClock {
    /// A clock of its own, with its own timer thread (started with the first timer, ended when
    /// the clock is dropped). Most programs want [`global`](Self::global).
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = ctxgroup::SystemClock::new();
    /// let ctx = ctxgroup::Context::with_clock(clock);
    /// assert!(ctx.err().is_none());
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> Arc<SystemClock> {
        Arc::new(SystemClock {
            origin: Instant::now(),
            shared: Arc::new(Shared {
                timers: Mutex::new(State {
                    queue: TimerQueue::new(),
                    thread_started: false,
                    ready: VecDeque::new(),
                    fresh: false,
                    sleeps_until: Duration::ZERO,
                    idle_runners: 0,
                    finished: 0,
                    runners: 0,
                    start_failed: false,
                    closed: false,
                }),
                changed: Condvar::new(),
                ready_cv: Condvar::new(),
            }),
        })
    }

    /// The process-wide clock that [`Context::background`](crate::Context::background) uses.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = ctxgroup::SystemClock::global();
    /// let b = ctxgroup::SystemClock::global();
    /// assert!(std::sync::Arc::ptr_eq(&a, &b));
    /// ```
    pub fn global() -> Arc<SystemClock> {
        static GLOBAL: OnceLock<Arc<SystemClock>> = OnceLock::new();
        GLOBAL.get_or_init(SystemClock::new).clone()
    }

    /// The timer thread runs the wake callbacks (a deadline's marking, a sleep's waker) and
    /// moves the others to the runners: user code (after-cancel callbacks run by a deadline)
    /// never runs on it, so a slow or panicking callback delays or kills no other timer, as
    /// each Go `AfterFunc` runs on its own goroutine. While callbacks wait and no runner has
    /// finished one for [`RUNNER_STALL`] (every runner is in a slow one), the runners double,
    /// up to [`MAX_RUNNERS`]; past that callbacks wait, but deadlines and sleeps do not.
    fn start_thread(&self) {
        let shared = self.shared.clone();
        let origin = self.origin;
        std::thread::Builder::new()
            .name("ctxgroup-timers".into())
            .spawn(move || {
                let mut state = lock(&shared.timers);
                // The runners' progress on the ready callbacks: their count, and when it moved.
                let (mut seen_finished, mut progress_at) = (0, Duration::ZERO);
                loop {
                    if state.closed {
                        return;
                    }
                    let now = origin.elapsed();
                    let mut wakes = Vec::new();
                    let mut popped = 0;
                    while let Some((_, due)) = state.queue.pop_due(now) {
                        if due.wake {
                            wakes.push(due.callback);
                        } else {
                            state.ready.push_back(due.callback);
                            state.fresh = true;
                        }
                        popped += 1;
                        if popped == DUE_BATCH {
                            break;
                        }
                    }
                    // The runners first, every turn: a timer thread kept busy by wake-ups
                    // must not starve the callbacks waiting for a runner.
                    let due = std::mem::take(&mut state.fresh);
                    if state.finished != seen_finished || state.ready.is_empty() {
                        (seen_finished, progress_at) = (state.finished, now);
                    }
                    if !state.ready.is_empty() {
                        if state.idle_runners > 0 {
                            shared.ready_cv.notify_all();
                        } else if state.runners < MAX_RUNNERS {
                            // New callbacks and no idle runner: one more. Every runner stuck
                            // in a slow one for a while: as many more again, so that k slow
                            // callbacks hold the others up about log2(k) ms, not k ms.
                            let stalled = now.saturating_sub(progress_at) >= RUNNER_STALL;
                            let more = if stalled { state.runners.max(1) } else { 1 };
                            if due || stalled {
                                let more =
                                    more.min(state.ready.len()).min(MAX_RUNNERS - state.runners);
                                for _ in 0..more {
                                    spawn_runner(&shared, &mut state);
                                }
                                progress_at = now;
                            }
                        }
                    }
                    if !wakes.is_empty() || popped == DUE_BATCH {
                        // Unlocked, and then round again: more may be due, and callers arm
                        // and disarm timers in between (the lock is the whole clock's).
                        drop(state);
                        run_wakes(wakes);
                        state = lock(&shared.timers);
                        continue;
                    }
                    // Until the earliest timer, and while callbacks wait, their next check.
                    let mut until = state.queue.next_due();
                    if !state.ready.is_empty() {
                        let check = origin.elapsed() + RUNNER_STALL;
                        until = Some(until.map_or(check, |at| at.min(check)));
                    }
                    state.sleeps_until = until.unwrap_or(Duration::MAX);
                    let wait = until.map(|at| at.saturating_sub(origin.elapsed()));
                    state = match wait {
                        Some(wait) => {
                            shared
                                .changed
                                .wait_timeout(state, wait)
                                .unwrap_or_else(PoisonError::into_inner)
                                .0
                        }
                        None => shared
                            .changed
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner),
                    };
                    state.sleeps_until = Duration::ZERO;
                }
            })
            .expect("ctxgroup: cannot start the timer thread");
    }

    /// Queues a timer (starting the timer thread with the first).
    fn arm(&self, at: Duration, due: Due) -> TimerId {
        let mut state = lock(&self.shared.timers);
        let id = state.queue.insert(at, due);
        self.start_thread_once(&mut state);
        // A timer the thread would find too late wakes it; it finds the others itself (a
        // timer made and dropped before the one it waits for costs no wake-up).
        if at < state.sleeps_until {
            self.shared.changed.notify_one();
        }
        id
    }

    fn start_thread_once(&self, state: &mut State) {
        if !state.thread_started {
            state.thread_started = true;
            self.start_thread();
        }
    }
}

/// A timer's callback, and where it runs.
struct Due {
    /// Armed with [`Clock::schedule_wake`]: it only marks and wakes, on the timer thread.
    wake: bool,
    callback: TimerCallback,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A thread that runs due callbacks one at a time while it has work, and ends when idle for a
/// while. The timer thread starts another whenever every runner is busy. Called with the state
/// locked (`state`).
fn spawn_runner(shared: &Arc<Shared>, state: &mut State) {
    state.runners += 1;
    let shared = shared.clone();
    let started = std::thread::Builder::new()
        .name("ctxgroup-callbacks".into())
        .spawn(move || {
            let mut ran = false;
            loop {
                let callback = {
                    let mut state = lock(&shared.timers);
                    if std::mem::take(&mut ran) {
                        state.finished += 1;
                    }
                    loop {
                        if let Some(callback) = state.ready.pop_front() {
                            break callback;
                        }
                        if state.closed {
                            state.runners -= 1;
                            return;
                        }
                        state.idle_runners += 1;
                        let (next, timeout) = shared
                            .ready_cv
                            .wait_timeout(state, RUNNER_IDLE)
                            .unwrap_or_else(PoisonError::into_inner);
                        state = next;
                        state.idle_runners -= 1;
                        if timeout.timed_out() && state.ready.is_empty() {
                            state.runners -= 1;
                            return;
                        }
                    }
                };
                run_caught("a callback run by a deadline", callback);
                ran = true;
            }
        });
    if let Err(e) = started {
        state.runners -= 1;
        // Out of threads: say so (once) rather than lose the callbacks silently; they run when
        // a runner frees up.
        if !std::mem::replace(&mut state.start_failed, true) {
            crate::error::report(format_args!("cannot start a callback thread: {e}"));
        }
    }
}

/// Runs wake callbacks in the order they were armed, with the clock unlocked: they take the
/// lock to hand callbacks aside, or to disarm a cancelled child's timer.
fn run_wakes(wakes: Vec<TimerCallback>) {
    for wake in wakes {
        run_caught("a timer's waker", wake);
    }
}

/// Runs `callback`; if it panics, says so on standard error: the clock's threads have no
/// caller to tell, and go on.
fn run_caught(what: &str, callback: TimerCallback) {
    if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(callback)) {
        let text = crate::error::panic_message(&*panic);
        crate::error::report(format_args!("{what} panicked: {text}"));
    }
}

impl Drop for SystemClock {
    fn drop(&mut self) {
        lock(&self.shared.timers).closed = true;
        self.shared.changed.notify_all();
        self.shared.ready_cv.notify_all();
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn schedule(&self, at: Duration, callback: TimerCallback) -> TimerId {
        self.arm(
            at,
            Due {
                wake: false,
                callback,
            },
        )
    }

    fn cancel_timer(&self, id: TimerId) -> bool {
        lock(&self.shared.timers).queue.remove(id)
    }

    fn schedule_wake(&self, at: Duration, callback: TimerCallback) -> TimerId {
        self.arm(
            at,
            Due {
                wake: true,
                callback,
            },
        )
    }

    fn run_aside(&self, work: TimerCallback) {
        let mut state = lock(&self.shared.timers);
        state.ready.push_back(work);
        if state.idle_runners > 0 {
            self.shared.ready_cv.notify_one();
        } else {
            // The timer thread starts a runner (it may be the caller: it looks again once its
            // wake callbacks have run).
            state.fresh = true;
            self.start_thread_once(&mut state);
            self.shared.changed.notify_one();
        }
    }
}

impl fmt::Debug for SystemClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemClock")
            .field("now", &self.now())
            .finish()
    }
}
