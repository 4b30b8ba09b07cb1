//! The order in which a hook hears of one task, across threads.
//!
//! A task's cancel is told by the hook's watch of its context, an after-cancel callback that
//! runs where the context is cancelled (a deadline's, on a clock's runner thread); its checks
//! and its first sight of the cancel are told by its context's observer, where the task runs.
//! The two race: a deadline wakes the task from the timer thread before the runner runs the
//! watch. Invariants:
//!
//! - One teller at a time per task, in turn, so what is told is never interleaved.
//! - The cancel requested is told once, before the task is told to have seen it: by whichever
//!   of the watch and the observer comes first.
//! - Nothing is told once the task has ended (its end takes its turn too, so a teller in the
//!   middle of its story finishes it first).
//! - A hook that looks at the context of the task it is told of (so the observer runs inside
//!   the hook, on the teller's thread) is told at once, not made to wait for itself.

use std::cell::RefCell;
use std::sync::atomic::Ordering;
use std::sync::PoisonError;

use crate::context::sync::{AtomicBool, Mutex};

/// What the hook has been told of one task.
pub(super) struct TaskEvents {
    turn: Mutex<()>,
    ended: AtomicBool,
    requested: AtomicBool,
    observed: AtomicBool,
}

#[cfg(not(ctxgroup_loom))]
std::thread_local! {
    /// The tasks this thread is telling the hook of (their addresses), innermost last.
    static TELLING: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}
#[cfg(ctxgroup_loom)]
loom::thread_local! {
    static TELLING: RefCell<Vec<usize>> = RefCell::new(Vec::new());
}

impl TaskEvents {
    pub(super) fn new() -> Self {
        TaskEvents {
            turn: Mutex::new(()),
            ended: AtomicBool::new(false),
            requested: AtomicBool::new(false),
            observed: AtomicBool::new(false),
        }
    }

    /// Runs `tell` in this task's turn, unless the task has ended.
    pub(super) fn in_turn(&self, tell: impl FnOnce()) {
        let me = self as *const Self as usize;
        if TELLING.with(|t| t.borrow().contains(&me)) {
            // Inside a hook told of this task: its turn is ours already.
            if !self.ended.load(Ordering::Acquire) {
                tell();
            }
            return;
        }
        let _turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        if self.ended.load(Ordering::Acquire) {
            return;
        }
        struct Told;
        impl Drop for Told {
            fn drop(&mut self) {
                TELLING.with(|t| t.borrow_mut().pop());
            }
        }
        TELLING.with(|t| t.borrow_mut().push(me));
        let _told = Told;
        tell();
    }

    /// Whether the cancel is still to be told (then it is, by the caller). In a turn.
    pub(super) fn first_request(&self) -> bool {
        !self.requested.swap(true, Ordering::Relaxed)
    }

    /// Whether the task's sight of the cancel is still to be told. In a turn.
    pub(super) fn first_observe(&self) -> bool {
        !self.observed.swap(true, Ordering::Relaxed)
    }

    /// The task ended: nothing more of it is told, once the teller in its turn is done.
    pub(super) fn end(&self) {
        let me = self as *const Self as usize;
        if TELLING.with(|t| t.borrow().contains(&me)) {
            self.ended.store(true, Ordering::Release);
            return;
        }
        let _turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        self.ended.store(true, Ordering::Release);
    }
}
