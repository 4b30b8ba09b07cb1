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
/// The group tells causes and hooks about a failure with an [`Error`]: an `Error` itself, or
/// for any other type the error's alternate `Display` text (`{:#}`), which for `anyhow::Error`
/// is every link of its chain, "fetching a.example: connection reset", as Go prints a wrapped
/// error.
///
/// A task that returns its context's reason itself (`ctx.check()?`) is reported as cancelled,
/// not failed, when `E` is [`Error`], `Box<dyn Error + Send + Sync>` (or `+ Send`), or, with
/// the `anyhow` feature, `anyhow::Error`. Inside an error type of your own the group cannot
/// find it: such a task is reported as failed, with the reason's text.
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
    if let Some(reason) = reason_in(error_any) {
        return Error::from(reason.clone());
    }
    match error_any.downcast_ref::<Error>() {
        Some(same) => same.clone(),
        None => {
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| format!("{error:#}"))) {
                Ok(text) => Error::msg(text),
                Err(_) => Error::msg("a task error whose Display panicked"),
            }
        }
    }
}

/// The context's reason a task error of a dynamic type is (`ctx.check()?` in a task of
/// `Box<dyn Error>`, or of `anyhow::Error` with the `anyhow` feature), so that the group counts
/// the task as cancelled, as it does one returning an [`Error`] that is a reason. Only the error
/// itself: one wrapped in another, with context of its own, is that other error.
fn reason_in(error: &dyn Any) -> Option<&Reason> {
    type Dynamic = dyn std::error::Error + 'static;
    let dynamic: &Dynamic = if let Some(e) = error.downcast_ref::<Error>() {
        return e.reason();
    } else if let Some(boxed) = error.downcast_ref::<Box<dyn std::error::Error + Send + Sync>>() {
        &**boxed
    } else if let Some(boxed) = error.downcast_ref::<Box<dyn std::error::Error + Send>>() {
        &**boxed
    } else {
        #[cfg(feature = "anyhow")]
        if let Some(any) = error.downcast_ref::<anyhow::Error>() {
            let dynamic: &Dynamic = &**any;
            return reason_of(dynamic);
        }
        return None;
    };
    reason_of(dynamic)
}

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
