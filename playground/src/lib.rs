//! The ctxgroup playground: a scenario language for Go-style task groups, a simulator that runs
//! scenarios on the real [`ctxgroup`] library, traces and their exports, and the SVG Gantt chart.
//! On wasm32 it is also the page's wasm API; natively it is the `ctxgroup` CLI.
//!
//! ```
//! let scenario = ctxgroup_playground::scenario::parse(
//!     "timeout 6.5s\ntask t1 5s check=never\ntask t2 10s check=every:1s\n",
//! ).unwrap();
//! let trace = ctxgroup_playground::simulate::simulate(&scenario).unwrap();
//! assert_eq!(trace.summary(), "returned at 7s: context deadline exceeded — t1 completed at 5s, t2 cancelled at 7s");
//! ```
//!
//! # Layers
//!
//! `ctxgroup` (clock ← context ← group) ← [`scenario`] / [`simulate`] ← [`trace`] / [`gantt`]
//! ← `web` (wasm32) and the CLI. Everything here uses the library through its public API only.

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
// The code views' wasm (feature `code` alone) leaves the live-run parts of the simulator unused.
#![cfg_attr(all(target_arch = "wasm32", not(feature = "page")), allow(dead_code))]

mod fnv;
pub mod gantt;
pub mod golang;
pub mod rustgen;
pub mod scenario;
pub mod simulate;
pub mod trace;
pub mod turn_clock;
#[cfg(all(target_arch = "wasm32", any(feature = "page", feature = "code")))]
pub mod web;

/// A duration as the playground writes it: Go's way, which the scenario language reads back
/// (`250ms`, `1.5s`, `1m30s`).
pub(crate) fn fmt_duration(d: std::time::Duration) -> String {
    trace::human(d.as_secs_f64())
}
