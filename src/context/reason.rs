use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::Error;

/// Why a context was cancelled: what Go's `ctx.Err()` says, plus its cause (Go 1.20's
/// `context.Cause`) and the context where the cancellation started.
///
/// It displays exactly like Go's error (`context canceled`, `context deadline exceeded`); use
/// [`cause`](Self::cause) or [`explain`](Self::explain) for the why. Every descendant of a
/// cancelled context gets the same reason, as in Go.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{Cause, Context, VirtualClock};
///
/// let clock = VirtualClock::new();
/// let root = Context::with_clock(clock.clone());
/// let (ctx, _cancel) = root.with_timeout(Duration::from_secs(2));
/// clock.advance(Duration::from_secs(2));
/// let reason = ctx.err().unwrap();
/// assert_eq!(reason.to_string(), "context deadline exceeded");
/// assert!(reason.is_deadline_exceeded());
/// assert!(matches!(reason.cause(), Cause::DeadlineExceeded { .. }));
/// ```
#[derive(Clone)]
pub struct Reason(Arc<Inner>);

// Unwind-safe: immutable once made.
impl std::panic::UnwindSafe for Reason {}
impl std::panic::RefUnwindSafe for Reason {}

struct Inner {
    cause: Cause,
    origin: Option<Arc<str>>,
    at: Duration,
}

/// What started a cancellation.
///
/// # Examples
///
/// ```
/// use ctxgroup::{Cause, Context, Error};
/// let (ctx, cancel) = Context::background().with_cancel();
/// cancel.cancel_with_cause(Error::msg("user pressed stop"));
/// match ctx.err().unwrap().cause() {
///     Cause::Canceled(Some(why)) => assert_eq!(why.to_string(), "user pressed stop"),
///     other => panic!("unexpected {other:?}"),
/// }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Cause {
    /// An explicit `cancel()`, with the cause given to `cancel_with_cause`, if any.
    Canceled(Option<Error>),
    /// The deadline of the origin context passed.
    DeadlineExceeded {
        /// The deadline, in the clock's time.
        deadline: Duration,
        /// The cause given to [`with_deadline_cause`](crate::Context::with_deadline_cause) or
        /// [`with_timeout_cause`](crate::Context::with_timeout_cause), if any.
        cause: Option<Error>,
    },
    /// A task of a fail-fast group returned an error, which cancelled the group's context.
    TaskFailed {
        /// The task's name.
        task: Arc<str>,
        /// The task's error.
        error: Error,
    },
    /// A group's `wait` returned (Go's errgroup cancels its context then).
    GroupDone,
    /// A group was shut down.
    Shutdown,
    /// The linked JavaScript `AbortSignal` aborted.
    Aborted(String),
}

impl Reason {
    pub(crate) fn new(cause: Cause, origin: Option<Arc<str>>, at: Duration) -> Reason {
        Reason(Arc::new(Inner { cause, origin, at }))
    }

    /// Whether this is Go's `context.Canceled` (otherwise it is `context.DeadlineExceeded`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// assert!(ctx.err().unwrap().is_canceled());
    /// ```
    pub fn is_canceled(&self) -> bool {
        !self.is_deadline_exceeded()
    }

    /// Whether this is Go's `context.DeadlineExceeded` (otherwise it is `context.Canceled`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// assert!(!ctx.err().unwrap().is_deadline_exceeded());
    /// ```
    pub fn is_deadline_exceeded(&self) -> bool {
        matches!(self.0.cause, Cause::DeadlineExceeded { .. })
    }

    /// What started the cancellation.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// assert!(matches!(ctx.err().unwrap().cause(), ctxgroup::Cause::Canceled(None)));
    /// ```
    pub fn cause(&self) -> &Cause {
        &self.0.cause
    }

    /// The name of the context where the cancellation started, if it was named.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::Context;
    /// let (ctx, cancel) = Context::background().with_cancel();
    /// ctx.set_name("request");
    /// let (child, _c) = ctx.with_cancel();
    /// cancel.cancel();
    /// assert_eq!(child.err().unwrap().origin(), Some("request"));
    /// ```
    pub fn origin(&self) -> Option<&str> {
        self.0.origin.as_deref()
    }

    /// Whether `other` is this very cancellation, not only an equal one: a cancellation
    /// reaches every context below the one cancelled as one shared `Reason`, so what is
    /// worked out from one (a message, a cause) holds for the others.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::Context;
    /// let (ctx, cancel) = Context::background().with_cancel();
    /// let (a, _ca) = ctx.with_cancel();
    /// let (b, _cb) = ctx.with_cancel();
    /// cancel.cancel();
    /// assert!(a.err().unwrap().is_same(&b.err().unwrap()));
    ///
    /// let (other, cancel_other) = Context::background().with_cancel();
    /// cancel_other.cancel();
    /// assert!(!a.err().unwrap().is_same(&other.err().unwrap()));
    /// ```
    pub fn is_same(&self, other: &Reason) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// The clock time at which the cancellation happened.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, VirtualClock};
    /// let clock = VirtualClock::new();
    /// let (ctx, cancel) = Context::with_clock(clock.clone()).with_cancel();
    /// clock.advance(Duration::from_secs(3));
    /// cancel.cancel();
    /// assert_eq!(ctx.err().unwrap().at(), Duration::from_secs(3));
    /// ```
    pub fn at(&self) -> Duration {
        self.0.at
    }

    /// A sentence on why: `context deadline exceeded: deadline of group passed at 7s`.
    ///
    /// Times are the context's clock's: from zero on a [`VirtualClock`](crate::VirtualClock),
    /// from the clock's first use on the [`SystemClock`](crate::SystemClock) (so a 300 ms
    /// timeout made at 158 ms passes "at 458ms").
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// assert_eq!(ctx.err().unwrap().explain(), "context canceled: canceled by the caller");
    /// ```
    pub fn explain(&self) -> String {
        format!("{self}: {}", self.describe_cause())
    }

    /// The cause alone, in words: `t5 failed: HTTP 502`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// assert_eq!(ctx.err().unwrap().describe_cause(), "canceled by the caller");
    /// ```
    pub fn describe_cause(&self) -> String {
        let of = match self.origin() {
            Some(name) => format!(" of {name}"),
            None => String::new(),
        };
        match &self.0.cause {
            Cause::Canceled(None) => match self.origin() {
                Some(name) => format!("cancel of {name} was called"),
                None => "canceled by the caller".to_string(),
            },
            Cause::Canceled(Some(e)) => format!("canceled: {e}"),
            Cause::DeadlineExceeded { deadline, cause } => {
                let at = crate::GoDuration(*deadline);
                match cause {
                    Some(why) => format!("deadline{of} passed at {at}: {why}"),
                    None => format!("deadline{of} passed at {at}"),
                }
            }
            Cause::TaskFailed { task, error } => format!("{task} failed: {error}"),
            Cause::GroupDone => "the group's wait returned".to_string(),
            Cause::Shutdown => "the group was shut down".to_string(),
            Cause::Aborted(why) => format!("the AbortSignal aborted: {why}"),
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.is_deadline_exceeded() {
            "context deadline exceeded"
        } else {
            "context canceled"
        })
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reason")
            .field("err", &self.to_string())
            .field("cause", &self.0.cause)
            .field("origin", &self.0.origin)
            .field("at", &self.0.at)
            .finish()
    }
}

/// The cause's error, as Go's `context.Cause(ctx)` gives it, when there is one.
impl std::error::Error for Reason {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.cause {
            Cause::Canceled(Some(e))
            | Cause::DeadlineExceeded { cause: Some(e), .. }
            | Cause::TaskFailed { error: e, .. } => Some(e),
            _ => None,
        }
    }
}

/// What Go's `context.Cause(ctx).Error()` says: the cause given to a `…Cause` function or
/// `cancel_with_cause`, the failing task's error, or else the plain `ctx.Err()`.
///
/// # Examples
///
/// ```
/// use ctxgroup::{Context, Error};
/// let (ctx, cancel) = Context::background().with_cancel();
/// cancel.cancel_with_cause(Error::msg("user pressed stop"));
/// assert_eq!(ctx.err().unwrap().cause().to_string(), "user pressed stop");
/// ```
impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Canceled(Some(e))
            | Cause::DeadlineExceeded { cause: Some(e), .. }
            | Cause::TaskFailed { error: e, .. } => fmt::Display::fmt(e, f),
            Cause::DeadlineExceeded { cause: None, .. } => f.write_str("context deadline exceeded"),
            Cause::Canceled(None) | Cause::GroupDone => f.write_str("context canceled"),
            Cause::Shutdown => f.write_str("shutdown"),
            Cause::Aborted(why) => f.write_str(why),
        }
    }
}
