//! Task groups: Go's `errgroup`, plus limits, failure policies, shutdown and trace hooks.

use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;

use crate::context::{Look, Slab};
use crate::{clock, CancelFn, Cause, Context, Error, Errors};

mod hooks;
mod task_builder;
use hooks::HookRef;
pub use hooks::{Event, EventKind, Hook};

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
    /// (`errgroup.WithContext`).
    #[default]
    FailFast,
    /// Errors are recorded, nothing is cancelled, `wait` returns the first (a plain `errgroup.Group`).
    Continue,
    /// Nothing is cancelled; `wait` returns every error, in the order they happened, as an
    /// [`Errors`] (Go's `errors.Join`), even when there is one.
    CollectAll,
}

type Spawner = Arc<dyn Fn(BoxFuture<'static, ()>) + Send + Sync>;

/// A group of tasks sharing a context: Go's `errgroup.Group`, runtime-agnostic.
///
/// A task's panic becomes its error ([`Panicked`](crate::error::Panicked)) on native targets;
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
#[derive(Clone)]
pub struct TaskGroup {
    inner: Arc<Inner>,
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
}

struct Inner {
    ctx: Context,
    cancel: CancelFn,
    policy: Policy,
    name: Option<Arc<str>>,
    spawner: Option<Spawner>,
    hook: Option<HookRef>,
    hook_failed: std::sync::atomic::AtomicBool,
    state: Mutex<State>,
    local: Mutex<FuturesUnordered<BoxFuture<'static, ()>>>,
    incoming: Mutex<Vec<BoxFuture<'static, ()>>>,
    drivers: Arc<DriverWake>,
}

#[derive(Default)]
struct State {
    limit: Option<usize>,
    running: usize,
    next_ticket: u64,
    slot_queue: VecDeque<(u64, Option<Waker>)>,
    errors: Vec<Error>,
    waiters: Vec<Waker>,
    next_task: u64,
    /// Running tasks (id, name if given), for shutdown's report; a slab, so start and finish
    /// are O(1) and allocation-free in the steady state.
    running_tasks: Slab<(u64, Option<Arc<str>>)>,
}

impl State {
    /// A new task id, unique within the group.
    fn next_id(&mut self) -> u64 {
        self.next_task += 1;
        self.next_task - 1
    }
}

/// Wakes every future currently driving the group's own tasks.
#[derive(Default)]
struct DriverWake(Mutex<Vec<Waker>>);

impl Wake for DriverWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        let wakers = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        for w in wakers {
            w.wake();
        }
    }
}

/// What [`TaskGroup::shutdown`] found.
///
/// # Examples
///
/// ```
/// let report = ctxgroup::group::ShutdownReport { result: Some(Ok(())), ignored: vec![] };
/// assert!(report.is_clean());
/// ```
#[derive(Debug)]
pub struct ShutdownReport {
    /// What `wait` returned, if every task returned within the grace period.
    pub result: Option<Result<(), Error>>,
    /// The tasks still running when the grace period ended: they ignored the cancellation.
    pub ignored: Vec<String>,
}

impl ShutdownReport {
    /// Whether every task stopped within the grace period.
    ///
    /// # Examples
    ///
    /// ```
    /// let report = ctxgroup::group::ShutdownReport { result: None, ignored: vec!["t1".into()] };
    /// assert!(!report.is_clean());
    /// ```
    pub fn is_clean(&self) -> bool {
        self.ignored.is_empty()
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
pub struct TaskBuilder<'g> {
    group: &'g TaskGroup,
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
        let (ctx, cancel) = self.parent.with_cancel();
        if let Some(name) = &self.name {
            ctx.set_name(name.clone());
        }
        TaskGroup {
            inner: Arc::new(Inner {
                ctx,
                cancel,
                policy: self.policy,
                name: self.name,
                spawner: self.spawner,
                hook: self.hook,
                hook_failed: Default::default(),
                state: Mutex::new(State {
                    limit: self.limit,
                    ..State::default()
                }),
                local: Mutex::new(FuturesUnordered::new()),
                incoming: Mutex::new(Vec::new()),
                drivers: Arc::default(),
            }),
        }
    }
}

impl TaskGroup {
    /// A fail-fast group with no limit on a child of `parent` (Go's `errgroup.WithContext`).
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
        }
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

    /// The current limit.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ctxgroup::TaskGroup::new(&ctxgroup::Context::background()).limit(), None);
    /// ```
    pub fn limit(&self) -> Option<usize> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .limit
    }

    /// Changes the limit (`None`: no limit); queued spawns start when the new limit allows.
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
            let mut state = self
                .inner
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            state.limit = limit;
            state.slot_queue.front_mut().and_then(|(_, w)| w.take())
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
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .running
    }

    /// Names the next task (and optionally gives it its own timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::TaskGroup::new(&ctxgroup::Context::background());
    /// let _builder = group.task("fetch");
    /// ```
    pub fn task(&self, name: impl Into<Arc<str>>) -> TaskBuilder<'_> {
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
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.spawn_named(None, None, task).await
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
    pub fn try_spawn<F, Fut>(&self, task: F) -> bool
    where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
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
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        let id = {
            let mut state = self
                .inner
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !state.slot_queue.is_empty() || state.limit.is_some_and(|l| state.running >= l) {
                return false;
            }
            state.running += 1;
            state.next_id()
        };
        self.inner.emit(id, &name, EventKind::Spawned);
        self.inner.start(id, name, timeout, task);
        true
    }

    async fn spawn_named<F, Fut>(&self, name: Option<Arc<str>>, timeout: Option<Deadline>, task: F)
    where
        F: FnOnce(Context) -> Fut + Send,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        let id = self.inner.register();
        self.inner.emit(id, &name, EventKind::Spawned);
        SlotWait {
            group: &self.inner,
            ticket: None,
            task: id,
            name: &name,
            queued: false,
        }
        .await;
        self.inner.start(id, name, timeout, task);
    }

    /// Waits until every started task has returned; then cancels the group's context (as Go's
    /// errgroup does) and returns the first error (every error under [`Policy::CollectAll`]).
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
    pub async fn wait(&self) -> Result<(), Error> {
        poll_fn(|cx| {
            self.inner.drive(cx);
            let mut state = self
                .inner
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if state.running > 0 {
                if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                    state.waiters.push(cx.waker().clone());
                }
                return Poll::Pending;
            }
            Poll::Ready(())
        })
        .await;
        self.inner.cancel.cancel_because(Cause::GroupDone);
        self.result()
    }

    /// The errors recorded so far, in the order tasks returned them.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ctxgroup::TaskGroup::new(&ctxgroup::Context::background()).errors().is_empty());
    /// ```
    pub fn errors(&self) -> Vec<Error> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .errors
            .clone()
    }

    fn result(&self) -> Result<(), Error> {
        let state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match (self.inner.policy, state.errors.len()) {
            (_, 0) => Ok(()),
            (Policy::CollectAll, _) => Err(Error::new(Errors(state.errors.clone()))),
            _ => Err(state.errors[0].clone()),
        }
    }

    /// Cancels the group's context, waits up to `grace` for the tasks to return, and names those
    /// that did not (they ignored the cancellation; they are left running).
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
    pub async fn shutdown(&self, grace: Duration) -> ShutdownReport {
        self.inner.cancel.cancel_because(Cause::Shutdown);
        let timer = clock::sleep(self.inner.ctx.clock().clone(), grace);
        let wait = self.wait();
        futures::pin_mut!(timer, wait);
        match futures::future::select(wait, timer).await {
            futures::future::Either::Left((result, _)) => ShutdownReport {
                result: Some(result),
                ignored: Vec::new(),
            },
            futures::future::Either::Right(((), _)) => {
                let state = self
                    .inner
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let mut running: Vec<&(u64, Option<Arc<str>>)> =
                    state.running_tasks.values().collect();
                running.sort_by_key(|(id, _)| *id);
                let ignored = running
                    .into_iter()
                    .map(|(id, name)| task_name(*id, name).to_string())
                    .collect();
                ShutdownReport {
                    result: None,
                    ignored,
                }
            }
        }
    }
}

impl<'g> TaskBuilder<'g> {
    /// Gives the task its own deadline, `timeout` after it starts (a `WithTimeout` child of the
    /// group's context).
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
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        let deadline = self.deadline();
        self.group.spawn_named(self.name, deadline, task).await
    }
}

impl Inner {
    fn register(&self) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .next_id()
    }

    /// Tells the hook. A hook that panics is reported on standard error and not called again:
    /// the group itself goes on (its tasks finish, `wait` returns).
    fn emit(&self, task: u64, name: &Option<Arc<str>>, kind: EventKind<'_>) {
        let Some(hook) = &self.hook else { return };
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
                eprintln!(
                    "ctxgroup: a group's trace hook panicked ({}); it is not called again",
                    panic_text(&panic)
                );
            }
        }
    }

    fn start<F, Fut>(
        self: &Arc<Self>,
        id: u64,
        name: Option<Arc<str>>,
        timeout: Option<Deadline>,
        task: F,
    ) where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        let slot = self
            .state
            .lock()
            .unwrap()
            .running_tasks
            .insert((id, name.clone()));
        // A per-task child context only when something needs one: its own deadline, or a hook
        // that reports when cancellation reaches this task.
        let (ctx, own) = match timeout {
            Some((t, cause)) => {
                let (ctx, cancel) = match cause {
                    Some(cause) => self.ctx.with_timeout_cause(t, cause),
                    None => self.ctx.with_timeout(t),
                };
                ctx.set_name(task_name(id, &name));
                (ctx, Some(cancel))
            }
            None if self.hook.is_some() => {
                let (ctx, cancel) = self.ctx.with_cancel();
                (ctx, Some(cancel))
            }
            None => (self.ctx.clone(), None),
        };
        self.emit(id, &name, EventKind::Started);
        if own.is_some() && self.hook.is_some() {
            // Report how the task looks at its own context: checks, and the first time it sees
            // the cancellation.
            let me = Arc::downgrade(self);
            let n = name.clone();
            let observed = std::sync::atomic::AtomicBool::new(false);
            ctx.set_observer(Box::new(move |look| {
                let Some(me) = me.upgrade() else { return };
                let seen = match look {
                    Look::Check(reason) => {
                        me.emit(
                            id,
                            &n,
                            EventKind::Check {
                                cancelled: reason.is_some(),
                            },
                        );
                        reason
                    }
                    Look::Done(reason) => Some(reason),
                };
                if let Some(reason) = seen {
                    if !observed.swap(true, std::sync::atomic::Ordering::Relaxed) {
                        me.emit(id, &n, EventKind::CancelObserved(reason));
                    }
                }
            }));
        }
        let watch = self.hook.as_ref().map(|_| {
            let me = Arc::downgrade(self);
            let n = name.clone();
            ctx.after_cancel(move |reason| {
                if let Some(me) = me.upgrade() {
                    me.emit(id, &n, EventKind::CancelRequested(reason));
                }
            })
        });
        let body = match std::panic::catch_unwind(AssertUnwindSafe(|| task(ctx))) {
            Ok(body) => body,
            Err(panic) => {
                // The spawn closure itself panicked: the task is over before it began. Record
                // it, so `wait` does not wait for it, then let the panic go on to the caller.
                if let Some(watch) = watch {
                    watch.stop();
                }
                drop(own);
                let message = crate::error::Panicked::new(Box::new(panic_text(&panic)));
                self.finish(id, slot, &name, Err(Error::new(message)));
                std::panic::resume_unwind(panic);
            }
        };
        // A task on a spawner keeps its group alive, so a detached task (the group dropped
        // before it ends, Go's leaked goroutine) is still reported. A task the group drives
        // itself lives in the group's own task list: it holds the group weakly, or a group
        // dropped without `wait` would keep itself alive through that list.
        let me = match self.spawner {
            Some(_) => GroupRef::Strong(self.clone()),
            None => GroupRef::Weak(Arc::downgrade(self)),
        };
        let wrapped = async move {
            let result = match AssertUnwindSafe(body).catch_unwind().await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(e),
                Err(panic) => Err(Error::new(crate::error::Panicked::new(panic))),
            };
            if let Some(watch) = watch {
                watch.stop();
            }
            drop(own); // the task's own context is released with the task (Go's deferred cancel)
            if let Some(me) = me.get() {
                me.finish(id, slot, &name, result);
            }
        };
        match &self.spawner {
            Some(spawn) => spawn(Box::pin(wrapped)),
            None => {
                self.incoming
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(Box::pin(wrapped));
                self.drivers.wake_by_ref();
            }
        }
    }

    fn finish(&self, id: u64, slot: usize, name: &Option<Arc<str>>, result: Result<(), Error>) {
        let (wake, first_error) = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.running -= 1;
            state.running_tasks.remove(slot);
            let mut first_error = None;
            if let Err(e) = &result {
                if state.errors.is_empty() && self.policy == Policy::FailFast {
                    first_error = Some(e.clone());
                }
                state.errors.push(e.clone());
            }
            let mut wake: Vec<Waker> = Vec::new();
            if let Some(w) = state.slot_queue.front_mut().and_then(|(_, w)| w.take()) {
                wake.push(w);
            }
            if state.running == 0 {
                wake.append(&mut state.waiters);
            }
            (wake, first_error)
        };
        self.emit(id, name, EventKind::Finished(result.as_ref().map(|_| ())));
        if let Some(error) = first_error {
            self.cancel.cancel_because(Cause::TaskFailed {
                task: task_name(id, name),
                error,
            });
        }
        for w in wake {
            w.wake();
        }
    }

    /// Polls the group's own tasks (no spawner) on behalf of whoever is waiting on the group.
    fn drive(&self, cx: &mut TaskContext<'_>) {
        if self.spawner.is_some() {
            return;
        }
        {
            let mut drivers = self
                .drivers
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !drivers.iter().any(|w| w.will_wake(cx.waker())) {
                drivers.push(cx.waker().clone());
            }
        }
        // Another poller is already driving (e.g. a task waiting on its own group): let it.
        let Ok(mut local) = self.local.try_lock() else {
            return;
        };
        let waker = Waker::from(self.drivers.clone());
        let mut inner_cx = TaskContext::from_waker(&waker);
        loop {
            local.extend(
                self.incoming
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .drain(..),
            );
            match local.poll_next_unpin(&mut inner_cx) {
                Poll::Ready(Some(())) => continue,
                _ if !self
                    .incoming
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .is_empty() =>
                {
                    continue
                }
                _ => break,
            }
        }
    }
}

/// How a task refers to its group (see `Inner::start`).
enum GroupRef {
    Strong(Arc<Inner>),
    Weak(std::sync::Weak<Inner>),
}

impl GroupRef {
    fn get(&self) -> Option<Arc<Inner>> {
        match self {
            GroupRef::Strong(group) => Some(group.clone()),
            GroupRef::Weak(group) => group.upgrade(),
        }
    }
}

/// Waits for a free slot, in order of arrival; drives the group's own tasks meanwhile.
struct SlotWait<'a> {
    group: &'a Arc<Inner>,
    ticket: Option<u64>,
    task: u64,
    name: &'a Option<Arc<str>>,
    queued: bool,
}

impl Future for SlotWait<'_> {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let group = self.group;
        let mut newly_queued = false;
        {
            let mut state = group.state.lock().unwrap_or_else(PoisonError::into_inner);
            let free = state.limit.map_or(true, |l| state.running < l);
            let first = match self.ticket {
                Some(t) => state.slot_queue.front().is_some_and(|(f, _)| *f == t),
                None => state.slot_queue.is_empty(),
            };
            if free && first {
                if self.ticket.take().is_some() {
                    state.slot_queue.pop_front();
                }
                state.running += 1;
                // The next in line may fit too (the limit was raised).
                let next = state.slot_queue.front_mut().and_then(|(_, w)| w.take());
                drop(state);
                if let Some(w) = next {
                    w.wake();
                }
                return Poll::Ready(());
            }
            match self.ticket {
                Some(t) => {
                    if let Some(entry) = state.slot_queue.iter_mut().find(|(f, _)| *f == t) {
                        entry.1 = Some(cx.waker().clone());
                    }
                }
                None => {
                    let t = state.next_ticket;
                    state.next_ticket += 1;
                    state.slot_queue.push_back((t, Some(cx.waker().clone())));
                    self.ticket = Some(t);
                }
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

impl Drop for SlotWait<'_> {
    fn drop(&mut self) {
        if let Some(t) = self.ticket.take() {
            let next = {
                let mut state = self
                    .group
                    .state
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                state.slot_queue.retain(|(f, _)| *f != t);
                state.slot_queue.front_mut().and_then(|(_, w)| w.take())
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

/// A panic's text, for the error recorded when the payload itself goes on unwinding.
fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

impl fmt::Debug for TaskGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("TaskGroup")
            .field("name", &self.inner.name)
            .field("policy", &self.inner.policy)
            .field("limit", &state.limit)
            .field("running", &state.running)
            .field("queued", &state.slot_queue.len())
            .field("errors", &state.errors.len())
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

impl fmt::Debug for TaskBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskBuilder")
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .finish()
    }
}
