use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Clock, TimerCallback, TimerId, TimerQueue};

/// A deterministic clock: time moves only when it is advanced.
///
/// Advance it by hand with [`advance`](Self::advance), or let a [`VirtualRuntime`](super::VirtualRuntime)
/// jump to the next timer whenever every task is blocked (like Trio's autojump clock or Go's
/// `synctest`). Timers due at the same instant fire in the order they were scheduled.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{Clock, VirtualClock};
///
/// let clock = VirtualClock::new();
/// assert_eq!(clock.now(), Duration::ZERO);
/// clock.advance(Duration::from_millis(1500));
/// assert_eq!(clock.now(), Duration::from_millis(1500));
/// ```
pub struct VirtualClock {
    inner: Mutex<Inner>,
}

struct Inner {
    now: Duration,
    timers: TimerQueue,
}

impl VirtualClock {
    /// A clock reading zero, with no timers.
    ///
    /// # Examples
    ///
    /// ```
    /// let clock = ctxgroup::VirtualClock::new();
    /// assert_eq!(clock.pending_timers(), 0);
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> Arc<VirtualClock> {
        Arc::new(VirtualClock {
            inner: Mutex::new(Inner {
                now: Duration::ZERO,
                timers: TimerQueue::new(),
            }),
        })
    }

    /// Moves time forward by `by`, firing every timer due on the way, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Clock, VirtualClock};
    /// let clock = VirtualClock::new();
    /// clock.advance(Duration::from_secs(2));
    /// assert_eq!(clock.now(), Duration::from_secs(2));
    /// ```
    pub fn advance(&self, by: Duration) {
        let to = self.now().saturating_add(by);
        self.advance_to(to);
    }

    /// Moves time forward to `to` (never backwards), firing every timer due on the way, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Clock, VirtualClock};
    /// let clock = VirtualClock::new();
    /// clock.advance_to(Duration::from_secs(7));
    /// assert_eq!(clock.now(), Duration::from_secs(7));
    /// ```
    pub fn advance_to(&self, to: Duration) {
        loop {
            let due = {
                let mut inner = self.inner.lock().unwrap();
                match inner.timers.next_due() {
                    Some(at) if at <= to => {
                        inner.now = inner.now.max(at);
                        let now = inner.now;
                        inner.timers.pop_due(now)
                    }
                    _ => {
                        inner.now = inner.now.max(to);
                        None
                    }
                }
            };
            match due {
                Some((_, callback)) => callback(),
                None => return,
            }
        }
    }

    /// Fires every timer due at the earliest pending instant, after moving time there. Returns
    /// that instant, or `None` when no timer is pending.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Clock, VirtualClock};
    /// let clock = VirtualClock::new();
    /// clock.schedule(Duration::from_secs(3), Box::new(|| {}));
    /// assert_eq!(clock.fire_next(), Some(Duration::from_secs(3)));
    /// assert_eq!(clock.fire_next(), None);
    /// ```
    pub fn fire_next(&self) -> Option<Duration> {
        let at = self.next_timer()?;
        self.advance_to(at);
        Some(at)
    }

    /// The due time of the earliest pending timer.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Clock, VirtualClock};
    /// let clock = VirtualClock::new();
    /// assert_eq!(clock.next_timer(), None);
    /// clock.schedule(Duration::from_secs(1), Box::new(|| {}));
    /// assert_eq!(clock.next_timer(), Some(Duration::from_secs(1)));
    /// ```
    pub fn next_timer(&self) -> Option<Duration> {
        self.inner.lock().unwrap().timers.next_due()
    }

    /// How many timers are pending.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Clock, VirtualClock};
    /// let clock = VirtualClock::new();
    /// let id = clock.schedule(Duration::from_secs(1), Box::new(|| {}));
    /// assert_eq!(clock.pending_timers(), 1);
    /// clock.cancel_timer(id);
    /// assert_eq!(clock.pending_timers(), 0);
    /// ```
    pub fn pending_timers(&self) -> usize {
        self.inner.lock().unwrap().timers.len()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Duration {
        self.inner.lock().unwrap().now
    }

    fn schedule(&self, at: Duration, callback: TimerCallback) -> TimerId {
        // A timer already due fires on the next advance (even an advance by zero), never inside
        // `schedule`, so callers never see their callback run under their own locks.
        self.inner.lock().unwrap().timers.insert(at, callback)
    }

    fn cancel_timer(&self, id: TimerId) -> bool {
        self.inner.lock().unwrap().timers.remove(id)
    }
}

impl fmt::Debug for VirtualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.lock().unwrap();
        f.debug_struct("VirtualClock")
            .field("now", &inner.now)
            .field("pending_timers", &inner.timers.len())
            .finish()
    }
}
