//! [`TaskBuilder`]'s extras: a task's own deadline with a cause (Go's `WithTimeoutCause` at the
//! task's start), and a named [`try_spawn`](TaskBuilder::try_spawn) (errgroup's `TryGo`).

use std::future::Future;
use std::time::Duration;

use super::{Deadline, TaskBuilder, TaskError};
use crate::{Context, Error};

impl<T: Send + 'static, E: TaskError> TaskBuilder<'_, T, E> {
    /// [`timeout`](Self::timeout) with a cause (Go 1.21's `WithTimeoutCause`): when the task's
    /// own deadline passes, its context's `err()` still says `context deadline exceeded`, and
    /// [`Reason::cause`](crate::Reason::cause) holds `cause`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, Error, TaskGroup, VirtualRuntime};
    /// let rt = VirtualRuntime::new();
    /// let group = TaskGroup::new(&Context::with_clock(rt.clock()));
    /// let cause = rt.block_on(async move {
    ///     let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    ///     let s = seen.clone();
    ///     group.task("api").timeout_cause(Duration::from_secs(2), Error::msg("API too slow"))
    ///         .spawn(move |ctx| async move {
    ///             let reason = ctx.sleep(Duration::from_secs(5)).await.unwrap_err();
    ///             *s.lock().unwrap() = reason.cause().to_string();
    ///             Err(reason.into())
    ///         }).await;
    ///     let _ = group.wait().await;
    ///     let cause = seen.lock().unwrap().clone();
    ///     cause
    /// }).unwrap();
    /// assert_eq!(cause, "API too slow");
    /// ```
    pub fn timeout_cause(mut self, timeout: Duration, cause: Error) -> Self {
        self.timeout = Some(timeout);
        self.cause = Some(cause);
        self
    }

    /// Starts the task only if a slot is free now (errgroup's `TryGo`), with this builder's
    /// name and timeout; returns whether it started. A task that did not start is not
    /// reported to the group's hook at all.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, TaskGroup};
    /// let group = TaskGroup::builder(&Context::background()).limit(1).build();
    /// assert!(group.task("slow").try_spawn(|_| futures::future::pending()));
    /// assert!(!group.task("extra").try_spawn(|_| async { Ok(()) }));
    /// ```
    #[must_use = "try_spawn starts nothing when no slot is free: check whether it started"]
    pub fn try_spawn<F, Fut>(self, task: F) -> bool
    where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let deadline = self.deadline();
        self.group.try_spawn_named(self.name, deadline, task)
    }

    /// The task's own timeout and its cause, if it has one.
    pub(super) fn deadline(&self) -> Option<Deadline> {
        self.timeout.map(|t| (t, self.cause.clone()))
    }
}
