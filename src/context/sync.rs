//! The synchronisation primitives of the tree and of the tasks a group drives itself: std's, or
//! loom's when the crate is built for the loom models (`RUSTFLAGS="--cfg ctxgroup_loom"`, see
//! `tests/loom_tree.rs` and `tests/loom_group.rs`), so that loom explores every interleaving of
//! cancel, create, drop, after-cancel, wake and drive on the real code.

#[cfg(ctxgroup_loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicBool, AtomicU64, AtomicUsize},
    Condvar, Mutex, MutexGuard,
};
#[cfg(not(ctxgroup_loom))]
pub(crate) use std::sync::{
    atomic::{AtomicBool, AtomicU64, AtomicUsize},
    Condvar, Mutex, MutexGuard,
};

/// A cell whose contents are reached through a raw pointer, under a lock or a protocol its user
/// states; under loom, loom's, which checks that no two threads reach it at once.
#[cfg(ctxgroup_loom)]
pub(crate) use loom::cell::UnsafeCell;

/// std's `UnsafeCell` with loom's interface.
#[cfg(not(ctxgroup_loom))]
#[derive(Debug, Default)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(ctxgroup_loom))]
impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Reads through the pointer `f` is given.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Writes through the pointer `f` is given.
    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
