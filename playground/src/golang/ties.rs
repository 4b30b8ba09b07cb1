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
use crate::trace::Trace;

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
    // Each source k moves by (k + 1) steps; all moves together stay well under 1 ms (the
    // scenario's grain), so they reorder only what coincided.
    let pairs = (sources as u64 + 1) * (sources as u64 + 2);
    let step = Duration::from_nanos((200_000 / pairs).clamp(1, 10_000));
    let early = moved(scenario, step, false, false);
    let late = moved(scenario, step, true, false);
    // Later again, in the other order among the sources: two sources tied with each other, or
    // one tied with a plain timer whose effect waits for another source (a nested group ends
    // when its last task does), settle the other way.
    let late_reversed = moved(scenario, step, true, true);
    let (Ok(a), Ok(b), Ok(c)) = (simulate(&early), simulate(&late), simulate(&late_reversed))
    else {
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

fn count_sources(s: &Scenario) -> usize {
    // A shutdown is two: its instant, and its grace's end.
    let mut n = usize::from(s.group.timeout.is_some())
        + usize::from(s.cancel_at.is_some())
        + 2 * usize::from(s.shutdown.is_some());
    s.group.walk(&mut |item, _, _| match item {
        Item::Task(t) => {
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

/// Times in whole milliseconds: the moves are far smaller, so only a reordering shows.
fn ms(t: f64) -> i64 {
    (t * 1000.0).round() as i64
}

fn differences(a: &Trace, b: &Trace) -> Vec<String> {
    let mut out = Vec::new();
    let returned = |t: &Trace| t.returned.as_ref().map(|r| (ms(r.at), r.error.clone()));
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
        let key = |t: &crate::trace::TaskTrace| {
            (
                t.outcome.as_str(),
                t.error.clone(),
                t.leaked,
                t.start.map(ms),
                t.end.map(ms),
            )
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
