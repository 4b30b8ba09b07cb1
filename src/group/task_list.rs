//! The scheduler's queues of tasks: an intrusive list through the tasks themselves, so queuing
//! a task allocates nothing and a hundred thousand queued tasks hold no buffer of their own (a
//! growing buffer, freed whole, made the allocator return and fetch its pages again for every
//! group).
//!
//! Invariants:
//! - a task is in one list at most: its `scheduled` flag keeps a second wake from queuing it
//!   again until it has been taken out to run;
//! - a task's [`Link`] is read and written only by the owner of the list it is in (under that
//!   list's lock), or by nobody while it is in none;
//! - `tail` points at the last task of the list, which the list keeps alive (through `head` and
//!   the links), and is `None` exactly when `head` is.

use std::ptr::NonNull;

use super::driven::{Runnable, TaskRef};
use crate::context::sync::UnsafeCell;

/// The next task in the list a task is in.
pub(super) struct Link(UnsafeCell<Option<TaskRef>>);

impl Default for Link {
    fn default() -> Self {
        Link(UnsafeCell::new(None))
    }
}

// SAFETY: a link is reached only by the owner of the list its task is in (see the invariants).
unsafe impl Sync for Link {}

/// A first-in, first-out list of tasks.
#[derive(Default)]
pub(super) struct TaskList {
    head: Option<TaskRef>,
    tail: Option<NonNull<dyn Runnable>>,
}

// SAFETY: `tail` points into a task the list owns (see the invariants); tasks are `Send + Sync`.
unsafe impl Send for TaskList {}

impl TaskList {
    /// Whether the list holds no task.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Queues `task` last. It must be in no list.
    #[inline]
    pub(super) fn push(&mut self, task: TaskRef) {
        let last = NonNull::from(&*task);
        match self.tail {
            // SAFETY: the tail is a task this list keeps alive, and its link is ours to write.
            Some(tail) => unsafe { tail.as_ref() }
                .link()
                .0
                .with_mut(|next| unsafe { *next = Some(task) }),
            None => self.head = Some(task),
        }
        self.tail = Some(last);
    }

    /// Takes the first task out.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<TaskRef> {
        let task = self.head.take()?;
        // SAFETY: the task was in this list: its link is ours.
        self.head = task.link().0.with_mut(|next| unsafe { (*next).take() });
        if self.head.is_none() {
            self.tail = None;
        }
        Some(task)
    }

    /// Calls `f` with each task, first to last.
    pub(super) fn for_each(&self, mut f: impl FnMut(&dyn Runnable)) {
        let mut task = self.head.as_deref();
        while let Some(t) = task {
            f(t);
            // SAFETY: the list is borrowed, so the links of its tasks do not change meanwhile.
            task = t.link().0.with(|next| unsafe { (*next).as_deref() });
        }
    }
}

/// One task at a time: a list of a hundred thousand tasks is not dropped by a recursion as
/// deep.
impl Drop for TaskList {
    fn drop(&mut self) {
        while self.pop().is_some() {}
    }
}
