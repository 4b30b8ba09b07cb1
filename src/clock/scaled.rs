use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{Clock, TimerCallback, TimerId};

/// A clock that runs `speed` times as fast as another, from zero at its creation: the
/// playground's live mode shows a 10 s scenario in 1 s at 10×.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{clock::ScaledClock, Clock, VirtualClock};
///
/// let base = VirtualClock::new();
/// let fast = ScaledClock::new(base.clone(), 10.0);
/// base.advance(Duration::from_millis(100));
/// assert_eq!(fast.now(), Duration::from_secs(1));
/// ```
pub struct ScaledClock {
    base: Arc<dyn Clock>,
    origin: Duration,
    speed: f64,
}

impl ScaledClock {
    /// A clock reading zero now, running at `speed` (clamped to 0.01..=1000) times `base`.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = ctxgroup::clock::ScaledClock::new(ctxgroup::VirtualClock::new(), 0.5);
    /// assert_eq!(c.speed(), 0.5);
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new(base: Arc<dyn Clock>, speed: f64) -> Arc<ScaledClock> {
        let speed = if speed.is_finite() {
            speed.clamp(0.01, 1000.0)
        } else {
            1.0
        };
        Arc::new(ScaledClock {
            origin: base.now(),
            base,
            speed,
        })
    }

    /// How many times faster than its base this clock runs.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = ctxgroup::clock::ScaledClock::new(ctxgroup::VirtualClock::new(), 4.0);
    /// assert_eq!(c.speed(), 4.0);
    /// ```
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The base clock's time when this one reads `at`.
    fn on_base(&self, at: Duration) -> Duration {
        // Saturating: a `Duration::MAX` deadline ("never") stays never at any speed.
        let real =
            Duration::try_from_secs_f64(at.as_secs_f64() / self.speed).unwrap_or(Duration::MAX);
        self.origin.saturating_add(real)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> Duration {
        let real = self.base.now().saturating_sub(self.origin);
        Duration::try_from_secs_f64(real.as_secs_f64() * self.speed).unwrap_or(Duration::MAX)
    }

    fn schedule(&self, at: Duration, callback: TimerCallback) -> TimerId {
        self.base.schedule(self.on_base(at), callback)
    }

    fn cancel_timer(&self, id: TimerId) -> bool {
        self.base.cancel_timer(id)
    }

    fn schedule_wake(&self, at: Duration, callback: TimerCallback) -> TimerId {
        self.base.schedule_wake(self.on_base(at), callback)
    }

    fn run_aside(&self, work: TimerCallback) {
        self.base.run_aside(work)
    }
}

impl fmt::Debug for ScaledClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScaledClock")
            .field("speed", &self.speed)
            .field("now", &self.now())
            .finish()
    }
}
