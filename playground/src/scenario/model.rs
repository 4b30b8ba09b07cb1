use std::time::Duration;

/// A checked scenario: what the playground runs.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("timeout 7s\ntask t1 5s check=never\n").unwrap();
/// assert_eq!(s.group.timeout, Some(std::time::Duration::from_secs(7)));
/// assert_eq!(s.group.items.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The top-level group: its settings and its tasks, in order.
    pub group: GroupSpec,
    /// When the caller calls `cancel()` (`cancel 3s`).
    pub cancel_at: Option<Duration>,
    /// The cause the caller cancels with (`cancel 3s cause="…"`: Go's `WithCancelCause`).
    pub cancel_cause: Option<String>,
    /// `shutdown AT grace=G`: the caller shuts the group down.
    pub shutdown: Option<Shutdown>,
    /// Context values (`value key=value`), inherited by every task.
    pub values: Vec<(String, String)>,
    /// `expect` lines, checked after the run.
    pub expects: Vec<Expect>,
}

/// `shutdown AT grace=G`: at `AT` (if the group has not returned) the caller cancels the group
/// (cause `shutdown`) and waits at most `G` more; tasks still running then are named in the
/// error it returns, and leaked.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("shutdown 5s grace=1s").unwrap();
/// assert_eq!(s.shutdown.unwrap().grace, std::time::Duration::from_secs(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shutdown {
    /// When, from time 0.
    pub at: Duration,
    /// How long the caller waits after cancelling.
    pub grace: Duration,
    /// 1-based line.
    pub line: usize,
}

/// A group: the top level, or a nested `group NAME … { … }`.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("group batch limit=1 {\n  task b1 1s\n}\n").unwrap();
/// let ctxgroup_playground::scenario::Item::Group(g) = &s.group.items[0] else { panic!() };
/// assert_eq!(g.limit, Some(1));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GroupSpec {
    /// The group's name (`main` for the top level).
    pub name: String,
    /// Deadline of the group's context, counted from the group's start.
    pub timeout: Option<Duration>,
    /// The cause its deadline gives (`cause="…"`: Go's `WithTimeoutCause`).
    pub timeout_cause: Option<String>,
    /// At most this many tasks at once.
    pub limit: Option<usize>,
    /// What a task error does.
    pub on_error: OnError,
    /// How the caller waits.
    pub wait: WaitMode,
    /// Spawned this long after the enclosing group starts (nested groups only).
    pub after: Duration,
    /// Tasks and nested groups, in the order written.
    pub items: Vec<Item>,
    /// `after-cancel` lines: functions run once the group's context is done.
    pub after_cancel: Vec<AfterCancelSpec>,
    /// 1-based line of the group (0 for the top level).
    pub line: usize,
}

impl GroupSpec {
    /// A group with the defaults: no timeout, no limit, `on-error cancel`, `wait all`.
    pub(crate) fn new(name: impl Into<String>, line: usize) -> GroupSpec {
        GroupSpec {
            name: name.into(),
            timeout: None,
            timeout_cause: None,
            limit: None,
            on_error: OnError::Cancel,
            wait: WaitMode::All,
            after: Duration::ZERO,
            items: Vec::new(),
            after_cancel: Vec::new(),
            line,
        }
    }

    /// Visits every task and nested group, depth first in the order written, with its path
    /// (`group/task`) and nesting depth (0 at this level).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = ctxgroup_playground::scenario::parse("task a 1s\ngroup g {\n  task b 1s\n}").unwrap();
    /// let mut paths = Vec::new();
    /// s.group.walk(&mut |_, path, depth| paths.push((path.to_string(), depth)));
    /// assert_eq!(paths, [("a".to_string(), 0), ("g".to_string(), 0), ("g/b".to_string(), 1)]);
    /// ```
    pub fn walk(&self, visit: &mut impl FnMut(&Item, &str, usize)) {
        self.walk_rows(&mut |item, path, depth, _| visit(item, path, depth));
    }

    /// [`walk_rows`](Self::walk_rows) with each row's [`RowKind`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup_playground::scenario::{parse, RowKind};
    /// let s = parse("task a 1s {\n  after-cancel c 1s\n}\nafter-cancel d 1s").unwrap();
    /// let mut kinds = Vec::new();
    /// s.group.walk_kinds(&mut |_, path, _, kind| kinds.push((path.to_string(), kind)));
    /// assert_eq!(kinds[1], ("a/c".to_string(), RowKind::AfterCancel { on_task: true }));
    /// assert_eq!(kinds[2], ("d".to_string(), RowKind::AfterCancel { on_task: false }));
    /// ```
    pub fn walk_kinds(&self, visit: &mut impl FnMut(&Item, &str, usize, RowKind)) {
        self.walk_from(&mut String::new(), 0, visit);
    }

    /// [`walk`](Self::walk), telling goroutines (`go` lines) from tasks: a goroutine is given
    /// as a task without its own `go` lines (they follow it, one level deeper), with `true`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = ctxgroup_playground::scenario::parse("task a 1s {\n  go b 1s\n}").unwrap();
    /// let mut rows = Vec::new();
    /// s.group.walk_rows(&mut |_, path, depth, go| rows.push((path.to_string(), depth, go)));
    /// assert_eq!(rows, [("a".to_string(), 0, false), ("a/b".to_string(), 1, true)]);
    /// ```
    pub fn walk_rows(&self, visit: &mut impl FnMut(&Item, &str, usize, bool)) {
        self.walk_from(&mut String::new(), 0, &mut |item, path, depth, kind| {
            visit(item, path, depth, kind == RowKind::Go)
        });
    }

    /// Visits the rows under `path` (the group's path and a `/`, or empty for the top), which
    /// it extends in place for each row and gives back as it was: one buffer for the whole walk.
    fn walk_from(
        &self,
        path: &mut String,
        depth: usize,
        visit: &mut impl FnMut(&Item, &str, usize, RowKind),
    ) {
        let prefix = path.len();
        for item in &self.items {
            path.push_str(item.name());
            visit(item, path, depth, RowKind::Item);
            match item {
                Item::Group(g) => {
                    path.push('/');
                    g.walk_from(path, depth + 1, visit);
                }
                Item::Task(t) => walk_task(t, path, depth + 1, visit),
            }
            path.truncate(prefix);
        }
        walk_after_cancel(&self.after_cancel, path, depth, false, visit);
    }
}

/// What a row of the chart stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// A task or a nested group.
    Item,
    /// A goroutine a task started (`go`).
    Go,
    /// An `after-cancel` function: of a task's (or goroutine's) context, or of a group's.
    AfterCancel {
        /// In a task's or goroutine's block.
        on_task: bool,
    },
}

/// Visits a task's (or goroutine's) goroutines and after-cancel functions, depth first; `path`
/// is the task's, given back as it was.
fn walk_task(
    t: &TaskSpec,
    path: &mut String,
    depth: usize,
    visit: &mut impl FnMut(&Item, &str, usize, RowKind),
) {
    if t.go.is_empty() && t.after_cancel.is_empty() {
        return;
    }
    let own = path.len();
    path.push('/');
    for g in &t.go {
        path.push_str(&g.name);
        let row = Item::Task(TaskSpec {
            go: Vec::new(),
            after_cancel: Vec::new(),
            ..g.clone()
        });
        visit(&row, path, depth, RowKind::Go);
        walk_task(g, path, depth + 1, visit);
        path.truncate(own + 1);
    }
    walk_after_cancel(&t.after_cancel, path, depth, true, visit);
    path.truncate(own);
}

/// Visits after-cancel functions under `path` (their parent's path and a `/`, or empty).
fn walk_after_cancel(
    specs: &[AfterCancelSpec],
    path: &mut String,
    depth: usize,
    on_task: bool,
    visit: &mut impl FnMut(&Item, &str, usize, RowKind),
) {
    let prefix = path.len();
    for a in specs {
        let row = Item::Task(a.as_task());
        path.push_str(&a.name);
        visit(&row, path, depth, RowKind::AfterCancel { on_task });
        path.truncate(prefix);
    }
}

/// A task or a nested group.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("task t1 1s").unwrap();
/// assert!(matches!(s.group.items[0], ctxgroup_playground::scenario::Item::Task(_)));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `task …`
    Task(TaskSpec),
    /// `group … { … }`
    Group(GroupSpec),
}

impl Item {
    /// The item's name.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = ctxgroup_playground::scenario::parse("task t1 1s").unwrap();
    /// assert_eq!(s.group.items[0].name(), "t1");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            Item::Task(t) => &t.name,
            Item::Group(g) => &g.name,
        }
    }

    /// Its `after=` delay.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = ctxgroup_playground::scenario::parse("task t1 1s after=2s").unwrap();
    /// assert_eq!(s.group.items[0].after(), std::time::Duration::from_secs(2));
    /// ```
    pub fn after(&self) -> Duration {
        match self {
            Item::Task(t) => t.after,
            Item::Group(g) => g.after,
        }
    }
}

/// One `task` line.
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::scenario::{parse, Check, Item, Length};
/// let s = parse(r#"task t5 3s fail="HTTP 502" check=every:1s"#).unwrap();
/// let Item::Task(t) = &s.group.items[0] else { panic!() };
/// assert_eq!(t.length, Length::For(std::time::Duration::from_secs(3)));
/// assert_eq!(t.check, Check::Every(std::time::Duration::from_secs(1)));
/// assert_eq!(t.fail.as_deref(), Some("HTTP 502"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TaskSpec {
    /// Its name, unique in its group.
    pub name: String,
    /// How long it works.
    pub length: Length,
    /// How it looks at its context.
    pub check: Check,
    /// The error it returns when its work is done, if any.
    pub fail: Option<String>,
    /// Its own deadline, from its start.
    pub timeout: Option<Duration>,
    /// The cause its own deadline gives (`cause="…"`: Go's `WithTimeoutCause`).
    pub timeout_cause: Option<String>,
    /// Spawned this long after its group starts.
    pub after: Duration,
    /// `try`: spawned with `g.TryGo`, it does not wait for a slot; with none free it is skipped.
    pub try_spawn: bool,
    /// `without-cancel`: it runs on `context.WithoutCancel(ctx)`: the values, none of the
    /// cancellation.
    pub without_cancel: bool,
    /// Its `go` lines: goroutines it starts when it starts (`go worker2(ctx)`), on its context;
    /// nobody waits for them. A goroutine's own `go` lines are in its `go` too.
    pub go: Vec<TaskSpec>,
    /// `after-cancel` lines in its block: functions run once its context is done.
    pub after_cancel: Vec<AfterCancelSpec>,
    /// 1-based line.
    pub line: usize,
}

/// `after-cancel NAME DURATION`: Go's `context.AfterFunc(ctx, NAME)`, where `NAME` works for
/// `DURATION` on its own goroutine once `ctx` is done. Nobody waits for it.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("after-cancel cleanup 500ms").unwrap();
/// assert_eq!(s.group.after_cancel[0].name, "cleanup");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AfterCancelSpec {
    /// Its name, unique in its block.
    pub name: String,
    /// How long it works once started.
    pub length: Length,
    /// 1-based line.
    pub line: usize,
}

impl AfterCancelSpec {
    /// Its row, as a task that works without looking at a context.
    pub(crate) fn as_task(&self) -> TaskSpec {
        TaskSpec {
            name: self.name.clone(),
            length: self.length,
            check: Check::Never,
            ..TaskSpec::placeholder(self.line)
        }
    }
}

impl TaskSpec {
    /// A stand-in for a task line with errors, keeping the braces of its block matched.
    pub(crate) fn placeholder(line: usize) -> TaskSpec {
        TaskSpec {
            name: "?".into(),
            length: Length::Forever,
            check: Check::Await,
            fail: None,
            timeout: None,
            timeout_cause: None,
            after: Duration::ZERO,
            try_spawn: false,
            without_cancel: false,
            go: Vec::new(),
            after_cancel: Vec::new(),
            line,
        }
    }
}

/// How long a task works.
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::scenario::Length;
/// assert_eq!(Length::Forever.finite(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    /// This long.
    For(Duration),
    /// It never returns by itself.
    Forever,
}

impl Length {
    /// The duration, if finite.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup_playground::scenario::Length;
    /// assert!(Length::For(std::time::Duration::from_secs(1)).finite().is_some());
    /// ```
    pub fn finite(self) -> Option<Duration> {
        match self {
            Length::For(d) => Some(d),
            Length::Forever => None,
        }
    }
}

/// How a task looks at its context (the Go code it stands for).
///
/// # Examples
///
/// ```
/// assert_eq!(ctxgroup_playground::scenario::Check::default(), ctxgroup_playground::scenario::Check::Await);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Check {
    /// Never: `time.Sleep(d)` and return.
    Never,
    /// Once, before starting: `select { case <-ctx.Done(): return ctx.Err(); default: }`.
    Start,
    /// At the start of every step: the same `select` inside the loop.
    Every(Duration),
    /// `select { case <-ctx.Done(): return ctx.Err(); case <-time.After(d): }`.
    #[default]
    Await,
}

/// `on-error`: what a task error does.
///
/// # Examples
///
/// ```
/// assert_eq!(ctxgroup_playground::scenario::OnError::default(), ctxgroup_playground::scenario::OnError::Cancel);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// The first error cancels the group's context (`errgroup.WithContext`).
    #[default]
    Cancel,
    /// Errors are recorded, nothing is cancelled (plain `errgroup.Group`).
    Continue,
    /// Every error is kept, nothing is cancelled, and wait returns them all joined, in the
    /// order they happened (Go: a plain `errgroup.Group` whose tasks append their errors to a
    /// slice, then `errors.Join`).
    Collect,
}

/// `wait`: how the caller waits for the group.
///
/// # Examples
///
/// ```
/// assert_eq!(ctxgroup_playground::scenario::WaitMode::default(), ctxgroup_playground::scenario::WaitMode::All);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WaitMode {
    /// `g.Wait()`: until every task returned.
    #[default]
    All,
    /// Until the context is done; tasks still running are leaked.
    Cancel,
}

/// An `expect` line: checked after the run.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("task t1 1s\nexpect t1 completed at 1s").unwrap();
/// assert_eq!(s.expects[0].line, 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// What is expected of whom.
    pub what: ExpectWhat,
    /// When, if given.
    pub at: Option<Duration>,
    /// The error text, if given (`ok` or `nil` for none).
    pub error: Option<Option<String>>,
    /// What Go's `context.Cause(ctx)` says for the task (`cause="…"`), if given.
    pub cause: Option<String>,
    /// The task was still running when its group returned (`leaked`): nobody waited for it.
    pub leaked: bool,
    /// 1-based line.
    pub line: usize,
}

/// Whom an `expect` line is about.
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::scenario::{parse, ExpectWhat};
/// let s = parse("task t 1s\nexpect returned at 1s").unwrap();
/// assert_eq!(s.expects[0].what, ExpectWhat::Returned);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectWhat {
    /// The task at this path (or this unique name) ends with this outcome.
    Task {
        /// Path or name.
        task: String,
        /// `completed`, `failed`, `cancelled`, `skipped` or `running`.
        outcome: String,
    },
    /// The group returns.
    Returned,
    /// The group never returns.
    NeverReturns,
}
