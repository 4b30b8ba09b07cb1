//! Go's `context` and `errgroup`, done right in Rust: cancellation trees with deadlines, causes
//! and values, and task groups with limits and failure policies. Runtime-agnostic (tokio,
//! `futures::executor`, the browser) and deterministic under a [`VirtualClock`].
//!
//! # A timeout that stops a task
//!
//! Seed 000's `callSlowAPI`: a 5 s call under a 2 s deadline returns `context deadline exceeded`
//! after 2 s. On a [`VirtualRuntime`] this runs instantly and always the same way.
//!
//! ```
//! use std::time::Duration;
//! use ctxgroup::{Clock, Context, VirtualRuntime};
//!
//! let rt = VirtualRuntime::new();
//! let (ctx, _cancel) = Context::with_clock(rt.clock()).with_timeout(Duration::from_secs(2));
//! let err = rt.block_on(async move { ctx.sleep(Duration::from_secs(5)).await }).unwrap().unwrap_err();
//! assert_eq!(err.to_string(), "context deadline exceeded");
//! assert_eq!(rt.clock().now(), Duration::from_secs(2));
//! ```
//!
//! # A group whose first error cancels the rest
//!
//! Seed 001's fix: two tasks (5 s, 10 s) under a 7 s timeout; the second checks its context at
//! every 1 s step, so it stops at 7 s; the first never looks and completes at 5 s.
//!
//! ```
//! use std::time::Duration;
//! use ctxgroup::{clock, Clock, Context, TaskGroup, VirtualRuntime};
//!
//! let rt = VirtualRuntime::new();
//! let (ctx, _cancel) = Context::with_clock(rt.clock()).with_timeout(Duration::from_secs(7));
//! let group = TaskGroup::builder(&ctx).spawner(rt.spawner()).build();
//! let result = rt.block_on(async move {
//!     group.spawn(|ctx| async move {
//!         clock::sleep(ctx.clock().clone(), Duration::from_secs(5)).await; // never looks
//!         Ok(())
//!     }).await;
//!     group.spawn(|ctx| async move {
//!         for _ in 0..10 {
//!             ctx.check()?; // select { case <-ctx.Done(): return ctx.Err(); default: }
//!             clock::sleep(ctx.clock().clone(), Duration::from_secs(1)).await;
//!         }
//!         Ok(())
//!     }).await;
//!     group.wait().await
//! }).unwrap();
//! assert_eq!(result.unwrap_err().to_string(), "context deadline exceeded");
//! assert_eq!(rt.clock().now(), Duration::from_secs(7));
//! ```
//!
//! # On tokio
//!
//! ```
//! # #[cfg(not(target_arch = "wasm32"))]
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::time::Duration;
//! use ctxgroup::{Context, TaskGroup};
//!
//! let (ctx, _cancel) = Context::background().with_timeout(Duration::from_millis(50));
//! let group = TaskGroup::builder(&ctx).spawner(|f| { tokio::spawn(f); }).build();
//! group.spawn(|ctx| async move { ctx.done().await; Err(ctx.err().unwrap().into()) }).await;
//! assert!(group.wait().await.unwrap_err().reason().unwrap().is_deadline_exceeded());
//! # });
//! ```
//!
//! # Choosing a policy
//!
//! | you want | Go | here |
//! |---|---|---|
//! | the first error to stop the others, and be what `wait` returns | `errgroup.WithContext` | [`Policy::FailFast`] (the default) |
//! | every task to run to its end; `wait` returns the first error | a plain `errgroup.Group` | [`Policy::Continue`] |
//! | every task to run to its end; `wait` returns every error | `errors.Join` by hand | [`Policy::CollectAll`] |
//!
//! A limit ([`GroupBuilder::limit`](group::GroupBuilder::limit), Go's `SetLimit`) makes
//! [`TaskGroup::spawn`] wait for a slot; [`TaskGroup::try_spawn`] (Go's `TryGo`) starts the
//! task only if one is free.
//!
//! # Outputs, and errors of your own
//!
//! A group made with [`TaskGroup::with_outputs`] keeps what its tasks return:
//! [`join_next`](TaskGroup::join_next) gives each result as its task finishes,
//! [`wait_outputs`](TaskGroup::wait_outputs) the values in spawn order. The error type can be
//! [`Error`], `anyhow::Error` or your own (see [`TaskError`]); `ctx.check()?` and
//! `ctx.sleep(d).await?` convert the context's [`Reason`] into it (with `anyhow::Error`, turn on
//! the `anyhow` feature so such a task counts as cancelled, not failed). A long-lived group that only
//! waits, with an error type of your own, is
//! [`build_typed`](group::GroupBuilder::build_typed): it keeps nothing but the first error.
//!
//! ```
//! use ctxgroup::{Context, TaskGroup};
//! let group = TaskGroup::with_outputs(&Context::background());
//! let lengths = futures::executor::block_on(async {
//!     for word in ["go", "rust"] {
//!         group.spawn(move |ctx| async move {
//!             ctx.check()?;
//!             Ok::<_, anyhow::Error>(word.len())
//!         }).await;
//!     }
//!     group.wait_outputs().await
//! }).unwrap();
//! assert_eq!(lengths, [2, 4]);
//! ```
//!
//! # What dropping does
//!
//! - Dropping a [`Context`] cancels nothing (as in Go). Once every handle to a context is gone
//!   it leaves its parent: a long-lived parent that sees millions of short-lived children does
//!   not grow.
//! - Dropping a [`CancelFn`] cancels nothing either; Go's `defer cancel()` is
//!   [`CancelFn::drop_guard`], which cancels when the guard goes.
//! - A context with pending [`after_cancel`](Context::after_cancel) callbacks keeps itself
//!   alive until it is cancelled or they are stopped, so they still run (Go's `AfterFunc`).
//! - Dropping every handle to a [`TaskGroup`] without `wait`: tasks on a spawner go on
//!   running, detached (Go's leaked goroutines); tasks the group drives itself (no spawner)
//!   are dropped with it, since nothing polls them any more.
//! - Dropping a `spawn(…)` future that is waiting for a slot gives up its place in the queue.
//!
//! # Where callbacks run
//!
//! - [`after_cancel`](Context::after_cancel) callbacks run on the thread that cancels, after
//!   the whole subtree is marked and woken, each caught if it panics (the first panic goes on
//!   to the caller of `cancel`, once every callback ran). A callback registered on a context
//!   already cancelled runs at once, on the registering thread.
//! - Deadlines: on [`SystemClock`] (natively) the timer thread marks the contexts and wakes
//!   their waiters, and hands the callbacks to runner threads: a slow or panicking callback
//!   delays no deadline or sleep, and other callbacks a few milliseconds (more runners start,
//!   doubling each millisecond, up to 64; past that, callbacks wait for one to free up); on
//!   [`VirtualClock`] they run when virtual time reaches them; on `BrowserClock` (wasm32) in a
//!   browser timer task.
//! - A group's trace [`Hook`](group::Hook) runs on whichever thread the event happens on; a
//!   hook that panics is reported on standard error and not called again.
//! - A task's body, and the `Drop` of an output the group does not keep, run where the task
//!   runs; either panicking makes the task's error a [`Panicked`](error::Panicked), on every
//!   executor, and `wait` returns it.
//!
//! # Recipes
//!
//! **tokio**: hand tasks to `tokio::spawn` (see *On tokio* above). **`futures::executor`**, or
//! any executor: give no spawner, and the group drives its own tasks whenever `wait`,
//! `join_next` or a blocked `spawn` is polled:
//!
//! ```
//! use ctxgroup::{Context, TaskGroup};
//! let group = TaskGroup::new(&Context::background());
//! futures::executor::block_on(async {
//!     group.spawn(|_ctx| async { Ok(()) }).await;
//!     group.wait().await
//! }).unwrap();
//! ```
//!
//! **smol / async-executor**: spawn on the executor and detach.
//!
//! ```
//! # #[cfg(not(target_arch = "wasm32"))] {
//! use std::sync::Arc;
//! use ctxgroup::{Context, TaskGroup};
//! let ex = Arc::new(async_executor::Executor::new());
//! let spawner = ex.clone();
//! let group = TaskGroup::builder(&Context::background())
//!     .spawner(move |f| spawner.spawn(f).detach())
//!     .build();
//! futures::executor::block_on(ex.run(async {
//!     group.spawn(|_ctx| async { Ok(()) }).await;
//!     group.wait().await
//! })).unwrap();
//! # }
//! ```
//!
//! **Tasks that are not `Send`** (an `Rc` across an `await`, a JS promise): a
//! [`LocalTaskGroup`](group::LocalTaskGroup), self-driven or with a
//! [`local_spawner`](group::GroupBuilder::local_spawner) (`LocalPool`'s spawner,
//! `wasm_bindgen_futures::spawn_local`); it stays on its thread.
//!
//! **The browser** (wasm32): contexts take their deadlines from [`Context::background`] (a
//! `BrowserClock`), groups spawn with `wasm_bindgen_futures::spawn_local` (a `LocalTaskGroup`
//! when tasks await JS promises), and `ctx.abort_signal()` hands the cancellation to `fetch`.
//! `tests/web.rs` runs both in headless Chromium.
//!
//! ```ignore
//! let (ctx, _cancel) = Context::background().with_timeout(Duration::from_secs(2));
//! let group = TaskGroup::builder(&ctx).spawner(wasm_bindgen_futures::spawn_local).build();
//! let init = web_sys::RequestInit::new();
//! init.set_signal(Some(&ctx.abort_signal())); // fetch is aborted with the context
//! ```
//!
//! # Layers
//!
//! [`clock`] ← [`context`] ← [`group`]. The playground (the `ctxgroup-playground` crate) runs
//! its scenarios on this very context and group code, through this public API.

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub mod clock;
pub mod context;
pub mod error;
mod go_duration;
pub mod group;

#[cfg(target_arch = "wasm32")]
pub use clock::BrowserClock;
#[cfg(not(target_arch = "wasm32"))]
pub use clock::SystemClock;
pub use clock::{Clock, Sleep, Stalled, VirtualClock, VirtualRuntime};
pub use context::{AfterCancel, CancelFn, CancelGuard, Cause, Context, Done, Reason};
pub use error::{Error, Errors};
pub use go_duration::GoDuration;
pub use group::{Policy, TaskError, TaskGroup};

// The README's examples are compiled and run as doctests too.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
