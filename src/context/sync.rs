//! The synchronisation primitives of the tree and of the tasks a group drives itself: std's, or
//! loom's when the crate is built for the loom models (`RUSTFLAGS="--cfg ctxgroup_loom"`, see
//! `tests/loom_tree.rs` and `tests/loom_group.rs`), so that loom explores every interleaving of
//! cancel, create, drop, after-cancel, wake and drive on the real code.

#[cfg(ctxgroup_loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicBool, AtomicU64},
    Mutex,
};
#[cfg(not(ctxgroup_loom))]
pub(crate) use std::sync::{
    atomic::{AtomicBool, AtomicU64},
    Mutex,
};
