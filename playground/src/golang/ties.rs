//! Ties: instants where a scenario's outcome depends on the order of two timers that fire
//! together, which in Go is a race.
//!
//! The simulator breaks a tie one fixed way, the side Go usually takes (a work's end wins over
//! a cancel at the same instant; a check sees it). In Go the same instant is two timers of the runtime that
//! fire a few microseconds apart in either order (sleeps add up their lateness, the context's
//! timer runs `cancel` on a goroutine of its own), so a scenario with a tie can go either way.
//! The examples avoid them, and the differential fuzzer tells them apart from real
//! disagreements.
//!
//! A tie is found by running the scenario with every source of cancellation or error
//! (timeouts, `cancel`, failing tasks) moved a few microseconds, each by its own amount: once
//! earlier, once later, and once later in the reverse order among the sources. Where the runs
//! differ in more than those microseconds, the original run sat on a tie.

use std::time::Duration;

use crate::scenario::{GroupSpec, Item, Length, Scenario};
use crate::simulate::simulate;
use crate::trace::{human, Outcome, Race, TaskTrace, Trace};

/// What differs between the two orders of a scenario's ties (empty when it has none).
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::{golang::ties, scenario::parse};
/// // The check after 7 one-second steps falls on the 7 s deadline: in Go, a race.
/// let tied = parse("timeout 7s\ntask t2 10s check=every:1s").unwrap();
/// assert!(!ties(&tied).is_empty());
/// // At 6.5 s the deadline falls between two checks: no race.
/// let clear = parse("timeout 6.5s\ntask t2 10s check=every:1s").unwrap();
/// assert!(ties(&clear).is_empty());
/// ```
pub fn ties(scenario: &Scenario) -> Vec<String> {
    let sources = count_sources(scenario);
    if sources == 0 {
        return Vec::new();
    }
    let step = step(sources);
    let [early, late, late_reversed] =
        MOVES.map(|(later, reversed)| simulate(&moved(scenario, step, later, reversed)));
    let (Ok(a), Ok(b), Ok(c)) = (early, late, late_reversed) else {
        return Vec::new();
    };
    let mut found = differences(&a, &b);
    if found.is_empty() {
        found = differences(&a, &c);
    }
    if found.is_empty() {
        // Races no move of a source reorders (a task started as a late shutdown came): the
        // trace names them.
        if let Ok(trace) = simulate(scenario) {
            found.extend(
                trace
                    .tasks
                    .iter()
                    .filter_map(|t| trace.tie_of(t).map(|tie| format!("{}: {tie}", t.path))),
            );
        }
    }
    found
}

/// The races of `scenario` that `drawn`, its trace, shows one side of: each task, nested group
/// or the group's result that another order of its tied timers changes, with what Go may do
/// instead (the same moves as [`ties`]). Three more simulations: a trace of more than
/// [`RACES_UP_TO_ROWS`] rows or [`RACES_UP_TO_EVENTS`] events is not looked at (empty).
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::{golang::races, scenario::parse, simulate::simulate};
/// // A task failing at the instant of the deadline, not looking at its context: in Go the
/// // group may return its error or the deadline's.
/// let s = parse("timeout 1s\ntask a 1s check=never fail=\"x\"\ntask b 2s").unwrap();
/// let found = races(&s, &simulate(&s).unwrap());
/// assert_eq!(found[0].other, "return at 1s: x");
/// ```
pub fn races(scenario: &Scenario, drawn: &Trace) -> Vec<Race> {
    let sources = count_sources(scenario);
    if sources == 0
        || drawn.tasks.len() > RACES_UP_TO_ROWS
        || drawn.events.len() > RACES_UP_TO_EVENTS
    {
        return Vec::new();
    }
    let step = step(sources);
    // The group's result first when its error differs; a task's race says more than a result
    // that differs only in time.
    let (mut result, mut tasks, mut result_time) = (None, Vec::<Race>::new(), None);
    for (later, reversed) in MOVES {
        let Ok(other) = simulate(&moved(scenario, step, later, reversed)) else {
            continue;
        };
        if returned(drawn) != returned(&other) && result.is_none() && result_time.is_none() {
            let race = Race {
                path: None,
                other: match &other.returned {
                    None => "never return".to_string(),
                    Some(r) => format!(
                        "return at {}: {}",
                        human(r.at),
                        r.error.as_deref().unwrap_or("ok").replace('\n', "; ")
                    ),
                },
            };
            let error = |t: &Trace| t.returned.as_ref().map(|r| r.error.clone());
            if error(drawn) == error(&other) {
                result_time = Some(race);
            } else {
                result = Some(race);
            }
        }
        for t in &drawn.tasks {
            let Some(o) = other.tasks.iter().find(|o| o.path == t.path) else {
                continue;
            };
            if key(t) != key(o) && !tasks.iter().any(|r| r.path.as_ref() == Some(&t.path)) {
                tasks.push(Race {
                    path: Some(t.path.clone()),
                    other: may(t, o),
                });
            }
        }
    }
    result.into_iter().chain(tasks).chain(result_time).collect()
}

/// The most rows of a trace [`races`] looks at: a chart one reads row by row.
pub const RACES_UP_TO_ROWS: usize = 200;

/// The most events of a trace [`races`] looks at (three more simulations of it).
pub const RACES_UP_TO_EVENTS: usize = 20_000;

/// What a row's outcome, end, error and leak are, to the millisecond.
type Key = (&'static str, Option<String>, bool, Option<i64>, Option<i64>);

fn key(t: &TaskTrace) -> Key {
    (
        t.outcome.as_str(),
        t.error.clone(),
        t.leaked,
        t.start.map(ms),
        t.end.map(ms),
    )
}

/// What a task does in the other order, as "it may also …" ends: "complete at 2s", "be
/// cancelled at 1s: …", or, when only whether it leaked differs, "leak".
fn may(drawn: &TaskTrace, t: &TaskTrace) -> String {
    let (d, o) = (key(drawn), key(t));
    if (d.0, &d.1, d.3, d.4) == (o.0, &o.1, o.3, o.4) {
        return if t.leaked {
            "leak: nobody waits for it"
        } else {
            "be waited for"
        }
        .to_string();
    }
    let at = t
        .end
        .map(|e| format!(" at {}", human(e)))
        .unwrap_or_default();
    let error = t
        .error
        .as_deref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    let mut s = match t.outcome {
        Outcome::Completed => format!("complete{at}"),
        Outcome::Failed => format!("fail{at}{error}"),
        Outcome::Cancelled => format!("be cancelled{at}{error}"),
        Outcome::Skipped => "be skipped".to_string(),
        Outcome::Running => "run on".to_string(),
    };
    if t.leaked {
        s.push_str(", leaked");
    }
    s
}

fn count_sources(s: &Scenario) -> usize {
    // A shutdown is two: its instant, and its grace's end.
    let mut n = usize::from(s.group.timeout.is_some())
        + usize::from(s.cancel_at.is_some())
        + 2 * usize::from(s.shutdown.is_some());
    s.group.walk(&mut |item, _, _| match item {
        Item::Task(t) => {
            // A `try` at a later instant is a `TryGo` that may race a slot's release.
            n += usize::from(t.try_spawn && !t.after.is_zero());
            n += usize::from(t.timeout.is_some());
            n += usize::from(t.fail.is_some() && matches!(t.length, Length::For(_)));
        }
        Item::Group(g) => n += usize::from(g.timeout.is_some()),
    });
    n
}

/// The scenario with source k moved by (k + 1) × `step` (or, `reversed`, by (n − k) × `step`),
/// later or earlier.
fn moved(s: &Scenario, step: Duration, later: bool, reversed: bool) -> Scenario {
    let n = count_sources(s) as u32;
    let mut s = s.clone();
    let mut k = 0u32;
    let mut shift = |d: &mut Duration| {
        k += 1;
        let by = step * if reversed { n + 1 - k } else { k };
        *d = if later { *d + by } else { d.saturating_sub(by) };
    };
    if let Some(t) = &mut s.group.timeout {
        shift(t);
    }
    if let Some(c) = &mut s.cancel_at {
        shift(c);
    }
    if let Some(shutdown) = &mut s.shutdown {
        shift(&mut shutdown.at);
        shift(&mut shutdown.grace);
    }
    move_group(&mut s.group, &mut shift);
    s
}

fn move_group(g: &mut GroupSpec, shift: &mut impl FnMut(&mut Duration)) {
    for item in &mut g.items {
        match item {
            Item::Task(t) => {
                if t.try_spawn && !t.after.is_zero() {
                    shift(&mut t.after);
                }
                if let Some(d) = &mut t.timeout {
                    shift(d);
                }
                if let (Some(_), Length::For(d)) = (&t.fail, &mut t.length) {
                    shift(d);
                }
            }
            Item::Group(sub) => {
                if let Some(d) = &mut sub.timeout {
                    shift(d);
                }
                move_group(sub, shift);
            }
        }
    }
}

/// The moves of the sources, as `(later, reversed)`: earlier; later; later again in the other
/// order among the sources (two sources tied with each other, or one tied with a plain timer
/// whose effect waits for another source, as a nested group ends when its last task does,
/// settle the other way).
const MOVES: [(bool, bool); 3] = [(false, false), (true, false), (true, true)];

/// The unit of the moves for `sources` sources: source k moves by (k + 1) of them, and all
/// moves together stay well under 1 ms (the scenario's grain), so they reorder only what
/// coincided.
fn step(sources: usize) -> Duration {
    let pairs = (sources as u64 + 1) * (sources as u64 + 2);
    Duration::from_nanos((200_000 / pairs).clamp(1, 10_000))
}

/// When the group returned, to the millisecond, and what.
fn returned(t: &Trace) -> Option<(i64, Option<String>)> {
    t.returned.as_ref().map(|r| (ms(r.at), r.error.clone()))
}

/// Times in whole milliseconds: the moves are far smaller, so only a reordering shows.
fn ms(t: f64) -> i64 {
    (t * 1000.0).round() as i64
}

fn differences(a: &Trace, b: &Trace) -> Vec<String> {
    let mut out = Vec::new();
    if returned(a) != returned(b) {
        out.push(format!(
            "the group returns {} in one order, {} in the other",
            describe_returned(a),
            describe_returned(b)
        ));
    }
    for ta in &a.tasks {
        let Some(tb) = b.tasks.iter().find(|t| t.path == ta.path) else {
            out.push(format!("{} is spawned in one order only", ta.path));
            continue;
        };
        if key(ta) != key(tb) {
            out.push(format!(
                "{}: {} in one order, {} in the other",
                ta.path,
                describe_task(ta),
                describe_task(tb)
            ));
        }
    }
    for tb in &b.tasks {
        if !a.tasks.iter().any(|t| t.path == tb.path) {
            out.push(format!("{} is spawned in one order only", tb.path));
        }
    }
    out
}

fn describe_returned(t: &Trace) -> String {
    match &t.returned {
        None => "never".into(),
        Some(r) => format!(
            "at {} ({})",
            crate::trace::human(r.at),
            r.error.as_deref().unwrap_or("ok")
        ),
    }
}

fn describe_task(t: &crate::trace::TaskTrace) -> String {
    let mut s = t.outcome.as_str().to_string();
    if let Some(end) = t.end {
        s += &format!(" at {}", crate::trace::human(end));
    }
    if let Some(e) = &t.error {
        s += &format!(" ({e})");
    }
    if t.leaked {
        s += ", leaked";
    }
    s
}
