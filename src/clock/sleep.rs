use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures::task::AtomicWaker;

use super::{Clock, TimerId};

/// A future that completes when a [`Clock`] reaches a point in time.
///
/// Made by [`sleep`] and [`sleep_until`]. The timer is armed on first poll and disarmed on drop.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use ctxgroup::{clock, VirtualClock, VirtualRuntime};
///
/// let rt = VirtualRuntime::new();
/// let clock = rt.clock();
/// let woke_at = rt.block_on({
///     let clock = clock.clone();
///     async move {
///         clock::sleep(clock.clone(), Duration::from_secs(3)).await;
///         clock::Clock::now(&*clock)
///     }
/// });
/// assert_eq!(woke_at.unwrap(), Duration::from_secs(3));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    clock: Arc<dyn Clock>,
    at: Duration,
    armed: Option<(TimerId, Arc<SleepShared>)>,
}

#[derive(Default)]
struct SleepShared {
    fired: AtomicBool,
    waker: AtomicWaker,
}

/// Sleeps for `duration` on `clock`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{clock, VirtualRuntime};
///
/// let rt = VirtualRuntime::new();
/// let clock = rt.clock();
/// rt.block_on(clock::sleep(clock.clone(), Duration::from_millis(250))).unwrap();
/// assert_eq!(ctxgroup::Clock::now(&*clock), Duration::from_millis(250));
/// ```
pub fn sleep(clock: Arc<dyn Clock>, duration: Duration) -> Sleep {
    let at = clock.now().saturating_add(duration);
    Sleep {
        clock,
        at,
        armed: None,
    }
}

/// Sleeps until `clock` reads `at`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{clock, VirtualRuntime};
///
/// let rt = VirtualRuntime::new();
/// let clock = rt.clock();
/// rt.block_on(clock::sleep_until(clock.clone(), Duration::from_secs(2))).unwrap();
/// assert_eq!(ctxgroup::Clock::now(&*clock), Duration::from_secs(2));
/// ```
pub fn sleep_until(clock: Arc<dyn Clock>, at: Duration) -> Sleep {
    Sleep {
        clock,
        at,
        armed: None,
    }
}

impl Sleep {
    /// The clock time at which this sleep completes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{clock, VirtualClock};
    ///
    /// let clock = VirtualClock::new();
    /// assert_eq!(clock::sleep(clock, Duration::from_secs(1)).deadline(), Duration::from_secs(1));
    /// ```
    pub fn deadline(&self) -> Duration {
        self.at
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        if let Some((_, shared)) = &self.armed {
            shared.waker.register(cx.waker());
            if shared.fired.load(Ordering::Acquire) {
                self.armed = None;
                return Poll::Ready(());
            }
            return Poll::Pending;
        }
        if self.clock.now() >= self.at {
            return Poll::Ready(());
        }
        let shared = Arc::new(SleepShared::default());
        shared.waker.register(cx.waker());
        let fired = shared.clone();
        let id = self.clock.schedule_wake(
            self.at,
            Box::new(move || {
                fired.fired.store(true, Ordering::Release);
                fired.waker.wake();
            }),
        );
        // The callback may already have run (a clock may fire synchronously when `at` has passed).
        if shared.fired.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        self.armed = Some((id, shared));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some((id, shared)) = self.armed.take() {
            if !shared.fired.load(Ordering::Acquire) {
                self.clock.cancel_timer(id);
            }
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("at", &self.at)
            .field("armed", &self.armed.is_some())
            .finish()
    }
}
