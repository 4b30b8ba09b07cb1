//! A clock whose time holds still during a turn of work: the live run's clock.
//!
//! The simulator's tasks cost no time: a thousand tasks spawned at 0s all start at 0s. A live run
//! on real timers spends real time starting them (tens of microseconds each in a browser), and a
//! clock that kept running would start the last of a thousand tasks milliseconds late, and end
//! it as late: that is the cost of the playground's bookkeeping, not of the run it shows. So the
//! live run reads a [`TurnClock`]: it reads its base clock when a turn begins — when a timer
//! fires, or when the page calls in ([`TurnClock::begin_turn`]) — and gives that time until the
//! next turn. What stays is what the run is about: how late real timers fire.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::clock::{Clock, TimerCallback, TimerId};

/// A clock that gives the time its base had when the current turn began.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{Clock, VirtualClock};
/// use ctxgroup_playground::turn_clock::TurnClock;
///
/// let base = VirtualClock::new();
/// let turn = TurnClock::new(base.clone());
/// base.advance(Duration::from_millis(5)); // work that takes time
/// assert_eq!(turn.now(), Duration::ZERO); // the turn's time holds
/// turn.begin_turn();
/// assert_eq!(turn.now(), Duration::from_millis(5));
/// ```
pub struct TurnClock {
    base: Arc<dyn Clock>,
    held: Arc<Mutex<Duration>>,
}

impl TurnClock {
    /// A clock holding `base`'s time now.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(base: Arc<dyn Clock>) -> Arc<TurnClock> {
        Arc::new(TurnClock {
            held: Arc::new(Mutex::new(base.now())),
            base,
        })
    }

    /// Begins a turn: from now on the clock gives its base's time now (never less than before).
    pub fn begin_turn(&self) {
        hold(&self.held, self.base.now());
    }
}

fn hold(held: &Mutex<Duration>, now: Duration) {
    let mut held = held.lock().unwrap_or_else(|e| e.into_inner());
    *held = (*held).max(now);
}

impl Clock for TurnClock {
    fn now(&self) -> Duration {
        *self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A timer's callback begins a turn: it, and all it wakes, see the time it fired at.
    fn schedule(&self, at: Duration, callback: TimerCallback) -> TimerId {
        let held = self.held.clone();
        let base = self.base.clone();
        self.base.schedule(
            at,
            Box::new(move || {
                hold(&held, base.now());
                callback();
            }),
        )
    }

    fn cancel_timer(&self, id: TimerId) -> bool {
        self.base.cancel_timer(id)
    }
}

impl fmt::Debug for TurnClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnClock")
            .field("now", &self.now())
            .field("base", &self.base)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ctxgroup::VirtualClock;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn a_timer_begins_a_turn_at_the_time_it_fires() {
        let base = VirtualClock::new();
        let turn = TurnClock::new(base.clone());
        let seen = Arc::new(AtomicU64::new(0));
        let (t, s) = (turn.clone(), seen.clone());
        turn.schedule(
            Duration::from_millis(10),
            Box::new(move || s.store(t.now().as_millis() as u64, Ordering::SeqCst)),
        );
        // A virtual base fires at the due time; what comes after it, in the same turn, too.
        base.advance(Duration::from_millis(12));
        assert_eq!(seen.load(Ordering::SeqCst), 10);
        assert_eq!(turn.now(), Duration::from_millis(10));
        turn.begin_turn();
        assert_eq!(turn.now(), Duration::from_millis(12));
    }

    #[test]
    fn time_never_goes_back_and_a_cancelled_timer_never_runs() {
        let base = VirtualClock::new();
        base.advance(Duration::from_secs(1));
        let turn = TurnClock::new(base.clone());
        assert_eq!(turn.now(), Duration::from_secs(1));
        let ran = Arc::new(AtomicU64::new(0));
        let r = ran.clone();
        let id = turn.schedule(
            Duration::from_secs(2),
            Box::new(move || {
                r.fetch_add(1, Ordering::SeqCst);
            }),
        );
        assert!(turn.cancel_timer(id));
        base.advance(Duration::from_secs(5));
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        assert_eq!(turn.now(), Duration::from_secs(1), "no turn began");
        turn.begin_turn();
        assert_eq!(turn.now(), Duration::from_secs(6));
    }

    #[test]
    fn a_panicking_callback_leaves_the_clock_usable() {
        let base = VirtualClock::new();
        let turn = TurnClock::new(base.clone());
        turn.schedule(Duration::from_millis(1), Box::new(|| panic!("user code")));
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            base.advance(Duration::from_millis(3))
        }));
        assert_eq!(
            turn.now(),
            Duration::from_millis(1),
            "the turn began before the callback"
        );
        // Still a clock: its lock is not poisoned, and its timers fire.
        let seen = Arc::new(AtomicU64::new(0));
        let (t, s) = (turn.clone(), seen.clone());
        turn.schedule(
            Duration::from_millis(7),
            Box::new(move || s.store(t.now().as_millis() as u64, Ordering::SeqCst)),
        );
        base.advance(Duration::from_millis(10));
        assert_eq!(seen.load(Ordering::SeqCst), 7);
    }
}
