//! What a task's error type must do: [`TaskError`].

use std::any::Any;
use std::fmt;

use crate::error::Panicked;
use crate::{Error, Errors, Reason};

/// An error type tasks of a [`TaskGroup`](crate::TaskGroup) may return.
///
/// It must take in a context's [`Reason`] (so `ctx.check()?` and `ctx.sleep(d).await?` work in
/// a task), a task's panic ([`Panicked`]) and, for [`Policy::CollectAll`](crate::Policy),
/// several errors joined ([`Errors`]). [`Error`] and `anyhow::Error` are task errors as they
/// are; an error enum of your own becomes one with three `From` impls (thiserror's `#[from]`).
///
/// The group tells causes and hooks about a failure with an [`Error`]: an `Error` itself, a
/// context's [`Reason`] (below), or for any other error the error's alternate `Display` text
/// (`{:#}`), which for `anyhow::Error` is every link of its chain, "fetching a.example:
/// connection reset", as Go prints a wrapped error.
///
/// A task that returns a context's reason itself (`ctx.check()?`) is reported as cancelled,
/// not failed, when `E` is [`Error`], `Box<dyn Error + Send + Sync>`, or, with the `anyhow`
/// feature, `anyhow::Error`. Inside an error type of your own the group cannot find it: such a
/// task is reported as failed, with the reason's text. (Any context's reason counts, as Go's
/// `errors.Is(err, context.Canceled)` does not ask whose.)
///
/// # Examples
///
/// ```
/// use ctxgroup::{error::Panicked, group::TaskError, Errors, Reason};
///
/// #[derive(Debug)]
/// enum FetchError { Stopped(Reason), Crashed(Panicked), Many(Errors), Status(u16) }
/// impl std::fmt::Display for FetchError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         match self {
///             FetchError::Stopped(r) => write!(f, "{r}"),
///             FetchError::Crashed(p) => write!(f, "{p}"),
///             FetchError::Many(e) => write!(f, "{e}"),
///             FetchError::Status(s) => write!(f, "HTTP {s}"),
///         }
///     }
/// }
/// impl From<Reason> for FetchError { fn from(r: Reason) -> Self { FetchError::Stopped(r) } }
/// impl From<Panicked> for FetchError { fn from(p: Panicked) -> Self { FetchError::Crashed(p) } }
/// impl From<Errors> for FetchError { fn from(e: Errors) -> Self { FetchError::Many(e) } }
///
/// fn accepts<E: TaskError>() {}
/// accepts::<FetchError>();
/// accepts::<ctxgroup::Error>();
/// ```
pub trait TaskError:
    From<Reason> + From<Panicked> + From<Errors> + fmt::Display + fmt::Debug + Send + 'static
{
}

impl<E> TaskError for E where
    E: From<Reason> + From<Panicked> + From<Errors> + fmt::Display + fmt::Debug + Send + 'static
{
}

/// The [`Error`] a group reports for a task's error: the same error when `E` is `Error`, else
/// its alternate `Display` (anyhow's whole chain; the plain text for most types).
/// A `Display` that panics is the user's code: caught, or the task would never count as
/// finished.
pub(crate) fn as_error<E: TaskError>(error: &E) -> Error {
    let error_any = error as &dyn Any;
    if let Some(same) = error_any.downcast_ref::<Error>() {
        return same.clone();
    }
    if let Some(reason) = dynamic_error(error).and_then(reason_of) {
        return Error::from(reason.clone());
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| format!("{error:#}"))) {
        Ok(text) => Error::msg(text),
        Err(_) => Error::msg("a task error whose Display panicked"),
    }
}

/// A task error of a dynamic type (`Box<dyn Error>`, or `anyhow::Error` with the `anyhow`
/// feature) as the error it holds, in which the group looks for a context's reason: so a task
/// returning `ctx.check()?` counts as cancelled, as it does with [`Error`]. Generic, so that
/// the checks cost nothing for the other types.
fn dynamic_error<E: 'static>(error: &E) -> Option<&(dyn std::error::Error + 'static)> {
    let error = error as &dyn Any;
    if let Some(boxed) = error.downcast_ref::<Box<dyn std::error::Error + Send + Sync>>() {
        return Some(&**boxed);
    }
    #[cfg(feature = "anyhow")]
    if let Some(any) = error.downcast_ref::<anyhow::Error>() {
        return Some(&**any);
    }
    None
}

/// The reason `error` is: only the error itself, not one it wraps (a wrapped reason, with
/// context of its own, is that other error).
fn reason_of<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Reason> {
    error
        .downcast_ref::<Reason>()
        .or_else(|| error.downcast_ref::<Error>().and_then(Error::reason))
}

/// `error` as an `E`: itself when `E` is `Error`, else converted through [`Errors`].
pub(crate) fn from_error<E: TaskError>(error: Error) -> E {
    let boxed: Box<dyn Any> = Box::new(error);
    match boxed.downcast::<E>() {
        Ok(same) => *same,
        Err(boxed) => {
            let error = *boxed.downcast::<Error>().expect("boxed an Error");
            E::from(Errors(vec![error]))
        }
    }
}
