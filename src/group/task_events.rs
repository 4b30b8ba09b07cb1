//! The order in which a hook hears of one task, across threads.
//!
//! A task's cancel is told by the hook's watch of its context, an after-cancel callback that
//! runs where the context is cancelled (a deadline's, on a clock's runner thread); its checks
//! and its first sight of the cancel are told by its context's observer, where the task runs.
//! The two race: a deadline wakes the task from the timer thread before the runner runs the
//! watch. Invariants:
//!
//! - A task's events are queued in the order they happened, under its lock, and told by one
//!   thread at a time (the *teller*), in that order. The hook is called with no lock held: a
//!   hook that cancels another task's context, or looks at its own task's, waits for nobody.
//!   Whoever finds a teller at work leaves its events to it.
//! - The cancel requested is queued once, before the task's sight of it: by whichever of the
//!   watch and the observer comes first.
//! - Nothing is queued once the task has ended, and its end waits for the teller to be done,
//!   so the hook hears nothing of a task after its `Finished`. (Ended from inside a hook told
//!   of the task itself, it drops what is still queued instead: it cannot wait for itself.)

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::PoisonError;

use crate::context::sync::{Condvar, Mutex, MutexGuard};
use crate::Reason;

/// What the hook has been told, or is to be told, of one task.
pub(super) struct TaskEvents {
    state: Mutex<State>,
    /// Signalled when a teller is done.
    told: Condvar,
}

#[derive(Default)]
struct State {
    ended: bool,
    requested: bool,
    observed: bool,
    /// A thread is telling the queue to the hook.
    telling: bool,
    queue: VecDeque<Told>,
}

/// An event of a task, to be told.
pub(super) enum Told {
    CancelRequested(Reason),
    Check { cancelled: bool },
    CancelObserved(Reason),
}

#[cfg(not(ctxgroup_loom))]
std::thread_local! {
    /// The tasks this thread is telling the hook of (their addresses).
    static TELLING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}
#[cfg(ctxgroup_loom)]
loom::thread_local! {
    static TELLING: RefCell<Vec<usize>> = RefCell::new(Vec::new());
}

impl TaskEvents {
    pub(super) fn new() -> Self {
        TaskEvents {
            state: Mutex::new(State::default()),
            told: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cancel reached the task (its watch): queued unless it was already.
    pub(super) fn requested(&self, reason: &Reason, tell: impl Fn(&Told)) {
        let mut state = self.lock();
        if state.ended || state.requested {
            return;
        }
        state.requested = true;
        state.queue.push_back(Told::CancelRequested(reason.clone()));
        self.tell(state, tell);
    }

    /// The task looked at its context: a check (`Some(cancelled)`) and what it found (`seen`,
    /// the reason of a cancel it saw). The cancel is queued first if it was not, and the task's
    /// first sight of it last.
    pub(super) fn looked(&self, check: Option<bool>, seen: Option<&Reason>, tell: impl Fn(&Told)) {
        let mut state = self.lock();
        if state.ended {
            return;
        }
        if let Some(reason) = seen {
            if !std::mem::replace(&mut state.requested, true) {
                state.queue.push_back(Told::CancelRequested(reason.clone()));
            }
        }
        if let Some(cancelled) = check {
            state.queue.push_back(Told::Check { cancelled });
        }
        if let Some(reason) = seen {
            if !std::mem::replace(&mut state.observed, true) {
                state.queue.push_back(Told::CancelObserved(reason.clone()));
            }
        }
        self.tell(state, tell);
    }

    /// Tells the queue to the hook, unless a teller is at work (it tells ours too).
    fn tell(&self, mut state: MutexGuard<'_, State>, tell: impl Fn(&Told)) {
        if state.telling || state.queue.is_empty() {
            return;
        }
        state.telling = true;
        let me = self as *const Self as usize;
        TELLING.with(|t| t.borrow_mut().push(me));
        // Stops telling, also if the hook's call unwinds (it is caught where it is made, but a
        // teller must never be left standing).
        struct Teller<'a>(&'a TaskEvents);
        impl Drop for Teller<'_> {
            fn drop(&mut self) {
                TELLING.with(|t| t.borrow_mut().pop());
                let mut state = self.0.lock();
                if state.telling {
                    state.telling = false;
                    drop(state);
                    self.0.told.notify_all();
                }
            }
        }
        drop(state);
        let _teller = Teller(self);
        loop {
            let mut state = self.lock();
            let Some(event) = state.queue.pop_front() else {
                // Under the lock that found the queue empty: an event queued after this finds
                // no teller, and tells itself.
                state.telling = false;
                drop(state);
                self.told.notify_all();
                return;
            };
            drop(state);
            tell(&event);
        }
    }

    /// The task ended: nothing more of it is queued, and what is queued is told first.
    pub(super) fn end(&self) {
        let me = self as *const Self as usize;
        let mut state = self.lock();
        state.ended = true;
        if TELLING.with(|t| t.borrow().contains(&me)) {
            // Inside a hook told of this very task: what is left would come after its end.
            state.queue.clear();
            return;
        }
        while state.telling {
            state = self
                .told
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}
