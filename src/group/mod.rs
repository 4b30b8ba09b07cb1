//! Task groups: Go's `errgroup`, plus limits, failure policies, shutdown and trace hooks.

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::Duration;

use futures::future::{AbortHandle, Abortable, BoxFuture};
use futures::FutureExt;

use crate::context::{Look, Slab};
use crate::error::Panicked;
use crate::{clock, CancelFn, CancelGuard, Cause, Context, Error, Errors};

mod driven;
mod hooks;
mod local;
mod slot_queue;
mod task_builder;
mod task_error;
mod task_events;
mod task_list;
mod wakers;
use crate::context::sync::MutexGuard;
use driven::{Driven, Owner, PlainCell, Queue, Scheduler, TaskRef, Turn, UNLISTED};
use hooks::HookRef;
pub use hooks::{Event, EventKind, Hook};
pub use local::{LocalTaskBuilder, LocalTaskGroup};
use slot_queue::SlotQueue;
pub use task_error::TaskError;
use task_error::{as_error, from_error};
use task_events::{TaskEvents, Told};
use wakers::{Entry, Wakers};

/// What a group does when a task returns an error.
///
/// # Examples
///
/// ```
/// assert_eq!(ctxgroup::Policy::default(), ctxgroup::Policy::FailFast);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// The first error cancels the group's context and is what `wait` returns
    /// (`errgroup.WithContext`). The context's `err()` says `context canceled`; its
    /// [`cause`](crate::Reason::cause) names the task and holds its error, as `context.Cause`
    /// does in x/sync's errgroup since it cancels with a cause (v0.1.0 left it `context canceled`).
    #[default]
    FailFast,
    /// No error cancels anything, `wait` returns the first (a plain
    /// `errgroup.Group`). Unlike a plain group, which has no context, the group's context is
    /// still cancelled when `wait` returns: work meant to outlive the group takes the parent's
    /// context, not the one its task was given.
    Continue,
    /// Nothing is cancelled; `wait` returns every error, in the order they happened, as an
    /// [`Errors`] (Go's `errors.Join`), even when there is one.
    ///
    /// With [`Error`] as the tasks' error type, each error in it is the task's own: its
    /// [`downcast_ref`](Error::downcast_ref) finds the error it wraps. Other error types reach
    /// it as their messages (`{:#}`: an `anyhow::Error`'s whole chain), or as the context's
    /// [`Reason`](crate::Reason) a task returned (see [`TaskError`]); to match on their values,
    /// build the group with outputs and take each task's own result from
    /// [`join_next`](TaskGroup::join_next).
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, Error, Errors, Policy, TaskGroup};
    /// let group = TaskGroup::builder(&Context::background()).policy(Policy::CollectAll).build();
    /// let err = futures::executor::block_on(async {
    ///     group.spawn(|_| async { Err(Error::new(std::io::Error::other("disk full"))) }).await;
    ///     group.wait().await
    /// }).unwrap_err();
    /// let all = err.downcast_ref::<Errors>().unwrap();
    /// assert!(all.0[0].downcast_ref::<std::io::Error>().is_some());
    /// ```
    CollectAll,
}

type Spawner = Arc<dyn Fn(BoxFuture<'static, ()>) + Send + Sync>;

/// A group of tasks sharing a context: Go's `errgroup.Group`, runtime-agnostic.
///
/// A task's panic becomes its error ([`Panicked`]) on native targets;
/// on wasm32, where Rust panics abort, a panic ends the whole module.
///
/// Tasks get a child of the group's context. With no spawner the group drives its tasks itself
/// whenever [`wait`](Self::wait) or a blocked [`spawn`](Self::spawn) is polled, so it runs on
/// any executor (and in the browser); with one ([`GroupBuilder::spawner`]) tasks run on that
/// runtime, e.g. `tokio::spawn`.
///
/// # Examples
///
/// Seed 003: the first error cancels the other task.
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{Context, Error, TaskGroup, VirtualRuntime};
///
/// let rt = VirtualRuntime::new();
/// let group = TaskGroup::new(&Context::with_clock(rt.clock()));
/// let err = rt.block_on(async move {
///     group.spawn(|ctx| async move {
///         ctx.sleep(Duration::from_secs(1)).await?;
///         Err(Error::msg("HTTP 502"))
///     }).await;
///     group.spawn(|ctx| async move {
///         ctx.sleep(Duration::from_secs(3)).await?; // cancelled at 1 s
///         Ok(())
///     }).await;
///     group.wait().await
/// }).unwrap().unwrap_err();
/// assert_eq!(err.to_string(), "HTTP 502");
/// assert_eq!(ctxgroup::Clock::now(&*rt.clock()), Duration::from_secs(1));
/// ```
pub struct TaskGroup<T = (), E = Error> {
    inner: Arc<Inner<T, E>>,
}

/// A handle to the same group.
impl<T, E> Clone for TaskGroup<T, E> {
    fn clone(&self) -> Self {
        TaskGroup {
            inner: self.inner.clone(),
        }
    }
}

/// Configures a [`TaskGroup`] before it starts.
///
/// # Examples
///
/// ```
/// use ctxgroup::{Context, Policy, TaskGroup};
/// let group = TaskGroup::builder(&Context::background()).limit(2).policy(Policy::Continue).name("batch").build();
/// assert_eq!(group.limit(), Some(2));
/// ```
#[must_use = "call build() to make the group"]
pub struct GroupBuilder {
    parent: Context,
    policy: Policy,
    limit: Option<usize>,
    spawner: Option<Spawner>,
    hook: Option<HookRef>,
    name: Option<Arc<str>>,
    abort_stragglers: bool,
}

struct Inner<T, E> {
    ctx: Context,
    /// Whether finished tasks' results are kept for `join_next` and `wait_outputs` (groups
    /// made with outputs); a plain group keeps nothing, like Go's errgroup.
    keep_outputs: bool,
    /// Whether failed tasks' errors are kept as they are (so `wait` returns the user's own
    /// value) even when outputs are not.
    keep_errors: bool,
    /// Whether `shutdown` aborts the tasks still running when its grace period ends.
    abort_stragglers: bool,
    cancel: CancelFn,
    policy: Policy,
    name: Option<Arc<str>>,
    spawner: Option<Spawner>,
    hook: Option<HookRef>,
    hook_failed: std::sync::atomic::AtomicBool,
    /// Whether the group has no limit (`State::limit` is `None`), written under the state's
    /// lock: a spawn that reads it makes its task's body before taking the lock (and takes it
    /// once), and finds out under the lock if a limit came meanwhile.
    unlimited: std::sync::atomic::AtomicBool,
    /// The group's state, under one lock with the queue of the tasks it drives itself (no
    /// spawner).
    scheduler: Arc<Scheduler<State<T, E>>>,
}

/// A group dropped with tasks it drives itself still running drops their futures: a task
/// waiting on something that holds its waker (its own context's `done()`) would otherwise keep
/// itself alive. (Tasks never polled are in the ready queue, dropped with the group.)
impl<T, E> Drop for Inner<T, E> {
    fn drop(&mut self) {
        let cells: Vec<TaskRef> = self
            .scheduler
            .lock()
            .running_tasks
            .values()
            .filter_map(|task| task.cell.clone())
            .collect();
        for cell in cells {
            cell.cancel();
        }
    }
}

struct State<T, E> {
    limit: Option<usize>,
    running: usize,
    slot_queue: SlotQueue,
    errors: Vec<Error>,
    /// The task whose error is `errors[0]`: `wait` returns that task's own kept result.
    first_error_task: Option<u64>,
    waiters: Wakers,
    next_task: u64,
    /// Running tasks (id, name if given), for shutdown's report; a slab, so start and finish
    /// are O(1) and allocation-free in the steady state.
    running_tasks: Slab<RunningTask>,
    /// Finished tasks' results not yet taken, in the order they finished (groups with outputs).
    finished: VecDeque<(u64, Result<T, E>)>,
    /// Woken when a task finishes (`join_next`).
    joiners: Wakers,
    /// Set once a shutdown aborted its stragglers: a task that gets its abort handle later
    /// (its spawn closure was still running, or it was queued for a slot) is aborted at once.
    aborting: bool,
    /// The first panic of an after-cancel callback that the group's cancel on a task's failure,
    /// or a task's own context's at its end, ran: `wait` passes it on, wherever the task ran.
    callback_panic: Option<Box<dyn std::any::Any + Send>>,
}

/// A running task, as shutdown reports it (and, in a group that aborts stragglers, stops it).
struct RunningTask {
    id: u64,
    name: Option<Arc<str>>,
    abort: Option<AbortHandle>,
    /// The task's cell, when the group drives it itself.
    cell: Option<TaskRef>,
}

impl<T, E> State<T, E> {
    fn new(limit: Option<usize>) -> Self {
        State {
            limit,
            running: 0,
            slot_queue: SlotQueue::default(),
            errors: Vec::new(),
            first_error_task: None,
            waiters: Wakers::default(),
            next_task: 0,
            running_tasks: Slab::default(),
            finished: VecDeque::new(),
            joiners: Wakers::default(),
            aborting: false,
            callback_panic: None,
        }
    }

    /// The entry of a starting task among the running tasks, if it is listed from its start.
    #[inline]
    fn list(&mut self, id: u64, name: &Option<Arc<str>>, listed: bool) -> usize {
        if !listed {
            return UNLISTED;
        }
        self.running_tasks.insert(RunningTask {
            id,
            name: name.clone(),
            abort: None,
            cell: None,
        })
    }

    /// Who to wake once tasks have finished: the first spawn queued for a slot (it wakes the
    /// next if there is room for more), `wait` when none runs any more, and `join_next`.
    #[inline(always)]
    fn released(&mut self) -> Vec<Waker> {
        let mut wake: Vec<Waker> = Vec::new();
        if let Some(w) = self.slot_queue.take_front_waker() {
            wake.push(w);
        }
        if self.running == 0 {
            self.waiters.take_all(&mut wake);
        }
        self.joiners.take_all(&mut wake);
        wake
    }

    /// A new task id, unique within the group.
    fn next_id(&mut self) -> u64 {
        self.next_task += 1;
        self.next_task - 1
    }
}

/// What [`TaskGroup::shutdown`] found.
///
/// # Examples
///
/// ```
/// use ctxgroup::group::ShutdownReport;
/// let report: ShutdownReport = ShutdownReport { result: Some(Ok(())), ignored: vec![], aborted: false };
/// assert!(report.is_clean());
/// ```
#[derive(Debug)]
pub struct ShutdownReport<E = Error> {
    /// What `wait` returned, if every task returned within the grace period or was aborted
    /// ([`GroupBuilder::abort_stragglers`]).
    pub result: Option<Result<(), E>>,
    /// The tasks still running when the grace period ended, in spawn order: they ignored the
    /// cancellation. In a group that drives its own tasks, the tasks that another thread's
    /// driver holds in its batch while it polls one of them cannot be seen: they are counted in
    /// a last entry, `N more not polled yet`.
    pub ignored: Vec<String>,
    /// Whether those tasks were aborted ([`GroupBuilder::abort_stragglers`]); if not, they
    /// are still running.
    pub aborted: bool,
}

impl<E> ShutdownReport<E> {
    /// Whether every task stopped within the grace period.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::group::ShutdownReport;
    /// let report: ShutdownReport = ShutdownReport { result: None, ignored: vec!["t1".into()], aborted: false };
    /// assert!(!report.is_clean());
    /// ```
    pub fn is_clean(&self) -> bool {
        self.ignored.is_empty()
    }

    /// Every task returned within the grace period: `wait`'s result.
    fn in_time(result: Result<(), E>) -> Self {
        ShutdownReport {
            result: Some(result),
            ignored: Vec::new(),
            aborted: false,
        }
    }
}

/// Names a task and sets its own timeout before spawning it ([`TaskGroup::task`]).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{Context, TaskGroup, VirtualRuntime};
/// let rt = VirtualRuntime::new();
/// let group = TaskGroup::new(&Context::with_clock(rt.clock()));
/// let err = rt.block_on(async move {
///     group.task("t7").timeout(Duration::from_secs(2)).spawn(|ctx| async move {
///         ctx.sleep(Duration::from_secs(5)).await?;
///         Ok(())
///     }).await;
///     group.wait().await
/// }).unwrap().unwrap_err();
/// assert_eq!(err.to_string(), "context deadline exceeded");
/// ```
#[must_use = "call spawn() to start the task"]
pub struct TaskBuilder<'g, T = (), E = Error> {
    group: &'g TaskGroup<T, E>,
    name: Option<Arc<str>>,
    timeout: Option<Duration>,
    /// The cause of the task's own deadline ([`TaskBuilder::timeout_cause`]).
    cause: Option<Error>,
}

impl GroupBuilder {
    /// At most `limit` tasks run at once; `spawn` waits for a slot (Go's `SetLimit`). As in Go,
    /// a limit of zero admits no task until it is raised with [`TaskGroup::set_limit`].
    ///
    /// # Examples
    ///
    /// ```
    /// let g = ctxgroup::TaskGroup::builder(&ctxgroup::Context::background()).limit(3).build();
    /// assert_eq!(g.limit(), Some(3));
    /// ```
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }
    /// What an error does (default [`Policy::FailFast`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, Error, Policy, TaskGroup};
    /// let g = TaskGroup::builder(&Context::background()).policy(Policy::Continue).build();
    /// futures::executor::block_on(async {
    ///     g.spawn(|_| async { Err(Error::msg("x")) }).await;
    ///     assert!(g.wait().await.is_err());
    /// });
    /// ```
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }
    /// Runs tasks with `spawner` (e.g. `|f| { tokio::spawn(f); }`) instead of driving them itself.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ctxgroup::VirtualRuntime::new();
    /// let g = ctxgroup::TaskGroup::builder(&ctxgroup::Context::with_clock(rt.clock())).spawner(rt.spawner()).build();
    /// assert!(g.try_spawn(|_| async { Ok(()) }));
    /// assert_eq!(rt.live_tasks(), 1);
    /// ```
    pub fn spawner(
        mut self,
        spawner: impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static,
    ) -> Self {
        self.spawner = Some(Arc::new(spawner));
        self
    }

    /// Receives every task [`Event`].
    ///
    /// It has a cost: to report when a task sees a cancellation, each task gets a context of
    /// its own and a watch on it, and a group without a spawner no longer runs its tasks on its
    /// fastest path (about a microsecond more per task, even for a hook that does nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// static EVENTS: AtomicUsize = AtomicUsize::new(0);
    /// let g = ctxgroup::TaskGroup::builder(&ctxgroup::Context::background())
    ///     .hook(|_: &ctxgroup::group::Event<'_>| { EVENTS.fetch_add(1, Ordering::Relaxed); })
    ///     .build();
    /// g.try_spawn(|_| async { Ok(()) });
    /// assert_eq!(EVENTS.load(Ordering::Relaxed), 2); // spawned, started
    /// ```
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }
    /// Shares a hook between groups (nested groups report to their parent's recorder).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// let hook: Arc<dyn ctxgroup::group::Hook> = Arc::new(|_: &ctxgroup::group::Event<'_>| {});
    /// let outer = ctxgroup::TaskGroup::builder(&ctxgroup::Context::background()).shared_hook(hook.clone()).build();
    /// let inner = ctxgroup::TaskGroup::builder(outer.context()).shared_hook(hook).name("inner").build();
    /// ```
    pub fn shared_hook(mut self, hook: Arc<dyn Hook>) -> Self {
        self.hook = Some(hook);
        self
    }
    /// Names the group (and its context, so cancellations say where they started).
    ///
    /// # Examples
    ///
    /// ```
    /// let g = ctxgroup::TaskGroup::builder(&ctxgroup::Context::background()).name("batch").build();
    /// assert_eq!(g.context().name().as_deref(), Some("batch"));
    /// ```
    pub fn name(mut self, name: impl Into<Arc<str>>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Makes [`TaskGroup::shutdown`] abort the tasks still running when its grace period ends:
    /// each is dropped where it waits (its destructors run) and returns the group's
    /// [`Reason`](crate::Reason) as its error (the shutdown's, unless the group was cancelled
    /// before, e.g. by a fail-fast error). They are named in the report either way.
    /// A task that starts after that (its spawn was queued for a slot) is aborted as it starts.
    /// Without this, as in Go, such tasks are left running.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, TaskGroup, VirtualRuntime};
    /// let rt = VirtualRuntime::new();
    /// let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
    ///     .spawner(rt.spawner())
    ///     .abort_stragglers()
    ///     .build();
    /// let report = rt.block_on(async move {
    ///     group.task("deaf").spawn(|_| futures::future::pending()).await;
    ///     group.shutdown(Duration::from_secs(1)).await
    /// }).unwrap();
    /// assert_eq!(report.ignored, ["deaf"]);
    /// assert!(report.aborted);
    /// assert_eq!(report.result.unwrap().unwrap_err().to_string(), "context canceled");
    /// assert_eq!(rt.live_tasks(), 0); // nothing left running
    /// ```
    pub fn abort_stragglers(mut self) -> Self {
        self.abort_stragglers = true;
        self
    }

    /// Makes the group, with a new child context of the parent.
    ///
    /// # Examples
    ///
    /// ```
    /// let parent = ctxgroup::Context::background();
    /// let g = ctxgroup::TaskGroup::builder(&parent).build();
    /// assert_eq!(parent.children(), 1);
    /// drop(g);
    /// ```
    pub fn build(self) -> TaskGroup {
        self.make(false, false)
    }

    /// Makes a group whose tasks return `Result<T, E>` (`E`: `anyhow::Error`, your own type),
    /// which keeps nothing of what they return but their first error: for a long-lived group that
    /// only ever calls `wait`, as a plain group does. `wait` returns the first error, your own
    /// value, and only that error is kept ([`join_next`](TaskGroup::join_next) sees it alone);
    /// [`wait_outputs`](TaskGroup::wait_outputs) panics (use
    /// [`build_with_outputs`](Self::build_with_outputs) for outputs).
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, TaskGroup};
    /// let group: TaskGroup<(), anyhow::Error> = TaskGroup::builder(&Context::background()).build_typed();
    /// let err = futures::executor::block_on(async {
    ///     for i in 0..1_000 {
    ///         group.spawn(move |_ctx| async move {
    ///             anyhow::ensure!(i != 7, "task {i} failed");
    ///             Ok(())
    ///         }).await;
    ///     }
    ///     group.wait().await
    /// }).unwrap_err();
    /// assert_eq!(err.to_string(), "task 7 failed");
    /// assert!(format!("{group:?}").contains("kept_results: 0")); // the Ok(())s were not kept
    /// ```
    pub fn build_typed<T, E>(self) -> TaskGroup<T, E> {
        self.make(false, true)
    }

    /// Makes a group whose tasks return `Result<T, E>` and which keeps their outputs, for
    /// [`TaskGroup::join_next`] and [`TaskGroup::wait_outputs`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, TaskGroup};
    /// let group: TaskGroup<u32, anyhow::Error> =
    ///     TaskGroup::builder(&Context::background()).limit(2).build_with_outputs();
    /// let outputs = futures::executor::block_on(async {
    ///     group.spawn(|_| async { Ok(1) }).await;
    ///     group.spawn(|_| async { Ok(2) }).await;
    ///     group.wait_outputs().await
    /// }).unwrap();
    /// assert_eq!(outputs, [1, 2]);
    /// ```
    pub fn build_with_outputs<T, E>(self) -> TaskGroup<T, E> {
        self.make(true, true)
    }

    fn make<T, E>(self, keep_outputs: bool, keep_errors: bool) -> TaskGroup<T, E> {
        let (ctx, cancel) = self.parent.with_cancel();
        if let Some(name) = &self.name {
            ctx.set_name(name.clone());
        }
        TaskGroup {
            inner: Arc::new(Inner {
                ctx,
                keep_outputs,
                keep_errors,
                abort_stragglers: self.abort_stragglers,
                cancel,
                policy: self.policy,
                name: self.name,
                spawner: self.spawner,
                hook: self.hook,
                hook_failed: Default::default(),
                unlimited: std::sync::atomic::AtomicBool::new(self.limit.is_none()),
                scheduler: Arc::new(Scheduler::new(State::new(self.limit))),
            }),
        }
    }
}

impl TaskGroup {
    /// A fail-fast group with no limit on a child of `parent` (Go's `errgroup.WithContext`).
    ///
    /// It has no spawner: its tasks run while something awaits the group (`wait`,
    /// `join_next`, a `spawn` waiting for a slot), on the thread that awaits it. Unlike Go's
    /// `g.Go`, nothing runs between `spawn` and the first such await: a task the caller
    /// waits for in another way (a channel it fills) waits for ever. Give the group a spawner
    /// ([`GroupBuilder::spawner`], for example `tokio::spawn`) for tasks that run on their own.
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::TaskGroup::new(&ctxgroup::Context::background());
    /// assert!(!group.context().is_cancelled());
    /// ```
    pub fn new(parent: &Context) -> TaskGroup {
        TaskGroup::builder(parent).build()
    }

    /// Configures a group: limit, policy, spawner, hook, name.
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::TaskGroup::builder(&ctxgroup::Context::background()).limit(4).build();
    /// assert_eq!(group.limit(), Some(4));
    /// ```
    pub fn builder(parent: &Context) -> GroupBuilder {
        GroupBuilder {
            parent: parent.clone(),
            policy: Policy::default(),
            limit: None,
            spawner: None,
            hook: None,
            name: None,
            abort_stragglers: false,
        }
    }
}

impl<T: Send + 'static, E: TaskError> TaskGroup<T, E> {
    /// A fail-fast group on a child of `parent` whose tasks return `Result<T, E>`, keeping their
    /// outputs: take them as they finish ([`join_next`](Self::join_next)) or in spawn order
    /// ([`wait_outputs`](Self::wait_outputs)). `E` may be [`Error`], `anyhow::Error` or your own
    /// type (see [`TaskError`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, TaskGroup, VirtualRuntime};
    ///
    /// let rt = VirtualRuntime::new();
    /// let group = TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
    /// let firsts = rt.block_on(async move {
    ///     for secs in [3u64, 1, 2] {
    ///         group.spawn(move |ctx| async move {
    ///             ctx.sleep(Duration::from_secs(secs)).await?;
    ///             Ok::<_, anyhow::Error>(secs)
    ///         }).await;
    ///     }
    ///     let mut order = Vec::new();
    ///     while let Some(done) = group.join_next().await {
    ///         order.push(done?);
    ///     }
    ///     anyhow::Ok(order)
    /// }).unwrap().unwrap();
    /// assert_eq!(firsts, [1, 2, 3]); // as they finished
    /// ```
    pub fn with_outputs(parent: &Context) -> TaskGroup<T, E> {
        TaskGroup::builder(parent).build_with_outputs()
    }

    /// The group's context: cancelled by the first error (fail-fast), by `wait` returning, by
    /// shutdown, or with its parent.
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::TaskGroup::new(&ctxgroup::Context::background());
    /// assert!(group.context().err().is_none());
    /// ```
    pub fn context(&self) -> &Context {
        &self.inner.ctx
    }

    /// Cancels the group's context, as the cancel of a parent made for it would (Go keeps that
    /// `cancel` beside the group): every task sees `context canceled`. For "the first result
    /// wins": [`join_next`](Self::join_next), then `cancel`. Dropping a group cancels nothing,
    /// as in Go; its tasks run on. `true` if this call cancelled it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Clock, Context, TaskGroup, VirtualRuntime};
    /// let rt = VirtualRuntime::new();
    /// let group = TaskGroup::builder(&Context::with_clock(rt.clock()))
    ///     .spawner(rt.spawner())
    ///     .build_with_outputs();
    /// let (first, rest) = rt.block_on(async move {
    ///     for (mirror, secs) in [("slow", 3), ("fast", 1), ("slower", 5)] {
    ///         group.spawn(move |ctx| async move {
    ///             ctx.sleep(Duration::from_secs(secs)).await?;
    ///             Ok::<_, ctxgroup::Error>(mirror)
    ///         }).await;
    ///     }
    ///     let first = group.join_next().await;
    ///     group.cancel();
    ///     (first, group.wait().await)
    /// }).unwrap();
    /// assert_eq!(first.unwrap().unwrap(), "fast");
    /// assert_eq!(rest.unwrap_err().to_string(), "context canceled");
    /// assert_eq!(rt.clock().now(), Duration::from_secs(1)); // nobody waited for the others
    /// ```
    pub fn cancel(&self) -> bool {
        self.inner.cancel.cancel()
    }

    /// The current limit.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ctxgroup::TaskGroup::new(&ctxgroup::Context::background()).limit(), None);
    /// ```
    pub fn limit(&self) -> Option<usize> {
        self.inner.lock().limit
    }

    /// Changes the limit (`None`: no limit); queued spawns start when the new limit allows.
    /// Unlike Go's `SetLimit`, which panics while goroutines are active, it may be called at
    /// any time: tasks already running go on, above a lowered limit.
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::TaskGroup::new(&ctxgroup::Context::background());
    /// group.set_limit(Some(2));
    /// assert_eq!(group.limit(), Some(2));
    /// ```
    pub fn set_limit(&self, limit: Option<usize>) {
        let waker = {
            let mut state = self.inner.lock();
            state.limit = limit;
            self.inner
                .unlimited
                .store(limit.is_none(), std::sync::atomic::Ordering::Relaxed);
            state.slot_queue.take_front_waker()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// How many tasks are running now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ctxgroup::TaskGroup::new(&ctxgroup::Context::background()).running(), 0);
    /// ```
    pub fn running(&self) -> usize {
        self.inner.running(&self.inner.lock())
    }

    /// Names the next task (and optionally gives it its own timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::TaskGroup::new(&ctxgroup::Context::background());
    /// let _builder = group.task("fetch");
    /// ```
    pub fn task(&self, name: impl Into<Arc<str>>) -> TaskBuilder<'_, T, E> {
        TaskBuilder {
            group: self,
            name: Some(name.into()),
            timeout: None,
            cause: None,
        }
    }

    /// Starts a task, waiting for a slot first when the group is at its limit (Go's `g.Go`
    /// blocks the same way). The task gets a child of the group's context.
    ///
    /// A task that awaits this for a task of its own group, under a limit, can wait forever
    /// for a slot that only its own return frees (as in Go): from inside a task, use
    /// [`try_spawn`](Self::try_spawn), or a group of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, TaskGroup};
    /// let group = TaskGroup::new(&Context::background());
    /// futures::executor::block_on(async {
    ///     group.spawn(|_ctx| async { Ok(()) }).await;
    ///     group.wait().await.unwrap();
    /// });
    /// ```
    pub async fn spawn<F, Fut>(&self, task: F)
    where
        F: FnOnce(Context) -> Fut + Send,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        if self.inner.drives_plain(&None)
            && self
                .inner
                .unlimited
                .load(std::sync::atomic::Ordering::Relaxed)
        {
            // A limit set meanwhile gives the task's body back: it waits for a slot (boxed:
            // rare, and the spawn's own future stays small).
            if let Some(body) = self.inner.spawn_plain(task) {
                Box::pin(self.queue_when_free(body)).await;
            }
            return;
        }
        self.spawn_named(None, None, task).await
    }

    /// Queues a plain task whose body is made, once a slot is free (`spawn` found a limit set
    /// after it made the body). Generic only in the body: a spawn closure's type does not make
    /// a second copy of the whole spawn.
    async fn queue_when_free<Fut>(&self, body: Fut)
    where
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let (id, slot) = self.claim_or_wait(&None, false).await;
        self.inner.queue_plain(id, slot, body);
    }

    /// Starts a task only if a slot is free now (Go's `TryGo`); returns whether it started.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, TaskGroup};
    /// let group = TaskGroup::builder(&Context::background()).limit(1).build();
    /// assert!(group.try_spawn(|_| futures::future::pending()));
    /// assert!(!group.try_spawn(|_| async { Ok(()) }));
    /// ```
    #[must_use = "try_spawn starts nothing when no slot is free: check whether it started"]
    pub fn try_spawn<F, Fut>(&self, task: F) -> bool
    where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        self.try_spawn_named(None, None, task)
    }

    fn try_spawn_named<F, Fut>(
        &self,
        name: Option<Arc<str>>,
        timeout: Option<Deadline>,
        task: F,
    ) -> bool
    where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let listed = self.inner.lists_at_spawn(&name, &timeout);
        let Some((id, slot)) = self.inner.claim_free_slot(None, &name, listed) else {
            return false;
        };
        self.inner.emit(id, &name, EventKind::Spawned);
        self.inner.start(id, slot, name, timeout, task);
        true
    }

    async fn spawn_named<F, Fut>(&self, name: Option<Arc<str>>, timeout: Option<Deadline>, task: F)
    where
        F: FnOnce(Context) -> Fut + Send,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let listed = self.inner.lists_at_spawn(&name, &timeout);
        let (id, slot) = self.claim_or_wait(&name, listed).await;
        self.inner.start(id, slot, name, timeout, task);
    }

    /// A new task's id and its entry among the running tasks (if `listed`), once a slot is
    /// free: at once for most spawns (one lock), or after waiting in line. Reports the spawn.
    async fn claim_or_wait(&self, name: &Option<Arc<str>>, listed: bool) -> (u64, usize) {
        let mut id = None;
        if let Some((id, slot)) = self.inner.claim_free_slot(Some(&mut id), name, listed) {
            self.inner.emit(id, name, EventKind::Spawned);
            return (id, slot);
        }
        let id = id.expect("an id is given out when no slot is free");
        self.inner.emit(id, name, EventKind::Spawned);
        let slot = SlotWait {
            group: &self.inner,
            ticket: None,
            task: id,
            name,
            listed,
            queued: false,
        }
        .await;
        (id, slot)
    }

    /// Waits until every started task has returned; then cancels the group's context (as Go's
    /// errgroup does) and returns the first error (every error under [`Policy::CollectAll`]).
    ///
    /// The first call to return an error returns the task's own error value. `E` need not be
    /// `Clone`, so a later call (or `wait_outputs` after `join_next`) returns it rebuilt from
    /// its message, as `E::from(Errors)`; with [`Error`], every call returns the same error.
    ///
    /// A panic of an [`after_cancel`](Context::after_cancel) callback that the group's own
    /// cancels ran (on a task's failure, at the end of a task's own
    /// [`timeout`](TaskBuilder::timeout) context, or this closing one) comes out of `wait`, once
    /// every task returned, whatever executor ran the task (or out of
    /// [`join_next`](Self::join_next), when it finds every task returned).
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, Error, Policy, TaskGroup};
    /// let group = TaskGroup::builder(&Context::background()).policy(Policy::CollectAll).build();
    /// let err = futures::executor::block_on(async {
    ///     group.spawn(|_| async { Err(Error::msg("a")) }).await;
    ///     group.spawn(|_| async { Err(Error::msg("b")) }).await;
    ///     group.wait().await
    /// }).unwrap_err();
    /// assert_eq!(err.to_string(), "a\nb"); // errors.Join
    /// ```
    pub async fn wait(&self) -> Result<(), E> {
        self.all_returned().await;
        self.close();
        self.result()
    }

    /// Go's `defer cancel()` once every task returned, then the panic of a callback that the
    /// group's cancel on a task's failure, or a task's own context's, ran, if one did.
    fn close(&self) {
        // Taken first: a panic of this cancel's callbacks must not leave it for the next wait.
        let kept = self.inner.lock().callback_panic.take();
        let closing = std::panic::catch_unwind(AssertUnwindSafe(|| {
            self.inner.cancel.cancel_because(Cause::GroupDone)
        }));
        if let Some(panic) = kept.or(closing.err()) {
            std::panic::resume_unwind(panic);
        }
    }

    /// Waits for every started task, like [`wait`](Self::wait), and returns the outputs not
    /// yet taken by [`join_next`](Self::join_next), in the order the tasks were spawned; or
    /// the error `wait` would return. Only a group made with outputs keeps them
    /// ([`with_outputs`](Self::with_outputs)); a plain group's outputs are `()` and not kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, TaskGroup, VirtualRuntime};
    ///
    /// let rt = VirtualRuntime::new();
    /// let group = TaskGroup::with_outputs(&Context::with_clock(rt.clock()));
    /// let pages = rt.block_on(async move {
    ///     for (page, secs) in [("a", 2), ("b", 1)] {
    ///         group.spawn(move |ctx| async move {
    ///             ctx.sleep(Duration::from_secs(secs)).await?;
    ///             Ok::<_, ctxgroup::Error>(page)
    ///         }).await;
    ///     }
    ///     group.wait_outputs().await
    /// }).unwrap().unwrap();
    /// assert_eq!(pages, ["a", "b"]); // in spawn order, though "b" finished first
    /// ```
    ///
    /// # Panics
    ///
    /// On a group that keeps no outputs (made with [`build`](GroupBuilder::build) or
    /// [`build_typed`](GroupBuilder::build_typed)): they were dropped as the tasks returned,
    /// and an empty list would say they returned nothing. Call [`wait`](Self::wait) there.
    pub async fn wait_outputs(&self) -> Result<Vec<T>, E> {
        assert!(
            self.inner.keep_outputs,
            "wait_outputs on a group that keeps no outputs (made with build or build_typed): \
             call wait, or make the group with build_with_outputs"
        );
        self.all_returned().await;
        self.close();
        self.result()?;
        // Taken out first: the user's values are gone through with the lock released.
        let finished = std::mem::take(&mut self.inner.lock().finished);
        let mut outputs: Vec<(u64, T)> = finished
            .into_iter()
            .filter_map(|(id, result)| result.ok().map(|output| (id, output)))
            .collect();
        outputs.sort_by_key(|(id, _)| *id);
        Ok(outputs.into_iter().map(|(_, output)| output).collect())
    }

    /// The next task to finish: its result, taken from the group; `None` when no task is
    /// running and every result was taken. Unlike [`wait`](Self::wait) it does not cancel the
    /// group's context. Only a group made with outputs keeps results
    /// ([`with_outputs`](Self::with_outputs)); on a plain group it waits for the tasks and
    /// returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, Error, TaskGroup};
    /// let group = TaskGroup::with_outputs(&Context::background());
    /// futures::executor::block_on(async {
    ///     group.spawn(|_| async { Err::<u8, _>(Error::msg("boom")) }).await;
    ///     assert_eq!(group.join_next().await.unwrap().unwrap_err().to_string(), "boom");
    ///     assert!(group.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&self) -> Option<Result<T, E>> {
        let mut waiting = Waiting {
            group: &self.inner,
            list: |state| &mut state.joiners,
            entry: None,
        };
        poll_fn(|cx| {
            self.inner.drive(cx);
            let mut state = self.inner.lock();
            if let Some((_, result)) = state.finished.pop_front() {
                let gone = state.joiners.remove(&mut waiting.entry);
                drop((state, gone));
                return Poll::Ready(Some(result));
            }
            if state.running == 0 {
                let gone = state.joiners.remove(&mut waiting.entry);
                // Every task returned: a callback's panic kept for `wait` is the joiner's now.
                let panic = state.callback_panic.take();
                drop((state, gone));
                if let Some(panic) = panic {
                    std::panic::resume_unwind(panic);
                }
                return Poll::Ready(None);
            }
            state.joiners.register(&mut waiting.entry, cx.waker());
            Poll::Pending
        })
        .await
    }

    /// Completes once no task is running.
    async fn all_returned(&self) {
        let mut waiting = Waiting {
            group: &self.inner,
            list: |state| &mut state.waiters,
            entry: None,
        };
        poll_fn(|cx| {
            self.inner.drive(cx);
            let mut state = self.inner.lock();
            if state.running > 0 {
                state.waiters.register(&mut waiting.entry, cx.waker());
                return Poll::Pending;
            }
            let gone = state.waiters.remove(&mut waiting.entry);
            drop((state, gone));
            Poll::Ready(())
        })
        .await;
    }

    /// The errors recorded so far: every one under [`Policy::CollectAll`], in the order tasks
    /// returned them; under the others the first, what `wait` returns (Go's errgroup keeps no
    /// other, so a group as long-lived as a server does not grow with its failures). Every
    /// result is also [`join_next`](Self::join_next)'s, on a group with outputs, and a
    /// [`Hook`]'s `Finished` event.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ctxgroup::TaskGroup::new(&ctxgroup::Context::background()).errors().is_empty());
    /// ```
    pub fn errors(&self) -> Vec<Error> {
        self.inner.lock().errors.clone()
    }

    /// What `wait` returns once every task has: the first error (taken from the kept results
    /// when still there; `join_next` or an earlier `wait` may have taken it), every error
    /// joined under `CollectAll`, or `Ok`.
    fn result(&self) -> Result<(), E> {
        /// What the state holds; made into `E` once the lock is released (`From` impls are
        /// the user's code).
        enum Found<E> {
            Nothing,
            All(Vec<Error>),
            Kept(E),
            First(Error),
        }
        let found = {
            let mut state = self.inner.lock();
            match (self.inner.policy, state.errors.len()) {
                (_, 0) => Found::Nothing,
                (Policy::CollectAll, _) => Found::All(state.errors.clone()),
                _ => {
                    let first = state.first_error_task;
                    let kept = state
                        .finished
                        .iter()
                        .position(|(id, r)| Some(*id) == first && r.is_err());
                    match kept.and_then(|i| state.finished.remove(i)) {
                        Some((_, Err(e))) => Found::Kept(e),
                        _ => Found::First(state.errors[0].clone()),
                    }
                }
            }
        };
        match found {
            Found::Nothing => Ok(()),
            Found::All(errors) => Err(E::from(Errors(errors))),
            Found::Kept(e) => Err(e),
            Found::First(e) => Err(from_error(e)),
        }
    }

    /// Cancels the group's context, waits up to `grace` for the tasks to return, and names those
    /// that did not (they ignored the cancellation; they are left running, or aborted in a group
    /// built with [`GroupBuilder::abort_stragglers`]).
    ///
    /// The cancel, and the grace's start, happen at the call, as a deadline's would: not when
    /// the returned future is first polled. A task that returns at the grace's very instant (on
    /// a virtual clock, a timer due with the grace's) is in time, not named.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, TaskGroup, VirtualRuntime};
    /// let rt = VirtualRuntime::new();
    /// let group = TaskGroup::builder(&Context::with_clock(rt.clock())).spawner(rt.spawner()).build();
    /// let report = rt.block_on(async move {
    ///     group.task("polite").spawn(|ctx| async move { ctx.done().await; Ok(()) }).await;
    ///     group.task("deaf").spawn(|_| futures::future::pending()).await;
    ///     group.shutdown(Duration::from_secs(1)).await
    /// }).unwrap();
    /// assert_eq!(report.ignored, ["deaf"]);
    /// ```
    pub fn shutdown(&self, grace: Duration) -> impl Future<Output = ShutdownReport<E>> + Send + '_ {
        self.inner.cancel.cancel_because(Cause::Shutdown);
        let timer = clock::sleep(self.inner.ctx.clock().clone(), grace);
        self.shutdown_wait(timer)
    }

    async fn shutdown_wait(&self, timer: clock::Sleep) -> ShutdownReport<E> {
        let wait = self.wait();
        futures::pin_mut!(timer, wait);
        let mut wait = match futures::future::select(wait, timer).await {
            futures::future::Either::Left((result, _)) => return ShutdownReport::in_time(result),
            futures::future::Either::Right(((), wait)) => wait,
        };
        // A task whose end falls on the grace's very instant (a virtual clock fires its timer
        // with the grace's) is in time, as in Go, where the grace's timer is armed later: the
        // tasks those timers woke run (on the executor, or driven by `wait` in a group without
        // a spawner) before the stragglers are counted.
        let mut yielded = false;
        let ended = poll_fn(|cx| {
            if !std::mem::replace(&mut yielded, true) {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Poll::Ready(wait.as_mut().poll(cx))
        })
        .await;
        if let Poll::Ready(result) = ended {
            return ShutdownReport::in_time(result);
        }
        let (ignored, aborts, kept_panic) = {
            let mut state = self.inner.lock();
            // The listed tasks, then those not listed yet (queued, or in their first poll), by
            // id: the state's lock, held, keeps them from finishing or being listed meanwhile.
            // One sort: a stable one keeps a listed task's name first.
            let mut running: Vec<(u64, Option<Arc<str>>)> = state
                .running_tasks
                .values()
                .map(|task| (task.id, task.name.clone()))
                .collect();
            let unlisted = self.inner.scheduler.unlisted(&state);
            running.extend(unlisted.into_iter().map(|id| (id, None)));
            running.sort_by_key(|(id, _)| *id);
            running.dedup_by_key(|(id, _)| *id);
            let mut ignored: Vec<String> = running
                .iter()
                .map(|(id, name)| task_name(*id, name).to_string())
                .collect();
            // A driver on another thread holds the rest in its batch, or their spawn closures
            // are still running: counted, as they cannot be named.
            let unseen = self.inner.running(&state).saturating_sub(ignored.len());
            if unseen > 0 {
                ignored.push(format!("{unseen} more not polled yet"));
            }
            let aborts: Vec<AbortHandle> = state
                .running_tasks
                .values()
                .filter_map(|task| task.abort.clone())
                .collect();
            state.aborting |= self.inner.abort_stragglers && !ignored.is_empty();
            // A report of stragglers left running is the caller's last look at the group: a
            // callback's panic kept for `wait` is theirs now.
            let kept_panic = (!ignored.is_empty() && !self.inner.abort_stragglers)
                .then(|| state.callback_panic.take())
                .flatten();
            (ignored, aborts, kept_panic)
        };
        if let Some(panic) = kept_panic {
            std::panic::resume_unwind(panic);
        }
        // None left (they returned at this instant, or on other threads since): that is
        // `wait`'s result.
        let aborted = !ignored.is_empty();
        if aborted && !self.inner.abort_stragglers {
            return ShutdownReport {
                result: None,
                ignored,
                aborted: false,
            };
        }
        for abort in aborts {
            abort.abort();
        }
        ShutdownReport {
            result: Some(wait.await),
            ignored,
            aborted,
        }
    }
}

impl<T: Send + 'static, E: TaskError> TaskBuilder<'_, T, E> {
    /// Gives the task its own deadline, `timeout` after it starts (a `WithTimeout` child of the
    /// group's context). That context is cancelled when the task returns, as Go's
    /// `defer cancel()`: what the task left running on it sees `context canceled`.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = ctxgroup::TaskGroup::new(&ctxgroup::Context::background());
    /// let _t = g.task("fetch").timeout(std::time::Duration::from_secs(2));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Starts the task, waiting for a slot first when the group is at its limit.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = ctxgroup::TaskGroup::new(&ctxgroup::Context::background());
    /// futures::executor::block_on(async {
    ///     g.task("a").spawn(|_| async { Ok(()) }).await;
    ///     g.wait().await.unwrap();
    /// });
    /// ```
    pub async fn spawn<F, Fut>(self, task: F)
    where
        F: FnOnce(Context) -> Fut + Send,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let deadline = self.deadline();
        self.group.spawn_named(self.name, deadline, task).await
    }
}

impl<T, E> Inner<T, E> {
    /// The state (with the queue of the tasks the group drives itself), even if a panic
    /// poisoned its lock (nothing in it is left half-changed).
    fn lock(&self) -> MutexGuard<'_, Queue<State<T, E>>> {
        self.scheduler.lock()
    }

    /// The tasks running, from the state in hand: less those a driver has seen return in its
    /// current round and not settled yet (see `driven::Turn`).
    fn running(&self, state: &State<T, E>) -> usize {
        state
            .running
            .saturating_sub(self.scheduler.unsettled(false))
    }
}

impl<T: Send + 'static, E: TaskError> Inner<T, E> {
    /// Whether a task is listed among the running tasks from its spawn. A plain task the group
    /// drives itself, without a name, is listed only once it waits ([`Owner::keep`]): until
    /// then the scheduler names it, from its id, if a shutdown asks.
    fn lists_at_spawn(&self, name: &Option<Arc<str>>, timeout: &Option<Deadline>) -> bool {
        name.is_some() || !self.drives_plain(timeout)
    }

    /// Whether the group drives a task itself as a plain cell: no spawner, no hook, no
    /// timeout of its own, no abort.
    fn drives_plain(&self, timeout: &Option<Deadline>) -> bool {
        self.spawner.is_none() && timeout.is_none() && self.hook.is_none() && !self.abort_stragglers
    }

    /// Takes a slot for a new task if one is free and nobody is queued for one: the task's id
    /// and its entry among the running tasks. When none is free, a blocking spawn still gets
    /// its id (in `queued_id`) to report the spawn by; `try_spawn` passes `None` and spends none.
    fn claim_free_slot(
        &self,
        queued_id: Option<&mut Option<u64>>,
        name: &Option<Arc<str>>,
        listed: bool,
    ) -> Option<(u64, usize)> {
        let mut state = self.lock();
        if state.slot_queue.is_empty() && state.limit.map_or(true, |l| state.running < l) {
            state.running += 1;
            let id = state.next_id();
            let slot = state.list(id, name, listed);
            return Some((id, slot));
        }
        if let Some(queued_id) = queued_id {
            *queued_id = Some(state.next_id());
        }
        None
    }

    /// Tells the hook an event of a task's context (see [`TaskEvents`]).
    fn tell(&self, task: u64, name: &Option<Arc<str>>, told: &Told) {
        let kind = match told {
            Told::CancelRequested(reason) => EventKind::CancelRequested(reason),
            Told::Check { cancelled } => EventKind::Check {
                cancelled: *cancelled,
            },
            Told::CancelObserved(reason) => EventKind::CancelObserved(reason),
        };
        self.emit(task, name, kind);
    }

    /// Tells the hook. A hook that panics is reported on standard error and not called again:
    /// the group itself goes on (its tasks finish, `wait` returns).
    #[inline]
    fn emit(&self, task: u64, name: &Option<Arc<str>>, kind: EventKind<'_>) {
        if let Some(hook) = &self.hook {
            self.emit_to(hook, task, name, kind);
        }
    }

    fn emit_to(&self, hook: &HookRef, task: u64, name: &Option<Arc<str>>, kind: EventKind<'_>) {
        if self.hook_failed.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let name = task_name(task, name);
        let event = Event {
            at: self.ctx.now(),
            task,
            name: &name,
            group: self.name.as_deref(),
            kind,
        };
        if let Err(panic) = std::panic::catch_unwind(AssertUnwindSafe(|| hook.event(&event))) {
            if !self
                .hook_failed
                .swap(true, std::sync::atomic::Ordering::Relaxed)
            {
                crate::error::report(format_args!(
                    "a group's trace hook panicked ({}); it is not called again",
                    crate::error::panic_message(&*panic)
                ));
            }
        }
    }

    /// Spawns a plain task without a name in a group with no limit: its body is made first (no
    /// slot to wait for), then the task is counted and queued in one lock. Gives the body back
    /// if a limit set meanwhile leaves no slot free (or spawns are queued for one).
    fn spawn_plain<F, Fut>(self: &Arc<Self>, task: F) -> Option<Fut>
    where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let body = match std::panic::catch_unwind(AssertUnwindSafe(|| task(self.ctx.clone()))) {
            Ok(body) => body,
            Err(panic) => {
                // Counted, then failed, as any task whose spawn closure panics.
                let id = {
                    let mut state = self.lock();
                    state.running += 1;
                    state.next_id()
                };
                self.spawn_closure_panicked(id, UNLISTED, &None, TaskEnd::default(), panic)
            }
        };
        let group = Arc::downgrade(self);
        let drivers = {
            let mut state = self.lock();
            if !state.slot_queue.is_empty() || state.limit.is_some_and(|l| state.running >= l) {
                return Some(body);
            }
            state.running += 1;
            let id = state.next_id();
            state.push(Arc::new(PlainCell::new(group, id, UNLISTED, body)))
        };
        for waker in drivers {
            waker.wake();
        }
        None
    }

    /// Queues a plain task whose body is made, counted already (`slot`: its entry, if listed).
    fn queue_plain<Fut>(self: &Arc<Self>, id: u64, slot: usize, body: Fut)
    where
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        // Kept among the running tasks only once it waits (`Owner::keep`): one that returns at
        // its first poll never takes the lock for it.
        let cell = Arc::new(PlainCell::new(Arc::downgrade(self), id, slot, body));
        self.scheduler.schedule(cell);
    }

    fn start<F, Fut>(
        self: &Arc<Self>,
        id: u64,
        slot: usize,
        name: Option<Arc<str>>,
        timeout: Option<Deadline>,
        task: F,
    ) where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        if self.drives_plain(&timeout) {
            // A plain task the group drives itself: its future is the cell's.
            let body = match std::panic::catch_unwind(AssertUnwindSafe(|| task(self.ctx.clone()))) {
                Ok(body) => body,
                Err(panic) => {
                    self.spawn_closure_panicked(id, slot, &name, TaskEnd::default(), panic)
                }
            };
            self.queue_plain(id, slot, body);
            return;
        }
        // A per-task child context only when something needs one: its own deadline, or a hook
        // that reports when cancellation reaches this task.
        let (ctx, own) = match timeout {
            Some((t, cause)) => {
                let (ctx, cancel) = match cause {
                    Some(cause) => self.ctx.with_timeout_cause(t, cause),
                    None => self.ctx.with_timeout(t),
                };
                ctx.set_name(task_name(id, &name));
                (ctx, Some(OwnContext::Deadline(cancel.drop_guard())))
            }
            None if self.hook.is_some() => {
                let (ctx, cancel) = self.ctx.with_cancel();
                (ctx, Some(OwnContext::Watched(cancel)))
            }
            None => (self.ctx.clone(), None),
        };
        self.emit(id, &name, EventKind::Started);
        // What the hook was told of the task, in order across threads; ended with the task:
        // what it left running may look at its context later (its end cancels a deadline
        // context), and no event of the task comes after its end.
        let events = (own.is_some() && self.hook.is_some()).then(|| Arc::new(TaskEvents::new()));
        if let Some(events) = &events {
            // Report how the task looks at its own context: checks, and the first time it sees
            // the cancellation (told after the cancel itself, whichever thread tells that).
            let me = Arc::downgrade(self);
            let n = name.clone();
            let events = events.clone();
            ctx.set_observer(Box::new(move |look| {
                let Some(me) = me.upgrade() else { return };
                let (check, seen) = match look {
                    Look::Check(reason) => (Some(reason.is_some()), reason),
                    Look::Done(reason) => (None, Some(reason)),
                };
                events.looked(check, seen, |told| me.tell(id, &n, told));
            }));
        }
        let watch = events.as_ref().map(|events| {
            let me = Arc::downgrade(self);
            let n = name.clone();
            let events = events.clone();
            ctx.after_cancel(move |reason| {
                if let Some(me) = me.upgrade() {
                    events.requested(reason, |told| me.tell(id, &n, told));
                }
            })
        });
        let end = TaskEnd { watch, own, events };
        let body = match std::panic::catch_unwind(AssertUnwindSafe(|| task(ctx))) {
            Ok(body) => body,
            Err(panic) => self.spawn_closure_panicked(id, slot, &name, end, panic),
        };
        // A task on a spawner keeps its group alive, so a detached task (the group dropped
        // before it ends, Go's leaked goroutine) is still reported. A task the group drives
        // itself lives in the group's own task list: it holds the group weakly, or a group
        // dropped without `wait` would keep itself alive through that list.
        let me = match self.spawner {
            Some(_) => GroupRef::Strong(self.clone()),
            None => GroupRef::Weak(Arc::downgrade(self)),
        };
        // If the task's future is dropped before its body returns (a spawner that panics or
        // drops it, a runtime shutting down), the guard finishes it, so `wait` does not wait
        // for it forever.
        let unfinished = Unfinished {
            group: me,
            id,
            slot,
            name,
            end,
            armed: true,
            started: false,
        };
        // What happens once the task's body has returned, whichever way it ran.
        let done = move |mut unfinished: Unfinished<T, E>, result: Result<T, E>| {
            unfinished.armed = false;
            // A callback on the task's context may panic in its cancel: the panic goes on to
            // the group's waiter (an executor's thread would lose it), kept before the task
            // counts as finished so that the wait it ends sees it.
            let ended = unfinished.end.end();
            unfinished.group.with(|me| {
                if let Err(panic) = ended {
                    me.lock().callback_panic.get_or_insert(panic);
                }
                me.finish(id, slot, &unfinished.name, result)
            });
        };
        // Two task futures, so that a group that never aborts does not carry the abort's
        // state in every task.
        if self.abort_stragglers {
            let (abort, registration) = AbortHandle::new_pair();
            let mut state = self.lock();
            if state.aborting {
                // The shutdown's abort came while the spawn closure ran: this task is a
                // straggler too. (Not polled yet, it has no waker to wake under the lock.)
                abort.abort();
            }
            if let Some(task) = state.running_tasks.get_mut(slot) {
                task.abort = Some(abort);
            }
            drop(state);
            let stopped_by = self.ctx.clone();
            self.launch(slot, async move {
                let mut unfinished = unfinished;
                unfinished.started = true;
                let body =
                    Some(AssertUnwindSafe(Abortable::new(body, registration)).catch_unwind());
                futures::pin_mut!(body);
                let outcome = poll_fn(|cx| {
                    body.as_mut()
                        .as_pin_mut()
                        .expect("polled until ready")
                        .poll(cx)
                })
                .await;
                // An aborted task is dropped where it waited: its destructors may panic too.
                let dropped = std::panic::catch_unwind(AssertUnwindSafe(|| body.set(None)));
                let result = match (outcome, dropped) {
                    (Err(panic), _) | (_, Err(panic)) => Err(E::from(Panicked::new(panic))),
                    (Ok(Ok(result)), Ok(())) => result,
                    // The group's reason: the shutdown's, or a fail-fast error's if that came first.
                    (Ok(Err(_aborted)), Ok(())) => Err(E::from(
                        stopped_by
                            .err()
                            .expect("aborted only by a shutdown, which cancels"),
                    )),
                };
                done(unfinished, result)
            })
        } else {
            self.launch(slot, async move {
                let mut unfinished = unfinished;
                unfinished.started = true;
                let result = match AssertUnwindSafe(body).catch_unwind().await {
                    Ok(result) => result,
                    Err(panic) => Err(E::from(Panicked::new(panic))),
                };
                done(unfinished, result)
            })
        }
    }

    /// The spawn closure itself panicked: the task is over before it began. Records it, so
    /// `wait` does not wait for it, then lets the panic go on to the caller.
    #[cold]
    fn spawn_closure_panicked(
        &self,
        id: u64,
        slot: usize,
        name: &Option<Arc<str>>,
        mut end: TaskEnd,
        panic: Box<dyn std::any::Any + Send>,
    ) -> ! {
        // Its cancel's callbacks may panic too; the spawn closure's panic is the one that goes on.
        let _ = end.end();
        let message = Panicked::new(Box::new(crate::error::panic_message(&*panic)));
        let _ = self.finish_with_error(id, slot, name, || E::from(message), UNCONVERTIBLE_PANIC);
        std::panic::resume_unwind(panic)
    }

    /// Hands a task's future to the spawner, or to the group's own scheduler.
    #[inline]
    fn launch(&self, slot: usize, task: impl Future<Output = ()> + Send + 'static) {
        match &self.spawner {
            Some(spawn) => spawn(Box::pin(task)),
            None => self.schedule_own(slot, self.scheduler.task(task)),
        }
    }

    /// Queues a task the group drives itself, recorded first among the running tasks (so a
    /// group dropped before it ends drops its future).
    #[inline]
    fn schedule_own(&self, slot: usize, cell: TaskRef) {
        // Recorded before it can run (and finish, and free its entry for another task).
        if let Some(running) = self.lock().running_tasks.get_mut(slot) {
            running.cell = Some(cell.clone());
        }
        self.scheduler.schedule(cell);
    }

    fn finish(&self, id: u64, slot: usize, name: &Option<Arc<str>>, result: Result<T, E>) {
        let result = match self.let_go_of_output(result) {
            Ok(result) => result,
            // The output's `Drop` panicked: that is the task's panic (a panic of its conversion
            // too is dropped: the error says so).
            Err(panic) => {
                let make = || E::from(Panicked::new(panic));
                let _ = self.finish_with_error(id, slot, name, make, UNCONVERTIBLE_PANIC);
                return;
            }
        };
        let error = result.as_ref().err().map(as_error);
        self.settle_task(id, slot, name, result, error)
    }

    /// Ends a task with the error `make` builds, the user's `From`: if that panics, an error
    /// of ours (`fallback`) stands in, so the task ends all the same, and the panic is
    /// returned.
    fn finish_with_error(
        &self,
        id: u64,
        slot: usize,
        name: &Option<Arc<str>>,
        make: impl FnOnce() -> E,
        fallback: &'static str,
    ) -> Option<Box<dyn std::any::Any + Send>> {
        match std::panic::catch_unwind(AssertUnwindSafe(make)) {
            Ok(error) => {
                self.finish(id, slot, name, Err(error));
                None
            }
            Err(panic) => {
                // An error `E` cannot hold: recorded and reported, nothing kept for
                // `join_next`.
                self.settle_task(id, slot, name, Ok(None), Some(Error::msg(fallback)));
                Some(panic)
            }
        }
    }

    fn settle_task(
        &self,
        id: u64,
        slot: usize,
        name: &Option<Arc<str>>,
        result: Result<Option<T>, E>,
        error: Option<Error>,
    ) {
        // The error is recorded, and under fail-fast the group cancelled, while this task still
        // counts as running: a `wait` polled meanwhile cannot return first and cancel the group
        // as done (Go's errgroup cancels before `wg.Done`).
        let mut first_error = None;
        // Only the first error is kept, as Go's errgroup keeps it (a group as long-lived as a
        // server does not grow with its failures); every one under `CollectAll`.
        let mut is_first = false;
        if let Some(e) = &error {
            let mut state = self.lock();
            if state.errors.is_empty() {
                is_first = true;
                state.first_error_task = Some(id);
                if self.policy == Policy::FailFast {
                    first_error = Some(e.clone());
                }
                state.errors.push(e.clone());
            } else if self.policy == Policy::CollectAll {
                state.errors.push(e.clone());
            }
        }
        self.emit(
            id,
            name,
            EventKind::Finished(match &error {
                Some(e) => Err(e),
                None => Ok(()),
            }),
        );
        // An after-cancel callback that panics: the panic goes on to the group's waiter (this
        // task may run on an executor's thread, which would lose it), once this task is
        // counted as finished.
        let cancelled = first_error.map(|error| {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                self.cancel.cancel_because(Cause::TaskFailed {
                    task: task_name(id, name),
                    error,
                })
            }))
        });
        let wake = {
            let mut state = self.lock();
            state.running -= 1;
            if slot != UNLISTED {
                state.running_tasks.remove(slot);
            }
            match result {
                Ok(Some(output)) => state.finished.push_back((id, Ok(output))),
                // Without outputs, the first error is kept as it is, for `wait`.
                Err(error) if self.keep_outputs || (self.keep_errors && is_first) => {
                    state.finished.push_back((id, Err(error)))
                }
                _ => {}
            }
            if let Some(Err(panic)) = cancelled {
                state.callback_panic.get_or_insert(panic);
            }
            state.released()
        };
        for w in wake {
            w.wake();
        }
    }

    /// The output of a task, kept (`Some`) if the group keeps outputs, else dropped here: a
    /// `Drop` that panics (`Err`, its panic) is the task's panic, as one in its body is,
    /// wherever the task ran.
    fn let_go_of_output(
        &self,
        result: Result<T, E>,
    ) -> Result<Result<Option<T>, E>, Box<dyn std::any::Any + Send>> {
        match result {
            Ok(output) if self.keep_outputs => Ok(Ok(Some(output))),
            Ok(output) => {
                std::panic::catch_unwind(AssertUnwindSafe(|| drop(output))).map(|()| Ok(None))
            }
            Err(error) => Ok(Err(error)),
        }
    }

    /// Polls the group's own tasks (no spawner) on behalf of whoever is waiting on the group.
    fn drive(&self, cx: &mut TaskContext<'_>) {
        if self.spawner.is_none() {
            self.scheduler.drive(cx, self);
        }
    }
}

impl<T: Send + 'static, E: TaskError> Owner for Inner<T, E> {
    type Output = Result<T, E>;

    fn schedule(&self, task: TaskRef) {
        self.scheduler.schedule(task);
    }

    fn keep(&self, id: u64, slot: usize, task: TaskRef) -> usize {
        let mut state = self.lock();
        let slot = match slot {
            UNLISTED => state.list(id, &None, true),
            listed => listed,
        };
        if let Some(running) = state.running_tasks.get_mut(slot) {
            running.cell = Some(task);
        }
        slot
    }

    #[inline]
    fn finished(
        &self,
        id: u64,
        slot: usize,
        output: std::thread::Result<Result<T, E>>,
        turn: &mut Turn<'_>,
    ) {
        // Nothing to record, report or keep, and no limit (whose slots must come free at once):
        // counted with the others of the round.
        if slot == UNLISTED
            && !self.keep_outputs
            && matches!(output, Ok(Ok(_)))
            && self.unlimited.load(std::sync::atomic::Ordering::Relaxed)
        {
            // Its output is dropped here; one whose `Drop` panics makes it a failed task.
            match std::panic::catch_unwind(AssertUnwindSafe(|| drop(output))) {
                Ok(()) => turn.returned(),
                Err(panic) => self.finished_listed(id, slot, Err(panic)),
            }
            return;
        }
        self.finished_listed(id, slot, output)
    }
}

impl<T: Send + 'static, E: TaskError> Inner<T, E> {
    /// A plain task that finished with something to record or keep, or that is listed.
    #[inline(never)]
    fn finished_listed(&self, id: u64, slot: usize, output: std::thread::Result<Result<T, E>>) {
        let name = match slot {
            UNLISTED => None,
            _ => self
                .lock()
                .running_tasks
                .get_mut(slot)
                .and_then(|task| task.name.clone()),
        };
        // `E::from` is the user's code: one that panics too must not leave the task unfinished
        // (every later `wait` would hang). The task ends with an error of ours, then that
        // panic goes on.
        let conversion_panic = match output {
            Ok(result) => {
                self.finish(id, slot, &name, result);
                None
            }
            Err(panic) => self.finish_with_error(
                id,
                slot,
                &name,
                || E::from(Panicked::new(panic)),
                UNCONVERTIBLE_PANIC,
            ),
        };
        if let Some(panic) = conversion_panic {
            std::panic::resume_unwind(panic);
        }
    }
}

impl<T: Send + 'static, E: TaskError> Driven for Inner<T, E> {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn settle(&self, n: usize) {
        let wake = {
            let mut state = self.lock();
            state.running -= n;
            self.scheduler.unsettled(true);
            state.released()
        };
        for w in wake {
            w.wake();
        }
    }

    fn wake_drivers(&self) {
        self.scheduler.wake_drivers();
    }
}

/// How a task refers to its group (see `Inner::start`).
enum GroupRef<T, E> {
    Strong(Arc<Inner<T, E>>),
    Weak(std::sync::Weak<Inner<T, E>>),
}

impl<T, E> GroupRef<T, E> {
    fn get(&self) -> Option<Arc<Inner<T, E>>> {
        match self {
            GroupRef::Strong(group) => Some(group.clone()),
            GroupRef::Weak(group) => group.upgrade(),
        }
    }

    /// Calls `f` with the group if it is still there; a strong reference is borrowed, not
    /// cloned (two atomic operations fewer for every task on a spawner).
    fn with(&self, f: impl FnOnce(&Inner<T, E>)) {
        match self {
            GroupRef::Strong(group) => f(group),
            GroupRef::Weak(group) => {
                if let Some(group) = group.upgrade() {
                    f(&group)
                }
            }
        }
    }
}

/// Finishes a task whose future is dropped before its body returns: its spawner panicked or
/// dropped it (`tokio::spawn` outside a runtime, an executor that is closed), or its executor
/// dropped it mid-run (a runtime shutting down). Otherwise it would count as running forever
/// and `wait` would never return. It ends with an error that says so, as tokio's `JoinSet`
/// reports such a task cancelled: not a panic (a caller that resumes panics must not resume
/// one for every runtime shut down), carried as an [`Errors`] of one message.
struct Unfinished<T: Send + 'static, E: TaskError> {
    group: GroupRef<T, E>,
    id: u64,
    slot: usize,
    name: Option<Arc<str>>,
    /// What ends with the task, either way.
    end: TaskEnd,
    armed: bool,
    /// Whether it was polled.
    started: bool,
}

impl<T: Send + 'static, E: TaskError> Drop for Unfinished<T, E> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        // We may be unwinding already: a cancel callback's panic here would abort the process.
        let _ = self.end.end();
        if let Some(group) = self.group.get() {
            let why = if self.started {
                "the task was dropped before it finished (its executor dropped it: a runtime shutting down?)"
            } else {
                "the task was dropped before it started (its spawner dropped it or panicked)"
            };
            // We may be unwinding already (the spawner's panic, or the user's `From`'s): a
            // panic here, a cancel callback's or a conversion's, would abort the process.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
                group.finish_with_error(
                    self.id,
                    self.slot,
                    &self.name,
                    || E::from(Errors(vec![Error::msg(why)])),
                    why,
                )
            }));
        }
    }
}

/// A task's error when it panicked and the conversion of its panic to the task's error type
/// panicked too.
const UNCONVERTIBLE_PANIC: &str =
    "the task panicked, and so did the conversion of its panic to the task's error type";

/// What ends with a task, whichever way it ends (its body returns, its executor drops it, its
/// spawn closure panics), so that no event of the task comes after its end.
#[derive(Default)]
struct TaskEnd {
    /// The hook's watch of the task's context.
    watch: Option<crate::AfterCancel>,
    /// The task's own context.
    own: Option<OwnContext>,
    /// What the hook was told of the task: its end silences the watch and the observer.
    events: Option<Arc<TaskEvents>>,
}

impl TaskEnd {
    /// Silences the observer, stops the watch, then ends the task's own context: `Err` with the
    /// panic of a callback its cancel ran.
    fn end(&mut self) -> std::thread::Result<()> {
        if let Some(events) = &self.events {
            events.end();
        }
        if let Some(watch) = self.watch.take() {
            watch.stop();
        }
        let own = self.own.take();
        std::panic::catch_unwind(AssertUnwindSafe(|| drop(own)))
    }
}

/// A task's own context, made when it has a deadline or the group a hook; held for its drop.
#[allow(dead_code)]
enum OwnContext {
    /// `timeout`'s context: cancelled when the task ends, as Go's `defer cancel()` of a
    /// `WithTimeout`, so what the task left running on it stops and its timer goes.
    Deadline(CancelGuard),
    /// A child made only for the hook's events: released, not cancelled, as in Go the task has
    /// the group's context, cancelled when `wait` returns.
    Watched(CancelFn),
}

/// A future waiting on the group (`wait`, `join_next`): its waker's entry in one of the
/// group's lists, taken out when the future is dropped before it is done.
struct Waiting<'a, T, E> {
    group: &'a Arc<Inner<T, E>>,
    list: fn(&mut State<T, E>) -> &mut Wakers,
    entry: Entry,
}

impl<T, E> Drop for Waiting<'_, T, E> {
    fn drop(&mut self) {
        if self.entry.is_some() {
            // Dropped after the lock: a waker's drop is the executor's code.
            let waker = (self.list)(&mut self.group.lock()).remove(&mut self.entry);
            drop(waker);
        }
    }
}

/// Waits for a free slot, in order of arrival; drives the group's own tasks meanwhile.
struct SlotWait<'a, T, E> {
    group: &'a Arc<Inner<T, E>>,
    ticket: Option<u64>,
    task: u64,
    name: &'a Option<Arc<str>>,
    /// Whether the task is listed among the running tasks from its start.
    listed: bool,
    queued: bool,
}

impl<T: Send + 'static, E: TaskError> Future for SlotWait<'_, T, E> {
    /// The task's entry among the running tasks.
    type Output = usize;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<usize> {
        let group = self.group;
        let mut newly_queued = false;
        {
            let mut state = group.lock();
            let free = state.limit.map_or(true, |l| state.running < l);
            let first = match self.ticket {
                Some(t) => state.slot_queue.is_first(t),
                None => state.slot_queue.is_empty(),
            };
            if free && first {
                if self.ticket.take().is_some() {
                    state.slot_queue.pop_front();
                }
                state.running += 1;
                let slot = state.list(self.task, self.name, self.listed);
                // The next in line may fit too (the limit was raised).
                let next = state.slot_queue.take_front_waker();
                drop(state);
                if let Some(w) = next {
                    w.wake();
                }
                return Poll::Ready(slot);
            }
            match self.ticket {
                Some(t) => state.slot_queue.set_waker(t, cx.waker()),
                None => self.ticket = Some(state.slot_queue.push(cx.waker().clone())),
            }
            if !self.queued {
                self.queued = true;
                newly_queued = true;
            }
        }
        if newly_queued {
            group.emit(self.task, self.name, EventKind::Queued);
        }
        group.drive(cx);
        // Driving may have freed a slot for us; the finishing task woke us if so.
        Poll::Pending
    }
}

impl<T, E> Drop for SlotWait<'_, T, E> {
    fn drop(&mut self) {
        if let Some(t) = self.ticket.take() {
            let next = {
                let mut state = self.group.lock();
                state.slot_queue.remove(t);
                state.slot_queue.take_front_waker()
            };
            if let Some(w) = next {
                w.wake();
            }
        }
    }
}

/// A task's own timeout, from its start, and the cause its deadline gives.
type Deadline = (Duration, Option<Error>);

/// A task's name: the one it was given, or `task-N`.
fn task_name(id: u64, name: &Option<Arc<str>>) -> Arc<str> {
    match name {
        Some(n) => n.clone(),
        None => format!("task-{id}").into(),
    }
}

impl<T, E> fmt::Debug for TaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.lock();
        f.debug_struct("TaskGroup")
            .field("name", &self.inner.name)
            .field("policy", &self.inner.policy)
            .field("limit", &state.limit)
            .field("running", &state.running)
            .field("queued", &state.slot_queue.len())
            .field("errors", &state.errors.len())
            .field("waiting", &(state.waiters.len() + state.joiners.len()))
            .field("kept_results", &state.finished.len())
            .finish()
    }
}

impl fmt::Debug for GroupBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupBuilder")
            .field("policy", &self.policy)
            .field("limit", &self.limit)
            .field("name", &self.name)
            .finish()
    }
}

impl<T, E> fmt::Debug for TaskBuilder<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskBuilder")
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .finish()
    }
}
