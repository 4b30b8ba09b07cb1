//! The record of a run: tasks, events, the group's return; as JSON and as a Chrome trace.

mod chrome;
pub(crate) mod json;

pub use chrome::to_chrome_json;
use std::borrow::Cow;
use std::sync::Arc;

use json::JsonWriter;

/// What happened in one run of a scenario. Times are in scenario seconds.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("timeout 2s\ntask api 5s").unwrap();
/// let trace = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// assert_eq!(trace.returned.as_ref().unwrap().at, 2.0);
/// assert_eq!(trace.tasks[0].outcome, ctxgroup_playground::trace::Outcome::Cancelled);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// When and how the group returned; `None` if it never does.
    pub returned: Option<Returned>,
    /// One row per task and nested group, in the order written (depth first).
    pub tasks: Vec<TaskTrace>,
    /// Everything that happened, in time order.
    pub events: Vec<TraceEvent>,
    /// Deadlines and cancels of contexts (the chart's vertical lines).
    pub marks: Vec<Mark>,
    /// Where the chart ends (the last event, or later when tasks are still running).
    pub end: f64,
    /// The results of the scenario's `expect` lines.
    pub expectations: Vec<ExpectResult>,
    /// The scenario's goroutines alive over time (tasks, nested groups and `go` goroutines
    /// running): `(t, n)` from `t` on, one entry per change, from time 0 (Go's
    /// `runtime.NumGoroutine()`, less the runtime's own).
    pub goroutines: Vec<(f64, usize)>,
    /// Races in Go that the chart draws one side of, beyond the ties [`tie_of`](Self::tie_of)
    /// names: filled in by [`golang::races`](crate::golang::races) (the page and the CLI do,
    /// for scenarios small enough); empty otherwise.
    pub races: Vec<Race>,
    /// The values on main's context (`value key=…` lines), which every task's `ctx.Value`
    /// finds: `without-cancel` keeps them too.
    pub values: Vec<(String, String)>,
}

/// A race in Go that the simulator drew one side of: two timers at one instant whose order
/// decides what a task, or the group, does.
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::{golang::races, scenario::parse, simulate::simulate};
/// let s = parse("on-error collect\ntask a 1s fail=\"A\"\ntask b 1s fail=\"B\"").unwrap();
/// let found = races(&s, &simulate(&s).unwrap());
/// assert_eq!(found[0].path, None);
/// assert_eq!(found[0].other, "return at 1s: B; A");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Race {
    /// The task or nested group whose outcome the order decides; `None`: the group's result.
    pub path: Option<String>,
    /// What Go may do instead: `complete at 2s`, `return at 1s: x`.
    pub other: String,
}

impl Race {
    /// The sentence a row or the summary says: "in Go a race: it may also complete at 2s".
    ///
    /// # Examples
    ///
    /// ```
    /// let r = ctxgroup_playground::trace::Race { path: None, other: "return at 1s: ok".into() };
    /// assert_eq!(r.sentence(), "in Go a race: it may also return at 1s: ok");
    /// ```
    pub fn sentence(&self) -> String {
        format!("in Go a race: it may also {}", self.other)
    }
}

/// How the group returned.
///
/// # Examples
///
/// ```
/// let r = ctxgroup_playground::trace::Returned { at: 7.0, error: None, cause: None };
/// assert!(r.error.is_none());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Returned {
    /// When.
    pub at: f64,
    /// The error `wait` returned, if any (Go's text).
    pub error: Option<String>,
    /// Why, in words, when the error is a cancellation.
    pub cause: Option<String>,
}

/// How a task ended.
///
/// # Examples
///
/// ```
/// assert_eq!(ctxgroup_playground::trace::Outcome::Cancelled.as_str(), "cancelled");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Returned `nil`.
    Completed,
    /// Returned its own error.
    Failed,
    /// Returned its context's error.
    Cancelled,
    /// Still running (or waiting for a slot) when the chart ends.
    Running,
    /// A `try` task that found no free slot: `g.TryGo` returned false, it never ran.
    Skipped,
}

impl Outcome {
    /// The name used in JSON and `expect` lines.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ctxgroup_playground::trace::Outcome::Running.as_str(), "running");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Running => "running",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One row: a task or a nested group.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("group g {\n task a 1s\n}").unwrap();
/// let t = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// assert_eq!(t.tasks[1].path, "g/a");
/// assert_eq!(t.tasks[1].depth, 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TaskTrace {
    /// Its name.
    pub name: String,
    /// `group/task` for nested tasks.
    pub path: String,
    /// Nesting depth (0 at the top level).
    pub depth: usize,
    /// Whether this row is a nested group.
    pub is_group: bool,
    /// Whether this row is a goroutine a task started (`go` line), nested under that task.
    pub goroutine: bool,
    /// Whether this row is an `after-cancel` function (Go's `context.AfterFunc`).
    pub after_cancel: bool,
    /// The scenario line it was written on.
    pub line: usize,
    /// When `spawn` was called.
    pub spawned: f64,
    /// When it got a slot and started; `None` if it never did.
    pub start: Option<f64>,
    /// When it returned; `None` if it did not by the end of the chart.
    pub end: Option<f64>,
    /// How it ended.
    pub outcome: Outcome,
    /// The error it returned.
    pub error: Option<String>,
    /// Why its context was cancelled, in words (for cancelled tasks, and for tasks that ran on
    /// after their context was cancelled).
    pub cause: Option<String>,
    /// The path of the task whose error cancelled this one, if that is the cause.
    pub cause_task: Option<String>,
    /// What Go's `context.Cause(ctx).Error()` gives for its context, when it ended cancelled:
    /// the `cause="…"` of the deadline or cancel that stopped it, or else `ctx.Err()`'s text.
    pub go_cause: Option<String>,
    /// When cancellation reached its context while it ran.
    pub cancel_requested: Option<f64>,
    /// Still running when its group returned (`wait cancel`): nobody waits for it.
    pub leaked: bool,
    /// The work it was given, in seconds: its length (`None` for `forever` tasks and groups).
    /// Cancelled early, it would have ended at `start + work`.
    pub work: Option<f64>,
    /// How many times it looked at its context. Only the first checks of a task are listed as
    /// events (see [`LISTED_CHECKS`]); the rest are counted here.
    pub checks: u64,
    /// Whether its work waits on its context too (`check=await`, a finite length): Go's
    /// `select` between `time.After` and `ctx.Done()`. Not in the JSON.
    pub awaits: bool,
}

/// How many `check` events of one task a trace lists; later checks are counted in
/// [`TaskTrace::checks`], and the last one is listed, so a task that checks 100,000 times is not
/// 100,000 stored events.
pub const LISTED_CHECKS: u64 = 64;

/// One event of the run.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("task a 1s").unwrap();
/// let t = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// assert_eq!(t.events[0].kind, "spawn");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    /// When.
    pub t: f64,
    /// The task's path, if the event is a task's (shared by its events: a run records tens of
    /// thousands).
    pub task: Option<Arc<str>>,
    /// `spawn`, `queue`, `start`, `check`, `cancel`, `end`, `deadline`, `canceled`, `return`.
    pub kind: &'static str,
    /// Details in words (most are fixed texts, not copied per event).
    pub detail: Option<Cow<'static, str>>,
}

/// A context's deadline passing or its cancel being called.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("timeout 2s\ntask a 5s").unwrap();
/// let t = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// assert_eq!(t.marks[0].kind, "deadline");
/// assert_eq!(t.marks[0].t, 2.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// When.
    pub t: f64,
    /// `deadline` or `cancel`.
    pub kind: &'static str,
    /// The context's name (`main`, a group's path).
    pub context: String,
    /// A label for the chart.
    pub label: String,
}

/// The result of one `expect` line.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("task a 1s\nexpect a completed at 2s").unwrap();
/// let t = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// assert!(!t.expectations[0].ok);
/// assert_eq!(t.expectations[0].message, "expected a completed at 2s, got completed at 1s");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectResult {
    /// The `expect` line.
    pub line: usize,
    /// Whether it held.
    pub ok: bool,
    /// What was expected and what happened.
    pub message: String,
}

/// Two times of a trace at one instant (they are sums of whole milliseconds, read as seconds).
pub(crate) fn same_instant(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// Seconds as a JSON number with at least one decimal: `7.0`, `1.5`, `0.05`.
pub(crate) fn secs(t: f64) -> String {
    let ms = (t * 1000.0).round() as i64;
    let whole = ms / 1000;
    let frac = (ms % 1000).abs();
    if frac == 0 {
        format!("{whole}.0")
    } else {
        let f = format!("{frac:03}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
}

/// Durations for people, as the library writes them (Go's units, which the scenario language
/// reads back): `50ms`, `1.5s`, `2m`, `1m30.5s`, `1h0m5s`.
pub(crate) fn human(t: f64) -> String {
    let ms = (t * 1000.0).round() as i64;
    let d = ctxgroup::GoDuration(std::time::Duration::from_millis(ms.unsigned_abs()));
    format!("{}{d}", if ms < 0 { "-" } else { "" })
}

impl Trace {
    /// Each task's row (its index in `tasks`), by path.
    pub(crate) fn rows_by_path(&self) -> crate::fnv::FnvMap<&str, usize> {
        self.tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.path.as_str(), i))
            .collect()
    }

    /// The trace as JSON, with the field names of DESIGN.md (stable; byte-identical for the
    /// same scenario).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = ctxgroup_playground::scenario::parse("task t1 5s").unwrap();
    /// let json = ctxgroup_playground::simulate::simulate(&s).unwrap().to_json();
    /// assert!(json.starts_with(r#"{"returned":{"at":5.0,"error":null"#));
    /// ```
    pub fn to_json(&self) -> String {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.key("returned");
        match &self.returned {
            None => w.null(),
            Some(r) => {
                w.begin_object();
                w.key("at");
                w.raw(&secs(r.at));
                w.key("error");
                w.opt_str(r.error.as_deref());
                w.key("cause");
                w.opt_str(r.cause.as_deref());
                w.end_object();
            }
        }
        w.key("tasks");
        w.begin_array();
        for t in &self.tasks {
            w.begin_object();
            w.key("name");
            w.str(&t.name);
            w.key("path");
            w.str(&t.path);
            w.key("spawned");
            w.raw(&secs(t.spawned));
            w.key("start");
            w.opt_raw(t.start.map(secs).as_deref());
            w.key("end");
            w.opt_raw(t.end.map(secs).as_deref());
            w.key("outcome");
            w.str(t.outcome.as_str());
            w.key("error");
            w.opt_str(t.error.as_deref());
            w.key("cause");
            w.opt_str(t.cause.as_deref());
            w.key("leaked");
            w.raw(if t.leaked { "true" } else { "false" });
            w.key("cause_task");
            w.opt_str(t.cause_task.as_deref());
            w.key("go_cause");
            w.opt_str(t.go_cause.as_deref());
            w.key("cancel_requested");
            w.opt_raw(t.cancel_requested.map(secs).as_deref());
            w.key("depth");
            w.raw(&t.depth.to_string());
            w.key("group");
            w.raw(if t.is_group { "true" } else { "false" });
            w.key("goroutine");
            w.raw(if t.goroutine { "true" } else { "false" });
            w.key("after_cancel");
            w.raw(if t.after_cancel { "true" } else { "false" });
            w.key("line");
            w.raw(&t.line.to_string());
            w.key("work");
            w.opt_raw(t.work.map(secs).as_deref());
            w.key("checks");
            w.raw(&t.checks.to_string());
            w.end_object();
        }
        w.end_array();
        w.key("goroutines");
        w.begin_array();
        for (t, n) in &self.goroutines {
            w.begin_array();
            w.raw(&secs(*t));
            w.raw(&n.to_string());
            w.end_array();
        }
        w.end_array();
        w.key("events");
        w.begin_array();
        for e in &self.events {
            w.begin_object();
            w.key("t");
            w.raw(&secs(e.t));
            w.key("task");
            w.opt_str(e.task.as_deref());
            w.key("kind");
            w.str(e.kind);
            if let Some(d) = &e.detail {
                w.key("detail");
                w.str(d);
            }
            w.end_object();
        }
        w.end_array();
        w.key("marks");
        w.begin_array();
        for m in &self.marks {
            w.begin_object();
            w.key("t");
            w.raw(&secs(m.t));
            w.key("kind");
            w.str(m.kind);
            w.key("context");
            w.str(&m.context);
            w.key("label");
            w.str(&m.label);
            w.end_object();
        }
        w.end_array();
        w.key("end");
        w.raw(&secs(self.end));
        w.key("expectations");
        w.begin_array();
        for x in &self.expectations {
            w.begin_object();
            w.key("line");
            w.raw(&x.line.to_string());
            w.key("ok");
            w.raw(if x.ok { "true" } else { "false" });
            w.key("message");
            w.str(&x.message);
            w.end_object();
        }
        w.end_array();
        w.end_object();
        w.finish()
    }

    /// One line on how it went: `returned at 7s: context deadline exceeded — t1 completed at 5s,
    /// t2 cancelled at 7s`; it ends by naming a tie that decided an outcome (in Go, a race).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = ctxgroup_playground::scenario::parse("timeout 6.5s\ntask t1 5s check=never\ntask t2 10s check=every:1s").unwrap();
    /// let t = ctxgroup_playground::simulate::simulate(&s).unwrap();
    /// assert_eq!(t.summary(), "returned at 7s: context deadline exceeded — t1 completed at 5s, t2 cancelled at 7s");
    /// ```
    pub fn summary(&self) -> String {
        self.summary_at(None, false)
    }

    /// The summary of a run still going at `now` (live mode): `running at 3.2s — …` until the
    /// group returns; `stopped at 3.2s — …` when the run was stopped then.
    pub(crate) fn summary_at(&self, now: Option<f64>, stopped: bool) -> String {
        let head = match (&self.returned, now) {
            (None, Some(t)) if stopped => format!("stopped at {}", human(t)),
            (None, Some(t)) => format!("running at {}", human(t)),
            (None, None) => "never returns".to_string(),
            (Some(r), now) => {
                let mut h = match &r.error {
                    None => format!("returned at {}: ok", human(r.at)),
                    Some(e) => format!("returned at {}: {}", human(r.at), e.replace('\n', "; ")),
                };
                if let (Some(t), true) = (now, stopped) {
                    h.push_str(&format!(" (stopped at {})", human(t)));
                }
                h
            }
        };
        let top: Vec<String> = self
            .tasks
            .iter()
            .filter(|t| t.depth == 0)
            .take(6)
            .map(|t| match (t.outcome, t.end) {
                (Outcome::Running, _) if t.start.is_none() => {
                    format!("{} still waiting for a slot", t.name)
                }
                (Outcome::Running, _) => format!("{} still running", t.name),
                (o, Some(end)) => format!(
                    "{} {} at {}{}",
                    t.name,
                    o.as_str(),
                    human(end),
                    if t.leaked { " (leaked)" } else { "" }
                ),
                (o, None) => format!("{} {}", t.name, o.as_str()),
            })
            .collect();
        // The rest by outcome, so that a cancellation among thousands is not hidden.
        let mut rest: Vec<(&str, usize)> = Vec::new();
        for t in self.tasks.iter().filter(|t| t.depth == 0).skip(6) {
            let o = match t.outcome {
                Outcome::Running if t.start.is_none() => "waiting",
                o => o.as_str(),
            };
            match rest.iter_mut().find(|(k, _)| *k == o) {
                Some((_, n)) => *n += 1,
                None => rest.push((o, 1)),
            }
        }
        let mut s = head;
        if !top.is_empty() {
            s.push_str(" — ");
            s.push_str(&top.join(", "));
            let more: usize = rest.iter().map(|(_, n)| n).sum();
            if more > 0 {
                let counts: Vec<String> = rest.iter().map(|(o, n)| format!("{n} {o}")).collect();
                s.push_str(&format!(" and {more} more ({})", counts.join(", ")));
            }
        }
        // Goroutines and nested tasks left running when the group returned: the point of a
        // leak, which the top-level list does not show.
        // (Rows come depth first: one under a leaked row is said with it.)
        let mut leaked: Vec<&TaskTrace> = Vec::new();
        let mut under: Option<&str> = None;
        for t in self.tasks.iter().filter(|t| t.leaked) {
            let inside = under.is_some_and(|u| {
                t.path.len() > u.len()
                    && t.path.starts_with(u)
                    && t.path.as_bytes()[u.len()] == b'/'
            });
            if !inside {
                under = Some(&t.path);
                if t.depth > 0 {
                    leaked.push(t);
                }
            }
        }
        // One that never returns first: the worse leak.
        let never = leaked.iter().find(|t| t.outcome == Outcome::Running);
        if let Some(first) = never.or(leaked.first()) {
            let how = match (first.outcome, first.end) {
                (Outcome::Running, _) | (_, None) => "never returns".to_string(),
                (o, Some(end)) => format!("{} at {}", o.as_str(), human(end)),
            };
            s.push_str(&format!(" · {} leaked ({how})", first.path));
            if leaked.len() > 1 {
                s.push_str(&format!(" and {} more", leaked.len() - 1));
            }
        }
        if self.deadline_at_cancel().is_some() {
            s.push_str(" · cancel() and the deadline of main at one instant: in Go a race");
            return s;
        }
        let mut ties = self.tasks.iter().filter(|t| self.own_tie(t).is_some());
        if let Some(t) = ties.next() {
            // A task's own tie is with a cancel; any other, with a late shutdown.
            let with = if t.tie().is_some() {
                "the cancel"
            } else {
                "the shutdown"
            };
            match ties.count() {
                0 => s.push_str(&format!(" · {} ties with {with}: in Go a race", t.path)),
                n => s.push_str(&format!(
                    " · {} and {n} more tie with {with}: in Go races",
                    t.path
                )),
            }
            // What the group returns may be the other side too: that, the summary says.
            if let Some(race) = self.races.iter().find(|r| r.path.is_none()) {
                s.push_str(&format!(" · it may also {}", race.other));
            }
        } else if let Some(race) = self.races.first() {
            match &race.path {
                None => s.push_str(&format!(" · {}", race.sentence())),
                Some(path) => {
                    s.push_str(&format!(" · in Go a race: {path} may also {}", race.other))
                }
            }
            if self.races.len() > 1 {
                s.push_str(&format!(" (and {} more)", self.races.len() - 1));
            }
        }
        s
    }

    /// The race ([`races`](Self::races)) that decides `t`'s outcome, if one does and
    /// [`tie_of`](Self::tie_of) does not name it already.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup_playground::{golang::races, scenario::parse, simulate::simulate};
    /// let s = parse("limit 1\ntask a 2s\ntask b 1s try after=2s").unwrap();
    /// let mut t = simulate(&s).unwrap();
    /// t.races = races(&s, &t);
    /// assert_eq!(t.race_of(&t.tasks[1]).unwrap().other, "complete at 3s");
    /// ```
    pub fn race_of(&self, t: &TaskTrace) -> Option<&Race> {
        if self.tie_of(t).is_some() {
            return None;
        }
        self.races
            .iter()
            .find(|r| r.path.as_deref() == Some(t.path.as_str()))
    }

    /// The tie that decided `t`'s outcome, if one did: its own, or for a group, one of its
    /// tasks'. In Go such an instant is a race; the simulator draws the side Go usually takes.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup_playground::{scenario::parse, simulate::simulate};
    /// let t = simulate(&parse("timeout 2s\ntask a 2s").unwrap()).unwrap();
    /// assert_eq!(t.tie_of(&t.tasks[0]), Some("a tie with the cancel: in Go a race either may win"));
    /// ```
    pub fn tie_of(&self, t: &TaskTrace) -> Option<&'static str> {
        if t.cancel_requested.is_some() && t.cancel_requested == self.deadline_at_cancel() {
            return Some(
                "cancel() and the deadline of main at one instant: in Go a race either may win",
            );
        }
        self.own_tie(t).or_else(|| {
            if !t.is_group || t.cancel_requested.is_none() {
                return None;
            }
            let inside = format!("{}/", t.path);
            self.tasks
                .iter()
                .any(|c| c.path.starts_with(&inside) && self.own_tie(c).is_some())
                .then_some("a tie in one of its tasks: in Go a race either may win")
        })
    }

    /// A task's own tie ([`TaskTrace::tie`]), or its start at the instant of a shutdown that came
    /// late because the caller was spawning it (after `after=`, or a slot under a limit). In Go
    /// the caller starts its goroutine and cancels at once, on another thread: the task's first
    /// look at its context may come before the cancel or after it (Go 1.23 at scale 0.3: the
    /// task ran on in 22 of 40 runs after `after=`, in 7 of 20 under a limit). The simulator
    /// draws the cancel first.
    fn own_tie(&self, t: &TaskTrace) -> Option<&'static str> {
        t.tie().or_else(|| {
            let (start, end, cancel) = (t.start?, t.end?, t.cancel_requested?);
            if t.outcome != Outcome::Cancelled
                || t.checks == 0
                || !same_instant(start, end)
                || !same_instant(end, cancel)
            {
                return None;
            }
            self.marks
                .iter()
                .any(|m| {
                    m.kind == "cancel"
                        && m.label.starts_with("shutdown")
                        && same_instant(m.t, cancel)
                })
                .then_some(())?;
            // The caller spawned its top-level item as the shutdown came: that item, or a task
            // or goroutine it started then. (A nested group's task that a slot the shutdown's
            // cancel freed starts sees the cancel first, with no race.) Rows come depth first,
            // so the item is the nearest top-level row at or before this one.
            let i = self.row_of(t)?;
            let item = self.tasks[..=i].iter().rev().find(|r| r.depth == 0)?;
            same_instant(item.start?, cancel)
                .then_some("it started as the shutdown came: in Go a race either may win")
        })
    }

    /// The index of `t`, one of this trace's rows, among them; found from its address (rows are
    /// read back and forth from a row: a scan by path would be rows × rows for thousands).
    pub(crate) fn row_of(&self, t: &TaskTrace) -> Option<usize> {
        let i = (t as *const TaskTrace as usize).wrapping_sub(self.tasks.as_ptr() as usize)
            / std::mem::size_of::<TaskTrace>().max(1);
        self.tasks.get(i).filter(|r| std::ptr::eq(*r, t)).map(|_| i)
    }

    /// When main's deadline passed at the instant of its `cancel()`: which of the two cancelled
    /// it is a race in Go (the simulator lets the cancel win, as Go usually does).
    fn deadline_at_cancel(&self) -> Option<f64> {
        // Both are marked only then: a deadline after a cancel, or a cancel after it, has
        // nothing to cancel.
        let mut main = self
            .marks
            .iter()
            .filter(|m| m.context == "main" && m.kind != "error");
        let (first, second) = (main.next()?, main.next()?);
        (first.t == second.t).then_some(first.t)
    }
}

impl TaskTrace {
    /// The tie that decided its outcome, if one did: the end of its work, or one of its checks
    /// after its start, at the very instant of the cancel. In Go they are two timers, a race
    /// either may win. The simulator draws the side Go usually takes: the work's end wins (the
    /// timer's channel is ready before the context's timer goroutine closes `Done`) unless it
    /// started two or more timers after the cancel's source; a check sees the cancel (after a
    /// chain of steps, the check is late by their lateness). A check at the start is no race:
    /// the cancel that freed its slot came first.
    pub(crate) fn tie(&self) -> Option<&'static str> {
        let (start, end, cancel) = (self.start?, self.end?, self.cancel_requested?);
        let work_ended = self.awaits && self.work.is_some_and(|w| same_instant(start + w, end));
        match self.outcome {
            Outcome::Completed | Outcome::Failed if work_ended && same_instant(end, cancel) => {
                Some("a tie with the cancel: in Go a race either may win")
            }
            Outcome::Cancelled if work_ended => {
                Some("a tie with the end of its work: in Go a race either may win")
            }
            Outcome::Cancelled
                if self.checks > 0 && same_instant(end, cancel) && end > start + 1e-9 =>
            {
                Some("a tie with its check: in Go a race either may win")
            }
            _ => None,
        }
    }
}
