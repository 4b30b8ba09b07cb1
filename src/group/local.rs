//! [`LocalTaskGroup`]: a group whose tasks need not be `Send`, for single-threaded executors
//! (`futures::executor::LocalPool`, `wasm_bindgen_futures::spawn_local`, tokio's `LocalSet`).
//!
//! It is a [`TaskGroup`] underneath. A task's future, its spawn closure and the spawner are
//! wrapped in [`OnItsThread`], which is `Send` because it refuses to be touched from any thread
//! but the one that made it: polling or calling it elsewhere panics, dropping it elsewhere leaks
//! it. `LocalTaskGroup` itself is neither `Send` nor `Sync`, so in safe use everything stays on
//! its thread and the checks never fire.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::thread::{self, ThreadId};
use std::time::Duration;

use futures::future::LocalBoxFuture;

use super::{GroupBuilder, ShutdownReport, TaskBuilder, TaskError, TaskGroup};
use crate::{Context, Error};

/// A task's spawn closure made `Send` by staying on its thread, with the future it makes.
fn on_its_thread<F, Fut>(task: F) -> impl FnOnce(Context) -> OnItsThread<Fut> + Send
where
    F: FnOnce(Context) -> Fut + 'static,
{
    let task = OnItsThread::new(task);
    move |ctx| OnItsThread::new(task.take()(ctx))
}

/// A value usable only on the thread that made it (see the module's documentation).
struct OnItsThread<V> {
    value: ManuallyDrop<V>,
    thread: ThreadId,
}

// SAFETY: the value is only reached through `get`/`get_pin`, which panic on any other thread
// than the one that made it, and `Drop` leaks it there instead of dropping it: a `V` that is not
// `Send` or `Sync` is never used from two threads.
unsafe impl<V> Send for OnItsThread<V> {}
// SAFETY: as above; shared access goes through the same checks.
unsafe impl<V> Sync for OnItsThread<V> {}

impl<V> OnItsThread<V> {
    fn new(value: V) -> Self {
        OnItsThread {
            value: ManuallyDrop::new(value),
            thread: thread::current().id(),
        }
    }

    fn check(&self) {
        assert!(
            thread::current().id() == self.thread,
            "ctxgroup: a LocalTaskGroup's task, spawn closure or spawner was used from another thread"
        );
    }

    fn get(&self) -> &V {
        self.check();
        &self.value
    }

    fn take(mut self) -> V {
        self.check();
        // SAFETY: `self` is forgotten right after, so the value is not dropped twice.
        let value = unsafe { ManuallyDrop::take(&mut self.value) };
        std::mem::forget(self);
        value
    }
}

impl<V> Drop for OnItsThread<V> {
    fn drop(&mut self) {
        if thread::current().id() == self.thread {
            // SAFETY: dropped once, here, on its own thread.
            unsafe { ManuallyDrop::drop(&mut self.value) }
        }
        // On another thread (the last handle to a group went there): leaked, never touched.
    }
}

impl<F: Future> Future for OnItsThread<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        self.check();
        // SAFETY: structural pinning of `value`: it is never moved out while pinned (`take` is
        // only used on closures, which are not pinned), and `Drop` does not move it.
        unsafe { self.map_unchecked_mut(|me| &mut *me.value).poll(cx) }
    }
}

/// A [`TaskGroup`] whose tasks need not be `Send`: for `LocalPool`, `spawn_local` in the
/// browser, or a group that drives its own tasks on one thread. Made with
/// [`LocalTaskGroup::new`], [`LocalTaskGroup::with_outputs`] or
/// [`GroupBuilder::build_local`] / [`GroupBuilder::build_local_with_outputs`] (a
/// [`local_spawner`](GroupBuilder::local_spawner) hands tasks to a single-threaded executor).
/// The group itself stays on the thread that made it; outputs must still be `Send`.
///
/// # Examples
///
/// A task holding an `Rc` across an `await`, on `LocalPool`:
///
/// ```
/// use std::rc::Rc;
/// use futures::executor::LocalPool;
/// use futures::task::LocalSpawnExt;
/// use ctxgroup::{group::LocalTaskGroup, Context, TaskGroup};
///
/// let mut pool = LocalPool::new();
/// let spawner = pool.spawner();
/// let group: LocalTaskGroup<usize> = TaskGroup::builder(&Context::background())
///     .local_spawner(move |task| spawner.spawn_local(task).unwrap())
///     .build_local_with_outputs();
/// let lengths = pool.run_until(async move {
///     let shared = Rc::new(String::from("not Send"));
///     for _ in 0..3 {
///         let shared = shared.clone();
///         group.spawn(move |ctx| async move {
///             ctx.check()?;
///             futures::future::ready(()).await; // the Rc lives across an await
///             Ok::<_, ctxgroup::Error>(shared.len())
///         }).await;
///     }
///     group.wait_outputs().await
/// }).unwrap();
/// assert_eq!(lengths, [8, 8, 8]);
/// ```
///
/// It cannot leave its thread:
///
/// ```compile_fail
/// fn needs_send<S: Send>(_: S) {}
/// needs_send(ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background()));
/// ```
pub struct LocalTaskGroup<T = (), E = Error> {
    group: TaskGroup<T, E>,
    /// Neither `Send` nor `Sync`: the group and its tasks stay on one thread.
    on_one_thread: PhantomData<*const ()>,
}

impl LocalTaskGroup {
    /// A fail-fast group on a child of `parent` that drives its own tasks whenever `wait` (or
    /// a blocked `spawn`, or `join_next`) is polled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// let count = Rc::new(Cell::new(0));
    /// futures::executor::block_on(async {
    ///     let c = count.clone();
    ///     group.spawn(move |_| async move { c.set(c.get() + 1); Ok(()) }).await;
    ///     group.wait().await
    /// }).unwrap();
    /// assert_eq!(count.get(), 1);
    /// ```
    pub fn new(parent: &Context) -> LocalTaskGroup {
        TaskGroup::builder(parent).build_local()
    }
}

impl<T: Send + 'static, E: TaskError> LocalTaskGroup<T, E> {
    /// A fail-fast, self-driven group that keeps its tasks' outputs (see
    /// [`TaskGroup::with_outputs`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::with_outputs(&ctxgroup::Context::background());
    /// let out = futures::executor::block_on(async {
    ///     let local = std::rc::Rc::new(7);
    ///     group.spawn(move |_| async move { Ok::<_, ctxgroup::Error>(*local) }).await;
    ///     group.wait_outputs().await
    /// }).unwrap();
    /// assert_eq!(out, [7]);
    /// ```
    pub fn with_outputs(parent: &Context) -> Self {
        TaskGroup::builder(parent).build_local_with_outputs()
    }

    /// The group's context ([`TaskGroup::context`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// assert!(!group.context().is_cancelled());
    /// ```
    pub fn context(&self) -> &Context {
        self.group.context()
    }

    /// Cancels the group's context ([`TaskGroup::cancel`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// assert!(group.cancel());
    /// assert!(group.context().is_cancelled());
    /// ```
    pub fn cancel(&self) -> bool {
        self.group.cancel()
    }

    /// Starts a task, waiting for a slot first ([`TaskGroup::spawn`]); the task and its future
    /// need not be `Send`.
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// futures::executor::block_on(async {
    ///     let rc = std::rc::Rc::new(());
    ///     group.spawn(move |_| async move { drop(rc); Ok(()) }).await;
    ///     group.wait().await
    /// }).unwrap();
    /// ```
    pub async fn spawn<F, Fut>(&self, task: F)
    where
        F: FnOnce(Context) -> Fut + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        self.group.spawn(on_its_thread(task)).await
    }

    /// A task with a name, for hooks and shutdown reports, and optionally its own deadline
    /// ([`TaskGroup::task`]); its body need not be `Send`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// futures::executor::block_on(async {
    ///     let rc = std::rc::Rc::new(());
    ///     group.task("fetch").timeout(Duration::from_secs(2))
    ///         .spawn(move |_| async move { drop(rc); Ok(()) }).await;
    ///     group.wait().await
    /// }).unwrap();
    /// ```
    pub fn task(&self, name: impl Into<std::sync::Arc<str>>) -> LocalTaskBuilder<'_, T, E> {
        LocalTaskBuilder {
            task: self.group.task(name),
            on_one_thread: PhantomData,
        }
    }

    /// Starts a task only if a slot is free now ([`TaskGroup::try_spawn`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, TaskGroup};
    /// let group = TaskGroup::builder(&Context::background()).limit(1).build_local();
    /// assert!(group.try_spawn(|_| futures::future::pending()));
    /// assert!(!group.try_spawn(|_| async { Ok(()) }));
    /// ```
    #[must_use = "try_spawn starts nothing when no slot is free: check whether it started"]
    pub fn try_spawn<F, Fut>(&self, task: F) -> bool
    where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        self.group.try_spawn(move |ctx| OnItsThread::new(task(ctx)))
    }

    /// Waits for every task ([`TaskGroup::wait`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// assert!(futures::executor::block_on(group.wait()).is_ok());
    /// ```
    pub async fn wait(&self) -> Result<(), E> {
        self.group.wait().await
    }

    /// The outputs in spawn order ([`TaskGroup::wait_outputs`]).
    ///
    /// # Panics
    ///
    /// On a group that keeps no outputs, as [`TaskGroup::wait_outputs`].
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::<u8>::with_outputs(&ctxgroup::Context::background());
    /// assert_eq!(futures::executor::block_on(group.wait_outputs()).unwrap(), []);
    /// ```
    pub async fn wait_outputs(&self) -> Result<Vec<T>, E> {
        self.group.wait_outputs().await
    }

    /// The next task to finish ([`TaskGroup::join_next`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::<u8>::with_outputs(&ctxgroup::Context::background());
    /// futures::executor::block_on(async {
    ///     group.spawn(|_| async { Ok(1) }).await;
    ///     assert_eq!(group.join_next().await.unwrap().unwrap(), 1);
    /// });
    /// ```
    pub async fn join_next(&self) -> Option<Result<T, E>> {
        self.group.join_next().await
    }

    /// Cancels (at the call), waits up to `grace`, names the stragglers
    /// ([`TaskGroup::shutdown`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// let report = futures::executor::block_on(group.shutdown(std::time::Duration::from_secs(1)));
    /// assert!(report.is_clean());
    /// ```
    pub fn shutdown(&self, grace: Duration) -> impl Future<Output = ShutdownReport<E>> + '_ {
        self.group.shutdown(grace)
    }

    /// How many tasks are running now.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background()).running(), 0);
    /// ```
    pub fn running(&self) -> usize {
        self.group.running()
    }

    /// Changes the limit ([`TaskGroup::set_limit`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// group.set_limit(Some(2));
    /// ```
    pub fn set_limit(&self, limit: Option<usize>) {
        self.group.set_limit(limit)
    }

    /// The current limit ([`TaskGroup::limit`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// group.set_limit(Some(2));
    /// assert_eq!(group.limit(), Some(2));
    /// ```
    pub fn limit(&self) -> Option<usize> {
        self.group.limit()
    }

    /// The errors recorded so far: every one under `CollectAll`, else the first
    /// ([`TaskGroup::errors`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, Error, Policy, TaskGroup};
    /// let group = TaskGroup::builder(&Context::background()).policy(Policy::CollectAll).build_local();
    /// futures::executor::block_on(async {
    ///     let local = std::rc::Rc::new("not Send");
    ///     group.spawn(move |_| async move { Err(Error::msg(format!("{local}: boom"))) }).await;
    ///     let _ = group.wait().await;
    /// });
    /// assert_eq!(group.errors()[0].to_string(), "not Send: boom");
    /// ```
    pub fn errors(&self) -> Vec<Error> {
        self.group.errors()
    }
}

/// A task of a [`LocalTaskGroup`] being set up ([`LocalTaskGroup::task`]): a
/// [`TaskBuilder`](crate::group::TaskBuilder) whose task need not be `Send`.
#[must_use = "call spawn() to start the task"]
pub struct LocalTaskBuilder<'g, T = (), E = Error> {
    task: TaskBuilder<'g, T, E>,
    /// Neither `Send` nor `Sync`, as its group.
    on_one_thread: PhantomData<*const ()>,
}

impl<T: Send + 'static, E: TaskError> LocalTaskBuilder<'_, T, E> {
    /// Gives the task its own deadline, `timeout` after it starts
    /// ([`TaskBuilder::timeout`](crate::group::TaskBuilder::timeout)).
    ///
    /// # Examples
    ///
    /// ```
    /// let g = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// let _t = g.task("fetch").timeout(std::time::Duration::from_secs(2));
    /// ```
    pub fn timeout(self, timeout: Duration) -> Self {
        self.map(|t| t.timeout(timeout))
    }

    /// [`timeout`](Self::timeout) with a cause (Go's `WithTimeoutCause`,
    /// [`TaskBuilder::timeout_cause`](crate::group::TaskBuilder::timeout_cause)).
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{group::LocalTaskGroup, Context, Error};
    /// let g = LocalTaskGroup::new(&Context::background());
    /// let _t = g.task("fetch").timeout_cause(std::time::Duration::from_secs(2), Error::msg("API too slow"));
    /// ```
    pub fn timeout_cause(self, timeout: Duration, cause: Error) -> Self {
        self.map(|t| t.timeout_cause(timeout, cause))
    }

    /// Starts the task, waiting for a slot first when the group is at its limit.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = ctxgroup::group::LocalTaskGroup::new(&ctxgroup::Context::background());
    /// futures::executor::block_on(async {
    ///     let rc = std::rc::Rc::new(1);
    ///     g.task("a").spawn(move |_| async move { drop(rc); Ok(()) }).await;
    ///     g.wait().await.unwrap();
    /// });
    /// ```
    pub async fn spawn<F, Fut>(self, task: F)
    where
        F: FnOnce(Context) -> Fut + 'static,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        self.task.spawn(on_its_thread(task)).await
    }

    /// Starts the task only if a slot is free now (errgroup's `TryGo`); returns whether it
    /// started.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, TaskGroup};
    /// let group = TaskGroup::builder(&Context::background()).limit(1).build_local();
    /// assert!(group.task("slow").try_spawn(|_| futures::future::pending()));
    /// assert!(!group.task("extra").try_spawn(|_| async { Ok(()) }));
    /// ```
    #[must_use = "try_spawn starts nothing when no slot is free: check whether it started"]
    pub fn try_spawn<F, Fut>(self, task: F) -> bool
    where
        F: FnOnce(Context) -> Fut,
        Fut: Future<Output = Result<T, E>> + 'static,
    {
        self.task.try_spawn(move |ctx| OnItsThread::new(task(ctx)))
    }

    fn map(self, f: impl FnOnce(TaskBuilder<'_, T, E>) -> TaskBuilder<'_, T, E>) -> Self {
        LocalTaskBuilder {
            task: f(self.task),
            on_one_thread: PhantomData,
        }
    }
}

impl<T, E> fmt::Debug for LocalTaskBuilder<'_, T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LocalTaskBuilder").field(&self.task).finish()
    }
}

impl<T, E> Clone for LocalTaskGroup<T, E> {
    fn clone(&self) -> Self {
        LocalTaskGroup {
            group: self.group.clone(),
            on_one_thread: PhantomData,
        }
    }
}

impl<T, E> fmt::Debug for LocalTaskGroup<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LocalTaskGroup").field(&self.group).finish()
    }
}

impl GroupBuilder {
    /// Runs tasks with a spawner that need not be `Send` (a `LocalSpawner`, `spawn_local`);
    /// build the group with [`build_local`](Self::build_local) or
    /// [`build_local_with_outputs`](Self::build_local_with_outputs).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::{executor::LocalPool, task::LocalSpawnExt};
    /// let mut pool = LocalPool::new();
    /// let spawner = pool.spawner();
    /// let group = ctxgroup::TaskGroup::builder(&ctxgroup::Context::background())
    ///     .local_spawner(move |task| spawner.spawn_local(task).unwrap())
    ///     .build_local();
    /// assert!(group.try_spawn(|_| async { Ok(()) }));
    /// pool.run_until(group.wait()).unwrap();
    /// ```
    pub fn local_spawner(
        mut self,
        spawner: impl Fn(LocalBoxFuture<'static, ()>) + 'static,
    ) -> Self {
        let spawner = OnItsThread::new(spawner);
        self.spawner = Some(std::sync::Arc::new(move |task| (spawner.get())(task)));
        self
    }

    /// Makes a [`LocalTaskGroup`].
    ///
    /// # Examples
    ///
    /// ```
    /// let group = ctxgroup::TaskGroup::builder(&ctxgroup::Context::background()).limit(2).build_local();
    /// ```
    pub fn build_local(self) -> LocalTaskGroup {
        LocalTaskGroup {
            group: self.build(),
            on_one_thread: PhantomData,
        }
    }

    /// Makes a [`LocalTaskGroup`] that keeps its tasks' outputs.
    ///
    /// # Examples
    ///
    /// ```
    /// let group: ctxgroup::group::LocalTaskGroup<u8> =
    ///     ctxgroup::TaskGroup::builder(&ctxgroup::Context::background()).build_local_with_outputs();
    /// ```
    pub fn build_local_with_outputs<T, E>(self) -> LocalTaskGroup<T, E> {
        LocalTaskGroup {
            group: self.build_with_outputs(),
            on_one_thread: PhantomData,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::OnItsThread;
    use std::rc::Rc;

    #[test]
    fn dropped_on_another_thread_it_is_leaked_not_touched() {
        let rc = Rc::new(());
        let wrapped = OnItsThread::new(rc.clone());
        std::thread::spawn(move || drop(wrapped)).join().unwrap();
        assert_eq!(
            Rc::strong_count(&rc),
            2,
            "the clone was leaked, its count never touched"
        );
        let here = OnItsThread::new(rc.clone());
        drop(here);
        assert_eq!(Rc::strong_count(&rc), 2, "dropped on its own thread");
    }

    #[test]
    fn polled_or_called_on_another_thread_it_panics() {
        let future = OnItsThread::new(std::future::ready(1));
        let polled = std::thread::spawn(move || futures::executor::block_on(future)).join();
        assert!(polled.is_err());
        let f = OnItsThread::new(|| 1);
        let called = std::thread::spawn(move || (f.get())()).join();
        assert!(called.is_err());
        assert_eq!(
            futures::executor::block_on(OnItsThread::new(std::future::ready(2))),
            2
        );
    }
}
