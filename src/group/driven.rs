//! The tasks of a group without a spawner, which the group drives itself: each task is one
//! allocation (its future and what its waker needs), queued when woken and polled by whoever
//! waits on the group. A small executor of its own, where `FuturesUnordered` of boxed futures
//! took two allocations and more bookkeeping per task.

use std::collections::VecDeque;
use std::future::Future;
use std::mem;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError, TryLockError, Weak};
use std::task::{Context as TaskContext, Poll, Waker};

use futures::task::{waker_ref, ArcWake};

use crate::context::sync::{AtomicBool, Mutex};

/// A task as its scheduler sees it, whatever its future's type.
pub(super) trait Runnable: Send + Sync {
    /// Polls the task once (nothing if it has finished). Returns whether it was woken while it
    /// ran (it yielded, or another thread woke it): it is queued again already.
    fn run(self: Arc<Self>) -> bool;
    /// Drops the task's future where it is: the group is gone, and a future that waits on
    /// something holding its waker would otherwise keep itself alive.
    fn cancel(&self);
}

/// A queued or running task.
pub(super) type TaskRef = Arc<dyn Runnable>;

/// The ready queue of a group's own tasks, and who drives them.
#[derive(Default)]
pub(super) struct Scheduler {
    /// Tasks to poll, in the order they were woken (or spawned).
    ready: Mutex<VecDeque<TaskRef>>,
    /// The tasks being polled: whoever holds this lock drives the group; the others register
    /// as drivers and return.
    batch: Mutex<VecDeque<TaskRef>>,
    /// Wakers of the futures waiting on the group (`wait`, `join_next`, a blocked `spawn`):
    /// woken whenever a task becomes ready, so one of them comes to drive it.
    drivers: Mutex<Vec<Waker>>,
    /// Whether `drivers` is not empty (written under its lock): a wake with no driver to wake,
    /// as every spawn before the first `wait`, skips the lock.
    has_drivers: AtomicBool,
    /// Set by every wake: the driver clears it before it takes the ready tasks and, if it is
    /// set once the batch lock is released, wakes the drivers that were turned away meanwhile.
    woken: AtomicBool,
}

impl Scheduler {
    /// Makes a task cell for `future`, to be queued once with [`schedule`](Self::schedule).
    #[inline]
    pub(super) fn task<F>(self: &Arc<Self>, future: F) -> TaskRef
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Arc::new(TaskCell {
            scheduler: Arc::downgrade(self),
            // Not queued by a wake until it has been polled once.
            scheduled: AtomicBool::new(true),
            future: Mutex::new(Some(future)),
        })
    }

    /// Queues a task to be polled, and wakes the drivers.
    pub(super) fn schedule(&self, task: TaskRef) {
        self.ready
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push_back(task);
        self.wake_drivers();
    }

    fn wake_drivers(&self) {
        self.woken.store(true, Ordering::SeqCst);
        // A driver registers before it looks at the queue: one that registers after this load
        // finds the task queued above (or the batch lock taken, and then it is woken when the
        // batch is released, as `woken` is set).
        if !self.has_drivers.load(Ordering::SeqCst) {
            return;
        }
        let wakers = {
            let mut drivers = self.drivers.lock().unwrap_or_else(PoisonError::into_inner);
            self.has_drivers.store(false, Ordering::SeqCst);
            mem::take(&mut *drivers)
        };
        for waker in wakers {
            waker.wake();
        }
    }

    /// Polls the ready tasks on behalf of the future polled with `cx`, unless another poller is
    /// driving them already (then it is woken when there is more to do).
    pub(super) fn drive(&self, cx: &mut TaskContext<'_>) {
        {
            let mut drivers = self.drivers.lock().unwrap_or_else(PoisonError::into_inner);
            if !drivers.iter().any(|w| w.will_wake(cx.waker())) {
                drivers.push(cx.waker().clone());
            }
            self.has_drivers.store(true, Ordering::SeqCst);
        }
        // A panic that went through a driver (a cancel callback's, resumed once its task was
        // counted as finished) leaves the batch consistent: the next driver goes on with it.
        let mut batch = match self.batch.try_lock() {
            Ok(batch) => batch,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        loop {
            self.woken.store(false, Ordering::SeqCst);
            if batch.is_empty() {
                // The batch's buffer and the queue's swap: no allocation in the steady state.
                mem::swap(
                    &mut *batch,
                    &mut *self.ready.lock().unwrap_or_else(PoisonError::into_inner),
                );
            }
            if batch.is_empty() {
                break;
            }
            let mut yielded = false;
            while let Some(task) = batch.pop_front() {
                yielded |= task.run();
            }
            if yielded {
                // A task that keeps waking itself must not keep us here: give the executor
                // back its thread, and come back (the flag wakes the drivers below).
                self.woken.store(true, Ordering::SeqCst);
                break;
            }
        }
        drop(batch);
        if self.woken.load(Ordering::SeqCst) {
            self.wake_drivers();
        }
    }
}

/// One task: its future, and what its waker needs, in one allocation.
struct TaskCell<F> {
    /// Weak: a waker kept after the group is gone must not keep the queue alive.
    scheduler: Weak<Scheduler>,
    /// In the ready queue (or about to be): a second wake does not queue it twice.
    scheduled: AtomicBool,
    /// `None` once the task has finished (or was cancelled). Never moved out of: see `run`.
    future: Mutex<Option<F>>,
}

impl<F: Future<Output = ()> + Send + 'static> ArcWake for TaskCell<F> {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        if !arc_self.scheduled.swap(true, Ordering::SeqCst) {
            if let Some(scheduler) = arc_self.scheduler.upgrade() {
                scheduler.schedule(arc_self.clone());
            }
        }
    }
}

impl<F: Future<Output = ()> + Send + 'static> Runnable for TaskCell<F> {
    fn run(self: Arc<Self>) -> bool {
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
}

/// The group a plain task reports to.
pub(super) trait Owner: Send + Sync + 'static {
    /// What the task's future returns.
    type Output;
    /// The group's scheduler, to queue the task when it is woken.
    fn scheduler(&self) -> &Scheduler;
    /// Keeps the task among the group's running tasks, so that a group dropped before it
    /// returns drops its future (called when the task first waits: until then only the ready
    /// queue, the group's own, holds it, and no waker of it exists).
    fn keep(&self, slot: usize, task: TaskRef);
    /// The task returned (or panicked, `Err`): the group counts it as finished.
    fn finished(
        &self,
        id: u64,
        slot: usize,
        name: &Option<Arc<str>>,
        output: std::thread::Result<Self::Output>,
    );
}

/// A task of a plain group (no hook, no timeout of its own, no abort): the user's future itself
/// and what the group needs once it returns, in one small allocation; the group's bookkeeping
/// runs once it has returned, outside the future.
pub(super) struct PlainCell<F: Future, G> {
    group: Weak<G>,
    id: u64,
    /// The task's entry among the group's running tasks.
    slot: usize,
    name: Option<Arc<str>>,
    /// In the ready queue (or about to be): a second wake does not queue it twice.
    scheduled: AtomicBool,
    /// The future, `None` once the task has returned (or was cancelled; never moved out of:
    /// see `run`); and whether the group keeps the task among its running tasks yet.
    future: Mutex<(Option<F>, bool)>,
}

impl<F, G> PlainCell<F, G>
where
    F: Future + Send + 'static,
    G: Owner<Output = F::Output>,
{
    /// A cell for `future`, to be queued once with [`Scheduler::schedule`].
    #[inline]
    pub(super) fn new(
        group: Weak<G>,
        id: u64,
        slot: usize,
        name: Option<Arc<str>>,
        future: F,
    ) -> Self {
        PlainCell {
            group,
            id,
            slot,
            name,
            // Not queued by a wake until it has been polled once.
            scheduled: AtomicBool::new(true),
            future: Mutex::new((Some(future), false)),
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
                group.scheduler().schedule(arc_self.clone());
            }
        }
    }
}

impl<F, G> Runnable for PlainCell<F, G>
where
    F: Future + Send + 'static,
    G: Owner<Output = F::Output>,
{
    fn run(self: Arc<Self>) -> bool {
        // Cleared before the poll: a wake during the poll queues the task again.
        self.scheduled.store(false, Ordering::SeqCst);
        let mut slot = self.future.lock().unwrap_or_else(PoisonError::into_inner);
        let (Some(future), kept) = &mut *slot else {
            return false;
        };
        // SAFETY: the future lives inside this cell's `Arc` allocation, which never moves,
        // and it is never moved out of its `Option`: it is only dropped where it is (the slot
        // set to `None`, or the cell dropped). So it stays pinned from its first poll to its drop.
        let future = unsafe { Pin::new_unchecked(future) };
        let waker = waker_ref(&self);
        let mut cx = TaskContext::from_waker(&waker);
        let output = match std::panic::catch_unwind(AssertUnwindSafe(|| future.poll(&mut cx))) {
            Ok(Poll::Pending) => {
                if !std::mem::replace(kept, true) {
                    drop(slot);
                    if let Some(group) = self.group.upgrade() {
                        group.keep(self.slot, self.clone());
                    }
                }
                return self.scheduled.load(Ordering::SeqCst);
            }
            Ok(Poll::Ready(output)) => Ok(output),
            Err(panic) => Err(panic),
        };
        // A future that returned or panicked is not polled again.
        slot.0 = None;
        drop(slot);
        if let Some(group) = self.group.upgrade() {
            group.finished(self.id, self.slot, &self.name, output);
        }
        false
    }

    fn cancel(&self) {
        // Dropped where it is (it may have been pinned), not moved out.
        self.future.lock().unwrap_or_else(PoisonError::into_inner).0 = None;
    }
}
