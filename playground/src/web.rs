//! The browser side (wasm32 only): what the playground page and the `<ctxgroup-playground>`
//! element call. Answers are JSON strings, so the JS glue stays small.
//!
//! Live mode runs the very same scenario code as virtual mode, on a [`BrowserClock`] scaled by
//! the chosen speed, with tasks spawned on the browser's event loop. Stopping (or starting
//! another run) aborts every task future of the run, which drops their timers: no stray
//! `setTimeout` is left behind.

use std::sync::{Arc, Mutex};

use futures::future::{AbortHandle, Abortable};
use wasm_bindgen::prelude::*;

use crate::gantt;
use crate::scenario::{self, Scenario};
use crate::simulate::{self, Recorder, RunTimers};
use crate::trace::{json::JsonWriter, to_chrome_json, Trace};
use ctxgroup::clock::{BrowserClock, Clock, ScaledClock};
use ctxgroup::Context;

/// The library's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// One playground: the last scenario and trace, and the live run if one is going.
#[wasm_bindgen]
#[derive(Default)]
pub struct Playground {
    scenario: Option<Scenario>,
    trace: Option<Trace>,
    live: Option<LiveRun>,
}

struct LiveRun {
    scenario: Scenario,
    clock: Arc<BrowserClock>,
    scaled: Arc<ScaledClock>,
    recorder: Arc<Recorder>,
    handles: Arc<Mutex<Vec<AbortHandle>>>,
    timers: Arc<RunTimers>,
    live_tasks: Arc<std::sync::atomic::AtomicUsize>,
    /// When to stop watching: where the virtual run's chart ends if some task never ends;
    /// otherwise only a safety bound (real timers fire late, so the live run may take longer).
    horizon: f64,
}

impl Drop for LiveRun {
    fn drop(&mut self) {
        for h in self.handles.lock().unwrap().drain(..) {
            h.abort();
        }
        self.timers.cancel_all();
    }
}

fn errors_json(errors: &scenario::ParseErrors) -> String {
    let mut w = JsonWriter::new();
    w.begin_object();
    w.key("ok");
    w.raw("false");
    w.key("errors");
    w.begin_array();
    for e in &errors.0 {
        w.begin_object();
        w.key("line");
        w.raw(&e.line.to_string());
        w.key("col");
        w.raw(&e.col.to_string());
        w.key("endCol");
        w.raw(&e.end_col.to_string());
        w.key("message");
        w.str(&e.message);
        w.key("hint");
        w.str(&e.hint);
        w.key("text");
        w.str(&e.to_string());
        w.end_object();
    }
    w.end_array();
    w.end_object();
    w.finish()
}

fn sim_error_json(e: &simulate::SimError) -> String {
    errors_json(&scenario::ParseErrors(vec![scenario::ParseError {
        line: e.line,
        col: 1,
        end_col: 2,
        message: e.message.clone(),
        hint: String::new(),
        source_line: String::new(),
    }]))
}

fn result_json(
    trace: &Trace,
    summary: &str,
    options: &gantt::Options,
    extra: &[(&str, String)],
) -> String {
    let svg = gantt::render(trace, options);
    let mut w = JsonWriter::new();
    w.begin_object();
    w.key("ok");
    w.raw("true");
    w.key("summary");
    w.str(summary);
    w.key("svg");
    w.str(&svg);
    for (k, v) in extra {
        w.key(k);
        w.raw(v);
    }
    w.key("trace");
    w.raw(&trace.to_json());
    w.end_object();
    w.finish()
}

#[wasm_bindgen]
impl Playground {
    /// A new playground.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Playground {
        Playground::default()
    }

    /// Parses and simulates `text` in virtual time; the chart is `width` px wide. Returns
    /// `{"ok":true,"summary","svg","trace"}` or `{"ok":false,"errors":[{line,col,endCol,message,hint,text}]}`.
    pub fn run(&mut self, text: &str, width: f64, dark: bool) -> String {
        self.live = None;
        let scenario = match scenario::parse(text) {
            Ok(s) => s,
            Err(errors) => return errors_json(&errors),
        };
        let trace = match simulate::simulate(&scenario) {
            Ok(t) => t,
            Err(e) => return sim_error_json(&e),
        };
        let out = result_json(
            &trace,
            &trace.summary(),
            &gantt::Options {
                width,
                dark,
                running_at: None,
            },
            &[],
        );
        self.scenario = Some(scenario);
        self.trace = Some(trace);
        out
    }

    /// Re-renders the last trace (after a resize or a theme change).
    pub fn render(&self, width: f64, dark: bool) -> String {
        match &self.trace {
            Some(t) => gantt::render(
                t,
                &gantt::Options {
                    width,
                    dark,
                    running_at: None,
                },
            ),
            None => String::new(),
        }
    }

    /// The last trace as JSON.
    pub fn trace_json(&self) -> String {
        self.trace.as_ref().map(Trace::to_json).unwrap_or_default()
    }

    /// The last trace as Chrome trace-event JSON (for Perfetto).
    pub fn chrome_json(&self) -> String {
        self.trace.as_ref().map(to_chrome_json).unwrap_or_default()
    }

    /// Starts `text` in live mode on the browser clock at `speed`× (0.01 to 1000). Returns the
    /// same error JSON as [`run`](Self::run), or `{"ok":true}`.
    pub fn start_live(&mut self, text: &str, speed: f64) -> String {
        self.live = None; // stops the previous run: its futures are aborted, its timers dropped
        let scenario = match scenario::parse(text) {
            Ok(s) => s,
            Err(errors) => return errors_json(&errors),
        };
        // Reuse the virtual run's checks (limits on checks) and its horizon.
        let horizon = match simulate::simulate(&scenario) {
            Ok(t) if t.tasks.iter().any(|t| t.end.is_none()) => t.end.max(0.001),
            Ok(t) => t.end * 2.0 + 1.0,
            Err(e) => return sim_error_json(&e),
        };
        let clock = BrowserClock::new();
        let scaled = ScaledClock::new(clock.clone(), speed);
        let recorder = Recorder::new(&scenario, scaled.clone());
        let handles: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let live_tasks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let spawner = {
            let handles = handles.clone();
            let live_tasks = live_tasks.clone();
            move |fut: futures::future::BoxFuture<'static, ()>| {
                let (handle, registration) = AbortHandle::new_pair();
                handles.lock().unwrap().push(handle);
                live_tasks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let live = live_tasks.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = Abortable::new(fut, registration).await;
                    live.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                });
            }
        };
        let (main, timers) = simulate::run(
            Arc::new(scenario.clone()),
            Context::with_clock(scaled.clone()),
            Arc::new(spawner.clone()),
            recorder.clone(),
        );
        spawner(Box::pin(main));
        self.live = Some(LiveRun {
            scenario,
            clock,
            scaled,
            recorder,
            handles,
            timers,
            live_tasks,
            horizon,
        });
        r#"{"ok":true}"#.to_string()
    }

    /// The live run so far: `{"ok":true,"now","done","summary","svg","trace"}`; `done` once every
    /// task has returned, nothing can happen any more, or the chart's end is reached.
    pub fn live_snapshot(&mut self, width: f64, dark: bool) -> String {
        let Some(live) = &self.live else {
            return r#"{"ok":false,"errors":[]}"#.to_string();
        };
        let mut trace = live.recorder.snapshot(&live.scenario);
        let now = live.scaled.now().as_secs_f64();
        let idle = live.clock.pending_timers() == 0;
        let all_done = live.live_tasks.load(std::sync::atomic::Ordering::SeqCst) == 0;
        let done = all_done || idle || now >= live.horizon;
        if done {
            trace.end = trace.end.max(live.horizon.min(now));
        }
        // `expect` lines hold virtual times exactly; real timers fire a little late, so they
        // are checked in virtual mode only.
        trace.expectations.clear();
        let summary = if done {
            trace.summary()
        } else {
            trace.summary_at(Some(now))
        };
        let extra = [("now", crate::trace::secs(now)), ("done", done.to_string())];
        let options = gantt::Options {
            width,
            dark,
            running_at: (!done).then_some(now),
        };
        let out = result_json(&trace, &summary, &options, &extra);
        self.trace = Some(trace);
        if done {
            self.live = None;
        }
        out
    }

    /// Stops the live run, if any: aborts its tasks and drops their timers.
    pub fn stop(&mut self) {
        self.live = None;
    }

    /// How many browser-clock timers the live run has pending (0 after `stop`).
    pub fn live_pending_timers(&self) -> usize {
        self.live.as_ref().map_or(0, |l| l.clock.pending_timers())
    }
}

impl std::fmt::Debug for Playground {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Playground")
            .field("has_trace", &self.trace.is_some())
            .field("live", &self.live.is_some())
            .finish()
    }
}

/// Parses and simulates `text` in virtual time and returns the trace JSON alone (no chart),
/// or the error JSON of [`Playground::run`].
#[wasm_bindgen]
pub fn trace_json(text: &str) -> String {
    match scenario::parse(text) {
        Err(errors) => errors_json(&errors),
        Ok(s) => match simulate::simulate(&s) {
            Ok(t) => t.to_json(),
            Err(e) => sim_error_json(&e),
        },
    }
}

/// The Go program `text` stands for (context + errgroup; see [`crate::golang`]), as
/// `{"ok":true,"program":"…"}`, or the error JSON of [`Playground::run`].
#[wasm_bindgen]
pub fn go_program(text: &str) -> String {
    match scenario::parse(text) {
        Err(errors) => errors_json(&errors),
        Ok(s) => program_json(&crate::golang::go_program(&s)),
    }
}

/// The same scenario as a Rust program on ctxgroup (see [`crate::rustgen`]), as
/// `{"ok":true,"program":"…"}`, or the error JSON of [`Playground::run`].
#[wasm_bindgen]
pub fn rust_program(text: &str) -> String {
    match scenario::parse(text) {
        Err(errors) => errors_json(&errors),
        Ok(s) => program_json(&crate::rustgen::rust_program(&s)),
    }
}

fn program_json(program: &str) -> String {
    let mut w = JsonWriter::new();
    w.begin_object();
    w.key("ok");
    w.raw("true");
    w.key("program");
    w.str(program);
    w.end_object();
    w.finish()
}

/// Benchmark: `n` contexts with deadlines `first_ms`, `first_ms + step_ms`, … on the page's
/// [`BrowserClock`]; resolves with each one's lateness (fired − due, in ms) as a JSON array.
#[wasm_bindgen]
pub async fn bench_deadline_lateness(n: u32, first_ms: f64, step_ms: f64) -> String {
    let clock = BrowserClock::shared();
    let root = Context::with_clock(clock.clone());
    let late: Arc<Mutex<Vec<f64>>> = Arc::default();
    let now = clock.now();
    let mut keep = Vec::with_capacity(n as usize);
    for i in 0..n {
        let due =
            now + std::time::Duration::from_secs_f64((first_ms + step_ms * f64::from(i)) / 1000.0);
        let (ctx, cancel) = root.with_deadline(due);
        let (c, l) = (clock.clone(), late.clone());
        let handle = ctx.after_cancel(move |_| {
            l.lock()
                .unwrap()
                .push((c.now().as_secs_f64() - due.as_secs_f64()) * 1000.0)
        });
        keep.push((ctx, cancel, handle));
    }
    for (ctx, _, _) in &keep {
        ctx.done().await;
    }
    let late = late.lock().unwrap();
    let mut w = JsonWriter::new();
    w.begin_array();
    for l in late.iter() {
        // Microseconds, written as ms with 3 decimals by integer arithmetic (no float formatting).
        let us = (l * 1000.0).round() as i64;
        let sign = if us < 0 { "-" } else { "" };
        w.raw(&format!(
            "{sign}{}.{:03}",
            us.unsigned_abs() / 1000,
            us.unsigned_abs() % 1000
        ));
    }
    w.end_array();
    w.finish()
}

/// Benchmark: `n` contexts all due `delay_ms` from now; resolves with the ms from arming the
/// first to the last one's cancellation being seen.
#[wasm_bindgen]
pub async fn bench_pending_deadlines(n: u32, delay_ms: f64) -> f64 {
    let clock = BrowserClock::shared();
    let root = Context::with_clock(clock.clone());
    let start = clock.now();
    let due = start + std::time::Duration::from_secs_f64(delay_ms / 1000.0);
    let contexts: Vec<_> = (0..n).map(|_| root.with_deadline(due)).collect();
    for (ctx, _) in &contexts {
        ctx.done().await;
    }
    (clock.now() - start).as_secs_f64() * 1000.0
}
