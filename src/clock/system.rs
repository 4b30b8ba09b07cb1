use std::fmt;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::{Clock, TimerCallback, TimerId, TimerQueue};

/// Real time for native programs: [`Instant`] for reading, one background thread for all timers.
///
/// The thread starts with the first timer and sleeps on a condition variable until the earliest
/// one is due, so a million pending deadlines cost one thread and a heap. Works with any
/// executor (tokio, `futures::executor`, threads).
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
    changed: Condvar,
}

struct State {
    queue: TimerQueue,
    thread_started: bool,
}

impl SystemClock {
    /// A new clock whose origin is now, with its own timer thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Clock, SystemClock};
    /// let clock = SystemClock::new();
    /// assert!(clock.now() < std::time::Duration::from_secs(1));
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> Arc<SystemClock> {
        Arc::new(SystemClock {
            origin: Instant::now(),
            shared: Arc::new(Shared {
                timers: Mutex::new(State {
                    queue: TimerQueue::new(),
                    thread_started: false,
                }),
                changed: Condvar::new(),
            }),
        })
    }

    /// The process-wide clock, created on first use.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::SystemClock;
    /// assert!(std::sync::Arc::ptr_eq(&SystemClock::global(), &SystemClock::global()));
    /// ```
    pub fn global() -> Arc<SystemClock> {
        static GLOBAL: OnceLock<Arc<SystemClock>> = OnceLock::new();
        GLOBAL.get_or_init(SystemClock::new).clone()
    }

    fn start_thread(&self) {
        let shared = self.shared.clone();
        let origin = self.origin;
        std::thread::Builder::new()
            .name("ctxgroup-timers".into())
            .spawn(move || loop {
                let mut state = shared.timers.lock().unwrap();
                let now = origin.elapsed();
                if let Some((_, callback)) = state.queue.pop_due(now) {
                    drop(state);
                    callback();
                    continue;
                }
                state = match state.queue.next_due() {
                    Some(at) => shared.changed.wait_timeout(state, at - now).unwrap().0,
                    None => shared.changed.wait(state).unwrap(),
                };
                drop(state);
            })
            .expect("ctxgroup: cannot start the timer thread");
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn schedule(&self, at: Duration, callback: TimerCallback) -> TimerId {
        let mut state = self.shared.timers.lock().unwrap();
        let earliest = state.queue.next_due().map_or(true, |next| at < next);
        let id = state.queue.insert(at, callback);
        if !state.thread_started {
            state.thread_started = true;
            self.start_thread();
        }
        if earliest {
            self.shared.changed.notify_one();
        }
        id
    }

    fn cancel_timer(&self, id: TimerId) -> bool {
        self.shared.timers.lock().unwrap().queue.remove(id)
    }
}

impl fmt::Debug for SystemClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SystemClock")
            .field("now", &self.now())
            .finish()
    }
}
