use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::{Error, Reason};

/// One thing that happened to a task of a [`TaskGroup`](crate::TaskGroup), given to a [`Hook`].
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use ctxgroup::{Context, TaskGroup, VirtualRuntime, group::{Event, EventKind}};
///
/// let rt = VirtualRuntime::new();
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let sink = log.clone();
/// let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
///     .hook(move |e: &Event<'_>| sink.lock().unwrap().push(format!("{} {}", e.name, e.kind)))
///     .build();
/// rt.block_on(async move {
///     group.task("t1").spawn(|_ctx| async { Ok(()) }).await;
///     group.wait().await
/// }).unwrap().unwrap();
/// assert_eq!(*log.lock().unwrap(), ["t1 spawned", "t1 started", "t1 completed"]);
/// ```
#[derive(Debug)]
pub struct Event<'a> {
    /// Clock time of the event.
    pub at: Duration,
    /// The task's id, unique within its group.
    pub task: u64,
    /// The task's name.
    pub name: &'a str,
    /// The group's name, if it has one.
    pub group: Option<&'a str>,
    /// What happened.
    pub kind: EventKind<'a>,
}

/// What happened to a task.
///
/// # Examples
///
/// ```
/// use ctxgroup::group::EventKind;
/// assert_eq!(EventKind::Queued.to_string(), "queued");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum EventKind<'a> {
    /// `spawn` was called.
    Spawned,
    /// The group was at its limit: the task waits for a slot.
    Queued,
    /// The task got a slot and its body was created.
    Started,
    /// The task's context was cancelled while it ran (it may or may not look).
    CancelRequested(&'a Reason),
    /// The task looked at its context (`check`/`err`): Go's `select { case <-ctx.Done(): …; default: }`.
    Check {
        /// Whether it found the context cancelled.
        cancelled: bool,
    },
    /// The task saw the cancellation for the first time (a check that found it, or `done()`).
    CancelObserved(&'a Reason),
    /// The task returned.
    Finished(Result<(), &'a Error>),
}

impl fmt::Display for EventKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Spawned => f.write_str("spawned"),
            EventKind::Queued => f.write_str("queued"),
            EventKind::Started => f.write_str("started"),
            EventKind::CancelRequested(r) => write!(f, "cancel requested ({r})"),
            EventKind::Check { cancelled: false } => f.write_str("check (live)"),
            EventKind::Check { cancelled: true } => f.write_str("check (cancelled)"),
            EventKind::CancelObserved(r) => write!(f, "cancel observed ({r})"),
            EventKind::Finished(Ok(())) => f.write_str("completed"),
            EventKind::Finished(Err(e)) if e.reason().is_some() => write!(f, "cancelled ({e})"),
            EventKind::Finished(Err(e)) => write!(f, "failed ({e})"),
        }
    }
}

/// Receives a group's [`Event`]s, synchronously, as they happen. Any `Fn(&Event)` is a hook.
///
/// `Check` and `CancelObserved` come from the task's own context: they are reported for
/// `check()`, `err()` and `done()` on the context the task was given (and value contexts made
/// from it), not for contexts the task derives with `with_cancel` or `with_timeout`.
///
/// # Examples
///
/// ```
/// use ctxgroup::group::{Event, Hook};
/// struct Count(std::sync::atomic::AtomicUsize);
/// impl Hook for Count {
///     fn event(&self, _: &Event<'_>) {
///         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///     }
/// }
/// ```
pub trait Hook: Send + Sync + 'static {
    /// Called for every event, on the thread where it happens, with no group lock held.
    fn event(&self, event: &Event<'_>);
}

impl<F: Fn(&Event<'_>) + Send + Sync + 'static> Hook for F {
    fn event(&self, event: &Event<'_>) {
        self(event)
    }
}

pub(crate) type HookRef = Arc<dyn Hook>;
