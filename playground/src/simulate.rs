//! Runs a [`Scenario`] on ctxgroup's own [`Context`], [`TaskGroup`] and a clock, recording a
//! [`Trace`] through the group's trace hooks.
//!
//! Nothing here re-implements the semantics: each scenario task is an async function that does
//! what its Go counterpart does (sleep, check `ctx`, select on `ctx.Done()`), spawned on a real
//! group whose limit, failure policy and cancellation decide the outcome.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{AbortHandle, Abortable, BoxFuture, Either};
use futures::FutureExt;

use crate::fnv::FnvMap;
use crate::scenario::{
    resolve, Check, ExpectWhat, GroupSpec, Item, Length, OnError, RowKind, Scenario, Shutdown,
    TaskSpec, WaitMode,
};
use crate::trace::{
    human, ExpectResult, Mark, Outcome, Returned, TaskTrace, Trace, TraceEvent, LISTED_CHECKS,
};
use ctxgroup::clock::{self, Clock, TimerId, VirtualRuntime};
use ctxgroup::group::{Event, EventKind, Hook};
use ctxgroup::{Cause, Context, Error, Policy, Reason, TaskGroup};

/// Most `check=every` steps a whole run may take before the chart's end.
pub const MAX_TOTAL_STEPS: u64 = 2_000_000;

/// Most check events listed in one trace, over all tasks (later ones are counted, not listed).
const MAX_LISTED_CHECKS: usize = 100_000;

/// How much work one run may do: a heavy scenario is refused, with the line that costs the
/// most, instead of running for minutes.
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::simulate::{simulate_with, Budget};
/// let text = "task a 100s check=every:1ms\ntask b 100s check=every:1ms";
/// let s = ctxgroup_playground::scenario::parse(text).unwrap();
/// let err = simulate_with(&s, &Budget { max_steps: 50_000, ..Budget::default() }).unwrap_err();
/// assert_eq!(err.line, 1);
/// assert!(err.message.contains("check=every:1ms"), "{}", err.message);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Most steps (a task's check of its context, or any other event) of the run.
    pub max_steps: u64,
    /// Most wall-clock milliseconds, read from `now_ms` every 4,096 steps.
    pub max_ms: f64,
    /// A wall clock in milliseconds; `None`: no time limit.
    pub now_ms: Option<fn() -> f64>,
}

/// The steps a run may take, on the page as in the CLI and the mdBook preprocessor: a book
/// renders what its readers' pages will.
pub const MAX_RUN_STEPS: u64 = 6_000_000;

impl Default for Budget {
    /// [`MAX_RUN_STEPS`] steps, no time limit.
    fn default() -> Self {
        Budget {
            max_steps: MAX_RUN_STEPS,
            max_ms: f64::INFINITY,
            now_ms: None,
        }
    }
}

/// A scenario that parses but cannot be simulated within the limits.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("task a 1000000s\ntask b forever check=every:1ms").unwrap();
/// let err = ctxgroup_playground::simulate::simulate(&s).unwrap_err();
/// assert_eq!(err.line, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimError {
    /// The scenario line at fault.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for SimError {}

/// Context value carrying the scenario's `value` lines.
#[derive(Clone, Debug)]
pub struct Values(pub Vec<(String, String)>);

/// Runs `scenario` on a [`VirtualRuntime`]: instant and deterministic.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("limit 2\ntask a 1s\ntask b 1s\ntask c 1s").unwrap();
/// let t = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// let starts: Vec<_> = t.tasks.iter().map(|t| t.start.unwrap()).collect();
/// assert_eq!(starts, [0.0, 0.0, 1.0]);
/// ```
pub fn simulate(scenario: &Scenario) -> Result<Trace, SimError> {
    simulate_with(scenario, &Budget::default())
}

/// [`simulate`] within a [`Budget`]: a run that would pass it is stopped and refused with a
/// [`SimError`] at the line that costs the most.
pub fn simulate_with(scenario: &Scenario, budget: &Budget) -> Result<Trace, SimError> {
    simulate_shared(&Arc::new(scenario.clone()), budget)
}

/// [`simulate_with`] of a scenario that is already shared: the run holds its top group as it
/// is, not a copy of its thousands of items (a nested group, and each task, get their own).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use ctxgroup_playground::{scenario::parse, simulate::{simulate_shared, Budget}};
/// let s = Arc::new(parse("timeout 2s\ntask api 5s").unwrap());
/// let t = simulate_shared(&s, &Budget::default()).unwrap();
/// assert_eq!(t.summary(), "returned at 2s: context deadline exceeded — api cancelled at 2s");
/// ```
pub fn simulate_shared(scenario: &Arc<Scenario>, budget: &Budget) -> Result<Trace, SimError> {
    let horizon = horizon(scenario)?;
    let rt = VirtualRuntime::new();
    let clock: Arc<dyn Clock> = rt.clock();
    let recorder = Recorder::new(scenario, clock.clone());
    // Every future of the run can be aborted, so the budget can stop the run from its hook.
    let handles: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
    recorder.set_budget(*budget, handles.clone());
    let spawner = {
        let (spawn, handles) = (rt.spawner(), handles.clone());
        move |fut: BoxFuture<'static, ()>| {
            let (handle, registration) = AbortHandle::new_pair();
            handles.lock().unwrap().push(handle);
            spawn(Abortable::new(fut, registration).map(|_| ()).boxed());
        }
    };
    let (run_fut, _stop) = run(
        scenario.clone(),
        Context::with_clock(clock.clone()),
        Arc::new(spawner),
        recorder.clone(),
    );
    let (handle, registration) = AbortHandle::new_pair();
    handles.lock().unwrap().push(handle);
    let returned = rt
        .block_on_until(Abortable::new(run_fut, registration), Some(horizon))
        .ok();
    if matches!(returned, Some(Ok(()))) {
        // Leaked tasks (wait cancel) keep running past the return: show them.
        let _ = rt.run_until(Some(horizon));
    }
    if let Some(e) = recorder.over_budget(scenario, clock.now()) {
        return Err(e);
    }
    Ok(recorder.finish(scenario, clock.now()))
}

/// The latest time a run needs to be watched until: every finite task has ended by then.
/// The generated Go program stops watching there too.
pub(crate) fn horizon(s: &Scenario) -> Result<Duration, SimError> {
    let mut total = s.cancel_at.unwrap_or_default()
        + s.shutdown.map_or(Duration::ZERO, |d| d.at + d.grace)
        + Duration::from_secs(1)
        + s.group.timeout.unwrap_or_default();
    let mut forever_every = Vec::new();
    s.group.walk(&mut |item, _, _| match item {
        Item::Task(t) => {
            total +=
                t.after + t.timeout.unwrap_or_default() + t.length.finite().unwrap_or_default();
            if let (Length::Forever, Check::Every(step)) = (t.length, t.check) {
                // Its next check after a cancel may be a whole step later.
                total += step;
                forever_every.push((step, t.line));
            }
        }
        Item::Group(g) => total += g.after + g.timeout.unwrap_or_default(),
    });
    let total = total.min(Duration::from_secs(crate::scenario::MAX_SECONDS + 1));
    let mut steps: u64 = 0;
    for (step, line) in forever_every {
        steps += (total.as_nanos() / step.as_nanos()).min(u64::MAX as u128) as u64;
        if steps > MAX_TOTAL_STEPS {
            return Err(SimError {
                line,
                message: format!(
                    "check=every:{} on a forever task means over {MAX_TOTAL_STEPS} checks before the chart ends at {} (use a longer step)",
                    crate::fmt_duration(step),
                    crate::fmt_duration(total)
                ),
            });
        }
    }
    Ok(total)
}

type Spawner = Arc<dyn Fn(BoxFuture<'static, ()>) + Send + Sync>;

/// Handles a run needs released when it is stopped early (the caller's `cancel` timer).
#[derive(Debug, Default)]
pub(crate) struct RunTimers(Mutex<Vec<(Arc<dyn Clock>, TimerId)>>);

impl RunTimers {
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn cancel_all(&self) {
        for (clock, id) in self.0.lock().unwrap().drain(..) {
            clock.cancel_timer(id);
        }
    }
}

/// Builds the run of a scenario: the caller's code in Go terms (make the context, the group,
/// spawn in order, wait). Generic over the clock and the spawner so that the page's live mode
/// runs the very same code on the browser clock.
pub(crate) fn run(
    scenario: Arc<Scenario>,
    root: Context,
    spawner: Spawner,
    recorder: Arc<Recorder>,
) -> (impl Future<Output = ()> + Send + 'static, Arc<RunTimers>) {
    let timers = Arc::new(RunTimers::default());
    let t = timers.clone();
    let fut = async move {
        let mut ctx = root;
        if !scenario.values.is_empty() {
            ctx = ctx.with_value(Values(scenario.values.clone()));
        }
        // `cancel`'s timer is armed before the deadline's: at the same instant it fires first,
        // as in Go, where both are `time.AfterFunc` goroutines started in one batch of timers
        // and the last one started usually runs first (16 of 20 runs).
        let cancel_slot: Arc<Mutex<Option<ctxgroup::CancelFn>>> = Arc::default();
        let deadline_label = scenario
            .group
            .timeout
            .map(|d| format!("timeout {}", crate::fmt_duration(d)));
        if let Some(at) = scenario.cancel_at {
            let clock = ctx.clock().clone();
            let (why, slot) = (scenario.cancel_cause.clone(), cancel_slot.clone());
            let tie = deadline_label
                .clone()
                .filter(|_| scenario.group.timeout == Some(at))
                .map(|label| (recorder.clone(), label));
            let id = clock.schedule(
                at,
                Box::new(move || {
                    let Some(cancel) = slot.lock().unwrap().take() else {
                        return;
                    };
                    match why {
                        Some(why) => cancel.cancel_with_cause(Error::msg(why)),
                        None => cancel.cancel(),
                    };
                    if let Some((recorder, label)) = tie {
                        recorder.deadline_at_cancel(at, label);
                    }
                }),
            );
            t.0.lock().unwrap().push((clock, id));
        }
        let (ctx, cancel) =
            with_deadline(&ctx, scenario.group.timeout, &scenario.group.timeout_cause);
        *cancel_slot.lock().unwrap() = Some(cancel.clone());
        ctx.set_name("main");
        // Go's `defer cancel()`: the caller's context is cancelled when it returns.
        let at_return = cancel.clone();
        let watch = recorder.watch(&ctx, Some("main"), "main", deadline_label, false);
        let result = run_group(
            GroupHeld::Top(scenario.clone()),
            ctx.clone(),
            None,
            spawner,
            recorder.clone(),
            scenario.shutdown,
        )
        .await;
        recorder.returned(ctx.now(), &result);
        // What still runs on the caller's context (a plain group's goroutines) sees the
        // deferred cancel; the chart marks the scenario's own deadlines and cancels only.
        watch.stop();
        at_return.cancel();
    };
    (fut, timers)
}

/// A group as its run holds it: the scenario's top group within the shared scenario (not a copy
/// of its thousands of items), or a nested group's own copy.
enum GroupHeld {
    Top(Arc<Scenario>),
    Nested(Arc<GroupSpec>),
}

impl GroupHeld {
    fn spec(&self) -> &GroupSpec {
        match self {
            GroupHeld::Top(scenario) => &scenario.group,
            GroupHeld::Nested(group) => group,
        }
    }
}

fn run_group(
    held: GroupHeld,
    ctx: Context,
    path: Option<Arc<str>>,
    spawner: Spawner,
    recorder: Arc<Recorder>,
    shutdown: Option<Shutdown>,
) -> BoxFuture<'static, Result<(), Error>> {
    async move {
        let spec = held.spec();
        let mut builder = TaskGroup::builder(&ctx)
            .policy(match spec.on_error {
                OnError::Cancel => Policy::FailFast,
                OnError::Continue => Policy::Continue,
                OnError::Collect => Policy::CollectAll,
            })
            .shared_hook(recorder.clone())
            .spawner({
                let s = spawner.clone();
                move |f| s(f)
            });
        if let Some(limit) = spec.limit {
            builder = builder.limit(limit);
        }
        if let Some(p) = &path {
            builder = builder.name(p.clone());
        }
        let group = builder.build();
        after_cancel_rows(
            &spec.after_cancel,
            group.context(),
            path.clone(),
            &spawner,
            &recorder,
        );
        let _watch_group = recorder.watch(
            group.context(),
            path.as_deref(),
            path.as_deref().unwrap_or("main"),
            None,
            true,
        );
        // A plain group (see `Goroutines::base`); the top group's shutdown cancels what its
        // tasks started, as the group's context does.
        let plain = spec.on_error != OnError::Cancel && (path.is_some() || shutdown.is_none());
        let start = ctx.now();
        for item in &spec.items {
            let at = start + item.after();
            if at > ctx.now() {
                clock::sleep_until(ctx.clock().clone(), at).await;
            }
            let child_path: Arc<str> = match &path {
                Some(p) => format!("{p}/{}", item.name()).into(),
                None => item.name().into(),
            };
            match item {
                Item::Task(task) => {
                    let mut b = group.task(task.name.as_str());
                    match (task.timeout, &task.timeout_cause) {
                        (Some(t), Some(why)) => b = b.timeout_cause(t, Error::msg(why.clone())),
                        (Some(t), None) => b = b.timeout(t),
                        (None, _) => {}
                    }
                    let goroutines = Goroutines {
                        spawner: spawner.clone(),
                        recorder: recorder.clone(),
                        path: child_path.clone(),
                        // A without-cancel task's goroutines run on its own context.
                        base: (plain && !task.without_cancel).then(|| ctx.clone()),
                    };
                    let body = if task.without_cancel {
                        without_cancel_body(task.clone(), goroutines, path.clone())
                    } else {
                        task_body(task.clone(), goroutines, None).boxed_fn()
                    };
                    if !task.try_spawn {
                        b.spawn(body).await;
                    } else if !b.try_spawn(body) {
                        // g.TryGo returned false: the task never runs.
                        recorder.skipped(&child_path, ctx.now());
                    }
                }
                Item::Group(g) => {
                    let g = Arc::new(g.clone());
                    let held = GroupHeld::Nested(g.clone());
                    let (spawner, recorder) = (spawner.clone(), recorder.clone());
                    // In a plain group, on the caller's context (see `Goroutines::base`).
                    let base = plain.then(|| ctx.clone());
                    group
                        .task(g.name.as_str())
                        .spawn(move |task_ctx| async move {
                            let task_ctx = base.unwrap_or(task_ctx);
                            let (gctx, cancel) =
                                with_deadline(&task_ctx, g.timeout, &g.timeout_cause);
                            // Go's `defer cancel()` of the group's own timeout context: what
                            // still runs on it when the group's function returns is cancelled.
                            let _at_return = g.timeout.is_some().then(|| cancel.drop_guard());
                            gctx.set_name(child_path.clone());
                            let label = g.timeout.map(|d| {
                                format!("{} timeout {}", child_path, crate::fmt_duration(d))
                            });
                            let watch =
                                recorder.watch(&gctx, Some(&child_path), &child_path, label, false);
                            let result =
                                run_group(held, gctx, Some(child_path), spawner, recorder, None)
                                    .await;
                            // The cancel at return is the group's own cleanup, not a cause.
                            watch.stop();
                            result
                        })
                        .await;
                }
            }
        }
        if let (None, Some(shutdown)) = (&path, shutdown) {
            return shut_down(&group, &ctx, shutdown).await;
        }
        match spec.wait {
            WaitMode::All => group.wait().await,
            WaitMode::Cancel => {
                let wait = group.wait();
                let done = ctx.done();
                futures::pin_mut!(wait);
                // Go: select { case err := <-waitDone: …; case <-ctx.Done(): return ctx.Err() }
                match futures::future::select(done, wait).await {
                    Either::Left((reason, _)) => Err(reason.into()),
                    Either::Right((result, _)) => result,
                }
            }
        }
    }
    .boxed()
}

/// `ctx.with_timeout(timeout)` (with its cause, if any), or `ctx.with_cancel()` without one.
fn with_deadline(
    ctx: &Context,
    timeout: Option<Duration>,
    cause: &Option<String>,
) -> (Context, ctxgroup::CancelFn) {
    match (timeout, cause) {
        (Some(t), Some(why)) => ctx.with_timeout_cause(t, Error::msg(why.clone())),
        (Some(t), None) => ctx.with_timeout(t),
        (None, _) => ctx.with_cancel(),
    }
}

/// What a task needs to start its goroutines (`go` lines): where to run them, whom to report
/// them to, and its own path.
#[derive(Clone)]
struct Goroutines {
    spawner: Spawner,
    recorder: Arc<Recorder>,
    path: Arc<str>,
    /// For a task of a plain group (`on-error continue` or `collect`): the group's caller's
    /// context. Go's plain `errgroup.Group` has no context of its own, so the task's goroutines
    /// and after-cancel functions run on its caller's (under the task's own timeout, if any),
    /// and nothing is cancelled when Wait returns; the library's group cancels its context
    /// then, which must not reach what outlives the task.
    base: Option<Context>,
}

/// Reports a goroutine's looks at its context (a group's hook does that for tasks).
type CheckReport = Arc<dyn Fn(&Result<(), Reason>) + Send + Sync>;

/// `go NAME …`: starts the goroutine `spec` on `ctx` (the context of the task that starts it),
/// reporting it to the recorder as its own row; nobody waits for it.
fn start_goroutine(spec: TaskSpec, ctx: &Context, env: &Goroutines) {
    let path: Arc<str> = format!("{}/{}", env.path, spec.name).into();
    let recorder = env.recorder.clone();
    // A child context, so that its checks are not counted as its task's (it is cancelled with
    // the task's context and never otherwise: the same as the task's context in Go).
    let (ctx, own) = ctx.with_cancel();
    let report = |kind: EventKind<'_>| {
        recorder.event(&Event {
            at: ctx.now(),
            task: OWN_EVENT,
            name: &spec.name,
            group: Some(&env.path),
            kind,
        })
    };
    report(EventKind::Spawned);
    report(EventKind::Started);
    let watch = {
        let (recorder, path, name) = (recorder.clone(), env.path.clone(), spec.name.clone());
        let clock = ctx.clock().clone();
        ctx.after_cancel(move |reason| {
            recorder.event(&Event {
                at: clock.now(),
                task: OWN_EVENT,
                name: &name,
                group: Some(&path),
                kind: EventKind::CancelRequested(reason),
            })
        })
    };
    let checks: CheckReport = {
        let (recorder, path, name) = (recorder.clone(), env.path.clone(), spec.name.clone());
        let clock = ctx.clock().clone();
        Arc::new(move |seen| {
            recorder.event(&Event {
                at: clock.now(),
                task: OWN_EVENT,
                name: &name,
                group: Some(&path),
                kind: EventKind::Check {
                    cancelled: seen.is_err(),
                },
            })
        })
    };
    let inner = Goroutines {
        path: path.clone(),
        base: None,
        ..env.clone()
    };
    let (name, parent) = (spec.name.clone(), env.path.clone());
    let body = task_body(spec, inner, Some(checks));
    let fut = body(ctx.clone());
    (env.spawner)(
        async move {
            let result = fut.await;
            watch.stop();
            drop(own);
            let report = |kind| {
                recorder.event(&Event {
                    at: ctx.now(),
                    task: OWN_EVENT,
                    name: &name,
                    group: Some(&parent),
                    kind,
                })
            };
            // It returns as soon as it sees the cancellation: it saw it now (a group's hook
            // says so of its tasks).
            if let Some(reason) = result.as_ref().err().and_then(context_error) {
                report(EventKind::CancelObserved(reason));
            }
            report(EventKind::Finished(result.as_ref().map(|_| ())));
        }
        .boxed(),
    );
}

/// A task's function, boxed (the plain and the `without-cancel` forms are one type).
type TaskFn = Box<dyn FnOnce(Context) -> BoxFuture<'static, Result<(), Error>> + Send>;

trait BoxedFn {
    fn boxed_fn(self) -> TaskFn;
}

impl<F: FnOnce(Context) -> BoxFuture<'static, Result<(), Error>> + Send + 'static> BoxedFn for F {
    fn boxed_fn(self) -> TaskFn {
        Box::new(self)
    }
}

/// Marks the events the simulator reports itself (a goroutine's, an after-cancel function's, a
/// `without-cancel` task's own context's), not a group's. Every such report carries it: the
/// recorder knows a group's tasks by their ids, and these are no group's.
const OWN_EVENT: u64 = u64::MAX;

/// `without-cancel`: the task works on `context.WithoutCancel(ctx)`, reporting its own looks
/// at that context and its cancellation (the group's cancellation never reaches it).
fn without_cancel_body(task: TaskSpec, env: Goroutines, group: Option<Arc<str>>) -> TaskFn {
    Box::new(move |ctx: Context| {
        let (detached, own) = ctx.without_cancel().with_cancel();
        let (recorder, name) = (env.recorder.clone(), task.name.clone());
        let clock = ctx.clock().clone();
        let report = Arc::new(move |kind: EventKind<'_>| {
            recorder.event(&Event {
                at: clock.now(),
                task: OWN_EVENT,
                name: &name,
                group: group.as_deref(),
                kind,
            })
        });
        let on_cancel = report.clone();
        let watch = detached.after_cancel(move |r| on_cancel(EventKind::CancelRequested(r)));
        let checks: CheckReport = Arc::new(move |seen: &Result<(), Reason>| {
            report(EventKind::Check {
                cancelled: seen.is_err(),
            })
        });
        let body = task_body(task, env, Some(checks))(detached);
        async move {
            let result = body.await;
            watch.stop();
            drop(own);
            result
        }
        .boxed()
    })
}

/// `shutdown AT grace=G`: wait for the group until `AT`; then shut it down, waiting at most
/// `G` more, and name the tasks still running.
async fn shut_down(group: &TaskGroup, ctx: &Context, shutdown: Shutdown) -> Result<(), Error> {
    // The shutdown's cancel comes at its timer's instant, as a deadline's does, before the tasks
    // whose timers fire with it run: in Go the caller's timer fires and it cancels at once.
    let (g, grace) = (group.clone(), shutdown.grace);
    let clock = ctx.clock().clone();
    let _timer = TimerGuard(
        clock.clone(),
        clock.schedule(shutdown.at, Box::new(move || drop(g.shutdown(grace)))),
    );
    {
        let wait = group.wait();
        let at = clock::sleep_until(clock, shutdown.at);
        futures::pin_mut!(wait, at);
        if let Either::Left((result, _)) = futures::future::select(wait, at).await {
            return result;
        }
    }
    // Cancelled already: this one waits out the grace, from the same instant.
    let report = group.shutdown(shutdown.grace).await;
    report.result.unwrap_or_else(|| {
        Err(Error::msg(shutdown_message(
            shutdown.grace,
            &report.ignored,
        )))
    })
}

/// A timer cancelled when dropped: one of a run that ends (or is stopped) before it fires.
struct TimerGuard(Arc<dyn Clock>, TimerId);

impl Drop for TimerGuard {
    fn drop(&mut self) {
        self.0.cancel_timer(self.1);
    }
}

/// The error of a shutdown whose grace ran out: the same text in Go and Rust programs.
pub(crate) fn shutdown_message(grace: Duration, ignored: &[String]) -> String {
    format!(
        "shutdown: still running after the {} grace: {}",
        crate::fmt_duration(grace),
        ignored.join(", ")
    )
}

/// `after-cancel NAME DUR` lines on `ctx`: `context.AfterFunc(ctx, NAME)`. Once `ctx` is done,
/// each works for its length on its own, reported as the row `group/NAME`; nobody waits.
fn after_cancel_rows(
    specs: &[crate::scenario::AfterCancelSpec],
    ctx: &Context,
    group: Option<Arc<str>>,
    spawner: &Spawner,
    recorder: &Arc<Recorder>,
) {
    for spec in specs {
        let (spawner, recorder, group) = (spawner.clone(), recorder.clone(), group.clone());
        let (name, length) = (spec.name.clone(), spec.length);
        let clock = ctx.clock().clone();
        let _ = ctx.after_cancel(move |_| {
            let timer = clock.clone();
            let report = move |kind: EventKind<'_>| {
                recorder.event(&Event {
                    at: clock.now(),
                    task: OWN_EVENT,
                    name: &name,
                    group: group.as_deref(),
                    kind,
                })
            };
            report(EventKind::Spawned);
            report(EventKind::Started);
            spawner(
                async move {
                    match length {
                        Length::For(d) => clock::sleep(timer, d).await,
                        Length::Forever => futures::future::pending::<()>().await,
                    }
                    report(EventKind::Finished(Ok(())));
                }
                .boxed(),
            );
        });
    }
}

/// The Go code a scenario task (or goroutine) stands for, as an async function of its context:
/// it starts its goroutines, then works. `checks` reports a goroutine's checks.
fn task_body(
    task: TaskSpec,
    goroutines: Goroutines,
    checks: Option<CheckReport>,
) -> impl FnOnce(Context) -> BoxFuture<'static, Result<(), Error>> + Send {
    move |ctx: Context| {
        async move {
            // Its goroutines and after-cancel functions watch its context. A task's own
            // timeout context is cancelled when it returns (Go's `defer cancel()`): so is the
            // one they get.
            let blocks = !task.go.is_empty() || !task.after_cancel.is_empty();
            let (shared, _cancel_at_return) = match (&goroutines.base, task.timeout) {
                (Some(base), Some(t)) if blocks => {
                    let (shared, end) = with_deadline(base, Some(t), &task.timeout_cause);
                    shared.set_name(task.name.as_str());
                    (shared, Some(end.drop_guard()))
                }
                (Some(base), _) if blocks => (base.clone(), None),
                (None, Some(_)) if blocks => {
                    let (shared, end) = ctx.with_cancel();
                    // Its cancel is the task's `defer cancel()`: named as the task.
                    shared.set_name(task.name.as_str());
                    (shared, Some(end.drop_guard()))
                }
                _ => (ctx.clone(), None),
            };
            for spec in &task.go {
                start_goroutine(spec.clone(), &shared, &goroutines);
            }
            after_cancel_rows(
                &task.after_cancel,
                &shared,
                Some(goroutines.path.clone()),
                &goroutines.spawner,
                &goroutines.recorder,
            );
            let clock = ctx.clock().clone();
            // check(&ctx) is Go's `select { case <-ctx.Done(): return ctx.Err(); default: }`; the
            // group's hook reports it for a task (and the first time it finds the context
            // cancelled); `checks` for a goroutine.
            let check = |ctx: &Context| -> Result<(), Reason> {
                let seen = ctx.check();
                if let Some(report) = &checks {
                    report(&seen);
                }
                seen
            };
            match (task.length, task.check) {
                (Length::For(d), Check::Never) => clock::sleep(clock, d).await,
                (Length::For(d), Check::Start) => {
                    check(&ctx)?;
                    clock::sleep(clock, d).await;
                }
                (Length::For(d), Check::Every(step)) => {
                    let mut left = d;
                    while !left.is_zero() {
                        check(&ctx)?;
                        let s = step.min(left);
                        clock::sleep(clock.clone(), s).await;
                        left -= s;
                    }
                }
                (Length::For(d), Check::Await) => {
                    ctx.sleep(d).await?;
                    // Ended at the instant a cancel came: the side of the race Go usually takes.
                    if ctx.is_cancelled()
                        && goroutines
                            .recorder
                            .loses_tie(&goroutines.path, secs(ctx.now()))
                    {
                        return Err(ctx.done().await.into());
                    }
                }
                (Length::Forever, Check::Never) => futures::future::pending::<()>().await,
                (Length::Forever, Check::Start) => {
                    check(&ctx)?;
                    futures::future::pending::<()>().await;
                }
                (Length::Forever, Check::Every(step)) => loop {
                    check(&ctx)?;
                    clock::sleep(clock.clone(), step).await;
                },
                (Length::Forever, Check::Await) => return Err(ctx.done().await.into()),
            }
            match task.fail {
                Some(msg) => Err(Error::msg(msg)),
                None => Ok(()),
            }
        }
        .boxed()
    }
}

/// Records a run through the group's trace hooks, and through the contexts' after-cancel
/// callbacks for deadline and cancel marks.
pub(crate) struct Recorder {
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    clock: Arc<dyn Clock>,
    inner: Mutex<RecInner>,
    budget: Mutex<Option<Spending>>,
}

/// A budget, when the run started (wall ms), and the handles that stop the run.
type Spending = (Budget, f64, Arc<Mutex<Vec<AbortHandle>>>);

/// What the recorder writes of a cancellation, worked out once for it: one cancellation stops
/// thousands of tasks, and each says why in its events and its row.
struct Explained {
    reason: Reason,
    /// `context canceled: t5 failed: HTTP 502`.
    explain: String,
    /// `t5 failed: HTTP 502`.
    cause: String,
    /// What Go's `context.Cause` says of it.
    go_cause: String,
}

impl Explained {
    /// The words for `reason`, from `slot` if they were last worked out for it.
    fn of<'a>(slot: &'a mut Option<Explained>, reason: &Reason) -> &'a Explained {
        if !slot
            .as_ref()
            .is_some_and(|said| said.reason.is_same(reason))
        {
            *slot = None;
        }
        slot.get_or_insert_with(|| Explained {
            reason: reason.clone(),
            explain: reason.explain(),
            cause: reason.describe_cause(),
            go_cause: go_cause(reason),
        })
    }
}

/// Whether a trace built from the recorder is its last (the rows and events are moved into
/// it) or a snapshot of a run still going (they are copied).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Take,
    Copy,
}

/// Task ids past this are looked up by path every time (no list that long is kept).
const MAX_LISTED_ID: u64 = 1 << 20;

struct RecInner {
    tasks: Vec<TaskTrace>,
    /// Per row: a `without-cancel` task (its group's cancellation does not reach it).
    detached: Vec<bool>,
    spawned: Vec<bool>,
    /// The words for the last cancellation seen.
    explained: Option<Explained>,
    /// The final trace has taken the rows and events: nothing more is recorded.
    taken: bool,
    /// Per row: its path, shared by its events.
    paths: Vec<Arc<str>>,
    /// Row by path (the keys are `paths`' own).
    index: FnvMap<Arc<str>, usize>,
    /// The path of the event being recorded (one buffer, not a string per event).
    key: String,
    /// Row + 1 by group name and task id (0: not known yet). The library numbers a group's
    /// tasks 0, 1, …, so an event's row is found in a short list, not by hashing its path and
    /// reading a key somewhere in memory for each of the run's tens of thousands of events.
    rows_by_id: FnvMap<Box<str>, Vec<u32>>,
    events: Vec<TraceEvent>,
    marks: Vec<Mark>,
    returned: Option<Returned>,
    /// Per task: the time of its last check that is counted but not listed.
    unlisted_check: Vec<Option<f64>>,
    /// Per row: how many timers fired, one after another, before it started (a task queued
    /// behind another starts when that one's timer fires: one more). See [`Recorder::loses_tie`].
    hops: Vec<u32>,
    /// Per row: the hops of what cancelled it (the context whose deadline or cancel it was, or
    /// the task that failed); `u32::MAX` until it is cancelled.
    cancel_hops: Vec<u32>,
    /// The latest instant a row ended at, and the most hops of the rows that ended then.
    ended_hops: (f64, u32),
    listed_checks: usize,
    steps: u64,
    /// Why the run was stopped early: (steps taken, wall ms, over the time limit).
    over: Option<(u64, f64, bool)>,
}

impl RecInner {
    /// The row of the task an event is of: by its group's list of ids, else by its path.
    fn row_of(&mut self, e: &Event<'_>) -> Option<usize> {
        let group = e.group.unwrap_or("");
        let id = usize::try_from(e.task)
            .ok()
            .filter(|&id| id < MAX_LISTED_ID as usize);
        if let (Some(rows), Some(id)) = (self.rows_by_id.get(group), id) {
            if let Some(&row) = rows.get(id).filter(|&&row| row > 0) {
                return Some(row as usize - 1);
            }
        }
        self.key.clear();
        if let Some(g) = e.group {
            self.key.push_str(g);
            self.key.push('/');
        }
        self.key.push_str(e.name);
        let row = *self.index.get(self.key.as_str())?;
        if let Some(id) = id {
            let rows = self.rows_by_id.entry(group.into()).or_default();
            if rows.len() <= id {
                rows.resize(id + 1, 0);
            }
            rows[id] = u32::try_from(row + 1).unwrap_or(0);
        }
        Some(row)
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl Recorder {
    pub(crate) fn new(scenario: &Scenario, clock: Arc<dyn Clock>) -> Arc<Recorder> {
        let mut tasks = Vec::new();
        let mut detached = Vec::new();
        scenario.group.walk_kinds(&mut |item, path, depth, kind| {
            let goroutine = kind == RowKind::Go;
            let after_cancel = matches!(kind, RowKind::AfterCancel { .. });
            detached.push(matches!(item, Item::Task(t) if t.without_cancel));
            let (is_group, line) = match item {
                Item::Task(t) => (false, t.line),
                Item::Group(g) => (true, g.line),
            };
            tasks.push(TaskTrace {
                name: item.name().to_string(),
                path: path.to_string(),
                depth,
                is_group,
                goroutine,
                after_cancel,
                line,
                spawned: 0.0,
                start: None,
                end: None,
                outcome: Outcome::Running,
                error: None,
                cause: None,
                cause_task: None,
                go_cause: None,
                cancel_requested: None,
                leaked: false,
                work: match item {
                    Item::Task(t) => t.length.finite().map(secs),
                    Item::Group(_) => None,
                },
                checks: 0,
                awaits: !after_cancel
                    && matches!(item, Item::Task(t) if t.check == Check::Await
                        && !t.without_cancel
                        && t.length.finite().is_some()),
            });
        });
        let paths: Vec<Arc<str>> = tasks.iter().map(|t| Arc::from(t.path.as_str())).collect();
        let index = paths.iter().cloned().zip(0..).collect();
        let row_count = tasks.len();
        let spawned = vec![false; row_count];
        let unlisted_check = vec![None; row_count];
        Arc::new(Recorder {
            clock,
            inner: Mutex::new(RecInner {
                tasks,
                detached,
                spawned,
                paths,
                index,
                key: String::new(),
                rows_by_id: FnvMap::default(),
                explained: None,
                taken: false,
                // A task's run is about six events (spawn, start, checks, cancel, end): room
                // for them up front, not copied over as the list grows.
                events: Vec::with_capacity(6 * row_count),
                marks: Vec::new(),
                returned: None,
                unlisted_check,
                hops: vec![0; row_count],
                cancel_hops: vec![u32::MAX; row_count],
                ended_hops: (-1.0, 0),
                listed_checks: 0,
                steps: 0,
                over: None,
            }),
            budget: Mutex::new(None),
        })
    }

    /// Limits the run to `budget`; `handles` abort every future of the run when it is spent.
    fn set_budget(&self, budget: Budget, handles: Arc<Mutex<Vec<AbortHandle>>>) {
        let started = budget.now_ms.map_or(0.0, |now| now());
        *self.budget.lock().unwrap() = Some((budget, started, handles));
    }

    /// Counts one step against the budget; aborts the run once it is spent. Returns `false`
    /// when the run is over its budget (the step is not recorded).
    fn step(&self, inner: &mut RecInner) -> bool {
        if inner.over.is_some() {
            return false;
        }
        inner.steps += 1;
        let guard = self.budget.lock().unwrap();
        let Some((budget, started, handles)) = guard.as_ref() else {
            return true;
        };
        let over_steps = inner.steps > budget.max_steps;
        let mut elapsed = 0.0;
        let over_time = inner.steps % 4096 == 0
            && budget.now_ms.is_some_and(|now| {
                elapsed = now() - started;
                elapsed > budget.max_ms
            });
        if !(over_steps || over_time) {
            return true;
        }
        inner.over = Some((inner.steps, elapsed, over_time));
        for h in handles.lock().unwrap().iter() {
            h.abort();
        }
        false
    }

    /// The record, unless the final trace has taken it: what the end of a run still reports
    /// (contexts cancelled as the run is dropped) is not part of the trace.
    fn recording(&self) -> Option<std::sync::MutexGuard<'_, RecInner>> {
        let inner = self.inner.lock().unwrap();
        (!inner.taken).then_some(inner)
    }

    /// The error for a run stopped by its budget: it names the line whose task checked its
    /// context most often (or, without checks, the last line reached), and how to lighten it.
    fn over_budget(&self, scenario: &Scenario, now: Duration) -> Option<SimError> {
        let inner = self.inner.lock().unwrap();
        let (steps, _, by_time) = inner.over?;
        let costliest = inner
            .tasks
            .iter()
            .filter(|t| t.checks > 0)
            .max_by_key(|t| (t.checks, std::cmp::Reverse(t.line)));
        let (budget, _, _) = (*self.budget.lock().unwrap()).clone()?;
        let what = if by_time {
            format!(
                "the run took over {} s of work and was stopped at {} of scenario time, after {} steps",
                grouped((budget.max_ms / 1000.0).round() as u64),
                crate::fmt_duration(now),
                grouped(steps)
            )
        } else {
            format!(
                "the run passed its budget of {} steps at {} of scenario time",
                grouped(budget.max_steps),
                crate::fmt_duration(now)
            )
        };
        let mut line = inner.tasks.last().map_or(1, |t| t.line);
        let mut hint = String::from("use fewer or shorter tasks");
        if let Some(t) = costliest {
            line = t.line;
            let mut spec = None;
            scenario.group.walk(&mut |item, path, _| {
                if let Item::Task(task) = item {
                    if path == t.path {
                        spec = Some(task.clone());
                    }
                }
            });
            let step = match spec.map(|s| s.check) {
                Some(Check::Every(step)) => step,
                _ => Duration::ZERO,
            };
            let others = inner.tasks.iter().filter(|o| o.checks > 0).count() - 1;
            hint = format!(
                "Task {} checked its context {} times (check=every:{}){}. Use a longer step, such as check=every:{}, or fewer such tasks",
                t.path,
                grouped(t.checks),
                crate::fmt_duration(step),
                match others {
                    0 => String::new(),
                    1 => ", and 1 other task checks too".to_string(),
                    n => format!(", and {n} other tasks check too"),
                },
                crate::fmt_duration((step * 100).max(Duration::from_millis(100)))
            );
        }
        Some(SimError {
            line,
            message: format!("{what}. {hint}."),
        })
    }

    /// Watches a context for its own deadline or cancel (not ones inherited from a parent).
    /// `origin` is the context's own name (`None` for the unnamed top-level group context);
    /// `name` is how the chart calls it.
    /// A group's context (`group_errors`) reports only the task errors that cancel it; the
    /// contexts around groups report their deadlines and cancels.
    fn watch(
        self: &Arc<Self>,
        ctx: &Context,
        origin: Option<&str>,
        name: &str,
        deadline_label: Option<String>,
        group_errors: bool,
    ) -> ctxgroup::AfterCancel {
        let me = Arc::downgrade(self);
        let origin = origin.map(str::to_string);
        let name = name.to_string();
        ctx.after_cancel(move |reason| {
            let Some(me) = me.upgrade() else { return };
            if reason.origin() != origin.as_deref()
                || group_errors
                    != matches!(reason.cause(), Cause::TaskFailed { .. } | Cause::Shutdown)
            {
                return;
            }
            let t = secs(reason.at());
            let (kind, label) = match reason.cause() {
                Cause::DeadlineExceeded { .. } => (
                    "deadline",
                    deadline_label.unwrap_or_else(|| format!("deadline of {name}")),
                ),
                Cause::Canceled(_) => ("cancel", format!("cancel() of {name}")),
                Cause::TaskFailed { task, .. } => (
                    "error",
                    format!("{task} failed: cancels the tasks of {name}"),
                ),
                Cause::Shutdown => ("cancel", format!("shutdown of {name}")),
                _ => return,
            };
            me.mark(t, kind, name, label, reason.explain().into());
        })
    }

    /// A context's deadline or cancel: a mark on the chart, and its line in the log.
    fn mark(
        &self,
        t: f64,
        kind: &'static str,
        context: String,
        label: String,
        detail: Cow<'static, str>,
    ) {
        let Some(mut inner) = self.recording() else {
            return;
        };
        inner.events.push(TraceEvent {
            t,
            task: None,
            kind: if kind == "deadline" {
                "deadline"
            } else {
                "canceled"
            },
            detail: Some(detail),
        });
        inner.marks.push(Mark {
            t,
            kind,
            context,
            label,
        });
    }

    /// Whether the task at `path`, whose work ended at the instant a cancel reached it, loses
    /// that tie as Go usually settles it. In Go the two are timers a few microseconds apart:
    /// each timer fires a little late, and a task started when another's timer fired starts
    /// that much later. Work whose start is one such hop behind the cancel's source still
    /// usually wins (`time.After`'s channel is ready before the context's timer goroutine runs
    /// `cancel`); two or more hops behind, it usually loses (Go 1.23: 12 of 12 runs for the fifth
    /// of five 1 s tasks under `limit 1` and `timeout 5s`; 10 of 12 for the third of three).
    fn loses_tie(&self, path: &str, now: f64) -> bool {
        let inner = self.inner.lock().unwrap();
        let Some(&i) = inner.index.get(path) else {
            return false;
        };
        inner.tasks[i].cancel_requested == Some(now)
            && inner.hops[i] > inner.cancel_hops[i].saturating_add(1)
    }

    /// The deadline of main passed at the instant `cancel()` cancelled it: marked beside the
    /// cancel, the pair a race in Go ([`Trace::tie_of`]).
    fn deadline_at_cancel(&self, at: Duration, label: String) {
        self.mark(
            secs(at),
            "deadline",
            "main".into(),
            label,
            "the deadline of main passes at the instant of cancel(): in Go either may come first"
                .into(),
        );
    }

    /// A `try` task found no free slot: it is shown, skipped, where `g.TryGo` was called.
    fn skipped(&self, path: &str, at: Duration) {
        let Some(mut inner) = self.recording() else {
            return;
        };
        let Some(&i) = inner.index.get(path) else {
            return;
        };
        inner.spawned[i] = true;
        let task = &mut inner.tasks[i];
        task.spawned = secs(at);
        task.outcome = Outcome::Skipped;
        let task = Some(inner.paths[i].clone());
        inner.events.push(TraceEvent {
            t: secs(at),
            task,
            kind: "skipped",
            detail: Some("g.TryGo found no free slot and returned false".into()),
        });
    }

    fn returned(&self, at: Duration, result: &Result<(), Error>) {
        let Some(mut inner) = self.recording() else {
            return;
        };
        let (error, cause) = match result {
            Ok(()) => (None, None),
            Err(e) => (Some(e.to_string()), e.reason().map(|r| r.describe_cause())),
        };
        inner.events.push(TraceEvent {
            t: secs(at),
            task: None,
            kind: "return",
            detail: Some(error.clone().map_or("ok".into(), Cow::Owned)),
        });
        inner.returned = Some(Returned {
            at: secs(at),
            error,
            cause,
        });
    }

    /// Builds the trace, with the chart's end, leaks and `expect` results.
    pub(crate) fn finish(&self, scenario: &Scenario, now: Duration) -> Trace {
        self.build(scenario, now, true, Last::Take)
    }

    /// [`finish`](Self::finish); without `events`, the trace has none (a live frame's chart
    /// does not need them, and copying them delays the run's own timers).
    fn build(&self, scenario: &Scenario, now: Duration, events: bool, mode: Last) -> Trace {
        let with_events = events;
        let mut guard = self.inner.lock().unwrap();
        let inner = &mut *guard;
        inner.taken |= mode == Last::Take;
        // Rows that belong to a task (goroutines, after-cancel functions of its context): they
        // are leaked by the rule of that task's group. Found before the rows are taken.
        let goroutine_paths: std::collections::HashSet<String> =
            if inner.tasks.iter().any(|t| t.goroutine || t.after_cancel) {
                let is_group: FnvMap<&str, bool> = inner
                    .tasks
                    .iter()
                    .map(|t| (t.path.as_str(), t.is_group))
                    .collect();
                inner
                    .tasks
                    .iter()
                    .filter(|t| {
                        t.goroutine
                            || (t.after_cancel
                                && t.path.rsplit_once('/').is_some_and(|(parent, _)| {
                                    is_group.get(parent) == Some(&false)
                                }))
                    })
                    .map(|t| t.path.clone())
                    .collect()
            } else {
                Default::default()
            };
        let mut events = match (with_events, mode) {
            (false, _) => Vec::new(),
            (true, Last::Take) => std::mem::take(&mut inner.events),
            (true, Last::Copy) => inner.events.clone(),
        };
        if with_events {
            for ((t, path), unlisted) in inner
                .tasks
                .iter()
                .zip(&inner.paths)
                .zip(&inner.unlisted_check)
            {
                if let Some(at) = unlisted {
                    events.push(last_unlisted_check(t, path, *at));
                }
            }
        }
        let mut tasks: Vec<TaskTrace> = Vec::new();
        match mode {
            Last::Take => {
                let rows = std::mem::take(&mut inner.tasks);
                tasks.extend(
                    rows.into_iter()
                        .zip(&inner.spawned)
                        .filter_map(|(t, spawned)| spawned.then_some(t)),
                );
            }
            Last::Copy => tasks.extend(
                inner
                    .tasks
                    .iter()
                    .zip(&inner.spawned)
                    .filter(|(_, spawned)| **spawned)
                    .map(|(t, _)| t.clone()),
            ),
        }
        let mut last: f64 = 0.0;
        for t in &mut tasks {
            if t.outcome != Outcome::Cancelled {
                // Only a task that ended cancelled has a cause to show (the one kept
                // meanwhile is its context's, should it end so).
                t.go_cause = None;
            }
            last = last
                .max(t.spawned)
                .max(t.start.unwrap_or(0.0))
                .max(t.end.unwrap_or(0.0));
        }
        for m in &inner.marks {
            last = last.max(m.t);
        }
        if let Some(r) = &inner.returned {
            last = last.max(r.at);
        }
        let still_running = tasks
            .iter()
            .any(|t| t.end.is_none() && t.outcome != Outcome::Skipped);
        let end = match (still_running, mode) {
            // Show unfinished tasks running on past everything else.
            (true, Last::Take) => {
                let base = last.max(secs(now).min(last * 1.5 + 1.0));
                (base * 1.15).max(base + 0.5).max(1.0)
            }
            // A live run's copy ends now: its tasks run now, not later.
            (true, Last::Copy) => last.max(secs(now)),
            (false, _) => last,
        };
        // A task is leaked when its group returned while it still ran.
        let group_end: FnvMap<String, Option<f64>> = tasks
            .iter()
            .filter(|t| t.is_group)
            .map(|t| (t.path.clone(), t.end))
            .collect();
        let top_end = inner.returned.as_ref().map(|r| r.at);
        for t in &mut tasks {
            // A goroutine belongs to the group of the task that started it (through its own
            // goroutines' goroutines).
            let mut owner = t.path.as_str();
            while goroutine_paths.contains(owner) {
                owner = owner.rsplit_once('/').map_or(owner, |(p, _)| p);
            }
            let parent_end = match owner.rsplit_once('/') {
                Some((parent, _)) => group_end.get(parent).copied().flatten(),
                None => top_end,
            };
            if let (Some(pe), false) = (parent_end, t.outcome == Outcome::Skipped) {
                t.leaked = t.end.map_or(true, |e| e > pe + 1e-9);
            }
        }
        events.sort_by(|a, b| a.t.partial_cmp(&b.t).unwrap_or(std::cmp::Ordering::Equal));
        let mut trace = Trace {
            returned: inner.returned.clone(),
            tasks,
            events,
            marks: inner.marks.clone(),
            end,
            expectations: Vec::new(),
            goroutines: Vec::new(),
            races: Vec::new(),
            values: Vec::new(),
        };
        trace.goroutines = goroutines_over_time(&trace.tasks);
        trace.values = scenario.values.clone();
        trace.expectations = scenario
            .expects
            .iter()
            .map(|e| check_expect(scenario, &trace, e))
            .collect();
        trace
    }

    /// The trace so far, for the page's live mode.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn snapshot(&self, scenario: &Scenario, events: bool) -> Trace {
        self.build(scenario, self.clock.now(), events, Last::Copy)
    }
}

impl Hook for Recorder {
    fn event(&self, e: &Event<'_>) {
        let t = secs(e.at);
        let Some(mut inner) = self.recording() else {
            return;
        };
        let inner = &mut *inner;
        let Some(i) = inner.row_of(e) else {
            return;
        };
        if inner.detached[i]
            && e.task != OWN_EVENT
            && matches!(e.kind, EventKind::CancelRequested(_))
        {
            // The group cancelled the context it gave; the task works on a detached one.
            return;
        }
        if !self.step(inner) {
            return;
        }
        if let EventKind::Check { cancelled: false } = e.kind {
            inner.tasks[i].checks += 1;
            // Past the first checks of a task, a check that finds the context live is counted,
            // not listed (the last one is listed when the trace is built).
            if inner.tasks[i].checks > LISTED_CHECKS || inner.listed_checks >= MAX_LISTED_CHECKS {
                inner.unlisted_check[i] = Some(t);
                return;
            }
            inner.listed_checks += 1;
            inner.unlisted_check[i] = None;
        }
        let path = inner.paths[i].clone();
        if let EventKind::Check { cancelled: true } = e.kind {
            if let Some(at) = inner.unlisted_check[i].take() {
                let last = last_unlisted_check(&inner.tasks[i], &path, at);
                inner.events.push(last);
            }
            inner.tasks[i].checks += 1;
        }
        let (kind, detail) = match &e.kind {
            EventKind::Spawned => {
                inner.spawned[i] = true;
                inner.tasks[i].spawned = t;
                ("spawn", None)
            }
            EventKind::Check { cancelled } => (
                "check",
                Some(
                    if *cancelled {
                        "ctx.Done() is closed: return ctx.Err()"
                    } else {
                        "ctx not done: go on"
                    }
                    .into(),
                ),
            ),
            EventKind::CancelObserved(reason) => {
                let said = Explained::of(&mut inner.explained, reason);
                ("observed", Some(format!("sees {}", said.explain).into()))
            }
            EventKind::Queued => (
                "queue",
                Some("the group is at its limit: g.Go blocks".into()),
            ),
            EventKind::Started => {
                inner.tasks[i].start = Some(t);
                // Its hops: those of the task whose end freed its slot, plus one; or its
                // group's, plus one if it was spawned later (`after=`).
                let parent = path
                    .rsplit_once('/')
                    .and_then(|(p, _)| inner.index.get(p).copied());
                let (parent_hops, parent_start) = parent.map_or((0, 0.0), |p| {
                    (inner.hops[p], inner.tasks[p].start.unwrap_or(0.0))
                });
                let spawned = inner.tasks[i].spawned;
                inner.hops[i] = if t > spawned + 1e-9 && inner.ended_hops.0 == t {
                    inner.ended_hops.1 + 1
                } else if spawned > parent_start + 1e-9 {
                    parent_hops + 1
                } else {
                    parent_hops
                };
                ("start", None)
            }
            EventKind::CancelRequested(reason) => {
                let said = Explained::of(&mut inner.explained, reason);
                let task = &mut inner.tasks[i];
                if task.cancel_requested.is_none() {
                    task.cancel_requested = Some(t);
                    task.cause = Some(said.cause.clone());
                    // context.Cause of its own context: kept if it ends cancelled.
                    task.go_cause = Some(said.go_cause.clone());
                    if let Cause::TaskFailed { task: culprit, .. } = reason.cause() {
                        let prefix = path
                            .rsplit_once('/')
                            .map(|(p, _)| format!("{p}/"))
                            .unwrap_or_default();
                        task.cause_task = Some(format!("{prefix}{culprit}"));
                    }
                    // Where its cancel came from: a failed task, a group's context, the
                    // caller's (no hops), or else its own deadline (its own hops).
                    let source = match (&task.cause_task, reason.origin()) {
                        (Some(culprit), _) => inner.index.get(culprit.as_str()).copied(),
                        (None, Some(name)) if name != "main" => {
                            Some(inner.index.get(name).copied().unwrap_or(i))
                        }
                        _ => None,
                    };
                    inner.cancel_hops[i] = source.map_or(0, |r| inner.hops[r]);
                }
                ("cancel", Some(said.explain.clone().into()))
            }
            EventKind::Finished(result) => {
                let hops = inner.hops[i];
                inner.ended_hops = match inner.ended_hops {
                    (at, most) if at == t => (t, most.max(hops)),
                    _ => (t, hops),
                };
                let cancelled_by = result.as_ref().err().copied().and_then(context_error);
                let cause =
                    cancelled_by.map(|r| Explained::of(&mut inner.explained, r).cause.clone());
                let task = &mut inner.tasks[i];
                task.end = Some(t);
                let own_cause = task.go_cause.take();
                match result {
                    Ok(()) => task.outcome = Outcome::Completed,
                    Err(err) => {
                        task.error = Some(err.to_string());
                        match cause {
                            Some(cause) => {
                                task.outcome = Outcome::Cancelled;
                                task.cause = Some(cause);
                            }
                            None => task.outcome = Outcome::Failed,
                        }
                    }
                }
                // Go's context.Cause(ctx) of a task that ended cancelled: nil (null) when its
                // own context was not cancelled (it returned another context's error).
                if task.outcome == Outcome::Cancelled {
                    task.go_cause = own_cause;
                }
                let o = task.outcome.as_str();
                (
                    "end",
                    Some(match &task.error {
                        Some(err) => format!("{o}: {err}").into(),
                        None => o.into(),
                    }),
                )
            }
            // Kinds added to the library later are not drawn yet.
            _ => return,
        };
        inner.events.push(TraceEvent {
            t,
            task: Some(path),
            kind,
            detail,
        });
    }
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("events", &self.inner.lock().unwrap().events.len())
            .finish()
    }
}

/// What Go's `context.Cause(ctx).Error()` says for a context cancelled for `reason`. errgroup
/// as pinned (x/sync 0.1.0, Debian's) cancels its context with a plain `cancel()` when a task
/// fails, so there it says `context canceled`; later x/sync versions give the task's error.
pub(crate) fn go_cause(reason: &ctxgroup::Reason) -> String {
    match reason.cause() {
        Cause::TaskFailed { .. } => "context canceled".to_string(),
        cause => cause.to_string(),
    }
}

/// How many of the rows run over time: +1 at each start, −1 at each end.
fn goroutines_over_time(tasks: &[TaskTrace]) -> Vec<(f64, usize)> {
    let mut changes: Vec<(f64, i64)> = Vec::new();
    for t in tasks {
        if let Some(start) = t.start {
            changes.push((start, 1));
            if let Some(end) = t.end {
                changes.push((end, -1));
            }
        }
    }
    changes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, usize)> = vec![(0.0, 0)];
    let mut n: i64 = 0;
    for (t, d) in changes {
        n += d;
        match out.last_mut() {
            Some(last) if (last.0 - t).abs() < 1e-9 => last.1 = n.max(0) as usize,
            _ => out.push((t, n.max(0) as usize)),
        }
    }
    out
}

/// The context error in `err`, as Go's `errors.Is(err, context.Canceled)` (or
/// `DeadlineExceeded`) finds it: the error itself, or one of the errors joined in it (a
/// nested `on-error collect` group's result).
pub(crate) fn context_error(err: &Error) -> Option<&ctxgroup::Reason> {
    err.reason().or_else(|| {
        err.downcast_ref::<ctxgroup::Errors>()
            .and_then(|all| all.0.iter().find_map(context_error))
    })
}

/// The event for a task's last live check when the checks before it were counted, not listed.
fn last_unlisted_check(t: &TaskTrace, path: &Arc<str>, at: f64) -> TraceEvent {
    TraceEvent {
        t: at,
        task: Some(path.clone()),
        kind: "check",
        detail: Some(
            format!(
                "ctx not done: go on (check {}; from check {} on, live checks are counted, not listed)",
                grouped(t.checks),
                LISTED_CHECKS + 1
            )
            .into(),
        ),
    }
}

/// An integer with thousands separators: `100,000`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn same_time(a: f64, b: Duration) -> bool {
    ((a * 1000.0).round() as i64) == b.as_millis() as i64
}

fn check_expect(scenario: &Scenario, trace: &Trace, e: &crate::scenario::Expect) -> ExpectResult {
    let at_text = |at: Option<Duration>| {
        at.map(|d| format!(" at {}", crate::fmt_duration(d)))
            .unwrap_or_default()
    };
    let err_text = |err: &Option<Option<String>>| match err {
        Some(Some(s)) => format!(" \"{}\"", s.replace('\n', "\\n")),
        Some(None) => " ok".into(),
        None => String::new(),
    };
    let (ok, message) = match &e.what {
        ExpectWhat::Task { task, outcome } => {
            let path = resolve(&scenario.group, task).unwrap_or_else(|_| task.clone());
            let cause_text = |c: Option<&str>| {
                c.map(|c| format!(" cause=\"{}\"", c.replace('\n', "\\n")))
                    .unwrap_or_default()
            };
            let wanted = format!(
                "{task} {outcome}{}{}{}{}",
                at_text(e.at),
                err_text(&e.error),
                cause_text(e.cause.as_deref()),
                if e.leaked { " leaked" } else { "" }
            );
            match trace.tasks.iter().find(|t| t.path == path) {
                None => (
                    false,
                    format!("expected {wanted}, but it was never spawned"),
                ),
                Some(t) => {
                    let got_at = t
                        .end
                        .map(|x| format!(" at {}", human(x)))
                        .unwrap_or_default();
                    let got_err = t
                        .error
                        .as_ref()
                        .map(|x| format!(" \"{}\"", x.replace('\n', "\\n")))
                        .unwrap_or_default();
                    let ok = t.outcome.as_str() == outcome
                        && e.at
                            .map_or(true, |at| t.end.is_some_and(|x| same_time(x, at)))
                        && match &e.error {
                            None => true,
                            Some(want) => want.as_deref() == t.error.as_deref(),
                        }
                        && e.cause
                            .as_ref()
                            .map_or(true, |c| t.go_cause.as_ref() == Some(c))
                        && (!e.leaked || t.leaked);
                    let mut got_cause = match (&e.cause, &t.go_cause) {
                        (None, _) => String::new(),
                        (Some(_), None) => " and no cause".to_string(),
                        (Some(_), got) => cause_text(got.as_deref()),
                    };
                    if e.leaked {
                        got_cause.push_str(if t.leaked { ", leaked" } else { ", not leaked" });
                    }
                    (
                        ok,
                        format!(
                            "expected {wanted}, got {}{got_at}{}{got_cause}",
                            t.outcome.as_str(),
                            if e.error.is_some() {
                                got_err
                            } else {
                                String::new()
                            }
                        ),
                    )
                }
            }
        }
        ExpectWhat::Returned => {
            let wanted = format!("returned{}{}", at_text(e.at), err_text(&e.error));
            match &trace.returned {
                None => (
                    false,
                    format!("expected {wanted}, but the group never returns"),
                ),
                Some(r) => {
                    let ok = e.at.map_or(true, |at| same_time(r.at, at))
                        && match &e.error {
                            None => true,
                            Some(want) => want.as_deref() == r.error.as_deref(),
                        };
                    let got_err = match &r.error {
                        Some(x) => format!(" \"{}\"", x.replace('\n', "\\n")),
                        None => " ok".into(),
                    };
                    (
                        ok,
                        format!(
                            "expected {wanted}, got returned at {}{got_err}",
                            human(r.at)
                        ),
                    )
                }
            }
        }
        ExpectWhat::NeverReturns => match &trace.returned {
            None => (
                true,
                "expected the group never to return; it never does".into(),
            ),
            Some(r) => (
                false,
                format!(
                    "expected the group never to return, but it returned at {}",
                    human(r.at)
                ),
            ),
        },
    };
    ExpectResult {
        line: e.line,
        ok,
        message,
    }
}
