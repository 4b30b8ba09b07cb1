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
            Cause::DeadlineExceeded { deadline } => {
                format!("deadline{of} passed at {}", crate::fmt_secs(*deadline))
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

impl std::error::Error for Reason {}
