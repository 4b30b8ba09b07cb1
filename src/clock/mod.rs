//! Clocks: where contexts read the time and arm their deadlines.
//!
//! A [`Clock`] tells the time as a [`Duration`] since its own origin and runs callbacks at given
//! times. Three are provided:
//!
//! - [`VirtualClock`]: deterministic; time moves only when advanced, by hand or by a
//!   [`VirtualRuntime`] that jumps to the next timer once every task is blocked;
//! - [`SystemClock`] (native): real time, one timer thread for all its timers;
//! - `BrowserClock` (wasm32): `performance.now()` and a single browser timer for the earliest
//!   pending deadline, the others kept in a heap in Rust.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

mod queue;
mod runtime;
mod scaled;
mod sleep;
mod virtual_clock;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(not(target_arch = "wasm32"))]
mod system;

pub(crate) use queue::TimerQueue;
pub use runtime::{Stalled, VirtualRuntime};
pub use scaled::ScaledClock;
pub use sleep::{sleep, sleep_until, Sleep};
pub use virtual_clock::VirtualClock;

#[cfg(target_arch = "wasm32")]
pub use browser::BrowserClock;
#[cfg(not(target_arch = "wasm32"))]
pub use system::SystemClock;

/// A callback run by a clock when a timer is due.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
/// use ctxgroup::{clock::TimerCallback, Clock, VirtualClock};
///
/// let fired = Arc::new(AtomicBool::new(false));
/// let flag = fired.clone();
/// let callback: TimerCallback = Box::new(move || flag.store(true, Ordering::SeqCst));
/// let clock = VirtualClock::new();
/// clock.schedule(Duration::from_secs(1), callback);
/// clock.advance(Duration::from_secs(1));
/// assert!(fired.load(Ordering::SeqCst));
/// ```
pub type TimerCallback = Box<dyn FnOnce() + Send + 'static>;

/// Identifies a timer armed with [`Clock::schedule`] or [`Clock::schedule_wake`], to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerId(pub(crate) u64);

/// A source of time and timers.
///
/// Times are [`Duration`]s since the clock's origin. Implementations run each callback once, at or
/// after its due time, never while holding a lock the callback could need; callbacks due at the
/// same instant start in the order they were scheduled (on a clock that runs them on several
/// threads, as the [`SystemClock`] does, they may end in another).
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
/// use std::time::Duration;
/// use ctxgroup::{Clock, VirtualClock};
///
/// let clock = VirtualClock::new();
/// let rang = Arc::new(AtomicBool::new(false));
/// let flag = rang.clone();
/// clock.schedule(Duration::from_secs(5), Box::new(move || flag.store(true, Ordering::SeqCst)));
/// clock.advance(Duration::from_secs(4));
/// assert!(!rang.load(Ordering::SeqCst));
/// clock.advance(Duration::from_secs(1));
/// assert!(rang.load(Ordering::SeqCst));
/// ```
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time, since this clock's origin.
    fn now(&self) -> Duration;

    /// Runs `callback` once the clock reaches `at` (at once, or on the next advance, if `at` has
    /// passed).
    fn schedule(&self, at: Duration, callback: TimerCallback) -> TimerId;

    /// Cancels a timer; returns whether it was still pending.
    fn cancel_timer(&self, id: TimerId) -> bool;

    /// Arms a timer whose callback only marks state and wakes tasks, and hands whatever user
    /// code it meets to [`run_aside`](Self::run_aside). A clock whose timers fire on a thread
    /// of its own may run it there, so that it waits for no slow user code: contexts arm their
    /// deadlines with it, and [`sleep`] its wake-ups. The default is [`schedule`](Self::schedule).
    /// A clock that forwards this to another clock forwards `run_aside` too, or the callbacks
    /// it hands aside run on the other clock's timer thread. Wake callbacks run in the order
    /// they were armed; on the [`SystemClock`], on its timer thread, while
    /// [`schedule`](Self::schedule)'s callbacks due at the same instant run on its runner
    /// threads: the two kinds may run in either order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
    /// use std::time::Duration;
    /// use ctxgroup::{Clock, SystemClock};
    ///
    /// let clock = SystemClock::new();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// clock.schedule_wake(clock.now() + Duration::from_millis(5), Box::new(move || tx.send(()).unwrap()));
    /// rx.recv_timeout(Duration::from_secs(5)).unwrap();
    /// ```
    fn schedule_wake(&self, at: Duration, callback: TimerCallback) -> TimerId {
        self.schedule(at, callback)
    }

    /// Runs `work`, user code met by a [`schedule_wake`](Self::schedule_wake) callback (a
    /// deadline's after-cancel callbacks), where it may be slow: the [`SystemClock`] hands it
    /// to one of its callback threads. The default runs it at once, on the calling thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Clock, SystemClock, VirtualClock};
    ///
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let tx2 = tx.clone();
    /// VirtualClock::new().run_aside(Box::new(move || tx.send(std::thread::current().id()).unwrap()));
    /// assert_eq!(rx.recv().unwrap(), std::thread::current().id()); // at once, here
    /// let clock = SystemClock::new();
    /// clock.run_aside(Box::new(move || tx2.send(std::thread::current().id()).unwrap()));
    /// assert_ne!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), std::thread::current().id());
    /// ```
    fn run_aside(&self, work: TimerCallback) {
        work()
    }
}

/// The default real-time clock of this platform: [`SystemClock::global`] natively, a shared
/// `BrowserClock` in the browser.
///
/// # Examples
///
/// ```
/// let clock = ctxgroup::clock::default_clock();
/// let a = clock.now();
/// assert!(clock.now() >= a);
/// ```
pub fn default_clock() -> Arc<dyn Clock> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        SystemClock::global()
    }
    #[cfg(target_arch = "wasm32")]
    {
        BrowserClock::shared()
    }
}
