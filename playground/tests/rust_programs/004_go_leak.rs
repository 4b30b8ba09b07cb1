//! This is the Rust program the scenario below stands for, on ctxgroup's `Context` and
//! `TaskGroup`, written out by `ctxgroup rust`. It runs in virtual time on a
//! `VirtualRuntime` (instantly, the same way every time) and prints what happens; with
//! CTXGROUP_TRACE=1 it prints the run's trace as JSON instead. It depends on `ctxgroup`
//! and `futures`.
//!
//! The scenario:
//!
//! ```text
//! timeout 1s
//! task handler 2s {
//!   go lib-call 5s check=never
//! }
//! expect handler cancelled at 1s "context deadline exceeded"
//! expect lib-call completed at 5s leaked
//! expect returned at 1s "context deadline exceeded"
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ctxgroup::group::{Event, EventKind, Hook};
use ctxgroup::{clock, Clock, Context, Error, Policy, TaskGroup, VirtualClock, VirtualRuntime};
use futures::future::BoxFuture;

/// The caller: makes the context and the group, spawns the tasks in the order written,
/// and waits.
async fn run(root: Context, env: Env) -> Result<(), Error> {
    // timeout 1s: the context's deadline is 1s from now (time 0).
    let (ctx, _cancel) = root.with_timeout(Duration::from_secs(1));
    // on-error cancel: the first task error cancels the group's context and is
    // wait's result (errgroup.WithContext).
    let group = TaskGroup::builder(&ctx)
        .policy(Policy::FailFast)
        .shared_hook(env.watch.clone())
        .spawner(env.spawner())
        .build();

    // task handler 2s
    group
        .task("handler")
        .spawn({
            let env = env.clone();
            move |ctx| async move {
                // go lib-call 5s check=never
                // A goroutine of its own on this context: nobody waits for it.
                env.go("handler/lib-call", &ctx, |ctx| async move {
                    // check=never: it works without looking at ctx.
                    clock::sleep(ctx.clock().clone(), Duration::from_secs(5)).await;
                    Ok(())
                });
                // It waits for its work or for ctx to be done, whichever comes first.
                ctx.sleep(Duration::from_secs(2)).await?;
                Ok(())
            }
        })
        .await;

    // wait all: wait returns once every task has returned, with the first error.
    group.wait().await
}

/// When the run is watched until: every task that ends has ended by then (the
/// playground's simulator stops there too).
const HORIZON: Duration = Duration::from_secs(9);

/// The scenario's tasks and groups, one path a line, in the order written.
const PATHS: &str = "\
handler
handler/lib-call
";

// Everything below only watches the run: the groups report their tasks to a hook, which prints
// what happens, or with CTXGROUP_TRACE=1 the trace as JSON. The scenario's code is above.

fn main() {
    let trace_mode = std::env::var("CTXGROUP_TRACE").as_deref() == Ok("1");
    let watch = run_scenario(!trace_mode);
    if trace_mode {
        println!("{}", watch.json());
    } else {
        watch.print_summary();
    }
}

/// Runs the scenario in virtual time until it is over or the horizon; `log` prints each
/// event as it happens.
pub fn run_scenario(log: bool) -> Arc<Watch> {
    let rt = VirtualRuntime::new();
    let watch = Arc::new(Watch {
        clock: rt.clock(),
        log,
        record: Mutex::default(),
    });
    let env = Env {
        spawner: Arc::new(rt.spawner()),
        watch: watch.clone(),
    };
    let root = Context::with_clock(rt.clock());
    let caller = {
        let watch = watch.clone();
        async move {
            let result = run(root, env).await;
            watch.returned(result);
        }
    };
    if rt.block_on_until(caller, Some(HORIZON)).is_ok() {
        // Leaked tasks run on after the return: watch them too.
        let _ = rt.run_until(Some(HORIZON));
    }
    // The runtime drops the tasks still running, which ends them with an error: the run is
    // over, and they stay running, as Go's goroutines when a program exits.
    watch.record.lock().unwrap().over = true;
    watch
}

/// What every group needs: where to spawn its tasks, and whom to report them to.
#[derive(Clone)]
pub struct Env {
    spawner: Arc<dyn Fn(BoxFuture<'static, ()>) + Send + Sync>,
    watch: Arc<Watch>,
}

impl Env {
    fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let spawner = self.spawner.clone();
        move |task| spawner(task)
    }

    /// `after-cancel`: once `ctx` is done, works for `work` (or forever) on its own (Go's
    /// `context.AfterFunc`), reported as the row `path`; `attached`: `ctx` is a task's.
    fn after_cancel(&self, path: &str, ctx: &Context, attached: bool, work: Option<Duration>) {
        let (group, name) = path.rsplit_once('/').unwrap_or(("", path));
        let group: Option<Arc<str>> = (!group.is_empty()).then(|| group.into());
        let name: Arc<str> = name.into();
        let (watch, spawner) = (self.watch.clone(), self.spawner.clone());
        let _ = ctx.after_cancel(move |_| {
            let clock: Arc<dyn Clock> = watch.clock.clone();
            let report = move |kind: EventKind<'_>| {
                let spawned = matches!(kind, EventKind::Spawned);
                watch.event(&Event {
                    at: watch.clock.now(),
                    task: 0,
                    name: &name,
                    group: group.as_deref(),
                    kind,
                });
                if spawned {
                    if let Some(row) = watch.record.lock().unwrap().tasks.last_mut() {
                        row.goroutine = attached;
                    }
                }
            };
            report(EventKind::Spawned);
            report(EventKind::Started);
            spawner(Box::pin(async move {
                match work {
                    Some(d) => ctxgroup::clock::sleep(clock, d).await,
                    None => futures::future::pending::<()>().await,
                }
                report(EventKind::Finished(Ok(())));
            }));
        });
    }

    /// `go`: runs `body` on its own (Go's `go worker2(ctx)`), nobody waiting for it, reported
    /// as the row `path`. It gets a child of `ctx`, cancelled with it, so that its looks at its
    /// context are not counted as its task's.
    fn go<F, Fut>(&self, path: &str, ctx: &Context, body: F)
    where
        F: FnOnce(Context) -> Fut,
        Fut: std::future::Future<Output = Result<(), Error>> + Send + 'static,
    {
        let (group, name) = path.rsplit_once('/').unwrap_or(("", path));
        let (group, name): (Arc<str>, Arc<str>) = (group.into(), name.into());
        let (ctx, own) = ctx.with_cancel();
        let watch = self.watch.clone();
        let report = move |kind: EventKind<'_>| {
            watch.event(&Event {
                at: watch.clock.now(),
                task: 0,
                name: &name,
                group: Some(&group),
                kind,
            })
        };
        report(EventKind::Spawned);
        if let Some(row) = self.watch.record.lock().unwrap().tasks.last_mut() {
            row.goroutine = true;
        }
        report(EventKind::Started);
        let report = Arc::new(report);
        let on_cancel = report.clone();
        let stop = ctx.after_cancel(move |reason| on_cancel(EventKind::CancelRequested(reason)));
        let run = body(ctx);
        (self.spawner)(Box::pin(async move {
            let result = run.await;
            stop.stop();
            drop(own);
            report(EventKind::Finished(result.as_ref().map(|_| ())));
        }));
    }
}

/// Records what the groups report: when each task is spawned, starts and ends.
pub struct Watch {
    clock: Arc<VirtualClock>,
    log: bool,
    record: Mutex<Record>,
}

#[derive(Default)]
struct Record {
    tasks: Vec<Row>,
    returned: Option<(Duration, Option<String>)>,
    over: bool,
}

struct Row {
    path: String,
    spawned: Duration,
    start: Option<Duration>,
    end: Option<Duration>,
    outcome: &'static str,
    error: Option<String>,
    /// Go's `context.Cause(ctx)` of its context, once cancelled while it ran.
    cause: Option<String>,
    /// A goroutine a task started (`go`): it belongs to that task's group.
    goroutine: bool,
}

/// Whether `err` is, or joins, a context's error (Go's `errors.Is(err, context.Canceled)`).
fn is_context_error(err: &Error) -> bool {
    err.reason().is_some()
        || err
            .downcast_ref::<ctxgroup::Errors>()
            .is_some_and(|all| all.0.iter().any(is_context_error))
}

impl Hook for Watch {
    fn event(&self, e: &Event<'_>) {
        let path = match e.group {
            Some(group) => format!("{group}/{}", e.name),
            None => e.name.to_string(),
        };
        let mut record = self.record.lock().unwrap();
        if record.over {
            return;
        }
        let what = match &e.kind {
            EventKind::Spawned => {
                record.tasks.push(Row {
                    path: path.clone(),
                    spawned: e.at,
                    start: None,
                    end: None,
                    outcome: "running",
                    error: None,
                    cause: None,
                    goroutine: false,
                });
                "spawned".to_string()
            }
            EventKind::Started => {
                if let Some(row) = record.tasks.iter_mut().find(|r| r.path == path) {
                    row.start = Some(e.at);
                }
                "starts".to_string()
            }
            EventKind::CancelRequested(reason) => {
                if let Some(row) = record.tasks.iter_mut().find(|r| r.path == path) {
                    // errgroup as pinned cancels with a plain cancel(): no cause.
                    row.cause.get_or_insert_with(|| match reason.cause() {
                        ctxgroup::Cause::TaskFailed { .. } => "context canceled".to_string(),
                        cause => cause.to_string(),
                    });
                }
                return;
            }
            EventKind::Finished(result) => {
                let Some(row) = record.tasks.iter_mut().find(|r| r.path == path) else {
                    return;
                };
                row.end = Some(e.at);
                (row.outcome, row.error) = match result {
                    Ok(()) => ("completed", None),
                    // A task that returns its context's error was cancelled.
                    Err(err) if is_context_error(err) => ("cancelled", Some(err.to_string())),
                    Err(err) => ("failed", Some(err.to_string())),
                };
                match &row.error {
                    Some(err) => format!("{}: {err}", row.outcome),
                    None => row.outcome.to_string(),
                }
            }
            _ => return,
        };
        if self.log {
            println!("{:8.3}s  {path} {what}", e.at.as_secs_f64());
        }
    }
}

impl Watch {
    /// A `try` task found no free slot: it never runs.
    fn skipped(&self, path: &str) {
        let at = self.clock.now();
        if self.log {
            println!("{:8.3}s  {path} skipped: no free slot", at.as_secs_f64());
        }
        self.record.lock().unwrap().tasks.push(Row {
            path: path.to_string(),
            spawned: at,
            start: None,
            end: None,
            outcome: "skipped",
            error: None,
            cause: None,
            goroutine: false,
        });
    }

    fn returned(&self, result: Result<(), Error>) {
        let at = self.clock.now();
        let error = result.err().map(|e| e.to_string());
        if self.log {
            let what = error.as_deref().unwrap_or("ok");
            println!("{:8.3}s  the caller returns: {what}", at.as_secs_f64());
        }
        self.record.lock().unwrap().returned = Some((at, error));
    }

    /// Whether a task was still running when its group returned.
    fn leaked(record: &Record, row: &Row) -> bool {
        // A goroutine belongs to the group of the task that started it.
        let mut owner = row;
        while owner.goroutine {
            let parent = owner.path.rsplit_once('/').map_or("", |(p, _)| p);
            match record.tasks.iter().find(|r| r.path == parent) {
                Some(r) => owner = r,
                None => break,
            }
        }
        let group_end = match owner.path.rsplit_once('/') {
            Some((group, _)) => record
                .tasks
                .iter()
                .find(|r| r.path == group)
                .and_then(|r| r.end),
            None => record.returned.as_ref().map(|(at, _)| *at),
        };
        match (group_end, row.end) {
            _ if row.outcome == "skipped" => false,
            (None, _) => false,
            (Some(_), None) => true,
            (Some(group), Some(end)) => end > group,
        }
    }

    /// The trace as JSON: `returned` and the spawned `tasks`, times in seconds.
    pub fn json(&self) -> String {
        let record = self.record.lock().unwrap();
        let mut out = String::from("{\"returned\":");
        match &record.returned {
            Some((at, error)) => {
                out += &format!(
                    "{{\"at\":{},\"error\":{}}}",
                    at.as_secs_f64(),
                    json_str(error)
                );
            }
            None => out += "null",
        }
        out += ",\"tasks\":[";
        let rows = PATHS
            .lines()
            .filter_map(|path| record.tasks.iter().find(|r| r.path == path));
        for (i, row) in rows.enumerate() {
            let secs =
                |t: Option<Duration>| t.map_or("null".into(), |t| t.as_secs_f64().to_string());
            let name = row.path.rsplit('/').next().unwrap_or_default();
            out += &format!(
                "{}{{\"name\":{},\"path\":{},\"spawned\":{},\"start\":{},\"end\":{},\"outcome\":\"{}\",\"error\":{},\"leaked\":{},\"go_cause\":{}}}",
                if i > 0 { "," } else { "" },
                json_str(&Some(name.to_string())),
                json_str(&Some(row.path.clone())),
                row.spawned.as_secs_f64(),
                secs(row.start),
                secs(row.end),
                row.outcome,
                json_str(&row.error),
                Watch::leaked(&record, row),
                json_str(&row.cause.clone().filter(|_| row.outcome == "cancelled")),
            );
        }
        out + "]}"
    }

    /// After the run: whether the caller returned, and who leaked.
    pub fn print_summary(&self) {
        let record = self.record.lock().unwrap();
        if record.returned.is_none() {
            println!(
                "the caller never returns (stopped watching at {}s)",
                HORIZON.as_secs_f64()
            );
        }
        for row in &record.tasks {
            if Watch::leaked(&record, row) {
                println!(
                    "{} is leaked: still running after its group returned",
                    row.path
                );
            }
        }
    }
}

fn json_str(s: &Option<String>) -> String {
    let Some(s) = s else {
        return "null".into();
    };
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            c if (c as u32) < 0x20 => out += &format!("\\u{:04x}", c as u32),
            c => out.push(c),
        }
    }
    out + "\""
}
