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
//! # Layers
//!
//! [`clock`] ← [`context`] ← [`group`]. The playground (the `ctxgroup-playground` crate) runs
//! its scenarios on this very context and group code, through this public API.

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

pub mod clock;
pub mod context;
pub mod error;
pub mod group;

#[cfg(target_arch = "wasm32")]
pub use clock::BrowserClock;
#[cfg(not(target_arch = "wasm32"))]
pub use clock::SystemClock;
pub use clock::{Clock, Sleep, Stalled, VirtualClock, VirtualRuntime};
pub use context::{AfterCancel, CancelFn, CancelGuard, Cause, Context, Done, Reason};
pub use error::{Error, Errors};
pub use group::{Policy, TaskError, TaskGroup};

/// Seconds as the playground writes them: `7s`, `1.5s`, `0.05s` (integer arithmetic: float
/// formatting would add several KB to the wasm build).
pub(crate) fn fmt_secs(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    let (whole, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        format!("{whole}s")
    } else {
        let frac = format!("{frac:03}");
        format!("{whole}.{}s", frac.trim_end_matches('0'))
    }
}
