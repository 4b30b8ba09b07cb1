//! The error type of tasks and groups.

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::Reason;

/// An error returned by a task or a group: a cheaply cloned, type-erased error, like Go's `error`.
///
/// It is a `std::error::Error` (its `source()` is the wrapped error's), so `?` carries it into
/// `Box<dyn Error + Send + Sync>` or `anyhow::Error`. A context's [`Reason`] converts into it, so
/// a task can return `ctx.check()?`; so do `io::Error`, the standard parse and conversion
/// errors, and a `&str` or `String` message (`Err("no such user".into())`). Any other error is
/// wrapped with [`Error::new`] (or `.map_err(Error::new)`). [`reason`](Self::reason) tells whether an error is a cancellation
/// (and which).
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

// Unwind-safe: immutable once made (as `anyhow::Error` is).
impl std::panic::UnwindSafe for Error {}
impl std::panic::RefUnwindSafe for Error {}

#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl StdError for Message {}

/// Every error of a group with [`Policy::CollectAll`](crate::Policy::CollectAll), in the order
/// they happened. It reads like Go's `errors.Join`: the messages, one per line.
///
/// # Examples
///
/// ```
/// use ctxgroup::{Error, Errors};
/// let all = Errors(vec![Error::msg("a"), Error::msg("b")]);
/// assert_eq!(all.to_string(), "a\nb");
/// ```
#[derive(Debug, Clone)]
pub struct Errors(pub Vec<Error>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no errors");
        }
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Its message already says every error, so none is its source (a report that walks the chain
/// would say the first one twice). One error alone is transparent: its source is that error's.
impl StdError for Errors {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self.0.as_slice() {
            [one] => one.source(),
            _ => None,
        }
    }
}

/// A task panicked (native targets; on wasm32 a panic aborts the module). It keeps the panic's
/// payload, so the panic can be resumed with `std::panic::resume_unwind`.
///
/// # Examples
///
/// ```
/// let p = ctxgroup::error::Panicked::new(Box::new("boom"));
/// assert_eq!(p.to_string(), "task panicked: boom");
/// assert_eq!(p.message(), "boom");
/// assert!(p.take_payload().is_some());
/// assert!(p.take_payload().is_none()); // taken once
/// ```
#[derive(Clone)]
pub struct Panicked {
    message: String,
    payload: Arc<Mutex<Option<Box<dyn Any + Send>>>>,
}

impl Panicked {
    /// Wraps a payload caught by `catch_unwind`.
    ///
    /// # Examples
    ///
    /// ```
    /// let caught = std::panic::catch_unwind(|| std::panic::panic_any(7u8)).unwrap_err();
    /// let p = ctxgroup::error::Panicked::new(caught);
    /// assert_eq!(p.message(), "a panic with a non-string payload");
    /// ```
    pub fn new(payload: Box<dyn Any + Send>) -> Panicked {
        Panicked {
            message: panic_message(&*payload),
            payload: Arc::new(Mutex::new(Some(payload))),
        }
    }

    /// The panic's message (`panic!("…")`'s text).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ctxgroup::error::Panicked::new(Box::new("x")).message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The panic's payload, once (clones share it).
    ///
    /// # Examples
    ///
    /// ```
    /// let p = ctxgroup::error::Panicked::new(Box::new(42u32));
    /// assert_eq!(p.take_payload().unwrap().downcast_ref::<u32>(), Some(&42));
    /// ```
    pub fn take_payload(&self) -> Option<Box<dyn Any + Send>> {
        self.payload
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }
}

impl fmt::Debug for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panicked")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Panicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task panicked: {}", self.message)
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

/// The wrapped error's source: `Error` itself is transparent.
impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

/// Says `message` on standard error, where the library's threads report what has no caller to
/// go to. Never panics: `eprintln!` does on a closed standard error (`prog 2>&1 | head`), which
/// must not kill the clock's timer thread. (`eprintln!` all the same, caught: a test harness
/// captures what it says.)
pub(crate) fn report(message: std::fmt::Arguments<'_>) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        eprintln!("ctxgroup: {message}")
    }));
}

/// A panic payload's text: `panic!("…")`'s message, or a placeholder for other payloads.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

impl From<Reason> for Error {
    fn from(reason: Reason) -> Self {
        Error::new(reason)
    }
}

impl From<Errors> for Error {
    fn from(errors: Errors) -> Self {
        Error::new(errors)
    }
}

impl From<Panicked> for Error {
    fn from(panicked: Panicked) -> Self {
        Error::new(panicked)
    }
}

/// `?` on the standard library's everyday errors. (A blanket impl over every error type, as
/// anyhow has, is impossible for a type that is itself a `std::error::Error`; wrap others with
/// [`Error::new`], or make `anyhow::Error` the tasks' error type.)
macro_rules! from_std_errors {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for Error {
            fn from(error: $error) -> Self {
                Error::new(error)
            }
        }
    )*};
}

from_std_errors!(
    std::io::Error,
    std::num::ParseIntError,
    std::num::ParseFloatError,
    std::num::TryFromIntError,
    std::str::ParseBoolError,
    std::str::Utf8Error,
    std::string::FromUtf8Error,
    std::net::AddrParseError,
    std::fmt::Error,
);

/// `Err("no such user".into())`, as `Box<dyn Error>` takes it.
impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::msg(message)
    }
}

/// `Err(format!("user {id} not found").into())`.
impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::msg(message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// As anyhow: the message, then its sources under "Caused by:", so that
/// `fn main() -> Result<(), Error>` prints something to read; `{:#?}` shows the structure.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return fmt::Debug::fmt(&*self.0, f);
        }
        write!(f, "{self}")?;
        let mut source = self.0.source();
        if source.is_some() {
            f.write_str("\n\nCaused by:")?;
        }
        while let Some(error) = source {
            write!(f, "\n    {error}")?;
            source = error.source();
        }
        Ok(())
    }
}
