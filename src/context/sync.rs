//! The tree's synchronisation primitives: std's, or loom's when the crate is built for the loom
//! model (`RUSTFLAGS="--cfg ctxgroup_loom"`, see `tests/loom_tree.rs`), so that loom explores
//! every interleaving of cancel, create, drop and after-cancel on the real code.

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
