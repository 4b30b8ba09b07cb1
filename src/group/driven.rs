//! The tasks of a group without a spawner, which the group drives itself: each task is one
//! allocation (its future and what its waker needs), queued when woken and polled by whoever
//! waits on the group. A small executor of its own, where `FuturesUnordered` of boxed futures
//! took two allocations and more bookkeeping per task.
//!
//! What a plain task (no hook, no timeout of its own, no abort) costs, and why:
//! - its spawn makes the body, then counts and queues the task under one lock, the group's
//!   state and the ready queue being one (`Scheduler<S>`);
//! - the queue is a list through the tasks themselves (`task_list.rs`): no buffer grows with
//!   the number of tasks;
//! - only the driver, holding the batch lock, reaches a task's future: no lock of its own;
//! - a task is listed among the group's running tasks (for shutdown's report, and for the
//!   group's drop to stop it) only once it waits; in a group with no limit, one that returns
//!   at its first poll with nothing for the group to keep is counted as finished with the
//!   others of the driver's round, in one lock (`running` does not count it meanwhile).

use std::any::Any;
use std::future::Future;
use std::mem;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError, TryLockError, Weak};
use std::task::{Context as TaskContext, Poll, Waker};

use futures::task::{waker_ref, ArcWake};

use super::task_list::{Link, TaskList};

use crate::context::sync::{AtomicBool, AtomicU64, AtomicUsize, Mutex, MutexGuard, UnsafeCell};

/// A task as its scheduler sees it, whatever its future's type.
pub(super) trait Runnable: Send + Sync {
    /// Polls the task once (nothing if it has finished), in the driver's `turn`. Returns
    /// whether it was woken while it ran (it yielded, or another thread woke it): it is queued
    /// again already.
    fn run(self: Arc<Self>, turn: &mut Turn<'_>) -> bool;
    /// Drops the task's future where it is: the group is gone, and a future that waits on
    /// something holding its waker would otherwise keep itself alive.
    fn cancel(&self);
    /// The task's place in the scheduler's lists.
    fn link(&self) -> &Link;
    /// The task's id while the group does not list it among its running tasks (a plain task
    /// that has not waited yet), for shutdown's report of the tasks still running.
    fn unlisted(&self) -> Option<u64> {
        None
    }
}

/// The group a scheduler drives tasks for, as its driver sees it.
pub(super) trait Driven: Send + Sync + 'static {
    /// The group itself, for its tasks to find it as the type they know.
    fn as_any(&self) -> &dyn Any;
    /// Counts as finished `n` tasks that returned during a driver's turn with nothing for the
    /// group to keep (see [`Owner::finished`]): one lock for them all.
    fn settle(&self, n: usize);
    /// Wakes the futures registered as drivers: a panic goes through this driver, and the rest
    /// of its batch is left for another.
    fn wake_drivers(&self);
}

/// A driver's run through its batch, on behalf of the group (`owner`): the tasks that return
/// with nothing to keep are counted here, and settled with the group at the end of each round
/// (or when a panic goes through the driver).
pub(super) struct Turn<'a> {
    owner: &'a dyn Driven,
    /// The scheduler's `polling`.
    polling: &'a AtomicU64,
    /// The scheduler's `unsettled`.
    unsettled: &'a AtomicUsize,
    /// Tasks returned and not yet settled.
    finished: usize,
}

impl<'a> Turn<'a> {
    /// The group this turn drives tasks for.
    #[inline]
    pub(super) fn owner(&self) -> &'a dyn Any {
        self.owner.as_any()
    }

    /// Counts a task that returned with nothing to keep, to be settled at the end of the round.
    #[inline]
    pub(super) fn returned(&mut self) {
        self.finished += 1;
        // Only this driver writes it (it holds the batch lock); `running` subtracts it.
        self.unsettled.store(self.finished, Ordering::Relaxed);
    }

    fn settle(&mut self) {
        let n = mem::take(&mut self.finished);
        if n > 0 {
            self.owner.settle(n);
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // A waker that panics now would abort the process. The rest of the batch waits in
            // it for the next driver: the drivers turned away meanwhile are woken to come.
            let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
                self.settle();
                self.owner.wake_drivers();
            }));
        } else {
            self.settle();
        }
    }
}

/// A queued or running task.
pub(super) type TaskRef = Arc<dyn Runnable>;

/// The ready queue of a group's own tasks, and who drives them; and the group's state `S`, under
/// the same lock, so that a spawn counts its task and queues it in one step.
pub(super) struct Scheduler<S> {
    /// The tasks to poll, who to wake when there are some, and the group's state.
    queue: Mutex<Queue<S>>,
    /// The tasks being polled: whoever holds this lock drives the group; the others register
    /// as drivers and return.
    batch: Mutex<TaskList>,
    /// One more than the id of the unlisted task being polled (0: none), for shutdown's report
    /// of the tasks still running: a task that blocks in its first poll is named too.
    polling: AtomicU64,
    /// How many tasks the driver's round has seen return and not yet settled with the group
    /// (see [`Turn`]), so that `running` does not count them.
    unsettled: AtomicUsize,
}

/// What wakes and drivers share, under one lock: a wake queues its task and takes the drivers
/// to wake in one step, and a driver registers and takes the ready tasks under the same lock,
/// so no wake falls between a driver's look at the queue and its registration. It derefs to
/// the group's state.
pub(super) struct Queue<S> {
    /// Tasks to poll, in the order they were woken (or spawned).
    ready: TaskList,
    /// Wakers of the futures waiting on the group (`wait`, `join_next`, a blocked `spawn`):
    /// woken whenever a task becomes ready, so one of them comes to drive it.
    drivers: Vec<Waker>,
    group: S,
}

impl<S> std::ops::Deref for Queue<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.group
    }
}

impl<S> std::ops::DerefMut for Queue<S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.group
    }
}

impl<S> Queue<S> {
    /// Queues a task to be polled; returns the drivers to wake, once the lock is released.
    #[inline]
    pub(super) fn push(&mut self, task: TaskRef) -> Vec<Waker> {
        self.ready.push(task);
        // Every spawn before the first `wait` finds none, and allocates nothing here.
        mem::take(&mut self.drivers)
    }
}

impl<S> Scheduler<S> {
    /// A scheduler with nothing queued, for a group whose state is `group`.
    pub(super) fn new(group: S) -> Self {
        Scheduler {
            queue: Mutex::new(Queue {
                ready: TaskList::default(),
                drivers: Vec::new(),
                group,
            }),
            batch: Mutex::new(TaskList::default()),
            polling: AtomicU64::new(0),
            unsettled: AtomicUsize::new(0),
        }
    }

    /// The queue and the group's state, even if a panic poisoned the lock (nothing in them is
    /// left half-changed).
    pub(super) fn lock(&self) -> MutexGuard<'_, Queue<S>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tasks returned in the current driver's round and not yet settled with the group's
    /// count of running tasks; `clear` (under the group's lock, as it settles them) starts over.
    pub(super) fn unsettled(&self, clear: bool) -> usize {
        if clear {
            self.unsettled.swap(0, Ordering::Relaxed)
        } else {
            self.unsettled.load(Ordering::Relaxed)
        }
    }
}

impl<S: Send + 'static> Scheduler<S> {
    /// Makes a task cell for `future`, to be queued once with [`schedule`](Self::schedule).
    #[inline]
    pub(super) fn task<F>(self: &Arc<Self>, future: F) -> TaskRef
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Arc::new(TaskCell {
            link: Link::default(),
            scheduler: Arc::downgrade(self),
            // Not queued by a wake until it has been polled once.
            scheduled: AtomicBool::new(true),
            future: Mutex::new(Some(future)),
        })
    }

    /// Wakes the futures registered as drivers.
    pub(super) fn wake_drivers(&self) {
        let drivers = mem::take(&mut self.lock().drivers);
        for waker in drivers {
            waker.wake();
        }
    }

    /// Queues a task to be polled, and wakes the drivers.
    pub(super) fn schedule(&self, task: TaskRef) {
        let drivers = self.lock().push(task);
        for waker in drivers {
            waker.wake();
        }
    }

    /// Polls the ready tasks on behalf of the future polled with `cx`, unless another poller is
    /// driving them already (then it is woken when there is more to do).
    pub(super) fn drive(&self, cx: &mut TaskContext<'_>, owner: &dyn Driven) {
        {
            let mut queue = self.lock();
            if !queue.drivers.iter().any(|w| w.will_wake(cx.waker())) {
                queue.drivers.push(cx.waker().clone());
            }
        }
        // Made before the batch is taken, so dropped after it is released: if a panic goes
        // through, the drivers it wakes find the batch free.
        let mut turn = Turn {
            owner,
            polling: &self.polling,
            unsettled: &self.unsettled,
            finished: 0,
        };
        // The driver holding it looks at the queue again once it lets go, and wakes us
        // (registered above) if tasks came meanwhile.
        let Some(mut batch) = self.try_batch() else {
            return;
        };
        loop {
            if batch.is_empty() {
                mem::swap(&mut *batch, &mut self.lock().ready);
            }
            if batch.is_empty() {
                break;
            }
            let mut yielded = false;
            while let Some(task) = batch.pop() {
                yielded |= task.run(&mut turn);
            }
            turn.settle();
            if yielded {
                // A task that keeps waking itself must not keep us here: give the executor
                // back its thread, and come back (woken below: the task is queued).
                break;
            }
        }
        drop(batch);
        // Tasks queued since the last look (their wakes may have gone to drivers that our
        // batch lock turned away): wake the drivers, one of them takes the batch next.
        if !self.lock().ready.is_empty() {
            self.wake_drivers();
        }
    }

    /// The batch, unless another driver holds it. A panic that went through a driver (the
    /// user's error type panicking as it converts a task's panic, resumed once the task was
    /// counted as finished) leaves the batch consistent: the next driver goes on with it.
    fn try_batch(&self) -> Option<MutexGuard<'_, TaskList>> {
        match self.batch.try_lock() {
            Ok(batch) => Some(batch),
            Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    /// The ids of the tasks this scheduler holds that the group does not list (queued, or in
    /// their first poll), with its queue in hand (`queue`, locked). Not those in a batch that a
    /// driver on another thread is running.
    pub(super) fn unlisted(&self, queue: &Queue<S>) -> Vec<u64> {
        let mut ids: Vec<u64> = Vec::new();
        let polling = self.polling.load(Ordering::Relaxed);
        if polling > 0 {
            ids.push(polling - 1);
        }
        if let Some(batch) = self.try_batch() {
            batch.for_each(|t| ids.extend(t.unlisted()));
        }
        queue.ready.for_each(|t| ids.extend(t.unlisted()));
        ids
    }
}

/// One task: its future, and what its waker needs, in one allocation.
struct TaskCell<F, S> {
    link: Link,
    /// Weak: a waker kept after the group is gone must not keep the queue alive.
    scheduler: Weak<Scheduler<S>>,
    /// In the ready queue (or about to be): a second wake does not queue it twice.
    scheduled: AtomicBool,
    /// `None` once the task has finished (or was cancelled). Never moved out of: see `run`.
    future: Mutex<Option<F>>,
}

impl<F: Future<Output = ()> + Send + 'static, S: Send + 'static> ArcWake for TaskCell<F, S> {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        if !arc_self.scheduled.swap(true, Ordering::SeqCst) {
            if let Some(scheduler) = arc_self.scheduler.upgrade() {
                scheduler.schedule(arc_self.clone());
            }
        }
    }
}

impl<F: Future<Output = ()> + Send + 'static, S: Send + 'static> Runnable for TaskCell<F, S> {
    fn run(self: Arc<Self>, _: &mut Turn<'_>) -> bool {
        // Cleared before the poll: a wake during the poll queues the task again.
        self.scheduled.store(false, Ordering::SeqCst);
        let mut slot = self.future.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(future) = slot.as_mut() else {
            return false;
        };
        // SAFETY: the future lives inside this cell's `Arc` allocation, which never moves,
        // and it is never moved out of its `Option`: it is only dropped where it is (the slot
        // set to `None`, or the cell dropped). So it stays pinned from its first poll to its drop.
        let future = unsafe { Pin::new_unchecked(future) };
        let waker = waker_ref(&self);
        let mut cx = TaskContext::from_waker(&waker);
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx))) {
            Ok(Poll::Ready(())) => {
                *slot = None;
                false
            }
            Ok(Poll::Pending) => self.scheduled.load(Ordering::SeqCst),
            Err(panic) => {
                // A future that panicked is not polled again.
                *slot = None;
                drop(slot);
                std::panic::resume_unwind(panic)
            }
        }
    }

    fn cancel(&self) {
        // Dropped where it is (it may have been pinned), not moved out.
        *self.future.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn link(&self) -> &Link {
        &self.link
    }
}

/// The running-task entry of a task the group does not list (yet): a plain task without a name
/// is listed only once it waits, so one that returns at its first poll never takes a slab entry.
pub(super) const UNLISTED: usize = usize::MAX;

/// The group a plain task reports to.
pub(super) trait Owner: Send + Sync + 'static {
    /// What the task's future returns.
    type Output;
    /// Queues the task, woken.
    fn schedule(&self, task: TaskRef);
    /// Keeps the task among the group's running tasks, so that a group dropped before it
    /// returns drops its future, and lists it there if it was not ([`UNLISTED`]); returns its
    /// entry. Called when the task first waits: until then only the ready queue, the group's
    /// own, holds it, and no waker of it exists.
    fn keep(&self, id: u64, slot: usize, task: TaskRef) -> usize;
    /// The task returned (or panicked, `Err`): the group counts it as finished, or, if it
    /// keeps nothing of it, leaves it to the end of the driver's round (`turn.finished`). A
    /// task with a name is listed from its spawn: its entry has the name.
    fn finished(
        &self,
        id: u64,
        slot: usize,
        output: std::thread::Result<Self::Output>,
        turn: &mut Turn<'_>,
    );
}

/// A task of a plain group (no hook, no timeout of its own, no abort): the user's future itself
/// and what the group needs once it returns, in one small allocation; the group's bookkeeping
/// runs once it has returned, outside the future.
///
/// Small on purpose (96 bytes with the allocator's header for a future of 24): a hundred
/// thousand tasks are written when spawned and read again when run, and each cache line of a
/// cell costs a miss both times.
pub(super) struct PlainCell<F: Future, G> {
    link: Link,
    group: Weak<G>,
    id: u64,
    /// In the ready queue (or about to be): a second wake does not queue it twice.
    scheduled: AtomicBool,
    /// No lock: only the driver reaches it, in `run`, holding the batch lock, so one thread at
    /// a time; and the group in its `Drop`, in `cancel`, when no driver can be running (each
    /// borrows the group).
    state: UnsafeCell<PlainState<F>>,
}

/// What only the driver of a plain task reaches.
struct PlainState<F> {
    /// `None` once the task has returned (or was cancelled). Never moved out of: see `run`.
    future: Option<F>,
    /// The task's entry among the group's running tasks, [`UNLISTED`] (as `u32`) until it
    /// waits, for a task without a name.
    slot: u32,
    /// Whether the group keeps the task among its running tasks yet.
    kept: bool,
}

/// A slab entry as a cell keeps it (the slab counts its entries in `u32`).
fn slot_u32(slot: usize) -> u32 {
    if slot == UNLISTED {
        u32::MAX
    } else {
        u32::try_from(slot).expect("a slab entry fits in u32")
    }
}

fn slot_usize(slot: u32) -> usize {
    if slot == u32::MAX {
        UNLISTED
    } else {
        slot as usize
    }
}

// SAFETY: `future` is reached by one thread at a time (see its comment); `F` is `Send`, and
// nothing hands out references into it.
unsafe impl<F: Future + Send, G: Send + Sync> Sync for PlainCell<F, G> {}

impl<F, G> PlainCell<F, G>
where
    F: Future + Send + 'static,
    G: Owner<Output = F::Output>,
{
    /// A cell for `future`, to be queued once with [`Scheduler::schedule`].
    #[inline]
    pub(super) fn new(group: Weak<G>, id: u64, slot: usize, future: F) -> Self {
        PlainCell {
            link: Link::default(),
            group,
            id,
            // Not queued by a wake until it has been polled once.
            scheduled: AtomicBool::new(true),
            state: UnsafeCell::new(PlainState {
                future: Some(future),
                slot: slot_u32(slot),
                kept: false,
            }),
        }
    }
}

impl<F, G> ArcWake for PlainCell<F, G>
where
    F: Future + Send + 'static,
    G: Owner<Output = F::Output>,
{
    fn wake_by_ref(arc_self: &Arc<Self>) {
        if !arc_self.scheduled.swap(true, Ordering::SeqCst) {
            if let Some(group) = arc_self.group.upgrade() {
                group.schedule(arc_self.clone());
            }
        }
    }
}

impl<F, G> Runnable for PlainCell<F, G>
where
    F: Future + Send + 'static,
    G: Owner<Output = F::Output>,
{
    fn run(self: Arc<Self>, turn: &mut Turn<'_>) -> bool {
        // Cleared before the poll: a wake during the poll queues the task again.
        self.scheduled.store(false, Ordering::SeqCst);
        // SAFETY: only the driver runs a task, holding the batch lock (see `future`).
        self.state
            .with_mut(|state| self.run_alone(unsafe { &mut *state }, turn))
    }

    fn cancel(&self) {
        // SAFETY: called by the group's `Drop` only (see `future`). Dropped where it is (it may
        // have been pinned), not moved out.
        self.state
            .with_mut(|state| unsafe { (*state).future = None });
    }

    fn link(&self) -> &Link {
        &self.link
    }

    fn unlisted(&self) -> Option<u64> {
        // Perhaps listed by now (its state is the driver's to read): the group drops the ids
        // it lists.
        Some(self.id)
    }
}

impl<F, G> PlainCell<F, G>
where
    F: Future + Send + 'static,
    G: Owner<Output = F::Output>,
{
    /// `run`, with the task's state in hand.
    #[inline]
    fn run_alone(self: &Arc<Self>, state: &mut PlainState<F>, turn: &mut Turn<'_>) -> bool {
        let Some(future) = &mut state.future else {
            return false;
        };
        let slot = slot_usize(state.slot);
        // SAFETY: the future lives inside this cell's `Arc` allocation, which never moves,
        // and it is never moved out of its `Option`: it is only dropped where it is (the slot
        // set to `None`, or the cell dropped). So it stays pinned from its first poll to its drop.
        let future = unsafe { Pin::new_unchecked(future) };
        let waker = waker_ref(self);
        let mut cx = TaskContext::from_waker(&waker);
        if slot == UNLISTED {
            turn.polling.store(self.id + 1, Ordering::Relaxed);
        }
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx)));
        if slot == UNLISTED {
            turn.polling.store(0, Ordering::Relaxed);
        }
        // The driver polls on behalf of this task's group, which it holds: no upgrade needed.
        let group = turn.owner().downcast_ref::<G>();
        let output = match polled {
            Ok(Poll::Pending) => {
                if !std::mem::replace(&mut state.kept, true) {
                    if let Some(group) = group {
                        state.slot = slot_u32(group.keep(self.id, slot, self.clone()));
                    }
                }
                return self.scheduled.load(Ordering::SeqCst);
            }
            Ok(Poll::Ready(output)) => Ok(output),
            Err(panic) => Err(panic),
        };
        // A future that returned or panicked is not polled again. Its destructor is user code
        // too: a panic there is the task's, if it had none.
        let dropped = std::panic::catch_unwind(AssertUnwindSafe(|| state.future = None));
        let output = match (output, dropped) {
            (Ok(output), Ok(())) => Ok(output),
            (Err(panic), _) | (Ok(_), Err(panic)) => Err(panic),
        };
        if let Some(group) = group {
            group.finished(self.id, slot, output, turn);
        }
        false
    }
}
