use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use futures::future::BoxFuture;

use super::{Clock, VirtualClock};

/// A deterministic single-threaded executor on a [`VirtualClock`].
///
/// It polls the tasks that were woken, in the order they were woken; when none is runnable it
/// moves the clock to the next pending timer and fires every timer due then (time "jumps", like
/// Trio's autojump clock or Go's `synctest`). The same program always gives the same schedule.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{clock, Clock, VirtualRuntime};
///
/// let rt = VirtualRuntime::new();
/// let clock = rt.clock();
/// let c = clock.clone();
/// rt.spawn(async move { clock::sleep(c, Duration::from_secs(10)).await });
/// let c = clock.clone();
/// let out = rt.block_on(async move {
///     clock::sleep(c.clone(), Duration::from_secs(2)).await;
///     c.now()
/// });
/// assert_eq!(out.unwrap(), Duration::from_secs(2)); // instant in real time
/// ```
pub struct VirtualRuntime {
    clock: Arc<VirtualClock>,
    exec: Arc<Executor>,
}

/// Returned when a [`VirtualRuntime`] can make no more progress before its horizon: every task
/// is blocked and no timer is pending (or the next one is past the horizon).
///
/// # Examples
///
/// ```
/// use ctxgroup::VirtualRuntime;
/// let rt = VirtualRuntime::new();
/// let err = rt.block_on(futures::future::pending::<()>()).unwrap_err();
/// assert!(err.to_string().contains("blocked"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stalled {
    /// The clock time when progress stopped.
    pub at: Duration,
    /// Whether a timer was still pending past the horizon (otherwise nothing could ever wake).
    pub timers_pending: bool,
}

impl fmt::Display for Stalled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.timers_pending {
            write!(
                f,
                "stopped at the horizon {} with timers still pending",
                crate::GoDuration(self.at)
            )
        } else {
            write!(
                f,
                "every task is blocked and no timer is pending at {}: it can never finish",
                crate::GoDuration(self.at)
            )
        }
    }
}

impl std::error::Error for Stalled {}

struct Executor {
    tasks: Mutex<Vec<Option<BoxFuture<'static, ()>>>>,
    free: Mutex<Vec<usize>>,
    run_queue: Mutex<RunQueue>,
    main_woken: Arc<MainWake>,
    live: std::sync::atomic::AtomicUsize,
}

#[derive(Default)]
struct RunQueue {
    order: VecDeque<usize>,
    queued: Vec<bool>,
}

struct TaskWake {
    exec: std::sync::Weak<Executor>,
    id: usize,
}

impl Wake for TaskWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(exec) = self.exec.upgrade() {
            exec.schedule(self.id);
        }
    }
}

#[derive(Default)]
struct MainWake(AtomicBool);

impl Wake for MainWake {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst)
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::SeqCst)
    }
}

impl Executor {
    fn schedule(&self, id: usize) {
        let mut q = self.run_queue.lock().unwrap();
        if q.queued.len() <= id {
            q.queued.resize(id + 1, false);
        }
        if !q.queued[id] {
            q.queued[id] = true;
            q.order.push_back(id);
        }
    }

    fn spawn(self: &Arc<Self>, fut: BoxFuture<'static, ()>) {
        let id = {
            let mut tasks = self.tasks.lock().unwrap();
            match self.free.lock().unwrap().pop() {
                Some(id) => {
                    tasks[id] = Some(fut);
                    id
                }
                None => {
                    tasks.push(Some(fut));
                    tasks.len() - 1
                }
            }
        };
        self.live.fetch_add(1, Ordering::SeqCst);
        self.schedule(id);
    }

    /// Polls every runnable task until none is left; returns whether any was polled.
    fn run_ready(self: &Arc<Self>) -> bool {
        let mut any = false;
        loop {
            let id = {
                let mut q = self.run_queue.lock().unwrap();
                match q.order.pop_front() {
                    Some(id) => {
                        q.queued[id] = false;
                        id
                    }
                    None => return any,
                }
            };
            any = true;
            // Take the future out while polling it, so it may spawn without deadlocking.
            let fut = self.tasks.lock().unwrap()[id].take();
            let Some(mut fut) = fut else { continue };
            let waker = Waker::from(Arc::new(TaskWake {
                exec: Arc::downgrade(self),
                id,
            }));
            let mut cx = TaskContext::from_waker(&waker);
            if fut.as_mut().poll(&mut cx).is_pending() {
                self.tasks.lock().unwrap()[id] = Some(fut);
            } else {
                self.free.lock().unwrap().push(id);
                self.live.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }
}

impl VirtualRuntime {
    /// A runtime on a new [`VirtualClock`] reading zero.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ctxgroup::VirtualRuntime::new();
    /// assert_eq!(rt.live_tasks(), 0);
    /// ```
    pub fn new() -> Self {
        Self::with_clock(VirtualClock::new())
    }

    /// A runtime on the given clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{VirtualClock, VirtualRuntime};
    /// let clock = VirtualClock::new();
    /// let rt = VirtualRuntime::with_clock(clock.clone());
    /// assert!(std::sync::Arc::ptr_eq(&rt.clock(), &clock));
    /// ```
    pub fn with_clock(clock: Arc<VirtualClock>) -> Self {
        let exec = Arc::new(Executor {
            tasks: Mutex::new(Vec::new()),
            free: Mutex::new(Vec::new()),
            run_queue: Mutex::new(RunQueue::default()),
            main_woken: Arc::new(MainWake::default()),
            live: Default::default(),
        });
        VirtualRuntime { clock, exec }
    }

    /// The runtime's clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::Clock;
    /// let rt = ctxgroup::VirtualRuntime::new();
    /// assert_eq!(rt.clock().now(), std::time::Duration::ZERO);
    /// ```
    pub fn clock(&self) -> Arc<VirtualClock> {
        self.clock.clone()
    }

    /// Spawns a task; it runs when the runtime is driven ([`block_on`](Self::block_on) or
    /// [`run_until`](Self::run_until)).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ctxgroup::VirtualRuntime::new();
    /// rt.spawn(async {});
    /// assert_eq!(rt.live_tasks(), 1);
    /// rt.run_until(None).unwrap();
    /// assert_eq!(rt.live_tasks(), 0);
    /// ```
    pub fn spawn(&self, fut: impl Future<Output = ()> + Send + 'static) {
        self.exec.spawn(Box::pin(fut));
    }

    /// A spawner for [`GroupBuilder::spawner`](crate::group::GroupBuilder::spawner).
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ctxgroup::VirtualRuntime::new();
    /// let spawn = rt.spawner();
    /// spawn(Box::pin(async {}));
    /// assert_eq!(rt.live_tasks(), 1);
    /// ```
    pub fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + Clone + 'static {
        let exec = Arc::downgrade(&self.exec);
        move |fut| {
            if let Some(exec) = exec.upgrade() {
                exec.spawn(fut)
            }
        }
    }

    /// How many spawned tasks have not finished.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ctxgroup::VirtualRuntime::new();
    /// rt.spawn(futures::future::pending());
    /// rt.run_until(None).unwrap_err();
    /// assert_eq!(rt.live_tasks(), 1);
    /// ```
    pub fn live_tasks(&self) -> usize {
        self.exec.live()
    }

    /// Drives `fut` (and every spawned task) to completion, jumping the clock whenever all are
    /// blocked. Fails with [`Stalled`] when nothing can ever wake `fut`.
    ///
    /// Only this runtime's tasks and its clock's timers count as something that can wake: a
    /// future that waits on the world outside (a real-time timer, another thread, I/O) is taken
    /// for stalled as soon as everything here is blocked. Run such code on a real runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let rt = ctxgroup::VirtualRuntime::new();
    /// assert_eq!(rt.block_on(async { 7 }), Ok(7));
    /// ```
    pub fn block_on<T>(&self, fut: impl Future<Output = T>) -> Result<T, Stalled> {
        self.block_on_until(fut, None)
    }

    /// Like [`block_on`](Self::block_on), but never moves the clock past `horizon`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{clock, VirtualRuntime};
    /// let rt = VirtualRuntime::new();
    /// let long = clock::sleep(rt.clock(), Duration::from_secs(100));
    /// let err = rt.block_on_until(long, Some(Duration::from_secs(10))).unwrap_err();
    /// assert!(err.timers_pending);
    /// ```
    pub fn block_on_until<T>(
        &self,
        fut: impl Future<Output = T>,
        horizon: Option<Duration>,
    ) -> Result<T, Stalled> {
        let mut fut = pin!(fut);
        let main = self.exec.main_woken.clone();
        let waker = Waker::from(main.clone());
        let mut cx = TaskContext::from_waker(&waker);
        main.0.store(true, Ordering::SeqCst);
        loop {
            if main.0.swap(false, Ordering::SeqCst) {
                if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                    return Ok(out);
                }
            }
            if self.exec.run_ready() || main.0.load(Ordering::SeqCst) {
                continue;
            }
            self.jump(horizon)?;
        }
    }

    /// Runs the spawned tasks until every one has finished or is blocked with no timer pending
    /// before `horizon`. `Ok` when every task finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{clock, Clock, VirtualRuntime};
    /// let rt = VirtualRuntime::new();
    /// rt.spawn(clock::sleep(rt.clock(), Duration::from_secs(3)));
    /// rt.run_until(None).unwrap();
    /// assert_eq!(rt.clock().now(), Duration::from_secs(3));
    /// ```
    pub fn run_until(&self, horizon: Option<Duration>) -> Result<(), Stalled> {
        loop {
            self.exec.run_ready();
            if self.exec.live() == 0 {
                return Ok(());
            }
            self.jump(horizon)?;
        }
    }

    fn jump(&self, horizon: Option<Duration>) -> Result<(), Stalled> {
        let at = self.clock.now();
        match self.clock.next_timer() {
            Some(next) if horizon.map_or(true, |h| next <= h) => {
                self.clock.advance_to(next);
                Ok(())
            }
            Some(_) => {
                if let Some(h) = horizon {
                    self.clock.advance_to(h);
                }
                Err(Stalled {
                    at: self.clock.now(),
                    timers_pending: true,
                })
            }
            None => Err(Stalled {
                at,
                timers_pending: false,
            }),
        }
    }
}

impl Default for VirtualRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for VirtualRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VirtualRuntime")
            .field("clock", &self.clock)
            .field("live_tasks", &self.live_tasks())
            .finish()
    }
}
