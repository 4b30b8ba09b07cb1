//! The Rust program a scenario stands for, on ctxgroup's own [`Context`](ctxgroup::Context) and
//! [`TaskGroup`](ctxgroup::TaskGroup), in virtual time on a
//! [`VirtualRuntime`](ctxgroup::VirtualRuntime): the Go program's twin, and the very calls the
//! simulator makes.
//!
//! | scenario | Rust |
//! | --- | --- |
//! | `timeout 7s` / `cancel 3s` | `ctx.with_timeout(7s)` / `ctx.with_cancel()`, and a clock timer calling `cancel.cancel()` |
//! | `value k=v` | `ctx.with_value(Values(&[("k", "v")]))` |
//! | `on-error cancel` / `continue` / `collect` | `.policy(Policy::FailFast)` / `.policy(Policy::Continue)` / `.policy(Policy::CollectAll)` |
//! | `limit 2` | `.limit(2)`: `spawn(…).await` waits for a slot |
//! | `after=2s` | the caller sleeps until 2 s after the group's start |
//! | `check=never` / `start` / `every:1s` / `await` | a sleep; `ctx.check()?` then a sleep; `ctx.check()?` before each step; `ctx.sleep(d).await?` |
//! | `forever` | `pending()`, `loop { … }` or `ctx.done().await` |
//! | `fail="…"` | `Err(Error::msg("…"))` |
//! | task `timeout=2s` | `group.task(name).timeout(2s)` |
//! | `after-cancel NAME 500ms` | `env.after_cancel(path, &ctx, …)`: `ctx.after_cancel` spawns 500 ms of work once ctx is done |
//! | `shutdown 5s grace=1s` | at 5 s `group.shutdown(1s)`; the tasks it reports still running are named in the error |
//! | `go NAME …` in a task's block | `env.go(path, &ctx, body)`: spawned on the task's context; nobody waits for it |
//! | task `without-cancel` | `let ctx = ctx.without_cancel();` first in the task |
//! | task `try` | `group.task(name).try_spawn(…)`: `false` when no slot is free (skipped) |
//! | `group … { … }` | a task whose body builds its own group and returns its `wait()` |
//! | `wait cancel` | `select` of `ctx.done()` and `group.wait()` |
//!
//! The program records the group's hook events and prints them as they happen, or with
//! `CTXGROUP_TRACE=1` the trace as JSON, like the Go program.

use std::fmt::Write as _;
use std::time::Duration;

use crate::golang::{group_line, scenario_lines, task_line};
use crate::scenario::{Check, GroupSpec, Item, Length, OnError, Scenario, TaskSpec, WaitMode};

/// The measuring part of every generated program (its `main`, the hook that records, the trace).
const WATCH_RS: &str = include_str!("watch.rs");

/// The Rust program `scenario` stands for: rustfmt-clean, depending on `ctxgroup` and `futures`.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("timeout 7s\ntask t1 5s check=never\n").unwrap();
/// let rust = ctxgroup_playground::rustgen::rust_program(&s);
/// assert!(rust.contains("let (ctx, _cancel) = root.with_timeout(Duration::from_secs(7));"));
/// assert!(rust.contains(".policy(Policy::FailFast)"));
/// ```
pub fn rust_program(scenario: &Scenario) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str(
        "//! This is the Rust program the scenario below stands for, on ctxgroup's `Context` and\n\
         //! `TaskGroup`, written out by `ctxgroup rust`. It runs in virtual time on a\n\
         //! `VirtualRuntime` (instantly, the same way every time) and prints what happens; with\n\
         //! CTXGROUP_TRACE=1 it prints the run's trace as JSON instead. It depends on `ctxgroup`\n\
         //! and `futures`.\n\
         //!\n\
         //! The scenario:\n\
         //!\n\
         //! ```text\n",
    );
    for line in scenario_lines(scenario) {
        let _ = writeln!(out, "//! {line}");
    }
    let mut run = String::new();
    run_fn(&mut run, scenario);
    // Only what the code uses: an unused import is a warning.
    let clock = if run.contains("clock::") {
        "clock, "
    } else {
        ""
    };
    let either = if run.contains("Either::") {
        "{BoxFuture, Either}"
    } else {
        "BoxFuture"
    };
    let names =
        format!("{clock}Clock, Context, Error, Policy, TaskGroup, VirtualClock, VirtualRuntime");
    // rustfmt's layout: one line when it fits in 100 columns.
    let ctxgroup_use = if names.len() + "use ctxgroup::{};".len() <= 100 {
        format!("use ctxgroup::{{{names}}};")
    } else {
        format!("use ctxgroup::{{\n    {names},\n}};")
    };
    let _ = write!(
        out,
        "//! ```\n\n\
         use std::sync::{{Arc, Mutex}};\n\
         use std::time::Duration;\n\n\
         use ctxgroup::group::{{Event, EventKind, Hook}};\n\
         {ctxgroup_use}\n\
         use futures::future::{either};\n\n"
    );
    out.push_str(&run);
    let horizon = crate::simulate::horizon(scenario)
        .unwrap_or(Duration::from_secs(crate::scenario::MAX_SECONDS + 1));
    out.push_str(
        "\n/// When the run is watched until: every task that ends has ended by then (the\n\
         /// playground's simulator stops there too).\n",
    );
    let _ = writeln!(
        out,
        "const HORIZON: Duration = {};\n",
        rust_duration(horizon)
    );
    // Names are words (letters, digits, _ - .): a path needs no escaping.
    out.push_str(
        "/// The scenario's tasks and groups, one path a line, in the order written.\n\
         const PATHS: &str = \"\\\n",
    );
    scenario.group.walk(&mut |_, path, _| {
        let _ = writeln!(out, "{path}");
    });
    out.push_str("\";\n\n");
    if !scenario.values.is_empty() {
        out.push_str(
            "/// The scenario's `value` lines, as one context value.\n\
             #[derive(Debug)]\n\
             pub struct Values(pub &'static [(&'static str, &'static str)]);\n\n",
        );
    }
    out.push_str(WATCH_RS);
    out
}

/// A Rust string literal.
fn rust_string(s: &str) -> String {
    format!("\"{}\"", s.escape_default())
}

/// A duration as a Rust expression: `Duration::from_secs(5)`, `Duration::from_millis(250)`.
fn rust_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns % 1_000_000_000 == 0 {
        format!("Duration::from_secs({})", ns / 1_000_000_000)
    } else if ns % 1_000_000 == 0 {
        format!("Duration::from_millis({})", ns / 1_000_000)
    } else {
        format!("Duration::from_nanos({ns})")
    }
}

/// `with_timeout(D)`, or `with_timeout_cause(D, Error::msg("…"))`.
fn with_timeout(d: Duration, cause: &Option<String>) -> String {
    match cause {
        Some(why) => format!(
            "with_timeout_cause({}, Error::msg({}))",
            rust_duration(d),
            rust_string(why)
        ),
        None => format!("with_timeout({})", rust_duration(d)),
    }
}

/// Lines of Rust at relative indentation (four spaces a level).
#[derive(Default)]
struct Code {
    lines: Vec<String>,
}

impl Code {
    fn line(&mut self, depth: usize, text: impl AsRef<str>) {
        self.lines
            .push(format!("{}{}", "    ".repeat(depth), text.as_ref()));
    }

    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    fn append(&mut self, depth: usize, other: Code) {
        let pad = "    ".repeat(depth);
        self.lines.extend(other.lines.into_iter().map(|l| {
            if l.is_empty() {
                l
            } else {
                format!("{pad}{l}")
            }
        }));
    }
}

fn run_fn(out: &mut String, scenario: &Scenario) {
    let g = &scenario.group;
    let mut code = Code::default();
    let mut base = "root";
    if !scenario.values.is_empty() {
        code.line(0, "// value: context values, inherited by every task.");
        let pairs: Vec<String> = scenario
            .values
            .iter()
            .map(|(k, v)| format!("({}, {})", rust_string(k), rust_string(v)))
            .collect();
        code.line(
            0,
            format!(
                "let ctx = root.with_value(Values(&[{}]));",
                pairs.join(", ")
            ),
        );
        base = "ctx";
    }
    let cancel = if scenario.cancel_at.is_some() {
        "cancel"
    } else {
        "_cancel"
    };
    // `cancel` at the deadline's instant: in Go the cancel usually wins that race (both are
    // timers started in one batch; the last started runs first), and the simulator draws that
    // side. On a virtual clock timers at one instant fire in the order armed, so the cancel's
    // must be armed before the deadline's: on a context of its own, under the deadline's.
    let tied = g.timeout.filter(|&t| Some(t) == scenario.cancel_at);
    match g.timeout {
        Some(t) if tied.is_none() => {
            code.line(
                0,
                format!(
                    "// timeout {}: the context's deadline is {} from now (time 0).",
                    crate::fmt_duration(t),
                    crate::fmt_duration(t)
                ),
            );
            code.line(
                0,
                format!(
                    "let (ctx, {cancel}) = {base}.{};",
                    with_timeout(t, &g.timeout_cause)
                ),
            );
        }
        _ => {
            code.line(0, "// A context the caller can cancel.");
            code.line(0, format!("let (ctx, {cancel}) = {base}.with_cancel();"));
        }
    }
    if g.on_error != OnError::Cancel && scenario.shutdown.is_none() && g.items.iter().any(outlives)
    {
        code.line(
            0,
            "// Go's defer cancel(): what the tasks started on this context stops when the caller",
        );
        code.line(0, "// returns.");
        code.line(
            0,
            format!("let _at_return = {cancel}.clone().drop_guard();"),
        );
    }
    if let Some(at) = scenario.cancel_at {
        code.line(
            0,
            format!(
                "// cancel {}: the caller calls cancel() at {}.",
                crate::fmt_duration(at),
                crate::fmt_duration(at)
            ),
        );
        code.line(0, "ctx.clock().schedule(");
        code.line(1, format!("{},", rust_duration(at)));
        code.line(1, "Box::new(move || {");
        match &scenario.cancel_cause {
            Some(why) => code.line(
                2,
                format!(
                    "cancel.cancel_with_cause(Error::msg({}));",
                    rust_string(why)
                ),
            ),
            None => code.line(2, "cancel.cancel();"),
        }
        code.line(1, "}),");
        code.line(0, ");");
    }
    if let Some(t) = tied {
        code.line(
            0,
            format!(
                "// timeout {}: the deadline, at the cancel's instant. In Go the two race, and the",
                crate::fmt_duration(t)
            ),
        );
        code.line(
            0,
            "// cancel usually wins: its timer is armed first, so on this clock it fires first.",
        );
        code.line(
            0,
            format!(
                "let (ctx, _deadline) = ctx.{};",
                with_timeout(t, &g.timeout_cause)
            ),
        );
    }
    code.append(0, group_code(g, None, scenario.shutdown.as_ref()));
    out.push_str(
        "/// The caller: makes the context and the group, spawns the tasks in the order written,\n\
         /// and waits.\n\
         async fn run(root: Context, env: Env) -> Result<(), Error> {\n",
    );
    for l in code.lines {
        if !l.is_empty() {
            out.push_str("    ");
        }
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str("}\n");
}

/// The code of a group on the context `ctx`: build it, spawn its items, wait (the last
/// expression). `name` is the group's path, for nested groups.
fn group_code(
    g: &GroupSpec,
    name: Option<&str>,
    shutdown: Option<&crate::scenario::Shutdown>,
) -> Code {
    let mut code = Code::default();
    match g.on_error {
        OnError::Cancel => {
            code.line(
                0,
                "// on-error cancel: the first task error cancels the group's context and is",
            );
            code.line(0, "// wait's result (errgroup.WithContext).");
        }
        OnError::Continue => {
            code.line(
                0,
                "// on-error continue: errors cancel nothing; wait returns the first one (a plain",
            );
            code.line(0, "// errgroup.Group).");
        }
        OnError::Collect => {
            code.line(
                0,
                "// on-error collect: errors cancel nothing; wait returns them all, joined in the",
            );
            code.line(0, "// order they happened (Go's errors.Join).");
        }
    }
    if let Some(limit) = g.limit {
        code.line(
            0,
            format!("// limit {limit}: spawn waits for a slot while {limit} tasks run."),
        );
    }
    code.line(0, "let group = TaskGroup::builder(&ctx)");
    code.line(
        1,
        match g.on_error {
            OnError::Cancel => ".policy(Policy::FailFast)",
            OnError::Continue => ".policy(Policy::Continue)",
            OnError::Collect => ".policy(Policy::CollectAll)",
        },
    );
    if let Some(limit) = g.limit {
        code.line(1, format!(".limit({limit})"));
    }
    if let Some(name) = name {
        code.line(1, format!(".name({})", rust_string(name)));
    }
    code.line(1, ".shared_hook(env.watch.clone())");
    code.line(1, ".spawner(env.spawner())");
    code.line(1, ".build();");
    for a in &g.after_cancel {
        let path = match name {
            Some(n) => format!("{n}/{}", a.name),
            None => a.name.clone(),
        };
        after_cancel_line(&mut code, a, &path, "group.context()", false);
    }
    // A plain group (continue, collect) stands for Go's errgroup.Group, which has no context: what
    // a task starts and does not wait for runs on the caller's context. (The top group's
    // shutdown cancels it, as the group's context does.)
    let plain = g.on_error != OnError::Cancel && shutdown.is_none();
    let on_caller = |t: &TaskSpec| plain && task_outlives(t);
    if plain && g.items.iter().any(outlives) {
        code.line(
            0,
            "// Go's plain errgroup.Group has no context: what a task starts and does not wait for",
        );
        code.line(
            0,
            "// runs on the caller's, which wait's return does not cancel (the group's does).",
        );
        code.line(0, "let caller = ctx.clone();");
    }
    if g.items.iter().any(|i| !i.after().is_zero()) {
        code.line(0, "let start = ctx.now();");
    }
    for item in &g.items {
        code.blank();
        let path = match name {
            Some(n) => format!("{n}/{}", item.name()),
            None => item.name().to_string(),
        };
        match item {
            Item::Task(t) => code.line(0, format!("// {}", task_line(t))),
            Item::Group(sub) => {
                code.line(0, format!("// {} {{ … }}", group_line(sub)));
                code.line(
                    0,
                    "// A nested group is one task of this group: its body runs the group.",
                );
            }
        }
        let after = item.after();
        if !after.is_zero() {
            code.line(
                0,
                format!(
                    "// The caller spawns it {} after the group starts.",
                    crate::fmt_duration(after)
                ),
            );
            code.line(
                0,
                format!(
                    "clock::sleep_until(ctx.clock().clone(), start + {}).await;",
                    rust_duration(after)
                ),
            );
        }
        match item {
            Item::Task(t) => {
                let closure = task_closure(t, &path, on_caller(t));
                let timeout = match (t.timeout, &t.timeout_cause) {
                    (Some(d), Some(why)) => Some(format!(
                        ".timeout_cause({}, Error::msg({}))",
                        rust_duration(d),
                        rust_string(why)
                    )),
                    (Some(d), None) => Some(format!(".timeout({})", rust_duration(d))),
                    (None, _) => None,
                };
                if t.try_spawn {
                    code.line(
                        0,
                        "// try: try_spawn starts it only if a slot is free now (g.TryGo).",
                    );
                    code.line(
                        0,
                        format!("let task = group.task({});", rust_string(&t.name)),
                    );
                    if let Some(timeout) = timeout {
                        code.line(0, format!("let task = task{timeout};"));
                    }
                    call_with(&mut code, 0, "let started = task.try_spawn(", closure, ");");
                    code.line(0, "if !started {");
                    code.line(1, "// No free slot: the task never runs (skipped).");
                    code.line(1, format!("env.watch.skipped({});", rust_string(&path)));
                    code.line(0, "}");
                } else {
                    code.line(0, "group");
                    code.line(1, format!(".task({})", rust_string(&t.name)));
                    if let Some(timeout) = timeout {
                        code.line(1, timeout);
                    }
                    call_with(&mut code, 1, ".spawn(", closure, ")");
                    code.line(1, ".await;");
                }
            }
            Item::Group(sub) => {
                code.line(0, "group");
                code.line(1, format!(".task({})", rust_string(&sub.name)));
                code.line(1, ".spawn({");
                code.line(2, "let env = env.clone();");
                if plain {
                    code.line(2, "let ctx = caller.clone();");
                    code.line(2, "move |_| async move {");
                } else {
                    code.line(2, "move |ctx| async move {");
                }
                code.append(3, nested_group_code(sub, &path));
                code.line(2, "}");
                code.line(1, "})");
                code.line(1, ".await;");
            }
        }
    }
    code.blank();
    if let Some(s) = shutdown {
        code.line(
            0,
            format!(
                "// shutdown {} grace={}: wait until {}; then shut the group down (cause",
                crate::fmt_duration(s.at),
                crate::fmt_duration(s.grace),
                crate::fmt_duration(s.at)
            ),
        );
        code.line(
            0,
            "// \"shutdown\") and wait at most the grace; tasks still running then are named.",
        );
        code.line(0, "{");
        code.line(1, "let wait = group.wait();");
        code.line(
            1,
            format!(
                "let at = clock::sleep_until(ctx.clock().clone(), {});",
                rust_duration(s.at)
            ),
        );
        code.line(1, "futures::pin_mut!(wait, at);");
        code.line(
            1,
            "if let Either::Left((result, _)) = futures::future::select(wait, at).await {",
        );
        code.line(2, "return result;");
        code.line(1, "}");
        code.line(0, "}");
        code.line(
            0,
            format!(
                "let report = group.shutdown({}).await;",
                rust_duration(s.grace)
            ),
        );
        code.line(0, "report.result.unwrap_or_else(|| {");
        code.line(1, "Err(Error::msg(format!(");
        code.line(
            2,
            format!(
                "\"shutdown: still running after the {} grace: {{}}\",",
                crate::fmt_duration(s.grace)
            ),
        );
        code.line(2, "report.ignored.join(\", \")");
        code.line(1, ")))");
        code.line(0, "})");
        return code;
    }
    match g.wait {
        WaitMode::All => {
            code.line(
                0,
                "// wait all: wait returns once every task has returned, with the first error.",
            );
            code.line(0, "group.wait().await");
        }
        WaitMode::Cancel => {
            code.line(
                0,
                "// wait cancel: stop waiting as soon as ctx is done; tasks still running then are",
            );
            code.line(0, "// leaked: they keep running.");
            code.line(0, "let wait = group.wait();");
            code.line(0, "futures::pin_mut!(wait);");
            code.line(0, "match futures::future::select(ctx.done(), wait).await {");
            code.line(1, "Either::Left((reason, _)) => Err(reason.into()),");
            code.line(1, "Either::Right((result, _)) => result,");
            code.line(0, "}");
        }
    }
    code
}

fn nested_group_code(g: &GroupSpec, path: &str) -> Code {
    let mut code = Code::default();
    match g.timeout {
        Some(t) => {
            code.line(
                0,
                format!(
                    "// timeout={}: the group's own deadline, {} from its start.",
                    crate::fmt_duration(t),
                    crate::fmt_duration(t)
                ),
            );
            code.line(
                0,
                format!(
                    "let (ctx, cancel) = ctx.{};",
                    with_timeout(t, &g.timeout_cause)
                ),
            );
            code.line(
                0,
                "// Go's defer cancel(): what still runs on it when the group returns stops.",
            );
            code.line(0, "let _at_return = cancel.drop_guard();");
        }
        None => code.line(0, "let (ctx, _cancel) = ctx.with_cancel();"),
    }
    code.append(0, group_code(g, Some(path), None));
    code
}

/// `env.after_cancel(…)` for one `after-cancel` line on the context `ctx` (an expression of
/// type `&Context`); `attached`: in a task's block.
fn after_cancel_line(
    code: &mut Code,
    a: &crate::scenario::AfterCancelSpec,
    path: &str,
    ctx: &str,
    attached: bool,
) {
    let work = match a.length {
        Length::For(d) => format!("Some({})", rust_duration(d)),
        Length::Forever => "None".to_string(),
    };
    code.line(
        0,
        format!(
            "// after-cancel {}: once the context is done, work on its own; nobody waits.",
            a.name
        ),
    );
    let args = [
        rust_string(path),
        ctx.to_string(),
        attached.to_string(),
        work,
    ];
    // rustfmt's layout: the arguments on one line up to 60 columns, else one a line.
    if args.join(", ").len() <= 60 {
        code.line(0, format!("env.after_cancel({});", args.join(", ")));
    } else {
        code.line(0, "env.after_cancel(");
        for arg in args {
            code.line(1, format!("{arg},"));
        }
        code.line(0, ");");
    }
}

/// `PREFIX` + the closure's lines + `SUFFIX`, the closure's first line on the prefix's.
fn call_with(code: &mut Code, depth: usize, prefix: &str, closure: Code, suffix: &str) {
    let n = closure.lines.len();
    for (i, line) in closure.lines.into_iter().enumerate() {
        let mut text = line;
        if i == 0 {
            text = format!("{prefix}{text}");
        }
        if i + 1 == n {
            text.push_str(suffix);
        }
        code.line(depth, text);
    }
}

/// A task's (or goroutine's) function of its context, as a closure expression: one that
/// clones `env` first when it starts goroutines.
fn task_closure(t: &TaskSpec, path: &str, on_caller: bool) -> Code {
    let body = task_code(t, path, on_caller);
    let uses_ctx = body
        .lines
        .iter()
        .any(|l| !l.trim_start().starts_with("//") && l.contains("ctx"));
    let param = if uses_ctx { "ctx" } else { "_ctx" };
    let mut code = Code::default();
    if t.go.is_empty() && t.after_cancel.is_empty() {
        code.line(0, format!("|{param}| async move {{"));
        code.append(1, body);
        code.line(0, "}");
    } else {
        code.line(0, "{");
        code.line(1, "let env = env.clone();");
        if on_caller {
            code.line(1, "let caller = caller.clone();");
        }
        code.line(1, format!("move |{param}| async move {{"));
        code.append(2, body);
        code.line(1, "}");
        code.line(0, "}");
    }
    code
}

/// Whether an item may start what outlives it on its group's context: a task with goroutines
/// or after-cancel functions (not without-cancel), or a nested group.
fn outlives(item: &Item) -> bool {
    match item {
        Item::Task(t) => task_outlives(t),
        Item::Group(_) => true,
    }
}

/// Whether a task starts goroutines or after-cancel functions on its context (not a
/// without-cancel task's own).
fn task_outlives(t: &TaskSpec) -> bool {
    !t.without_cancel && (!t.go.is_empty() || !t.after_cancel.is_empty())
}

/// A task's body: starts its goroutines, then looks at `ctx` as its check mode says; its value
/// is the task's result.
fn task_code(t: &TaskSpec, path: &str, on_caller: bool) -> Code {
    let mut code = Code::default();
    if t.without_cancel {
        code.line(
            0,
            "// without-cancel: the values of ctx, none of its cancellation (WithoutCancel).",
        );
        code.line(0, "let ctx = ctx.without_cancel();");
    }
    // Goroutines and after-cancel functions watch the task's context; its own timeout context
    // is cancelled when it returns (Go's defer cancel()).
    let shared = if on_caller {
        match (t.timeout, &t.timeout_cause) {
            (Some(d), why) => {
                code.line(
                    0,
                    "// What it starts runs on the caller's context under its own timeout, cancelled",
                );
                code.line(0, "// when it returns (Go's defer cancel()).");
                code.line(
                    0,
                    format!("let (actx, end) = caller.{};", with_timeout(d, why)),
                );
                code.line(0, format!("actx.set_name({});", rust_string(&t.name)));
                code.line(0, "let _end = end.drop_guard();");
                "&actx"
            }
            (None, _) => "&caller",
        }
    } else if t.timeout.is_some() && (!t.go.is_empty() || !t.after_cancel.is_empty()) {
        code.line(
            0,
            "// Its own context is cancelled when it returns (Go's defer cancel()).",
        );
        code.line(0, "let (actx, end) = ctx.with_cancel();");
        code.line(0, "let _end = end.drop_guard();");
        "&actx"
    } else {
        "&ctx"
    };
    for g in &t.go {
        let go_path = format!("{path}/{}", g.name);
        code.line(0, format!("// {}", crate::golang::go_line(g)));
        code.line(
            0,
            "// A goroutine of its own on this context: nobody waits for it.",
        );
        let prefix = format!("env.go({}, {shared}, ", rust_string(&go_path));
        call_with(
            &mut code,
            0,
            &prefix,
            task_closure(g, &go_path, false),
            ");",
        );
    }
    for a in &t.after_cancel {
        after_cancel_line(&mut code, a, &format!("{path}/{}", a.name), shared, true);
    }
    let sleep = |d: Duration| {
        format!(
            "clock::sleep(ctx.clock().clone(), {}).await;",
            rust_duration(d)
        )
    };
    let ends = match (t.length, t.check) {
        (Length::For(d), Check::Never) => {
            code.line(0, "// check=never: it works without looking at ctx.");
            code.line(0, sleep(d));
            true
        }
        (Length::For(d), Check::Start) => {
            code.line(0, "// check=start: it looks at ctx once, before its work.");
            code.line(0, "ctx.check()?;");
            code.line(0, sleep(d));
            true
        }
        (Length::For(d), Check::Every(step)) => {
            code.line(
                0,
                format!(
                    "// check=every:{}: it looks at ctx before each step of its work.",
                    crate::fmt_duration(step)
                ),
            );
            let full = d.as_nanos() / step.as_nanos();
            let rest = Duration::from_nanos((d.as_nanos() % step.as_nanos()) as u64);
            match full {
                0 => {}
                1 => {
                    code.line(0, "ctx.check()?;");
                    code.line(0, sleep(step));
                }
                n => {
                    code.line(0, format!("for _ in 0..{n} {{"));
                    code.line(1, "ctx.check()?;");
                    code.line(1, sleep(step));
                    code.line(0, "}");
                }
            }
            if !rest.is_zero() {
                code.line(0, "// The last, shorter step.");
                code.line(0, "ctx.check()?;");
                code.line(0, sleep(rest));
            }
            true
        }
        (Length::For(d), Check::Await) => {
            code.line(
                0,
                "// It waits for its work or for ctx to be done, whichever comes first.",
            );
            code.line(0, format!("ctx.sleep({}).await?;", rust_duration(d)));
            true
        }
        (Length::Forever, Check::Never) => {
            code.line(
                0,
                "// forever, check=never: it never returns, and never looks at ctx.",
            );
            code.line(0, "futures::future::pending().await");
            false
        }
        (Length::Forever, Check::Start) => {
            code.line(
                0,
                "// forever, check=start: it looks at ctx once, then never returns.",
            );
            code.line(0, "ctx.check()?;");
            code.line(0, "futures::future::pending().await");
            false
        }
        (Length::Forever, Check::Every(step)) => {
            code.line(
                0,
                format!(
                    "// forever, check=every:{}: an endless loop that looks at ctx before each step.",
                    crate::fmt_duration(step)
                ),
            );
            code.line(0, "loop {");
            code.line(1, "ctx.check()?;");
            code.line(1, sleep(step));
            code.line(0, "}");
            false
        }
        (Length::Forever, Check::Await) => {
            code.line(
                0,
                "// forever: it has nothing to do but wait for ctx to be done.",
            );
            code.line(0, "Err(ctx.done().await.into())");
            false
        }
    };
    if ends {
        match &t.fail {
            Some(msg) => code.line(0, format!("Err(Error::msg({}))", rust_string(msg))),
            None => code.line(0, "Ok(())"),
        }
    }
    code
}
