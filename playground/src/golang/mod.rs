//! The Go program a scenario stands for: `context` and `golang.org/x/sync/errgroup`, written the
//! way the seeds' programs are, runnable as-is with `go run`.
//!
//! Each construct has one Go form:
//!
//! | scenario | Go |
//! | --- | --- |
//! | `timeout 7s` | `context.WithTimeout(ctx, 7s)` |
//! | `cancel 3s` | `context.WithCancel`, and `time.AfterFunc(3s, cancel)` |
//! | `value k=v` | `context.WithValue(ctx, ctxKey("k"), "v")` |
//! | `on-error cancel` / `continue` | `errgroup.WithContext(ctx)` / a plain `errgroup.Group` |
//! | `on-error collect` | a plain `errgroup.Group` whose tasks append their errors to a slice; `errors.Join` of it after `Wait()` |
//! | `limit 2` | `g.SetLimit(2)`: `g.Go` blocks the caller while 2 tasks run |
//! | `after=2s` | the caller sleeps until 2 s after the group's start, then calls `g.Go` |
//! | `check=never` | `time.Sleep` |
//! | `check=start` | one `select { case <-ctx.Done(): return ctx.Err(); default: }`, then `time.Sleep` |
//! | `check=every:1s` | that `select` before each 1 s step |
//! | `check=await` | `select { case <-ctx.Done(): …; case <-time.After(d): }` |
//! | `forever` | `select {}`, `for { … }` or `<-ctx.Done()` |
//! | `fail="…"` | `return errors.New("…")` |
//! | task `timeout=2s` | `context.WithTimeout(ctx, 2s)` made at the task's start |
//! | task `without-cancel` | `ctx := context.WithoutCancel(gctx)` at the task's start |
//! | task `try` | `if !g.TryGo(…) { … }`: with no free slot the task never runs (`skipped`) |
//! | `group … { … }` | a task whose function runs its own group and returns its `Wait()` |
//! | `after-cancel NAME 500ms` | `context.AfterFunc(ctx, f)`: `f` works 500 ms on its own goroutine once ctx is done; nobody waits |
//! | `shutdown 5s grace=1s` | `context.WithCancelCause` above the group; at 5 s `cancel(errors.New("shutdown"))`, then a `select` on `Wait` and `time.After(1s)`; the tasks still running are named in the error |
//! | `go NAME …` in a task's block | `go worker2(ctx)`: a goroutine on the task's context, started first; nobody waits for it |
//! | `wait cancel` | a goroutine runs `g.Wait()`; the caller `select`s on it and on `ctx.Done()` |
//!
//! The generated program measures itself: it prints what happens as it runs, or with
//! `CTXGROUP_TRACE=1` the run's trace as JSON in the playground's format (`returned` and `tasks`
//! with `spawned`, `start`, `end`, `outcome`, `error`, `leaked`, in scenario seconds).
//! `CTXGROUP_SCALE` sets how many real seconds a scenario second takes. It stops watching at the
//! simulator's horizon, so it ends even when the group never returns.

use std::fmt::Write as _;
use std::time::Duration;

use crate::scenario::{Check, GroupSpec, Item, Length, OnError, Scenario, TaskSpec, WaitMode};

mod ties;
pub use ties::{races, ties, RACES_UP_TO_EVENTS, RACES_UP_TO_ROWS};

/// The measuring part of every generated program (its `main`, the `task` wrapper, the trace).
const WATCH_GO: &str = include_str!("watch.go");

/// The Go program `scenario` stands for: gofmt-clean, importing only the standard library and
/// `golang.org/x/sync/errgroup`.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("timeout 7s\ntask t1 5s check=never\n").unwrap();
/// let go = ctxgroup_playground::golang::go_program(&s);
/// assert!(go.contains("context.WithTimeout(context.Background(), scaled(7*time.Second))"));
/// assert!(go.contains("g, gctx := errgroup.WithContext(ctx)"));
/// assert!(go.contains("time.Sleep(scaled(5 * time.Second))"));
/// ```
pub fn go_program(scenario: &Scenario) -> String {
    let mut out = String::with_capacity(4096);
    header(&mut out, scenario);
    run_func(&mut out, scenario);
    out.push('\n');
    let horizon = crate::simulate::horizon(scenario)
        .unwrap_or(Duration::from_secs(crate::scenario::MAX_SECONDS + 1));
    out.push_str(
        "// horizon is when the run is watched until, in scenario time: every task that ends has\n\
         // ended by then (the playground's simulator stops there too).\n",
    );
    let _ = writeln!(out, "const horizon = {}\n", go_duration(horizon, false));
    out.push_str("// paths are the scenario's tasks and groups, in the order written.\n");
    if scenario.group.items.is_empty() {
        out.push_str("var paths = []string{}\n\n");
    } else {
        out.push_str("var paths = []string{\n");
        scenario.group.walk(&mut |_, path, _| {
            let _ = writeln!(out, "\t{},", go_string(path));
        });
        out.push_str("}\n\n");
    }
    if !scenario.values.is_empty() {
        out.push_str(
            "// ctxKey is the type of this program's context keys, so that they never collide with\n\
             // another package's.\n\
             type ctxKey string\n\n",
        );
    }
    out.push_str(WATCH_GO);
    out
}

/// The scenario written back as text, one line per construct, defaults left out (comments
/// and the header of the generated programs quote it).
///
/// # Examples
///
/// ```
/// let text = "timeout 7s\ntask t2 10s check=every:1s\ngroup b limit=1 {\n  task b1 1s fail=\"HTTP 502\"\n}\n";
/// let s = ctxgroup_playground::scenario::parse(text).unwrap();
/// assert_eq!(ctxgroup_playground::golang::scenario_lines(&s).join("\n") + "\n", text);
/// ```
pub fn scenario_lines(scenario: &Scenario) -> Vec<String> {
    let mut lines = Vec::new();
    let g = &scenario.group;
    if let Some(t) = g.timeout {
        lines.push(format!(
            "timeout {}{}",
            crate::fmt_duration(t),
            cause_option(&g.timeout_cause)
        ));
    }
    if let Some(l) = g.limit {
        lines.push(format!("limit {l}"));
    }
    if g.on_error != OnError::Cancel {
        lines.push(format!("on-error {}", on_error_word(g.on_error)));
    }
    if g.wait != WaitMode::All {
        lines.push(format!("wait {}", wait_word(g.wait)));
    }
    if let Some(c) = scenario.cancel_at {
        lines.push(format!(
            "cancel {}{}",
            crate::fmt_duration(c),
            cause_option(&scenario.cancel_cause)
        ));
    }
    for (k, v) in &scenario.values {
        lines.push(format!("value {}={}", word(k), word(v)));
    }
    items_lines(&g.items, 0, &mut lines);
    after_cancel_lines(&g.after_cancel, 0, &mut lines);
    for e in &scenario.expects {
        let mut line = String::from("expect ");
        match &e.what {
            crate::scenario::ExpectWhat::Task { task, outcome } => {
                let _ = write!(line, "{} {outcome}", word(task));
            }
            crate::scenario::ExpectWhat::Returned => line.push_str("returned"),
            crate::scenario::ExpectWhat::NeverReturns => line.push_str("returned never"),
        }
        if let Some(at) = e.at {
            let _ = write!(line, " at {}", crate::fmt_duration(at));
        }
        match &e.error {
            Some(Some(err)) => {
                let _ = write!(line, " {}", quoted(err));
            }
            Some(None) => line.push_str(" ok"),
            None => {}
        }
        line.push_str(&cause_option(&e.cause));
        if e.leaked {
            line.push_str(" leaked");
        }
        lines.push(line);
    }
    lines
}

fn items_lines(items: &[Item], depth: usize, lines: &mut Vec<String>) {
    let pad = "  ".repeat(depth);
    for item in items {
        match item {
            Item::Task(t) if !t.go.is_empty() || !t.after_cancel.is_empty() => {
                lines.push(format!("{pad}{} {{", task_line(t)));
                go_lines(&t.go, depth + 1, lines);
                after_cancel_lines(&t.after_cancel, depth + 1, lines);
                lines.push(format!("{pad}}}"));
            }
            Item::Task(t) => lines.push(format!("{pad}{}", task_line(t))),
            Item::Group(g) => {
                lines.push(format!("{pad}{} {{", group_line(g)));
                items_lines(&g.items, depth + 1, lines);
                after_cancel_lines(&g.after_cancel, depth + 1, lines);
                lines.push(format!("{pad}}}"));
            }
        }
    }
}

fn go_lines(go: &[TaskSpec], depth: usize, lines: &mut Vec<String>) {
    let pad = "  ".repeat(depth);
    for g in go {
        if g.go.is_empty() && g.after_cancel.is_empty() {
            lines.push(format!("{pad}{}", go_line(g)));
        } else {
            lines.push(format!("{pad}{} {{", go_line(g)));
            go_lines(&g.go, depth + 1, lines);
            after_cancel_lines(&g.after_cancel, depth + 1, lines);
            lines.push(format!("{pad}}}"));
        }
    }
}

fn after_cancel_lines(
    specs: &[crate::scenario::AfterCancelSpec],
    depth: usize,
    lines: &mut Vec<String>,
) {
    let pad = "  ".repeat(depth);
    for a in specs {
        lines.push(format!(
            "{pad}after-cancel {} {}",
            word(&a.name),
            length_text(a.length)
        ));
    }
}

/// `go NAME LENGTH options…` as written in a scenario.
pub(crate) fn go_line(t: &TaskSpec) -> String {
    format!("go{}", &task_line(t)["task".len()..])
}

/// `task NAME LENGTH options…` as written in a scenario.
pub(crate) fn task_line(t: &TaskSpec) -> String {
    let mut line = format!("task {} {}", word(&t.name), length_text(t.length));
    match t.check {
        Check::Await => {}
        Check::Never => line.push_str(" check=never"),
        Check::Start => line.push_str(" check=start"),
        Check::Every(step) => {
            let _ = write!(line, " check=every:{}", crate::fmt_duration(step));
        }
    }
    if let Some(f) = &t.fail {
        let _ = write!(line, " fail={}", quoted(f));
    }
    if let Some(d) = t.timeout {
        let _ = write!(line, " timeout={}", crate::fmt_duration(d));
    }
    line.push_str(&cause_option(&t.timeout_cause));
    if !t.after.is_zero() {
        let _ = write!(line, " after={}", crate::fmt_duration(t.after));
    }
    if t.try_spawn {
        line.push_str(" try");
    }
    if t.without_cancel {
        line.push_str(" without-cancel");
    }
    line
}

/// `group NAME options…` (without the brace) as written in a scenario.
pub(crate) fn group_line(g: &GroupSpec) -> String {
    let mut line = format!("group {}", word(&g.name));
    if let Some(d) = g.timeout {
        let _ = write!(line, " timeout={}", crate::fmt_duration(d));
    }
    line.push_str(&cause_option(&g.timeout_cause));
    if let Some(l) = g.limit {
        let _ = write!(line, " limit={l}");
    }
    if g.on_error != OnError::Cancel {
        let _ = write!(line, " on-error={}", on_error_word(g.on_error));
    }
    if g.wait != WaitMode::All {
        let _ = write!(line, " wait={}", wait_word(g.wait));
    }
    if !g.after.is_zero() {
        let _ = write!(line, " after={}", crate::fmt_duration(g.after));
    }
    line
}

/// ` cause="…"`, or nothing.
fn cause_option(cause: &Option<String>) -> String {
    cause
        .as_ref()
        .map(|c| format!(" cause={}", quoted(c)))
        .unwrap_or_default()
}

/// `context.WithTimeout(PARENT, D)`, or `context.WithTimeoutCause(PARENT, D, errors.New("…"))`.
fn with_timeout(parent: &str, d: Duration, cause: &Option<String>) -> String {
    match cause {
        Some(c) => format!(
            "context.WithTimeoutCause({parent}, {}, errors.New({}))",
            scaled(d, true),
            go_string(c)
        ),
        None => format!("context.WithTimeout({parent}, {})", scaled(d, true)),
    }
}

fn on_error_word(o: OnError) -> &'static str {
    match o {
        OnError::Cancel => "cancel",
        OnError::Continue => "continue",
        OnError::Collect => "collect",
    }
}

fn wait_word(w: WaitMode) -> &'static str {
    match w {
        WaitMode::All => "all",
        WaitMode::Cancel => "cancel",
    }
}

fn length_text(l: Length) -> String {
    match l {
        Length::For(d) => crate::fmt_duration(d),
        Length::Forever => "forever".into(),
    }
}

/// A word of the scenario language, quoted when it would not read back as one word.
fn word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"\"#{}\\=".contains(c))
    {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A quoted string of the scenario language (`\` escapes the next character); control
/// characters are written as Rust-style escapes so that a line stays one line.
pub(crate) fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Go interpreted string literal.
fn go_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Go source may not hold NUL or a byte order mark, nor (readably) other controls.
            c if c.is_control() || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A duration as a Go constant expression wrapped in `scaled(…)`. `compact` drops the spaces
/// around `*`, as gofmt does inside a call with several arguments.
fn scaled(d: Duration, compact: bool) -> String {
    format!("scaled({})", go_duration(d, compact))
}

/// A duration as a Go constant expression: `5 * time.Second`, `time.Minute`, `250 * time.Millisecond`.
fn go_duration(d: Duration, compact: bool) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0".into();
    }
    let (n, unit) = [
        (60_000_000_000u128, "time.Minute"),
        (1_000_000_000, "time.Second"),
        (1_000_000, "time.Millisecond"),
        (1_000, "time.Microsecond"),
        (1, "time.Nanosecond"),
    ]
    .into_iter()
    .find(|(unit, _)| ns % unit == 0)
    .map(|(unit, name)| (ns / unit, name))
    .unwrap_or((ns, "time.Nanosecond"));
    match (n, compact) {
        (1, _) => unit.to_string(),
        (n, true) => format!("{n}*{unit}"),
        (n, false) => format!("{n} * {unit}"),
    }
}

fn header(out: &mut String, scenario: &Scenario) {
    out.push_str(
        "// This is the Go program the scenario below stands for: context and\n\
         // golang.org/x/sync/errgroup, written out by `ctxgroup go`.\n\
         //\n\
         // Run it with `go run main.go` (errgroup must be on the GOPATH or in a module); it\n\
         // prints what happens. CTXGROUP_SCALE=0.1 runs it ten times faster (real seconds per\n\
         // scenario second; default 1). CTXGROUP_TRACE=1 prints the run's trace as JSON instead,\n\
         // in the format of the playground's traces.\n\
         //\n\
         // It behaves as the playground shows with errgroup v0.1.0, which the playground is\n\
         // checked against. Later versions (on Go 1.20 or later) also make a failing task's\n\
         // error the cause of the group's context: context.Cause returns it, not\n\
         // context.Canceled.\n\
         //\n\
         // The scenario:\n\
         //\n",
    );
    for line in scenario_lines(scenario) {
        let _ = writeln!(out, "//\t{line}");
    }
    out.push_str(
        "\npackage main\n\n\
         import (\n\
         \t\"context\"\n\
         \t\"encoding/json\"\n\
         \t\"errors\"\n\
         \t\"fmt\"\n\
         \t\"math\"\n\
         \t\"os\"\n\
         \t\"strconv\"\n\
         \t\"strings\"\n\
         \t\"sync\"\n\
         \t\"time\"\n\
         \n\
         \t\"golang.org/x/sync/errgroup\"\n\
         )\n\n",
    );
}

/// Lines of Go code at relative indentation: each line starts with its tabs.
#[derive(Default)]
struct Code {
    lines: Vec<String>,
}

impl Code {
    fn line(&mut self, depth: usize, text: impl AsRef<str>) {
        self.lines
            .push(format!("{}{}", "\t".repeat(depth), text.as_ref()));
    }

    /// Appends `other`, indented by `depth` more tabs.
    fn append(&mut self, depth: usize, other: Code) {
        let pad = "\t".repeat(depth);
        self.lines.extend(other.lines.into_iter().map(|l| {
            if l.is_empty() {
                l
            } else {
                format!("{pad}{l}")
            }
        }));
    }

    /// Appends `select { case <-CTX.Done(): return CTX.Err(); default: }`.
    fn check(&mut self, depth: usize, ctx: &str) {
        self.line(depth, "select {");
        self.line(depth, format!("case <-{ctx}.Done():"));
        self.line(depth + 1, format!("return {ctx}.Err()"));
        self.line(depth, "default:");
        self.line(depth, "}");
    }
}

fn run_func(out: &mut String, scenario: &Scenario) {
    let g = &scenario.group;
    let (body, uses_ctx) = match &scenario.shutdown {
        Some(s) => {
            let mut code = Code::default();
            code.line(
                0,
                "// shutdown: the caller can cancel the group with a cause (context.WithCancelCause).",
            );
            code.line(0, "sctx, shutdown := context.WithCancelCause(ctx)");
            code.line(0, "defer shutdown(nil)");
            let (body, _) = group_code(g, "", "sctx", Some(s));
            code.append(0, body);
            (code, true)
        }
        None => group_code(g, "", "ctx", None),
    };
    let mut code = Code::default();
    let mut base = "context.Background()";
    if !scenario.values.is_empty() {
        code.line(
            0,
            "// value: context values, inherited by every context derived from this one.",
        );
        for (i, (k, v)) in scenario.values.iter().enumerate() {
            let from = if i == 0 {
                "context.Background()"
            } else {
                "ctx"
            };
            let op = if i == 0 { ":=" } else { "=" };
            code.line(
                0,
                format!(
                    "ctx {op} context.WithValue({from}, ctxKey({}), {})",
                    go_string(k),
                    go_string(v)
                ),
            );
        }
        base = "ctx";
    }
    let lhs = if uses_ctx || !scenario.values.is_empty() {
        "ctx"
    } else {
        "_"
    };
    if let (Some(at), Some(why)) = (scenario.cancel_at, &scenario.cancel_cause) {
        // The caller's cancel carries a cause: WithCancelCause, with the deadline (if any) in a
        // context under it, cancelled with it.
        let first = if g.timeout.is_some() { "ctx" } else { lhs };
        code.line(
            0,
            format!(
                "// cancel {} cause=…: the caller calls cancel(cause) at {} (context.WithCancelCause).",
                crate::fmt_duration(at),
                crate::fmt_duration(at)
            ),
        );
        code.line(
            0,
            format!("{first}, cancel := context.WithCancelCause({base})"),
        );
        code.line(0, "defer cancel(nil)");
        code.line(
            0,
            format!(
                "time.AfterFunc({}, func() {{ cancel(errors.New({})) }})",
                scaled(at, true),
                go_string(why)
            ),
        );
        if let Some(t) = g.timeout {
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
                    "{lhs}, stop := {}",
                    with_timeout("ctx", t, &g.timeout_cause)
                ),
            );
            code.line(0, "defer stop()");
        }
        code.lines.push(String::new());
        code.append(0, body);
        push_run(out, code);
        return;
    }
    match g.timeout {
        Some(t) => {
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
                    "{lhs}, cancel := {}",
                    with_timeout(base, t, &g.timeout_cause)
                ),
            );
        }
        None => {
            code.line(0, "// A context the caller can cancel.");
            code.line(0, format!("{lhs}, cancel := context.WithCancel({base})"));
        }
    }
    code.line(0, "defer cancel()");
    if let Some(at) = scenario.cancel_at {
        code.line(
            0,
            format!(
                "// cancel {}: the caller calls cancel() at {}.",
                crate::fmt_duration(at),
                crate::fmt_duration(at)
            ),
        );
        code.line(0, format!("time.AfterFunc({}, cancel)", scaled(at, true)));
    }
    code.lines.push(String::new());
    code.append(0, body);
    push_run(out, code);
}

/// Writes `func run() error` with `code` as its body.
fn push_run(out: &mut String, code: Code) {
    out.push_str(
        "// run is the caller: it makes the context and the group, spawns the tasks in the order\n\
         // written, and waits.\n\
         func run() error {\n",
    );
    for l in code.lines {
        if !l.is_empty() {
            out.push('\t');
        }
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str("}\n");
}

/// The code of a group running on the context named `base`: make the group, spawn its items,
/// wait. Returns it and whether it uses `base`.
fn group_code(
    g: &GroupSpec,
    prefix: &str,
    base: &str,
    shutdown: Option<&crate::scenario::Shutdown>,
) -> (Code, bool) {
    let mut code = Code::default();
    let mut uses_base = false;
    // The context the group's tasks get.
    let task_ctx = match g.on_error {
        OnError::Cancel => "gctx",
        OnError::Continue | OnError::Collect => base,
    };
    // on-error collect: every task's function goes through keep, which keeps its error.
    let collect = g.on_error == OnError::Collect;
    let mut items = Code::default();
    // Every task's context goes to the watcher (the `task` wrapper).
    let uses_task_ctx = !g.items.is_empty() || !g.after_cancel.is_empty();
    let uses_start = shutdown.is_some() || g.items.iter().any(|i| !i.after().is_zero());
    for (n, item) in g.items.iter().enumerate() {
        if n > 0 {
            items.lines.push(String::new());
        }
        let path = format!("{prefix}{}", item.name());
        let after = item.after();
        let (body, _) = match item {
            Item::Task(t) => {
                items.line(0, format!("// {}", task_line(t)));
                task_code(t, &path, task_ctx)
            }
            Item::Group(sub) => {
                items.line(0, format!("// {} {{ … }}", group_line(sub)));
                items.line(
                    0,
                    "// A nested group is one task of this group: its function runs the group.",
                );
                nested_group_code(sub, &format!("{path}/"), task_ctx)
            }
        };
        if !after.is_zero() {
            items.line(
                0,
                format!(
                    "// The caller spawns it {} after the group starts.",
                    crate::fmt_duration(after)
                ),
            );
            items.line(
                0,
                format!(
                    "time.Sleep(time.Until(start.Add({})))",
                    scaled(after, false)
                ),
            );
        }
        let try_spawn = matches!(item, Item::Task(t) if t.try_spawn);
        let go = if try_spawn { "if !g.TryGo(" } else { "g.Go(" };
        // The wrappers around the task's function: keep (collect), track (shutdown).
        let mut open = go.to_string();
        let mut close = String::from("}))");
        if collect {
            open.push_str("keep(");
            close.push(')');
        }
        if shutdown.is_some() {
            let _ = write!(open, "track({}, ", go_string(item.name()));
            close.push(')');
        }
        open.push_str("task(");
        if try_spawn {
            close.push_str(" {");
        }
        if try_spawn {
            items.line(
                0,
                "// try: g.TryGo starts it only if a slot is free now; otherwise it returns",
            );
            items.line(0, "// false and the task never runs (skipped).");
        }
        // The task's context goes to the watcher too, for context.Cause when it ends.
        items.line(
            0,
            format!("{open}{}, {task_ctx}, func() error {{", go_string(&path)),
        );
        items.append(1, body);
        items.line(0, close);
        if try_spawn {
            items.line(1, format!("watch.skipped({})", go_string(&path)));
            items.line(0, "}");
        }
    }
    match g.on_error {
        OnError::Cancel => {
            code.line(
                0,
                "// on-error cancel: errgroup.WithContext; the first task error cancels gctx, the",
            );
            code.line(0, "// tasks' context, and Wait returns that error.");
            let ctx_name = if uses_task_ctx { "gctx" } else { "_" };
            code.line(0, format!("g, {ctx_name} := errgroup.WithContext({base})"));
            uses_base = true;
        }
        OnError::Continue => {
            code.line(
                0,
                "// on-error continue: a plain errgroup.Group; an error cancels nothing, and Wait",
            );
            code.line(0, "// returns the first one.");
            code.line(0, "var g errgroup.Group");
            uses_base |= uses_task_ctx;
        }
        OnError::Collect => {
            code.line(
                0,
                "// on-error collect: a plain errgroup.Group whose tasks keep their errors in errs,",
            );
            code.line(
                0,
                "// in the order they happen, and return nil to it: nothing is cancelled, and the",
            );
            code.line(0, "// group's result is every error, joined (errors.Join).");
            code.line(0, "var g errgroup.Group");
            code.line(0, "var (");
            code.line(1, "mu   sync.Mutex");
            code.line(1, "errs []error");
            code.line(0, ")");
            code.line(0, "keep := func(f func() error) func() error {");
            code.line(1, "return func() error {");
            code.line(2, "if err := f(); err != nil {");
            code.line(3, "mu.Lock()");
            code.line(3, "errs = append(errs, err)");
            code.line(3, "mu.Unlock()");
            code.line(2, "}");
            code.line(2, "return nil");
            code.line(1, "}");
            code.line(0, "}");
            uses_base |= uses_task_ctx;
        }
    }
    if !g.after_cancel.is_empty() {
        let watched = match g.on_error {
            OnError::Cancel => "gctx",
            OnError::Continue | OnError::Collect => {
                code.line(
                    0,
                    "// The group's context for after-cancel: done when the group returns, as",
                );
                code.line(0, "// errgroup.WithContext's is.");
                code.line(0, format!("actx, stop := context.WithCancel({base})"));
                code.line(0, "defer stop()");
                uses_base = true;
                "actx"
            }
        };
        after_cancel_code(&mut code, &g.after_cancel, prefix, watched, false);
    }
    if let Some(limit) = g.limit {
        code.line(
            0,
            if limit == 1 {
                "// limit 1: g.Go blocks the caller while a task runs.".to_string()
            } else {
                format!("// limit {limit}: g.Go blocks the caller while {limit} tasks run.")
            },
        );
        code.line(0, format!("g.SetLimit({limit})"));
    }
    if uses_start {
        code.line(0, "start := time.Now()");
    }
    if shutdown.is_some() {
        tracking_code(&mut code);
    }
    if !g.items.is_empty() {
        code.lines.push(String::new());
        code.append(0, items);
    }
    code.lines.push(String::new());
    if let Some(s) = shutdown {
        shutdown_code(&mut code, g, s, collect);
        return (code, true);
    }
    match g.wait {
        WaitMode::All if collect => {
            code.line(
                0,
                "// wait all: Wait returns once every task has returned; then errs is complete.",
            );
            code.line(0, "g.Wait()");
            code.line(0, "return errors.Join(errs...)");
        }
        WaitMode::All => {
            code.line(
                0,
                "// wait all: Wait returns once every task has returned, with the first error.",
            );
            code.line(0, "return g.Wait()");
        }
        WaitMode::Cancel => {
            code.line(
                0,
                format!(
                    "// wait cancel: stop waiting as soon as {base} is done; tasks still running"
                ),
            );
            code.line(0, "// then are leaked: they keep running.");
            code.line(0, "waited := make(chan error, 1)");
            if collect {
                code.line(0, "go func() {");
                code.line(1, "g.Wait()");
                code.line(1, "waited <- errors.Join(errs...)");
                code.line(0, "}()");
            } else {
                code.line(0, "go func() { waited <- g.Wait() }()");
            }
            code.line(0, "select {");
            code.line(0, "case err := <-waited:");
            code.line(1, "return err");
            code.line(0, format!("case <-{base}.Done():"));
            code.line(1, format!("return {base}.Err()"));
            code.line(0, "}");
            uses_base = true;
        }
    }
    (code, uses_base)
}

/// `track`: the names of the tasks running now, for the shutdown to name those that ignore it.
fn tracking_code(code: &mut Code) {
    code.line(
        0,
        "// shutdown names the tasks still running when its grace runs out: track them.",
    );
    code.line(0, "var (");
    code.line(1, "smu     sync.Mutex");
    code.line(1, "running = map[string]bool{}");
    code.line(0, ")");
    code.line(
        0,
        "track := func(name string, f func() error) func() error {",
    );
    code.line(1, "return func() error {");
    code.line(2, "smu.Lock()");
    code.line(2, "running[name] = true");
    code.line(2, "smu.Unlock()");
    code.line(2, "defer func() {");
    code.line(3, "smu.Lock()");
    code.line(3, "delete(running, name)");
    code.line(3, "smu.Unlock()");
    code.line(2, "}()");
    code.line(2, "return f()");
    code.line(1, "}");
    code.line(0, "}");
}

/// The caller's shutdown: wait until `AT`, cancel with cause "shutdown", wait at most the grace,
/// then name the tasks still running.
fn shutdown_code(code: &mut Code, g: &GroupSpec, s: &crate::scenario::Shutdown, collect: bool) {
    code.line(
        0,
        format!(
            "// shutdown {} grace={}: wait until {}; then cancel the group (cause \"shutdown\")",
            crate::fmt_duration(s.at),
            crate::fmt_duration(s.grace),
            crate::fmt_duration(s.at)
        ),
    );
    code.line(
        0,
        format!(
            "// and wait at most {} more; tasks still running then are named, and leaked.",
            crate::fmt_duration(s.grace)
        ),
    );
    code.line(0, "waited := make(chan error, 1)");
    if collect {
        code.line(0, "go func() {");
        code.line(1, "g.Wait()");
        code.line(1, "waited <- errors.Join(errs...)");
        code.line(0, "}()");
    } else {
        code.line(0, "go func() { waited <- g.Wait() }()");
    }
    code.line(0, "select {");
    code.line(0, "case err := <-waited:");
    code.line(1, "return err");
    code.line(
        0,
        format!(
            "case <-time.After(time.Until(start.Add({}))):",
            scaled(s.at, false)
        ),
    );
    code.line(0, "}");
    code.line(0, "shutdown(errors.New(\"shutdown\"))");
    code.line(0, "select {");
    code.line(0, "case err := <-waited:");
    code.line(1, "return err");
    code.line(0, format!("case <-time.After({}):", scaled(s.grace, false)));
    code.line(0, "}");
    code.line(0, "var names []string");
    code.line(0, "smu.Lock()");
    let names: Vec<String> = g.items.iter().map(|i| go_string(i.name())).collect();
    code.line(
        0,
        format!("for _, name := range []string{{{}}} {{", names.join(", ")),
    );
    code.line(1, "if running[name] {");
    code.line(2, "names = append(names, name)");
    code.line(1, "}");
    code.line(0, "}");
    code.line(0, "smu.Unlock()");
    code.line(0, "if len(names) == 0 {");
    code.line(
        1,
        "// The last ones returned as the grace ran out: that is Wait's result.",
    );
    code.line(1, "return <-waited");
    code.line(0, "}");
    code.line(
        0,
        format!(
            "return fmt.Errorf({}, strings.Join(names, \", \"))",
            go_string(&format!(
                "shutdown: still running after the {} grace: %s",
                crate::fmt_duration(s.grace)
            ))
        ),
    );
}

/// The function of a nested group's task, running on the context named `parent`.
fn nested_group_code(g: &GroupSpec, prefix: &str, parent: &str) -> (Code, bool) {
    let mut code = Code::default();
    let uses_parent = match g.timeout {
        Some(t) => {
            let (body, uses) = group_code(g, prefix, "ctx", None);
            code.line(
                0,
                format!(
                    "// timeout={}: the group's own deadline, {} from its start.",
                    crate::fmt_duration(t),
                    crate::fmt_duration(t)
                ),
            );
            let lhs = if uses { "ctx" } else { "_" };
            code.line(
                0,
                format!(
                    "{lhs}, cancel := {}",
                    with_timeout(parent, t, &g.timeout_cause)
                ),
            );
            code.line(0, "defer cancel()");
            code.append(0, body);
            true
        }
        // errgroup.WithContext would shadow the parent's gctx, which `wait cancel` still needs:
        // name the group's context ctx first.
        None if parent == "gctx" && g.on_error == OnError::Cancel => {
            let (body, uses) = group_code(g, prefix, "ctx", None);
            if uses {
                code.line(0, "// The group runs on this task's context.");
                code.line(0, "ctx := gctx");
            }
            code.append(0, body);
            uses
        }
        None => {
            let (body, uses) = group_code(g, prefix, parent, None);
            code.append(0, body);
            uses
        }
    };
    (code, uses_parent)
}

/// `context.AfterFunc(CTX, f)` for each `after-cancel` line; `attached`: in a task's block
/// (its row belongs to the task's group).
fn after_cancel_code(
    code: &mut Code,
    specs: &[crate::scenario::AfterCancelSpec],
    prefix: &str,
    ctx: &str,
    attached: bool,
) {
    for a in specs {
        code.line(
            0,
            format!(
                "// after-cancel {} {}: context.AfterFunc runs {} on its own goroutine once {ctx}",
                word(&a.name),
                length_text(a.length),
                word(&a.name)
            ),
        );
        code.line(0, "// is done; nobody waits for it.");
        code.line(
            0,
            format!(
                "context.AfterFunc({ctx}, afterCancel({}, {ctx}, {attached}, func() {{",
                go_string(&format!("{prefix}{}", a.name))
            ),
        );
        match a.length {
            Length::For(d) => code.line(1, format!("time.Sleep({})", scaled(d, false))),
            Length::Forever => code.line(1, "select {}"),
        }
        code.line(0, "}))");
    }
}

/// The function of a task, looking at the context named `ctx` as its check mode says.
/// Returns it and whether it uses `ctx`.
fn task_code(t: &TaskSpec, path: &str, ctx: &str) -> (Code, bool) {
    let mut code = Code::default();
    let mut own = ctx;
    let looks = t.check != Check::Never;
    if t.without_cancel {
        code.line(
            0,
            format!("// without-cancel: context.WithoutCancel keeps {ctx}'s values, none of its cancellation."),
        );
        code.line(0, format!("ctx := context.WithoutCancel({ctx})"));
        code.line(
            0,
            format!(
                "watch.context({}, ctx) // the watcher reads context.Cause(ctx) when it ends",
                go_string(path)
            ),
        );
        own = "ctx";
    }
    if let Some(d) = t.timeout {
        code.line(
            0,
            format!(
                "// timeout={}: its own deadline, {} from its start.",
                crate::fmt_duration(d),
                crate::fmt_duration(d)
            ),
        );
        code.line(
            0,
            format!("ctx, cancel := {}", with_timeout(ctx, d, &t.timeout_cause)),
        );
        code.line(0, "defer cancel()");
        code.line(
            0,
            format!(
                "watch.context({}, ctx) // the watcher reads context.Cause(ctx) when it ends",
                go_string(path)
            ),
        );
        own = "ctx";
    }
    for g in &t.go {
        let go_path = format!("{path}/{}", g.name);
        code.line(0, format!("// {}", go_line(g)));
        code.line(
            0,
            "// A goroutine of its own on this context: nobody waits for it.",
        );
        let (body, _) = task_code(g, &go_path, own);
        code.line(
            0,
            format!(
                "go goroutine({}, {own}, func() error {{",
                go_string(&go_path)
            ),
        );
        code.append(1, body);
        code.line(0, "})()");
    }
    after_cancel_code(&mut code, &t.after_cancel, &format!("{path}/"), own, true);
    let ends = match (t.length, t.check) {
        (Length::For(d), Check::Never) => {
            code.line(0, "// check=never: it works without looking at ctx.");
            code.line(0, format!("time.Sleep({})", scaled(d, false)));
            true
        }
        (Length::For(d), Check::Start) => {
            code.line(0, "// check=start: it looks at ctx once, before its work.");
            code.check(0, own);
            code.line(0, format!("time.Sleep({})", scaled(d, false)));
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
                    code.check(0, own);
                    code.line(0, format!("time.Sleep({})", scaled(step, false)));
                }
                n => {
                    code.line(0, format!("for i := 0; i < {n}; i++ {{"));
                    code.check(1, own);
                    code.line(1, format!("time.Sleep({})", scaled(step, false)));
                    code.line(0, "}");
                }
            }
            if !rest.is_zero() {
                code.line(0, "// The last, shorter step.");
                code.check(0, own);
                code.line(0, format!("time.Sleep({})", scaled(rest, false)));
            }
            true
        }
        (Length::For(d), Check::Await) => {
            code.line(
                0,
                "// It waits for its work or for ctx to be done, whichever comes first.",
            );
            code.line(0, "select {");
            code.line(0, format!("case <-{own}.Done():"));
            code.line(1, format!("return {own}.Err()"));
            code.line(0, format!("case <-time.After({}):", scaled(d, false)));
            code.line(0, "}");
            true
        }
        (Length::Forever, Check::Never) => {
            code.line(
                0,
                "// forever, check=never: it never returns, and never looks at ctx.",
            );
            code.line(0, "select {}");
            false
        }
        (Length::Forever, Check::Start) => {
            code.line(
                0,
                "// forever, check=start: it looks at ctx once, then never returns.",
            );
            code.check(0, own);
            code.line(0, "select {}");
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
            code.line(0, "for {");
            code.check(1, own);
            code.line(1, format!("time.Sleep({})", scaled(step, false)));
            code.line(0, "}");
            false
        }
        (Length::Forever, Check::Await) => {
            code.line(
                0,
                "// forever: it has nothing to do but wait for ctx to be done.",
            );
            code.line(0, format!("<-{own}.Done()"));
            code.line(0, format!("return {own}.Err()"));
            false
        }
    };
    if ends {
        match &t.fail {
            Some(msg) => code.line(0, format!("return errors.New({})", go_string(msg))),
            None => code.line(0, "return nil"),
        }
    }
    (code, looks || t.timeout.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_go_constants() {
        assert_eq!(
            go_duration(Duration::from_secs(5), false),
            "5 * time.Second"
        );
        assert_eq!(go_duration(Duration::from_secs(1), true), "time.Second");
        assert_eq!(
            go_duration(Duration::from_millis(1500), true),
            "1500*time.Millisecond"
        );
        assert_eq!(
            go_duration(Duration::from_secs(120), false),
            "2 * time.Minute"
        );
        assert_eq!(go_duration(Duration::ZERO, false), "0");
    }

    #[test]
    fn strings_are_go_literals() {
        assert_eq!(go_string("a\"b\\c\n\u{0}"), r#""a\"b\\c\n\u0000""#);
        assert_eq!(go_string("héllo"), "\"héllo\"");
    }
}
