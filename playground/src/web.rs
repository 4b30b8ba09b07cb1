//! The browser side (wasm32 only): what the playground page and the `<ctxgroup-playground>`
//! element call. Answers are JSON strings, so the JS glue stays small.
//!
//! Live mode runs the very same scenario code as virtual mode, on a [`BrowserClock`] scaled by
//! the chosen speed, with tasks spawned on the browser's event loop. Stopping (or starting
//! another run) aborts every task future of the run, which drops their timers: no stray
//! `setTimeout` is left behind.
//!
//! The API comes in two parts, each behind a cargo feature, so that a page can load the code
//! generators only when they are asked for: `page` (the `Playground` class and the benchmarks) and
//! `code` (the Go and Rust programs of a scenario). scripts/build-web.sh builds one wasm of each.

use wasm_bindgen::prelude::*;

use crate::scenario;
use crate::trace::json::JsonWriter;
#[cfg(feature = "page")]
use {
    crate::gantt,
    crate::scenario::Scenario,
    crate::simulate::{self, Budget, Recorder, RunTimers},
    crate::trace::{to_chrome_json, Trace},
    crate::turn_clock::TurnClock,
    ctxgroup::clock::{BrowserClock, Clock, ScaledClock},
    ctxgroup::Context,
    futures::future::{AbortHandle, Abortable},
    std::sync::{Arc, Mutex},
};

#[cfg(feature = "page")]
/// The page's work budget for one virtual run: it runs in a worker, so a long run freezes
/// nothing; a heavy scenario is refused by its steps, as in the CLI, and on a very slow device
/// by its time rather than running for minutes.
const BUDGET: Budget = Budget {
    max_steps: simulate::MAX_RUN_STEPS,
    // A last resort on a slow device, far above what the steps take on a laptop (about 2 s):
    // the steps decide, as in the CLI.
    max_ms: 15_000.0,
    now_ms: Some(js_sys::Date::now),
};

/// The library's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

#[cfg(feature = "page")]
/// One playground: the last trace, and the live run if one is going.
#[wasm_bindgen]
#[derive(Default)]
pub struct Playground {
    trace: Option<Trace>,
    /// How the last trace is drawn: still running at (live mode), and whether it was stopped.
    running_at: Option<f64>,
    stopped: bool,
    live: Option<LiveRun>,
    /// A live frame being drawn a step at a time (see [`Playground::live_frame`]).
    frame: Option<LiveFrame>,
}

/// A live frame's answer without a live run to draw.
#[cfg(feature = "page")]
const NO_LIVE_RUN: &str = r#"{"ok":false,"errors":[]}"#;

/// A live frame, from the request to the answer.
#[cfg(feature = "page")]
#[allow(clippy::large_enum_variant)] // one at a time: boxing would only add an allocation
enum LiveFrame {
    Asked {
        options: gantt::Options,
        with_trace: bool,
        stop: bool,
    },
    Drawing(FrameCopy, gantt::PartsBuilder),
    Drawn(String),
}

/// The live run as a frame shows it: a copy of its trace at one moment, and what is said of it.
#[cfg(feature = "page")]
struct FrameCopy {
    trace: Trace,
    summary: String,
    /// With `running_at` and `stopped` set for the frame.
    options: gantt::Options,
    /// The run's time at the copy, in seconds.
    now: f64,
    done: bool,
    stop: bool,
}

#[cfg(feature = "page")]
struct LiveRun {
    scenario: Arc<Scenario>,
    clock: Arc<BrowserClock>,
    turn: Arc<TurnClock>,
    scaled: Arc<ScaledClock>,
    recorder: Arc<Recorder>,
    handles: Arc<Mutex<Vec<AbortHandle>>>,
    timers: Arc<RunTimers>,
    live_tasks: Arc<std::sync::atomic::AtomicUsize>,
    /// When to stop watching: where the virtual run's chart ends if some task never ends;
    /// otherwise only a safety bound (real timers fire late, so the live run may take longer).
    horizon: f64,
}

#[cfg(feature = "page")]
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

#[cfg(feature = "page")]
/// A run refused by its limits, marked over the whole line at fault.
fn sim_error_json(e: &simulate::SimError, text: &str) -> String {
    let source = text.lines().nth(e.line.saturating_sub(1)).unwrap_or("");
    let indent = source.chars().take_while(|c| c.is_whitespace()).count();
    errors_json(&scenario::ParseErrors(vec![scenario::ParseError {
        line: e.line,
        col: indent + 1,
        end_col: source.chars().count().max(indent + 1) + 1,
        message: e.message.clone(),
        hint: String::new(),
        source_line: String::new(),
    }]))
}

#[cfg(feature = "page")]
/// A number of px or µs with at most one decimal, by integer arithmetic (no float formatting).
fn num(x: f64) -> String {
    let tenths = (x * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    if t % 10 == 0 {
        format!("{sign}{}", t / 10)
    } else {
        format!("{sign}{}.{}", t / 10, t % 10)
    }
}

#[cfg(feature = "page")]
/// The view a page asks for: `t1 <= t0` shows the whole run, `y1 <= y0` every row.
fn view(width: f64, dark: bool, t0: f64, t1: f64, y0: f64, y1: f64) -> gantt::Options {
    gantt::Options {
        width,
        dark,
        window: (t1 > t0).then_some((t0, t1)),
        rows_px: (y1 > y0).then_some((y0, y1)),
        ..Default::default()
    }
}

#[cfg(feature = "page")]
/// The chart's parts as JSON: `{"head","body","foot","bodyTop","bodyHeight","left","plotWidth",
/// "t0Us","t1Us","endUs"}`, with `"rowTops"` (each row's top, px) when `tops`.
fn parts_json(trace: &Trace, options: &gantt::Options, tops: bool) -> String {
    parts_json_of(gantt::render_parts(trace, options), trace, options, tops)
}

/// A live frame's answer: `{"ok":true,"summary","now","done","stopped","chart"}`.
#[cfg(feature = "page")]
fn frame_json(copy: &FrameCopy, chart: &str) -> String {
    let mut w = JsonWriter::new();
    w.begin_object();
    w.key("ok");
    w.raw("true");
    w.key("summary");
    w.str(&copy.summary);
    let stopped = copy.options.stopped;
    for (k, v) in [
        ("now", crate::trace::secs(copy.now)),
        ("done", (copy.done || stopped).to_string()),
        ("stopped", stopped.to_string()),
    ] {
        w.key(k);
        w.raw(&v);
    }
    // Last: a worker can hand it on as text without parsing it.
    w.key("chart");
    w.raw(chart);
    w.end_object();
    w.finish()
}

#[cfg(feature = "page")]
fn parts_json_of(p: gantt::Parts, trace: &Trace, options: &gantt::Options, tops: bool) -> String {
    let mut w = JsonWriter::new();
    w.begin_object();
    for (k, v) in [("head", &p.head), ("body", &p.body), ("foot", &p.foot)] {
        w.key(k);
        w.str(v);
    }
    for (k, v) in [
        ("bodyTop", p.body_top),
        ("bodyHeight", p.body_height),
        ("left", p.left),
        ("plotWidth", p.plot_width),
        ("t0Us", p.t0 * 1e6),
        ("t1Us", p.t1 * 1e6),
        ("endUs", p.end * 1e6),
    ] {
        w.key(k);
        w.raw(&num(v));
    }
    if tops {
        w.key("rowTops");
        w.begin_array();
        for y in gantt::row_tops(trace, options) {
            w.raw(&num(y));
        }
        w.end_array();
    }
    w.end_object();
    w.finish()
}

#[cfg(feature = "page")]
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

#[cfg(feature = "page")]
impl Playground {
    fn tasks(&self) -> impl Iterator<Item = &crate::trace::TaskTrace> {
        self.trace.iter().flat_map(|t| &t.tasks)
    }

    fn events(&self) -> impl Iterator<Item = &crate::trace::TraceEvent> {
        self.trace.iter().flat_map(|t| &t.events)
    }

    fn rows_by_path(&self) -> crate::fnv::FnvMap<&str, usize> {
        self.trace
            .as_ref()
            .map(Trace::rows_by_path)
            .unwrap_or_default()
    }
}

#[cfg(feature = "page")]
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
        let trace = match self.simulated(text) {
            Ok((_, t)) => t,
            Err(errors) => return errors,
        };
        let out = result_json(
            &trace,
            &trace.summary(),
            &gantt::Options {
                width,
                dark,
                ..Default::default()
            },
            &[],
        );
        self.trace = Some(trace);
        (self.running_at, self.stopped) = (None, false);
        out
    }

    /// Parses and simulates `text` in virtual time (within the page's work budget) and keeps
    /// the trace for [`chart`](Self::chart) and [`trace_json`](Self::trace_json). Returns
    /// `{"ok":true,"summary"}` or the error JSON of [`run`](Self::run).
    pub fn simulate(&mut self, text: &str) -> String {
        let trace = match self.simulated(text) {
            Ok((_, t)) => t,
            Err(errors) => return errors,
        };
        let mut w = JsonWriter::new();
        w.begin_object();
        w.key("ok");
        w.raw("true");
        w.key("summary");
        w.str(&trace.summary());
        w.end_object();
        self.trace = Some(trace);
        (self.running_at, self.stopped) = (None, false);
        w.finish()
    }

    /// The last trace's chart in three parts (the axis, the rows crossing `y0..y1` px, the foot
    /// with the legend) over the time window `t0..t1` s, as JSON (see `gantt::render_parts`);
    /// `t1 <= t0` shows the whole run, `y1 <= y0` every row; `tops` adds each row's top.
    #[allow(clippy::too_many_arguments)]
    pub fn chart(
        &self,
        width: f64,
        dark: bool,
        t0: f64,
        t1: f64,
        y0: f64,
        y1: f64,
        tops: bool,
    ) -> String {
        let Some(trace) = &self.trace else {
            return "null".to_string();
        };
        let mut options = view(width, dark, t0, t1, y0, y1);
        options.running_at = self.running_at;
        options.stopped = self.stopped;
        parts_json(trace, &options, tops)
    }

    /// Re-renders the last trace (after a resize or a theme change).
    pub fn render(&self, width: f64, dark: bool) -> String {
        match &self.trace {
            Some(t) => gantt::render(
                t,
                &gantt::Options {
                    width,
                    dark,
                    ..Default::default()
                },
            ),
            None => String::new(),
        }
    }

    /// What a page shows of the last trace at once: `{"returned","end","expectations","tasks"
    /// (the first 60),"taskCount","eventCount"}`.
    pub fn trace_head(&self) -> String {
        let Some(t) = &self.trace else {
            return "null".to_string();
        };
        let first = Trace {
            returned: t.returned.clone(),
            tasks: t.tasks.iter().take(60).cloned().collect(),
            events: Vec::new(),
            marks: Vec::new(),
            end: t.end,
            expectations: t.expectations.clone(),
            // The whole trace has them; the head is what shows at once.
            goroutines: Vec::new(),
            races: Vec::new(),
            values: Vec::new(),
        };
        let json = first.to_json();
        // `{… "events":[],"marks":[],…}`: the fields of the head, and the counts.
        format!(
            "{},\"taskCount\":{},\"eventCount\":{}}}",
            json.strip_suffix('}').unwrap_or(&json),
            t.tasks.len(),
            t.events.len()
        )
    }

    /// What a page needs to find rows, lines and events in the last trace without all of it, in
    /// one array: the task count `n` and the event count `m`, then each task's scenario line
    /// (`n`), each task's cause (the row of the task whose error cancelled it, or -1; `n`), each
    /// event's time in s (`m`) and each event's row (-1 for an event of no task; `m`).
    pub fn trace_index(&self) -> Vec<f64> {
        let rows = self.rows_by_path();
        let row = |path: Option<&str>| path.and_then(|p| rows.get(p)).map_or(-1.0, |&i| i as f64);
        let (n, m) = (self.tasks().count(), self.events().count());
        let mut out = Vec::with_capacity(2 + 2 * n + 2 * m);
        out.extend([n as f64, m as f64]);
        out.extend(self.tasks().map(|t| t.line as f64));
        out.extend(self.tasks().map(|t| row(t.cause_task.as_deref())));
        out.extend(self.events().map(|e| e.t));
        out.extend(self.events().map(|e| row(e.task.as_deref())));
        out
    }

    /// Each task's path in the last trace, by row, as a JSON array.
    pub fn task_paths(&self) -> String {
        let mut w = JsonWriter::new();
        w.begin_array();
        for t in self.tasks() {
            w.str(&t.path);
        }
        w.end_array();
        w.finish()
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
        // Stops the previous run (its futures are aborted, its timers dropped), and reuses the
        // virtual run's checks (limits on checks) and its horizon.
        let (scenario, horizon) = match self.simulated(text) {
            Ok((s, t)) if t.tasks.iter().any(|t| t.end.is_none()) => (s, t.end.max(0.001)),
            Ok((s, t)) => (s, t.end * 2.0 + 1.0),
            Err(errors) => return errors,
        };
        let clock = BrowserClock::new();
        // Time holds still while the run's own work goes on (see `TurnClock`).
        let turn = TurnClock::new(clock.clone());
        let scaled = ScaledClock::new(turn.clone(), speed);
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
            scenario.clone(),
            Context::with_clock(scaled.clone()),
            Arc::new(spawner.clone()),
            recorder.clone(),
        );
        spawner(Box::pin(main));
        self.live = Some(LiveRun {
            scenario,
            clock,
            turn,
            scaled,
            recorder,
            handles,
            timers,
            live_tasks,
            horizon,
        });
        r#"{"ok":true}"#.to_string()
    }

    /// Begins a live frame for a page that draws a view (see [`chart`](Self::chart)), to be
    /// drawn a step at a time: [`live_frame_step`](Self::live_frame_step) until it says the
    /// frame is drawn, then [`live_frame_answer`](Self::live_frame_answer). Between steps the
    /// run's own deadlines fire on time: a caller fits each step (a copy of the run, the axis,
    /// the rows in view, the foot) into a gap before the next deadline, which
    /// [`live_quiet_ms`](Self::live_quiet_ms) gives. `done` is
    /// true once every task has returned, nothing can happen any more, or the chart's end is
    /// reached. With `with_trace` (and always once the run is over) the whole trace is then
    /// [`trace_json`](Self::trace_json); otherwise the frame skips the events (check ticks are
    /// drawn when the run is over). `stop` stops the run after this frame.
    #[allow(clippy::too_many_arguments)]
    pub fn live_frame(
        &mut self,
        width: f64,
        dark: bool,
        t0: f64,
        t1: f64,
        y0: f64,
        y1: f64,
        with_trace: bool,
        stop: bool,
    ) {
        self.frame = Some(LiveFrame::Asked {
            options: view(width, dark, t0, t1, y0, y1),
            with_trace,
            stop,
        });
    }

    /// Does the next step of the live frame: takes the copy of the run, then draws the chart's
    /// axis, rows and foot. True once the frame is drawn (and when there is none).
    pub fn live_frame_step(&mut self) -> bool {
        let next = match self.frame.take() {
            None => return true,
            Some(LiveFrame::Asked {
                options,
                with_trace,
                stop,
            }) => match self.frame_copy(options, stop, with_trace) {
                Some(copy) => {
                    let parts = gantt::PartsBuilder::new(&copy.trace, &copy.options);
                    LiveFrame::Drawing(copy, parts)
                }
                None => LiveFrame::Drawn(NO_LIVE_RUN.to_string()),
            },
            Some(LiveFrame::Drawing(copy, mut parts)) => {
                if parts.step(&copy.trace, &copy.options) {
                    let chart = parts_json_of(parts.finish(), &copy.trace, &copy.options, false);
                    let answer = frame_json(&copy, &chart);
                    self.keep_frame(copy);
                    LiveFrame::Drawn(answer)
                } else {
                    LiveFrame::Drawing(copy, parts)
                }
            }
            Some(drawn) => drawn,
        };
        let drawn = matches!(next, LiveFrame::Drawn(_));
        self.frame = Some(next);
        drawn
    }

    /// The live frame: `{"ok":true,"summary","now","done","stopped","chart"}`, `chart` last
    /// (its remaining steps are done first).
    pub fn live_frame_answer(&mut self) -> String {
        while !self.live_frame_step() {}
        match self.frame.take() {
            Some(LiveFrame::Drawn(answer)) => answer,
            _ => NO_LIVE_RUN.to_string(),
        }
    }

    /// Real milliseconds until the live run's next deadline (infinite without one).
    pub fn live_quiet_ms(&self) -> f64 {
        let Some(live) = &self.live else {
            return f64::INFINITY;
        };
        live.clock.next_deadline().map_or(f64::INFINITY, |due| {
            (due.as_secs_f64() - live.clock.now().as_secs_f64()) * 1000.0
        })
    }

    /// The live run now, for a frame; `None` without a live run.
    fn frame_copy(
        &mut self,
        mut options: gantt::Options,
        stop: bool,
        with_trace: bool,
    ) -> Option<FrameCopy> {
        let live = self.live.as_ref()?;
        live.turn.begin_turn();
        let now = live.scaled.now().as_secs_f64();
        let idle = live.clock.pending_timers() == 0;
        let all_done = live.live_tasks.load(std::sync::atomic::Ordering::SeqCst) == 0;
        let done = all_done || idle || now >= live.horizon;
        let events = with_trace || done || stop;
        let mut trace = live.recorder.snapshot(&live.scenario, events);
        let stopped = stop && !done;
        if !all_done {
            // Going on, stopped, at its horizon or idle for good: it ends now, not at its last
            // event (which may be long before, with a task still to be spawned).
            trace.end = trace.end.max(live.horizon.min(now));
        }
        // `expect` lines hold virtual times exactly; real timers fire a little late, so they
        // are checked in virtual mode only.
        trace.expectations.clear();
        let summary = if done {
            trace.summary()
        } else {
            trace.summary_at(Some(now), stopped)
        };
        options.running_at = (!done).then_some(now);
        options.stopped = stopped;
        Some(FrameCopy {
            trace,
            summary,
            options,
            now,
            done,
            stop,
        })
    }

    /// Stops any live run, then parses and simulates `text` in virtual time within the page's
    /// work budget: the scenario and its trace, or the error JSON of [`run`](Self::run).
    fn simulated(&mut self, text: &str) -> Result<(Arc<scenario::Scenario>, Trace), String> {
        self.stop();
        let scenario = Arc::new(scenario::parse(text).map_err(|errors| errors_json(&errors))?);
        let mut trace =
            simulate::simulate_shared(&scenario, &BUDGET).map_err(|e| sim_error_json(&e, text))?;
        trace.races = crate::golang::races(&scenario, &trace);
        Ok((scenario, trace))
    }

    /// Keeps a frame's trace as the last one; a frame that is the run's last ends the run.
    fn keep_frame(&mut self, copy: FrameCopy) {
        (self.running_at, self.stopped) = (copy.options.running_at, copy.options.stopped);
        self.trace = Some(copy.trace);
        if copy.done || copy.stop {
            self.live = None;
        }
    }

    /// Stops the live run, if any: aborts its tasks and drops their timers.
    pub fn stop(&mut self) {
        self.live = None;
        self.frame = None;
    }

    /// How many browser-clock timers the live run has pending (0 after `stop`).
    pub fn live_pending_timers(&self) -> usize {
        self.live.as_ref().map_or(0, |l| l.clock.pending_timers())
    }
}

#[cfg(feature = "page")]
impl std::fmt::Debug for Playground {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Playground")
            .field("has_trace", &self.trace.is_some())
            .field("live", &self.live.is_some())
            .finish()
    }
}

#[cfg(feature = "page")]
/// Parses and simulates `text` in virtual time and returns the trace JSON alone (no chart),
/// or the error JSON of [`Playground::run`].
#[wasm_bindgen]
pub fn trace_json(text: &str) -> String {
    match scenario::parse(text) {
        Err(errors) => errors_json(&errors),
        Ok(s) => match simulate::simulate_with(&s, &BUDGET) {
            Ok(t) => t.to_json(),
            Err(e) => sim_error_json(&e, text),
        },
    }
}

#[cfg(feature = "code")]
/// The Go program `text` stands for (context + errgroup; see [`crate::golang`]), as
/// `{"ok":true,"program":"…"}`, or the error JSON of [`Playground::run`].
#[wasm_bindgen]
pub fn go_program(text: &str) -> String {
    match scenario::parse(text) {
        Err(errors) => errors_json(&errors),
        Ok(s) => program_json(&crate::golang::go_program(&s)),
    }
}

#[cfg(feature = "code")]
/// The same scenario as a Rust program on ctxgroup (see [`crate::rustgen`]), as
/// `{"ok":true,"program":"…"}`, or the error JSON of [`Playground::run`].
#[wasm_bindgen]
pub fn rust_program(text: &str) -> String {
    match scenario::parse(text) {
        Err(errors) => errors_json(&errors),
        Ok(s) => program_json(&crate::rustgen::rust_program(&s)),
    }
}

#[cfg(feature = "code")]
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

#[cfg(feature = "page")]
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

#[cfg(feature = "page")]
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
