//! The error type of tasks and groups.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use crate::Reason;

/// An error returned by a task or a group: a cheaply cloned, type-erased error, like Go's `error`.
///
/// Any `std::error::Error + Send + Sync` converts into it with `?`, including a context's
/// [`Reason`], so a task can return `ctx.check()?`. [`reason`](Self::reason) tells whether an
/// error is a cancellation (and which).
///
/// # Examples
///
/// ```
/// use ctxgroup::Error;
/// let e = Error::msg("HTTP 502");
/// assert_eq!(e.to_string(), "HTTP 502");
/// assert!(e.reason().is_none());
/// ```
#[derive(Clone)]
pub struct Error(Arc<dyn StdError + Send + Sync + 'static>);

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl StdError for Message {}

/// Several errors, returned by a group with [`Policy::CollectAll`](crate::Policy::CollectAll).
///
/// # Examples
///
/// ```
/// use ctxgroup::{Error, Errors};
/// let all = Errors(vec![Error::msg("a"), Error::msg("b")]);
/// assert_eq!(all.to_string(), "2 errors: a; b");
/// ```
#[derive(Debug, Clone)]
pub struct Errors(pub Vec<Error>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} error{}: ",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )?;
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
impl StdError for Errors {}

/// A task panicked (native targets; on wasm32 a panic aborts the module).
///
/// # Examples
///
/// ```
/// let p = ctxgroup::error::Panicked("boom".into());
/// assert_eq!(p.to_string(), "task panicked: boom");
/// ```
#[derive(Debug, Clone)]
pub struct Panicked(pub String);

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task panicked: {}", self.0)
    }
}
impl StdError for Panicked {}

impl Error {
    /// An error with this message.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ctxgroup::Error::msg("boom").to_string(), "boom");
    /// ```
    pub fn msg(message: impl Into<String>) -> Error {
        Error(Arc::new(Message(message.into())))
    }

    /// Wraps any error.
    ///
    /// # Examples
    ///
    /// ```
    /// let io = std::io::Error::new(std::io::ErrorKind::Other, "disk");
    /// assert_eq!(ctxgroup::Error::new(io).to_string(), "disk");
    /// ```
    pub fn new(error: impl StdError + Send + Sync + 'static) -> Error {
        Error(Arc::new(error))
    }

    /// The cancellation this error is, if it is one (a task that returned its context's reason).
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::Context;
    /// let (ctx, cancel) = Context::background().with_cancel();
    /// cancel.cancel();
    /// let e: ctxgroup::Error = ctx.check().unwrap_err().into();
    /// assert!(e.reason().is_some());
    /// ```
    pub fn reason(&self) -> Option<&Reason> {
        self.downcast_ref::<Reason>()
    }

    /// The wrapped error as a `T`, if it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Error, Errors};
    /// let e = Error::new(Errors(vec![Error::msg("x")]));
    /// assert_eq!(e.downcast_ref::<Errors>().unwrap().0.len(), 1);
    /// ```
    pub fn downcast_ref<T: StdError + 'static>(&self) -> Option<&T> {
        (*self.0).downcast_ref::<T>()
    }

    /// The wrapped error as a standard error.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = ctxgroup::Error::msg("x");
    /// assert_eq!(e.as_std().to_string(), "x");
    /// ```
    pub fn as_std(&self) -> &(dyn StdError + Send + Sync + 'static) {
        &*self.0
    }
}

impl<E: StdError + Send + Sync + 'static> From<E> for Error {
    fn from(error: E) -> Self {
        Error(Arc::new(error))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}
