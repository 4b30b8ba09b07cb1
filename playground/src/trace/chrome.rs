//! Chrome trace-event JSON (opens in Perfetto and chrome://tracing): a lane per task, "X" slices
//! for queued and running time, instant events for deadlines, cancels and the return, and flow
//! arrows from a failing task to the tasks its error cancelled.

use super::json::JsonWriter;
use super::{Outcome, Trace};

fn micros(t: f64) -> String {
    ((t * 1_000_000.0).round() as i64).to_string()
}

/// The trace in Chrome's trace-event format.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("task a 3s fail=\"HTTP 502\"\ntask b 5s").unwrap();
/// let t = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// let chrome = ctxgroup_playground::trace::to_chrome_json(&t);
/// assert!(chrome.contains(r#""ph":"X""#));
/// assert!(chrome.contains(r#""ph":"s""#)); // a's error cancelled b: a flow arrow
/// ```
pub fn to_chrome_json(trace: &Trace) -> String {
    let mut w = JsonWriter::new();
    w.begin_object();
    w.key("displayTimeUnit");
    w.str("ms");
    w.key("traceEvents");
    w.begin_array();
    meta(&mut w, "process_name", 0, "name", "\"ctxgroup scenario\"");
    for (i, t) in trace.tasks.iter().enumerate() {
        let tid = i + 1;
        let mut name = String::new();
        super::json::escape_into(&mut name, &t.path);
        meta(&mut w, "thread_name", tid, "name", &name);
        meta(
            &mut w,
            "thread_sort_index",
            tid,
            "sort_index",
            &i.to_string(),
        );
        if t.outcome == Outcome::Skipped {
            instant(
                &mut w,
                "skipped: g.TryGo found no free slot",
                "t",
                tid,
                t.spawned,
            );
            continue;
        }
        let start = t.start.unwrap_or(trace.end);
        if start > t.spawned {
            slice(
                &mut w,
                "queued",
                "queued",
                tid,
                t.spawned,
                start - t.spawned,
                &[],
            );
        }
        if let Some(s) = t.start {
            let end = t.end.unwrap_or(trace.end);
            let mut args: Vec<(&str, String)> = vec![("outcome", t.outcome.as_str().to_string())];
            if let Some(e) = &t.error {
                args.push(("error", e.clone()));
            }
            if let Some(c) = &t.cause {
                args.push(("cause", c.clone()));
            }
            if t.leaked {
                args.push(("leaked", "true".into()));
            }
            let name = if t.outcome == Outcome::Running {
                format!("{} (running)", t.name)
            } else {
                t.name.clone()
            };
            slice(&mut w, &name, t.outcome.as_str(), tid, s, end - s, &args);
            if let Some(c) = t.cancel_requested.filter(|c| *c < end) {
                instant(&mut w, "cancel requested", "t", tid, c);
            }
        }
    }
    for m in &trace.marks {
        instant(&mut w, &m.label, "g", 0, m.t);
    }
    if let Some(r) = &trace.returned {
        let label = match &r.error {
            Some(e) => format!("returned: {e}"),
            None => "returned: ok".into(),
        };
        instant(&mut w, &label, "g", 0, r.at);
    }
    let mut flow_id = 0;
    for (i, t) in trace.tasks.iter().enumerate() {
        let (Some(cause), Some(end)) = (&t.cause_task, t.end) else {
            continue;
        };
        let Some(j) = trace.tasks.iter().position(|c| &c.path == cause) else {
            continue;
        };
        let Some(cause_end) = trace.tasks[j].end else {
            continue;
        };
        flow_id += 1;
        flow(&mut w, "s", flow_id, j + 1, cause_end);
        flow(&mut w, "f", flow_id, i + 1, end);
    }
    w.end_array();
    w.end_object();
    w.finish()
}

fn meta(w: &mut JsonWriter, name: &str, tid: usize, arg: &str, value: &str) {
    w.begin_object();
    w.key("ph");
    w.str("M");
    w.key("name");
    w.str(name);
    w.key("pid");
    w.raw("1");
    w.key("tid");
    w.raw(&tid.to_string());
    w.key("args");
    w.begin_object();
    w.key(arg);
    w.raw(value);
    w.end_object();
    w.end_object();
}

fn slice(
    w: &mut JsonWriter,
    name: &str,
    cat: &str,
    tid: usize,
    ts: f64,
    dur: f64,
    args: &[(&str, String)],
) {
    w.begin_object();
    w.key("ph");
    w.str("X");
    w.key("name");
    w.str(name);
    w.key("cat");
    w.str(cat);
    w.key("pid");
    w.raw("1");
    w.key("tid");
    w.raw(&tid.to_string());
    w.key("ts");
    w.raw(&micros(ts));
    w.key("dur");
    w.raw(&micros(dur.max(0.0)));
    w.key("args");
    w.begin_object();
    for (k, v) in args {
        w.key(k);
        w.str(v);
    }
    w.end_object();
    w.end_object();
}

fn instant(w: &mut JsonWriter, name: &str, scope: &str, tid: usize, ts: f64) {
    w.begin_object();
    w.key("ph");
    w.str("i");
    w.key("name");
    w.str(name);
    w.key("s");
    w.str(scope);
    w.key("pid");
    w.raw("1");
    w.key("tid");
    w.raw(&tid.to_string());
    w.key("ts");
    w.raw(&micros(ts));
    w.end_object();
}

fn flow(w: &mut JsonWriter, ph: &str, id: usize, tid: usize, ts: f64) {
    w.begin_object();
    w.key("ph");
    w.str(ph);
    w.key("name");
    w.str("cancelled");
    w.key("cat");
    w.str("cause");
    w.key("id");
    w.raw(&id.to_string());
    w.key("pid");
    w.raw("1");
    w.key("tid");
    w.raw(&tid.to_string());
    w.key("ts");
    w.raw(&micros(ts));
    if ph == "f" {
        w.key("bp");
        w.str("e");
    }
    w.end_object();
}
