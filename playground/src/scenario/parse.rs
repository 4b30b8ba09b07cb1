//! The scenario text → a checked [`Scenario`], or every error with its line, column and a hint.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use super::model::*;
use crate::fnv::FnvMap;

/// Most tasks (and groups) in one scenario.
pub const MAX_TASKS: usize = 10_000;
/// Deepest nesting of groups.
pub const MAX_DEPTH: usize = 16;
/// Longest duration anywhere, in seconds.
pub const MAX_SECONDS: u64 = 1_000_000;
/// Longest scenario text, in bytes.
pub const MAX_TEXT: usize = 1_000_000;
/// Most steps one `check=every:` task may take.
pub const MAX_STEPS: u64 = 100_000;
const MAX_ERRORS: usize = 100;

/// One problem in a scenario: where (1-based line and columns, in characters), what, and how to fix it.
///
/// # Examples
///
/// ```
/// let errs = ctxgroup_playground::scenario::parse("task t1 5sx").unwrap_err();
/// assert_eq!(errs.0[0].to_string(), r#"line 1, col 10: unknown unit "sx" in "5sx" (use ms, s, m or h)"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column of the first offending character.
    pub col: usize,
    /// 1-based column just past the offending text.
    pub end_col: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// The offending line, as written.
    pub source_line: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, col {}: {}", self.line, self.col, self.message)?;
        if !self.hint.is_empty() {
            write!(f, " ({})", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

/// Every problem found in a scenario, in line order.
///
/// # Examples
///
/// ```
/// let errs = ctxgroup_playground::scenario::parse("tsk a 1s\ntask b 0s").unwrap_err();
/// assert_eq!(errs.0.len(), 2);
/// assert!(errs.to_string().contains("did you mean `task`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseErrors(pub Vec<ParseError>);

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseErrors {}

#[derive(Clone, Debug)]
struct Token<'a> {
    /// The text: the line's own, unless quoted (escapes read).
    text: Cow<'a, str>,
    col: usize,
    end_col: usize,
    quoted: bool,
}

struct Parser<'a> {
    errors: Vec<ParseError>,
    line_no: usize,
    line: &'a str,
    tasks: usize,
    /// Blocks nested past [`MAX_DEPTH`] were reported (once: the lines under it are too).
    too_deep: bool,
}

type Res<T> = Result<T, ()>;

/// What an open block `{ … }` belongs to.
enum Block {
    Group(GroupSpec),
    /// A task's or a goroutine's block of `go` lines; `true` for a goroutine's.
    Task(TaskSpec, bool),
}

/// An open block: what it belongs to, the column and line of its keyword, the names used in it.
struct Open {
    block: Block,
    col: usize,
    line: usize,
    names: FnvMap<String, usize>,
}

impl Open {
    fn new(block: Block, col: usize, line: usize) -> Open {
        Open {
            block,
            col,
            line,
            names: FnvMap::default(),
        }
    }
}

/// Adds a finished task, goroutine or group to the innermost open block (or the top level).
fn add_to(open: &mut [Open], top: &mut GroupSpec, block: Block) {
    match (open.last_mut().map(|o| &mut o.block), block) {
        (Some(Block::Task(parent, _)), Block::Task(t, true)) => parent.go.push(t),
        // Only erroneous scenarios put anything else in a task's block: drop it.
        (Some(Block::Task(..)), _) => {}
        (Some(Block::Group(g)), Block::Group(sub)) => g.items.push(Item::Group(sub)),
        (Some(Block::Group(g)), Block::Task(t, _)) => g.items.push(Item::Task(t)),
        (None, Block::Group(sub)) => top.items.push(Item::Group(sub)),
        (None, Block::Task(t, _)) => top.items.push(Item::Task(t)),
    }
}

impl<'a> Parser<'a> {
    fn error(
        &mut self,
        col: usize,
        end_col: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(ParseError {
                line: self.line_no,
                col,
                end_col: end_col.max(col + 1),
                message: message.into(),
                hint: hint.into(),
                source_line: self.line.to_string(),
            });
        }
    }

    fn at(&mut self, tok: &Token<'_>, message: impl Into<String>, hint: impl Into<String>) {
        self.error(tok.col, tok.end_col, message, hint);
    }

    /// Puts the line's tokens in `tokens`. Columns count characters; an unquoted token's text
    /// is a slice of the line, a quoted one is written as its escapes are read.
    fn tokenize(&mut self, tokens: &mut Vec<Token<'a>>) -> Res<()> {
        let line = self.line;
        let mut chars = line.char_indices().peekable();
        // The 0-based column of the next character.
        let mut col = 0;
        tokens.clear();
        while let Some(&(at, c)) = chars.peek() {
            // A byte-order mark or a zero-width space (pasted text) counts as a space.
            if c.is_whitespace() || invisible(c) {
                chars.next();
                col += 1;
                continue;
            }
            if c.is_control() {
                self.error(
                    col + 1,
                    col + 2,
                    format!("an invisible control character (U+{:04X})", c as u32),
                    "delete it",
                );
                return Err(());
            }
            if c == '#' {
                break;
            }
            if c == '{' || c == '}' {
                tokens.push(Token {
                    text: Cow::Borrowed(&line[at..at + 1]),
                    col: col + 1,
                    end_col: col + 2,
                    quoted: false,
                });
                chars.next();
                col += 1;
                continue;
            }
            let (start, start_col) = (at, col);
            let mut end = at;
            // Written only once a quote is met: until then the text is the line's slice.
            let mut text: Option<String> = None;
            while let Some(&(at, c)) = chars.peek() {
                if c.is_whitespace()
                    || invisible(c)
                    || c.is_control()
                    || c == '{'
                    || c == '}'
                    || c == '#'
                {
                    break;
                }
                if matches!(c, '“' | '”' | '„' | '‘' | '’' | '‚') {
                    self.error(
                        col + 1,
                        col + 2,
                        format!("a curly quote {c}"),
                        "write straight quotes: fail=\"HTTP 502\"",
                    );
                    return Err(());
                }
                chars.next();
                col += 1;
                if c != '"' {
                    if let Some(t) = &mut text {
                        t.push(c);
                    }
                    end = at + c.len_utf8();
                    continue;
                }
                let t = text.get_or_insert_with(|| line[start..at].to_string());
                let open = col - 1;
                let mut closed = false;
                while let Some((_, ch)) = chars.next() {
                    col += 1;
                    match ch {
                        // `\n` is a newline (errors.Join's separator); `\` keeps any other
                        // character as it is.
                        '\\' => match chars.next() {
                            Some((_, next)) => {
                                col += 1;
                                t.push(if next == 'n' { '\n' } else { next });
                            }
                            None => t.push('\\'),
                        },
                        '"' => {
                            closed = true;
                            break;
                        }
                        ch => t.push(ch),
                    }
                }
                if !closed {
                    self.error(
                        open + 1,
                        line.chars().count() + 1,
                        "unterminated string",
                        "close it with \"",
                    );
                    return Err(());
                }
                end = chars.peek().map_or(line.len(), |&(at, _)| at);
            }
            let quoted = text.is_some();
            tokens.push(Token {
                text: text.map_or(Cow::Borrowed(&line[start..end]), Cow::Owned),
                col: start_col + 1,
                end_col: col + 1,
                quoted,
            });
        }
        Ok(())
    }
}

/// A character that pasted text carries and nobody sees: a byte-order mark, a zero-width space.
fn invisible(c: char) -> bool {
    matches!(c, '\u{feff}' | '\u{200b}'..='\u{200d}' | '\u{2060}')
}

/// Parses and checks a scenario. On failure, returns every error found (up to 100).
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::scenario::parse;
/// let s = parse("timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\n").unwrap();
/// assert_eq!(s.group.items.len(), 2);
/// let e = parse("task t1 5s check=every:6s").unwrap_err();
/// assert!(e.0[0].message.contains("longer than the task"));
/// ```
pub fn parse(text: &str) -> Result<Scenario, ParseErrors> {
    if text.len() > MAX_TEXT {
        return Err(ParseErrors(vec![ParseError {
            line: 1,
            col: 1,
            end_col: 2,
            message: format!(
                "the scenario is {} bytes long, over the {} byte limit",
                text.len(),
                MAX_TEXT
            ),
            hint: "split it into smaller scenarios".into(),
            source_line: String::new(),
        }]));
    }
    let mut p = Parser {
        errors: Vec::new(),
        line_no: 0,
        line: "",
        tasks: 0,
        too_deep: false,
    };
    let mut top = GroupSpec::new("main", 0);
    let mut cancel_at = None;
    let mut cancel_cause = None;
    let mut shutdown: Option<(Shutdown, Token<'_>)> = None;
    let mut values: Vec<(String, String)> = Vec::new();
    let mut expects: Vec<(Expect, Token<'_>)> = Vec::new();
    let mut settings_seen: HashMap<&'static str, usize> = HashMap::new();
    // Open blocks: nested groups, and the blocks of tasks and goroutines (their `go` lines).
    let mut open: Vec<Open> = Vec::new();
    let mut top_names: FnvMap<String, usize> = FnvMap::default();

    // One list of tokens for every line, cleared for each.
    let mut line_buf: Vec<Token<'_>> = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        p.line_no = idx + 1;
        p.line = line;
        if p.tokenize(&mut line_buf).is_err() {
            continue;
        }
        let tokens = line_buf.as_slice();
        let Some(first) = tokens.first() else {
            continue;
        };
        // `group g { task a 1s }`: a block's lines go below it.
        if let Some(brace) = tokens
            .iter()
            .rev()
            .skip(1)
            .find(|t| t.text == "{" && !t.quoted)
        {
            p.at(
                brace,
                "a block's lines go below the line that opens it",
                "end this line with {, write each line of the block below it, and } on a line of its own",
            );
            continue;
        }
        let kw = first.text.as_ref();
        match kw {
            "timeout" | "limit" | "on-error" | "wait" | "cancel" | "value" | "shutdown" => {
                if let Some(o) = open.last() {
                    match &o.block {
                        Block::Group(g) => {
                            let name = g.name.clone();
                            p.at(
                                first,
                                format!("`{kw}` cannot be set inside group {name}"),
                                format!("set it on the group line: group {name} {kw}=…"),
                            );
                        }
                        Block::Task(t, _) => {
                            let name = t.name.clone();
                            p.at(
                                first,
                                format!("`{kw}` cannot be set inside task {name}"),
                                "a task's block holds go lines; settings go at the top",
                            );
                        }
                    }
                    continue;
                }
                let key: &'static str = match kw {
                    "timeout" => "timeout",
                    "limit" => "limit",
                    "on-error" => "on-error",
                    "wait" => "wait",
                    "cancel" => "cancel",
                    "shutdown" => "shutdown",
                    _ => "value",
                };
                if key != "value" {
                    if let Some(prev) = settings_seen.get(key) {
                        let prev = *prev;
                        p.at(
                            first,
                            format!("`{key}` is already set on line {prev}"),
                            "keep one of the two lines",
                        );
                        continue;
                    }
                }
                let Some(arg) = tokens.get(1) else {
                    let example = match key {
                        "timeout" => "timeout 7s",
                        "limit" => "limit 2",
                        "on-error" => "on-error cancel",
                        "wait" => "wait all",
                        "cancel" => "cancel 3s",
                        "shutdown" => "shutdown 5s grace=1s",
                        _ => "value trace=12512312234",
                    };
                    p.error(
                        first.end_col,
                        first.end_col + 1,
                        format!("`{key}` needs a value"),
                        format!("for example: {example}"),
                    );
                    continue;
                };
                // `shutdown AT grace=G`: the grace is required.
                let mut grace = None;
                if key == "shutdown" {
                    let ok = options(&mut p, &tokens[2..], "`shutdown`", &["grace"], |p, _, v| {
                        duration(p, v, true).map(|d| grace = Some(d))
                    });
                    if !ok {
                        continue;
                    }
                    if grace.is_none() {
                        p.error(
                            arg.end_col,
                            arg.end_col + 1,
                            "shutdown needs grace=",
                            format!("for example: shutdown {} grace=1s", arg.text),
                        );
                        continue;
                    }
                }
                // `timeout` and `cancel` take a cause: `timeout 7s cause="SLA of 7 s"`.
                let mut cause = None;
                if let (Some(extra), false) = (tokens.get(2), key == "shutdown") {
                    if !matches!(key, "timeout" | "cancel") {
                        p.at(
                            extra,
                            format!("unexpected \"{}\" after `{key} {}`", extra.text, arg.text),
                            "one value per line; start a comment with #",
                        );
                        continue;
                    }
                    if !extra.text.contains('=') {
                        p.at(
                            extra,
                            format!("unexpected \"{}\" after `{key} {}`", extra.text, arg.text),
                            format!(
                                "give a cause as cause={}; start a comment with #",
                                crate::golang::quoted(&extra.text)
                            ),
                        );
                        continue;
                    }
                    let what = format!("`{key}`");
                    if !options(&mut p, &tokens[2..], &what, &["cause"], |p, _, vtok| {
                        cause_text(p, vtok).map(|c| cause = Some(c))
                    }) {
                        continue;
                    }
                }
                let ok = match key {
                    "timeout" => duration(&mut p, arg, false).map(|d| {
                        top.timeout = Some(d);
                        top.timeout_cause = cause;
                    }),
                    "limit" => count(&mut p, arg).map(|n| top.limit = Some(n)),
                    "on-error" => on_error(&mut p, arg).map(|o| top.on_error = o),
                    "wait" => wait_mode(&mut p, arg).map(|w| top.wait = w),
                    "cancel" => duration(&mut p, arg, true).map(|d| {
                        cancel_at = Some(d);
                        cancel_cause = cause;
                    }),
                    "shutdown" => duration(&mut p, arg, false).map(|at| {
                        shutdown = Some((
                            Shutdown {
                                at,
                                grace: grace.unwrap_or_default(),
                                line: p.line_no,
                            },
                            first.clone(),
                        ));
                    }),
                    _ => match arg.text.split_once('=') {
                        Some((k, v)) if !k.is_empty() => {
                            values.push((k.to_string(), v.to_string()));
                            Ok(())
                        }
                        _ => {
                            p.at(
                                arg,
                                format!("\"{}\" is not key=value", arg.text),
                                "for example: value trace=12512312234",
                            );
                            Err(())
                        }
                    },
                };
                if ok.is_ok() {
                    settings_seen.insert(key, p.line_no);
                }
            }
            "task" | "go" => {
                let go = kw == "go";
                let opens =
                    tokens.len() > 1 && tokens.last().is_some_and(|t| t.text == "{" && !t.quoted);
                let line_tokens = if opens {
                    &tokens[..tokens.len() - 1]
                } else {
                    tokens
                };
                let in_task = matches!(
                    open.last(),
                    Some(Open {
                        block: Block::Task(..),
                        ..
                    })
                );
                let placeholder =
                    |p: &Parser<'_>| Block::Task(TaskSpec::placeholder(p.line_no), go);
                if go && !in_task {
                    p.at(
                        first,
                        "`go` starts a goroutine of a task: it goes inside a task's block",
                        "put it in a block: task NAME 5s { go NAME 1s }",
                    );
                    if opens {
                        open.push(Open::new(placeholder(&p), first.col, p.line_no));
                    }
                    continue;
                }
                if !go && in_task {
                    let name = tokens
                        .get(1)
                        .map_or("NAME", |t| t.text.as_ref())
                        .to_string();
                    p.at(
                        first,
                        "a task's block holds go lines only",
                        format!("start a goroutine with: go {name} …, or put the tasks in a group"),
                    );
                    if opens {
                        open.push(Open::new(placeholder(&p), first.col, p.line_no));
                    }
                    continue;
                }
                if opens && open.len() >= MAX_DEPTH && !std::mem::replace(&mut p.too_deep, true) {
                    p.at(
                        first,
                        format!(
                            "blocks nested deeper than {MAX_DEPTH} (groups, task and go blocks)"
                        ),
                        "flatten some blocks",
                    );
                }
                let names = match open.last_mut() {
                    Some(o) => &mut o.names,
                    None => &mut top_names,
                };
                let Ok(task) = task_line(&mut p, line_tokens, names, go) else {
                    if opens {
                        open.push(Open::new(placeholder(&p), first.col, p.line_no));
                    }
                    continue;
                };
                p.tasks += 1;
                if p.tasks > MAX_TASKS {
                    if p.tasks == MAX_TASKS + 1 {
                        p.at(
                            first,
                            format!("more than {MAX_TASKS} tasks"),
                            "a scenario holds at most 10000 tasks, groups and goroutines",
                        );
                    }
                    if opens {
                        open.push(Open::new(placeholder(&p), first.col, p.line_no));
                    }
                    continue;
                }
                if opens {
                    open.push(Open::new(Block::Task(task, go), first.col, p.line_no));
                } else {
                    add_to(&mut open, &mut top, Block::Task(task, go));
                }
            }
            "group" => {
                if open.len() >= MAX_DEPTH && !std::mem::replace(&mut p.too_deep, true) {
                    p.at(
                        first,
                        format!("groups nested deeper than {MAX_DEPTH}"),
                        "flatten some groups",
                    );
                    // Still track it so its closing brace matches.
                }
                if let Some(Open {
                    block: Block::Task(t, _),
                    ..
                }) = open.last()
                {
                    let name = t.name.clone();
                    p.at(
                        first,
                        "a task's block holds go lines only",
                        format!(
                            "put the group after the }} of task {name}, or make {name} a group"
                        ),
                    );
                    if tokens.last().is_some_and(|t| t.text == "{" && !t.quoted) {
                        let placeholder = GroupSpec::new("?", p.line_no);
                        open.push(Open::new(Block::Group(placeholder), first.col, p.line_no));
                    }
                    continue;
                }
                let names = match open.last_mut() {
                    Some(o) => &mut o.names,
                    None => &mut top_names,
                };
                match group_line(&mut p, tokens, names) {
                    Ok(g) => {
                        p.tasks += 1;
                        open.push(Open::new(Block::Group(g), first.col, p.line_no));
                    }
                    Err(()) => {
                        // Keep brace matching sane: an erroneous group still opens a block.
                        if tokens.last().is_some_and(|t| t.text == "{" && !t.quoted) {
                            let placeholder = GroupSpec::new("?", p.line_no);
                            open.push(Open::new(Block::Group(placeholder), first.col, p.line_no));
                        }
                    }
                }
            }
            "}" => {
                if let Some(extra) = tokens.get(1) {
                    p.at(
                        extra,
                        format!("unexpected \"{}\" after }}", extra.text),
                        "put } on a line of its own",
                    );
                }
                match open.pop() {
                    Some(o) => {
                        if open.len() >= MAX_DEPTH {
                            continue;
                        }
                        add_to(&mut open, &mut top, o.block);
                    }
                    None => p.at(
                        first,
                        "no block to close here",
                        "remove this } or open a group with: group NAME {",
                    ),
                }
            }
            "after-cancel" => {
                let names = match open.last_mut() {
                    Some(o) => &mut o.names,
                    None => &mut top_names,
                };
                let Ok(spec) = after_cancel_line(&mut p, tokens, names) else {
                    continue;
                };
                p.tasks += 1;
                if p.tasks > MAX_TASKS {
                    if p.tasks == MAX_TASKS + 1 {
                        p.at(
                            first,
                            format!("more than {MAX_TASKS} tasks"),
                            "a scenario holds at most 10000 tasks, groups and goroutines",
                        );
                    }
                    continue;
                }
                match open.last_mut().map(|o| &mut o.block) {
                    Some(Block::Task(t, _)) => t.after_cancel.push(spec),
                    Some(Block::Group(g)) => g.after_cancel.push(spec),
                    None => top.after_cancel.push(spec),
                }
            }
            "expect" => {
                if let Ok(e) = expect_line(&mut p, tokens) {
                    expects.push((e, tokens.get(1).cloned().unwrap_or_else(|| first.clone())));
                }
            }
            _ => {
                const KEYWORDS: &[&str] = &[
                    "timeout",
                    "limit",
                    "on-error",
                    "wait",
                    "cancel",
                    "value",
                    "task",
                    "group",
                    "expect",
                    "go",
                    "after-cancel",
                    "shutdown",
                ];
                let suggestion = suggest(kw, KEYWORDS);
                let hint = match suggestion {
                    // Go's WithDeadline at a time from the start is a timeout here.
                    _ if kw == "deadline" => "a deadline at 5s from the start is written `timeout 5s` (Go's WithDeadline and WithTimeout alike)".into(),
                    // `timeout=2s` on a line of its own: the option's form, not the line's.
                    _ if kw.split_once('=').is_some_and(|(k, _)| KEYWORDS.contains(&k)) => {
                        let (k, v) = kw.split_once('=').unwrap_or_default();
                        format!("write `{k} {v}`: key=value is for a task's or a group's options")
                    }
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a line starts with task, group, go, after-cancel, timeout, limit, on-error, wait, cancel, value or expect".into(),
                };
                p.at(first, format!("unknown keyword \"{kw}\""), hint);
            }
        }
    }
    for o in open.iter().rev() {
        p.line_no = o.line;
        p.line = text.lines().nth(o.line.saturating_sub(1)).unwrap_or("");
        let (what, inside) = match &o.block {
            Block::Group(g) => (format!("group {}", g.name), "its tasks"),
            Block::Task(t, false) => (format!("task {}", t.name), "its go lines"),
            Block::Task(t, true) => (format!("goroutine {}", t.name), "its go lines"),
        };
        p.error(
            o.col,
            o.col + 5,
            format!("{what} is never closed"),
            format!("add a line with }} after {inside}"),
        );
    }
    if let (Some((s, tok)), WaitMode::Cancel) = (&shutdown, top.wait) {
        p.line_no = s.line;
        p.line = text.lines().nth(s.line - 1).unwrap_or("");
        let wait_line = settings_seen.get("wait").copied().unwrap_or(0);
        p.at(
            tok,
            "shutdown waits in its own way: it does not go with wait cancel",
            format!("remove `wait cancel` (line {wait_line}) or the shutdown"),
        );
    }
    if p.errors.is_empty() {
        let scenario = Scenario {
            group: top,
            cancel_at,
            cancel_cause,
            shutdown: shutdown.map(|(s, _)| s),
            values,
            expects: Vec::new(),
        };
        let mut checked = Vec::new();
        for (e, tok) in expects {
            if let ExpectWhat::Task { task, .. } = &e.what {
                if let Err(msg) = resolve(&scenario.group, task) {
                    p.line_no = e.line;
                    p.line = text.lines().nth(e.line - 1).unwrap_or("");
                    p.at(
                        &tok,
                        msg,
                        "name a task of the scenario, or its path like batch/b1",
                    );
                    continue;
                }
            }
            checked.push(e);
        }
        if p.errors.is_empty() {
            return Ok(Scenario {
                expects: checked,
                ..scenario
            });
        }
    }
    p.errors.sort_by_key(|e| (e.line, e.col));
    Err(ParseErrors(p.errors))
}

/// Finds the path of a task named by path or by a unique bare name.
pub(crate) fn resolve(group: &GroupSpec, name: &str) -> Result<String, String> {
    let mut paths = Vec::new();
    group.walk(&mut |_, path, _| paths.push(path.to_string()));
    if paths.iter().any(|p| p == name) {
        return Ok(name.to_string());
    }
    let matching: Vec<&String> = paths
        .iter()
        .filter(|p| p.rsplit('/').next() == Some(name))
        .collect();
    match matching.len() {
        1 => Ok(matching[0].clone()),
        0 => Err(format!("no task named \"{name}\"")),
        _ => Err(format!(
            "\"{name}\" names {} tasks: {}",
            matching.len(),
            matching
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn check_name(
    p: &mut Parser<'_>,
    tok: &Token<'_>,
    names: &mut FnvMap<String, usize>,
    what: &str,
) -> Res<()> {
    let name = tok.text.as_ref();
    if tok.quoted
        || name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        p.at(
            tok,
            format!("\"{name}\" is not a valid {what} name"),
            "use letters, digits, _ - and . only",
        );
        return Err(());
    }
    if name.chars().count() > 64 {
        p.at(
            tok,
            format!("the {what} name is longer than 64 characters"),
            "use a shorter name",
        );
        return Err(());
    }
    if matches!(name, "returned" | "never-returns") {
        p.at(
            tok,
            format!("\"{name}\" is reserved"),
            "choose another name",
        );
        return Err(());
    }
    if let Some(prev) = names.get(name) {
        let prev = *prev;
        p.at(
            tok,
            format!("duplicate name \"{name}\" (first used on line {prev})"),
            "give every task of a group its own name",
        );
        return Err(());
    }
    names.insert(name.to_string(), p.line_no);
    Ok(())
}

/// A `task` line, or with `go` a `go` line (a goroutine: no `after=`, no `try`).
fn task_line(
    p: &mut Parser<'_>,
    tokens: &[Token<'_>],
    names: &mut FnvMap<String, usize>,
    go: bool,
) -> Res<TaskSpec> {
    let kw = &tokens[0];
    let (what, kw_text) = if go {
        ("a goroutine", "go")
    } else {
        ("a task", "task")
    };
    let Some(name_tok) = tokens.get(1) else {
        p.error(
            kw.end_col,
            kw.end_col + 1,
            format!("{what} needs a name and a duration"),
            format!("for example: {kw_text} t1 5s"),
        );
        return Err(());
    };
    if name_tok.text.contains('=') {
        p.at(
            name_tok,
            format!("{what} needs a name before its options"),
            format!("for example: {kw_text} t1 5s check=never"),
        );
        return Err(());
    }
    // `task 5s`, `task 5s check=never`: the name was left out, and the duration taken for it.
    let no_length = tokens.get(2).map_or(true, |t| t.text.contains('='));
    if no_length && !name_tok.quoted && duration_like(&name_tok.text) {
        p.at(
            name_tok,
            format!(
                "{what} needs a name: \"{}\" reads as its duration",
                name_tok.text
            ),
            format!("for example: {kw_text} t1 {}", name_tok.text),
        );
        return Err(());
    }
    let name_ok = check_name(p, name_tok, names, if go { "goroutine" } else { "task" });
    let Some(len_tok) = tokens.get(2) else {
        p.error(
            name_tok.end_col,
            name_tok.end_col + 1,
            format!("{kw_text} {} needs a duration", name_tok.text),
            format!("for example: {kw_text} t1 5s, or forever"),
        );
        return Err(());
    };
    let length = if len_tok.text == "forever" {
        Ok(Length::Forever)
    } else if len_tok.text.contains('=') {
        p.at(
            len_tok,
            format!(
                "{kw_text} {} needs a duration before its options",
                name_tok.text
            ),
            format!(
                "for example: {kw_text} {} 5s {}",
                name_tok.text, len_tok.text
            ),
        );
        Err(())
    } else {
        duration(p, len_tok, false).map(Length::For)
    };
    let mut task = TaskSpec {
        name: name_tok.text.to_string(),
        length: length.unwrap_or(Length::Forever),
        check: Check::Await,
        fail: None,
        timeout: None,
        timeout_cause: None,
        after: Duration::ZERO,
        try_spawn: false,
        without_cancel: false,
        go: Vec::new(),
        after_cancel: Vec::new(),
        line: p.line_no,
    };
    let mut without_cancel_tok = None;
    // `try` is a flag, not key=value: take it out before the options.
    let mut rest: Vec<Token<'_>> = Vec::new();
    for tok in &tokens[3..] {
        if tok.text == "try" && !tok.quoted {
            if go {
                p.at(
                    tok,
                    "a goroutine starts with its task: `go` takes no try",
                    "use try on a task line (g.TryGo)",
                );
                return Err(());
            }
            if task.try_spawn {
                p.at(tok, "`try` is given twice", "keep one");
                return Err(());
            }
            task.try_spawn = true;
        } else if tok.text == "without-cancel" && !tok.quoted {
            if go {
                p.at(
                    tok,
                    "a goroutine runs on its task's context: `go` takes no without-cancel",
                    "put without-cancel on the task line",
                );
                return Err(());
            }
            if task.without_cancel {
                p.at(tok, "`without-cancel` is given twice", "keep one");
                return Err(());
            }
            task.without_cancel = true;
            without_cancel_tok = Some(tok.clone());
        } else {
            rest.push(tok.clone());
        }
    }
    let mut ok = name_ok.is_ok() && length.is_ok();
    let mut check_tok = None;
    let mut cause_tok = None;
    let fail_tok = rest.iter().find(|t| t.text.starts_with("fail="));
    if go {
        if let Some(tok) = rest.iter().find(|t| t.text.starts_with("after=")) {
            p.at(
                tok,
                "a goroutine starts with its task: `go` takes no after=",
                "remove after=, or make it a task of the group",
            );
            return Err(());
        }
        if let Some(tok) = rest
            .iter()
            .find(|t| t.text.starts_with("timeout=") || t.text.starts_with("cause="))
        {
            p.at(
                tok,
                "a goroutine runs on its task's context: `go` takes no timeout= or cause=",
                "give the task the deadline, or make the goroutine a task of a group",
            );
            return Err(());
        }
    }
    ok &= options(
        p,
        &rest,
        what,
        &["check", "fail", "timeout", "cause", "after"],
        |p, key, vtok| match key {
            "cause" => {
                cause_tok = Some(vtok.clone());
                cause_text(p, vtok).map(|c| task.timeout_cause = Some(c))
            }
            "check" => {
                check_tok = Some(vtok.clone());
                check_mode(p, vtok).map(|c| task.check = c)
            }
            "fail" if vtok.text.is_empty() => {
                p.at(
                    vtok,
                    "fail= needs an error text",
                    "for example: fail=\"HTTP 502\"",
                );
                Err(())
            }
            "fail" => {
                task.fail = Some(text_value(p, key, vtok)?);
                Ok(())
            }
            "timeout" => duration(p, vtok, false).map(|d| task.timeout = Some(d)),
            _ => duration(p, vtok, true).map(|d| task.after = d),
        },
    );
    ok &= cause_needs_timeout(p, cause_tok.as_ref(), task.timeout.is_some(), || {
        (
            format!("{kw_text} {}", task.name),
            format!("{kw_text} {} {}", task.name, tokens[2].text),
        )
    });
    if let (Some(wtok), Some(_)) = (&without_cancel_tok, task.timeout) {
        p.at(
            wtok,
            "without-cancel with timeout= is not supported",
            "context.WithoutCancel drops every deadline above it; give this task either one",
        );
        ok = false;
    }
    if let (Some(ftok), Ok(Length::Forever)) = (fail_tok, length) {
        // Its error would come when its time is up, which never comes.
        p.at(
            ftok,
            format!("{kw_text} {} runs forever, so it never fails", task.name),
            format!(
                "give it a length: {kw_text} {} 5s fail={}",
                task.name,
                crate::golang::quoted(task.fail.as_deref().unwrap_or_default())
            ),
        );
        ok = false;
    }
    if let (Check::Every(step), Length::For(d), Some(ctok)) = (task.check, task.length, &check_tok)
    {
        if step > d {
            p.at(
                ctok,
                format!(
                    "check=every:{} is longer than the task ({})",
                    crate::fmt_duration(step),
                    crate::fmt_duration(d)
                ),
                "use a step no longer than the task, or check=await",
            );
            ok = false;
        } else if d.as_nanos() / step.as_nanos() > MAX_STEPS as u128 {
            p.at(
                ctok,
                format!(
                    "check=every:{} makes more than {MAX_STEPS} steps",
                    crate::fmt_duration(step)
                ),
                "use a longer step",
            );
            ok = false;
        }
    }
    if ok {
        Ok(task)
    } else {
        Err(())
    }
}

/// `after-cancel NAME DURATION`.
fn after_cancel_line(
    p: &mut Parser<'_>,
    tokens: &[Token<'_>],
    names: &mut FnvMap<String, usize>,
) -> Res<AfterCancelSpec> {
    let kw = &tokens[0];
    let (Some(name_tok), Some(len_tok)) = (tokens.get(1), tokens.get(2)) else {
        let at = tokens.last().map_or(kw.end_col, |t| t.end_col);
        p.error(
            at,
            at + 1,
            "after-cancel needs a name and a duration",
            "for example: after-cancel cleanup 500ms",
        );
        return Err(());
    };
    if let Some(extra) = tokens.get(3) {
        p.at(
            extra,
            format!("unexpected \"{}\"", extra.text),
            "after-cancel takes a name and a duration only (context.AfterFunc's function)",
        );
        return Err(());
    }
    let name_ok = check_name(p, name_tok, names, "after-cancel");
    let length = if len_tok.text == "forever" {
        Ok(Length::Forever)
    } else {
        duration(p, len_tok, false).map(Length::For)
    };
    name_ok?;
    Ok(AfterCancelSpec {
        name: name_tok.text.to_string(),
        length: length?,
        line: p.line_no,
    })
}

fn group_line(
    p: &mut Parser<'_>,
    tokens: &[Token<'_>],
    names: &mut FnvMap<String, usize>,
) -> Res<GroupSpec> {
    let kw = &tokens[0];
    let Some(name_tok) = tokens.get(1).filter(|t| t.text != "{" || t.quoted) else {
        p.error(
            kw.end_col,
            kw.end_col + 1,
            "a group needs a name",
            "for example: group batch timeout=3s {",
        );
        return Err(());
    };
    let mut ok = check_name(p, name_tok, names, "group").is_ok();
    let mut g = GroupSpec::new(name_tok.text.to_string(), p.line_no);
    let last = tokens.last().unwrap();
    let opens = last.text == "{" && !last.quoted && tokens.len() > 2;
    if !opens {
        p.error(
            last.end_col,
            last.end_col + 1,
            format!("group {} must open a block with {{", name_tok.text),
            format!("end the line with {{: group {} … {{", name_tok.text),
        );
        return Err(());
    }
    let keys = ["timeout", "cause", "limit", "on-error", "wait", "after"];
    let mut cause_tok = None;
    ok &= options(
        p,
        &tokens[2..tokens.len() - 1],
        "a group",
        &keys,
        |p, key, vtok| match key {
            "cause" => {
                cause_tok = Some(vtok.clone());
                cause_text(p, vtok).map(|c| g.timeout_cause = Some(c))
            }
            "timeout" => duration(p, vtok, false).map(|d| g.timeout = Some(d)),
            "limit" => count(p, vtok).map(|n| g.limit = Some(n)),
            "on-error" => on_error(p, vtok).map(|o| g.on_error = o),
            "wait" => wait_mode(p, vtok).map(|w| g.wait = w),
            _ => duration(p, vtok, true).map(|d| g.after = d),
        },
    );
    ok &= cause_needs_timeout(p, cause_tok.as_ref(), g.timeout.is_some(), || {
        (format!("group {}", g.name), format!("group {}", g.name))
    });
    if ok {
        Ok(g)
    } else {
        Err(())
    }
}

fn expect_line(p: &mut Parser<'_>, tokens: &[Token<'_>]) -> Res<Expect> {
    let kw = &tokens[0];
    let usage = "for example: expect t1 completed at 5s, or expect returned at 7s \"context deadline exceeded\"";
    let Some(target) = tokens.get(1) else {
        p.error(
            kw.end_col,
            kw.end_col + 1,
            "expect needs a task or `returned`",
            usage,
        );
        return Err(());
    };
    let mut rest = &tokens[2..];
    let what = match target.text.as_ref() {
        "returned" if rest.first().is_some_and(|t| t.text == "never") => {
            rest = &rest[1..];
            ExpectWhat::NeverReturns
        }
        "never-returns" => ExpectWhat::NeverReturns,
        "returned" => ExpectWhat::Returned,
        name => {
            let Some(outcome) = rest.first() else {
                p.error(
                    target.end_col,
                    target.end_col + 1,
                    format!("expect {name} needs an outcome"),
                    "completed, failed, cancelled, skipped or running",
                );
                return Err(());
            };
            let outcomes = ["completed", "failed", "cancelled", "skipped", "running"];
            // Go spells it "canceled" (context.Canceled): both are read.
            let said = match outcome.text.as_ref() {
                "canceled" => "cancelled",
                said => said,
            };
            if !outcomes.contains(&said) {
                let hint = match suggest(&outcome.text, &outcomes) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "use completed, failed, cancelled, skipped or running".into(),
                };
                p.at(
                    outcome,
                    format!("unknown outcome \"{}\"", outcome.text),
                    hint,
                );
                return Err(());
            }
            rest = &rest[1..];
            ExpectWhat::Task {
                task: name.to_string(),
                outcome: said.to_string(),
            }
        }
    };
    let mut e = Expect {
        what,
        at: None,
        error: None,
        cause: None,
        leaked: false,
        line: p.line_no,
    };
    let mut i = 0;
    while i < rest.len() {
        let tok = &rest[i];
        if tok.text == "at" && !tok.quoted {
            let Some(d) = rest.get(i + 1) else {
                p.error(
                    tok.end_col,
                    tok.end_col + 1,
                    "`at` needs a time",
                    "for example: at 7s",
                );
                return Err(());
            };
            e.at = Some(duration(p, d, true)?);
            i += 2;
        } else if let Some(("cause", _)) = tok.text.split_once('=') {
            if !matches!(e.what, ExpectWhat::Task { .. }) {
                p.at(
                    tok,
                    "cause= is about a task",
                    "for example: expect api cancelled cause=\"API too slow\"",
                );
                return Err(());
            }
            e.cause = Some(cause_text(p, &value_token(tok, "cause"))?);
            i += 1;
        } else if tok.quoted {
            e.error = Some(Some(tok.text.to_string()));
            i += 1;
        } else if matches!(tok.text.as_ref(), "ok" | "nil") {
            e.error = Some(None);
            i += 1;
        } else if tok.text == "leaked" && matches!(e.what, ExpectWhat::Task { .. }) {
            e.leaked = true;
            i += 1;
        } else {
            p.at(
                tok,
                format!("unexpected \"{}\"", tok.text),
                "after the outcome: at TIME, then an error in quotes or ok, then cause=\"…\", then leaked",
            );
            return Err(());
        }
    }
    Ok(e)
}

/// Reads `key=value` options: every key one of `keys`, each at most once; `apply` checks and
/// stores a value (given as a token of its own, with its own columns). Returns whether all were good.
fn options<'a>(
    p: &mut Parser<'_>,
    tokens: &[Token<'a>],
    what: &str,
    keys: &[&str],
    mut apply: impl FnMut(&mut Parser<'_>, &str, &Token<'a>) -> Res<()>,
) -> bool {
    let list = || key_list(keys);
    let mut ok = true;
    let mut seen: Vec<&str> = Vec::new();
    let mut before: Option<&Token<'a>> = None;
    for tok in tokens {
        let previous = before.replace(tok);
        let Some((key, _)) = tok.text.split_once('=') else {
            let hint = bare_word_hint(tok, previous, what, keys);
            p.at(tok, format!("unexpected \"{}\"", tok.text), hint);
            ok = false;
            continue;
        };
        if !keys.contains(&key) {
            let hint = match suggest(key, keys) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("{what} takes {}", list()),
            };
            p.error(
                tok.col,
                tok.col + key.chars().count(),
                format!("unknown option \"{key}\""),
                hint,
            );
            ok = false;
        } else if seen.contains(&key) {
            p.at(tok, format!("`{key}` is given twice"), "keep one");
            ok = false;
        } else {
            seen.push(key);
            ok &= apply(p, key, &value_token(tok, key)).is_ok();
        }
    }
    ok
}

/// The value part of a `key=value` token, with its own columns.
fn value_token<'a>(tok: &Token<'a>, key: &str) -> Token<'a> {
    let offset = key.chars().count() + 1;
    // The value of a borrowed token borrows the line too.
    let value = match &tok.text {
        Cow::Borrowed(text) => Cow::Borrowed(text.split_once('=').map_or("", |(_, v)| v)),
        Cow::Owned(text) => Cow::Owned(text.split_once('=').map_or("", |(_, v)| v).to_string()),
    };
    Token {
        text: value,
        col: tok.col + offset,
        end_col: tok.end_col,
        quoted: tok.quoted,
    }
}

/// The text of a `cause=` option: not empty.
fn cause_text(p: &mut Parser<'_>, vtok: &Token<'_>) -> Res<String> {
    if vtok.text.is_empty() {
        p.at(
            vtok,
            "cause= needs a text",
            "for example: cause=\"SLA of 7 s\"",
        );
        return Err(());
    }
    text_value(p, "cause", vtok)
}

/// The keys as a hint says them (`check=, fail=`): written only for an error.
fn key_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("{k}="))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The hint for a word among a line's options that is not `key=value`: a task's flag
/// misspelt, a flag on a line that takes none, or the rest of a value with a space left
/// unquoted (`fail=HTTP 502`). Not generic, unlike [`options`]: written once.
fn bare_word_hint(
    tok: &Token<'_>,
    previous: Option<&Token<'_>>,
    what: &str,
    keys: &[&str],
) -> String {
    let list = || key_list(keys);
    let unquoted = previous
        .filter(|prev| !prev.quoted)
        .and_then(|prev| prev.text.split_once('='))
        .filter(|(k, v)| keys.contains(k) && !v.is_empty());
    if let Some(("check", "every")) = unquoted {
        return format!("write check=every:{}", tok.text);
    }
    if let Some((k, v)) = unquoted {
        // Less the single quotes of `fail='HTTP 502'`.
        let v = v.strip_prefix('\'').unwrap_or(v);
        let rest = tok.text.strip_suffix('\'').unwrap_or(&tok.text);
        return format!("quote a value with spaces: {k}=\"{v} {rest}\"");
    }
    match suggest(&tok.text, &["try", "without-cancel"]) {
        // A task's flags: `try` and `without-cancel`.
        Some(flag) if what == "a task" => format!("did you mean `{flag}`?"),
        _ if tok.text == "try" || tok.text == "without-cancel" => {
            format!("only a task takes {}; {what} takes {}", tok.text, list())
        }
        _ => format!("options are key=value: {}", list()),
    }
}

/// An option's text, refusing `'…'`: single quotes would be part of the text (Go's strings,
/// and this language's, are in double quotes).
fn text_value(p: &mut Parser<'_>, key: &str, vtok: &Token<'_>) -> Res<String> {
    let text = &vtok.text;
    let b = text.as_bytes();
    if !vtok.quoted && b.len() >= 2 && b[0] == b'\'' && b[b.len() - 1] == b'\'' {
        p.at(
            vtok,
            format!("{key}= in single quotes: they would be part of its text"),
            format!(
                "write double quotes: {key}=\"{}\"",
                &text[1..text.len() - 1]
            ),
        );
        return Err(());
    }
    Ok(text.to_string())
}

/// A `cause=` option is the cause of a `timeout=`: an error without one. `describe` says what
/// the line is and how it begins, for the message and the hint (written only for an error).
/// Returns whether all is well.
fn cause_needs_timeout(
    p: &mut Parser<'_>,
    cause_tok: Option<&Token<'_>>,
    has_timeout: bool,
    describe: impl FnOnce() -> (String, String),
) -> bool {
    let Some(ctok) = cause_tok else { return true };
    if has_timeout {
        return true;
    }
    let (what, start) = describe();
    // The whole `cause=…` option: its value's token starts after `cause=`.
    p.error(
        ctok.col - "cause=".len(),
        ctok.end_col,
        format!("cause= gives the cause of a timeout, and {what} has none"),
        format!(
            "add timeout=…, as in: {start} timeout=2s cause={}",
            crate::golang::quoted(&ctok.text)
        ),
    );
    false
}

fn count(p: &mut Parser<'_>, tok: &Token<'_>) -> Res<usize> {
    match tok.text.parse::<usize>() {
        Ok(0) => {
            p.at(
                tok,
                "a limit of 0 would never run anything",
                "use 1 or more",
            );
            Err(())
        }
        Ok(n) if n <= MAX_TASKS => Ok(n),
        Ok(_) => {
            p.at(
                tok,
                format!("a limit above {MAX_TASKS} means no limit"),
                "leave the limit out",
            );
            Err(())
        }
        Err(_) if !tok.text.is_empty() && tok.text.bytes().all(|b| b.is_ascii_digit()) => {
            p.at(
                tok,
                format!("a limit above {MAX_TASKS} means no limit"),
                "leave the limit out",
            );
            Err(())
        }
        Err(_)
            if tok
                .text
                .strip_prefix('-')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            p.at(tok, "a limit cannot be negative", "use 1 or more");
            Err(())
        }
        Err(_) => {
            p.at(
                tok,
                format!("\"{}\" is not a whole number", tok.text),
                "for example: limit 2",
            );
            Err(())
        }
    }
}

/// One word of a fixed set, or an error naming the choices.
fn one_of<T: Copy>(
    p: &mut Parser<'_>,
    tok: &Token<'_>,
    what: &str,
    choices: &[(&str, T)],
    hint: &str,
) -> Res<T> {
    match choices.iter().find(|(word, _)| *word == tok.text) {
        Some((_, value)) => Ok(*value),
        None => {
            let words: Vec<&str> = choices.iter().map(|(w, _)| *w).collect();
            let hint = match suggest(&tok.text, &words) {
                Some(s) => format!("did you mean `{s}`? ({hint})"),
                None => hint.to_string(),
            };
            p.at(tok, format!("unknown {what} \"{}\"", tok.text), hint);
            Err(())
        }
    }
}

fn on_error(p: &mut Parser<'_>, tok: &Token<'_>) -> Res<OnError> {
    let choices = [
        ("cancel", OnError::Cancel),
        ("continue", OnError::Continue),
        ("collect", OnError::Collect),
    ];
    one_of(
        p,
        tok,
        "on-error",
        &choices,
        "use cancel (errgroup.WithContext), continue (plain errgroup.Group) or collect (every error, joined)",
    )
}

fn wait_mode(p: &mut Parser<'_>, tok: &Token<'_>) -> Res<WaitMode> {
    let choices = [("all", WaitMode::All), ("cancel", WaitMode::Cancel)];
    one_of(
        p,
        tok,
        "wait",
        &choices,
        "use all (g.Wait()) or cancel (stop waiting once the caller's context is done)",
    )
}

fn check_mode(p: &mut Parser<'_>, tok: &Token<'_>) -> Res<Check> {
    match tok.text.as_ref() {
        "never" => Ok(Check::Never),
        "start" => Ok(Check::Start),
        "await" => Ok(Check::Await),
        s if s.starts_with("every:") => {
            let step = Token {
                text: s["every:".len()..].to_string().into(),
                col: tok.col + 6,
                end_col: tok.end_col,
                quoted: false,
            };
            duration(p, &step, false).map(Check::Every)
        }
        "every" => {
            p.at(
                tok,
                "check=every needs a step",
                "for example: check=every:1s",
            );
            Err(())
        }
        other => {
            let hint = match suggest(other, &["never", "start", "await", "every"]) {
                Some(s) => format!("did you mean `{s}`? (never, start, every:STEP or await)"),
                None => "use never, start, every:STEP (like every:1s) or await".into(),
            };
            p.at(tok, format!("unknown check \"{other}\""), hint);
            Err(())
        }
    }
}

/// Parses `250ms`, `5s`, `1.5s`, `2m`, `1h30m`. `zero_ok` allows `0s` (for `after=` and `cancel`).
/// Whether a word reads as a task's length (`5s`, `1.5s`, `forever`) rather than a name.
fn duration_like(text: &str) -> bool {
    let b = text.as_bytes();
    let first = b.get(usize::from(b.first() == Some(&b'+')));
    text == "forever"
        || (first.is_some_and(|c| c.is_ascii_digit() || *c == b'.')
            && b.last().is_some_and(u8::is_ascii_alphabetic))
}

fn duration(p: &mut Parser<'_>, tok: &Token<'_>, zero_ok: bool) -> Res<Duration> {
    let s = tok.text.as_ref();
    let example = "like 5s, 250ms, 1.5s or 1m30s";
    if s.is_empty() {
        p.at(
            tok,
            "missing duration",
            format!("write a duration {example}"),
        );
        return Err(());
    }
    if s == "forever" {
        p.at(
            tok,
            "only a task's length can be forever",
            format!("write a duration {example}"),
        );
        return Err(());
    }
    if let Some(rest) = s.strip_prefix('-') {
        p.at(
            tok,
            format!("negative duration \"{s}\""),
            format!("durations are positive: {rest}"),
        );
        return Err(());
    }
    // As Go's time.ParseDuration: an optional +, then one or more number-unit pairs, like
    // 1h30m, 1m30.5s or .5s; or a bare 0. Counted in nanoseconds, Go's unit; the playground's
    // times are whole milliseconds.
    let (mut rest, mut col) = match s.strip_prefix('+') {
        Some(rest) => (rest, tok.col + 1),
        None => (s, tok.col),
    };
    if rest == "0" {
        rest = "0s";
    }
    if rest.is_empty() {
        rest = "+"; // not a duration, below
    }
    let whole = rest.len();
    let mut ns = 0u128;
    let mut fine = false;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_end);
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            p.at(
                tok,
                format!("\"{s}\" is not a duration"),
                format!("write a duration {example}"),
            );
            return Err(());
        }
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let unit_col = col + num.chars().count();
        let scale_ns: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" if rest.len() == whole => {
                p.at(
                    tok,
                    format!("\"{s}\" has no unit"),
                    format!("write {s}s or {s}ms"),
                );
                return Err(());
            }
            "" => {
                p.at(
                    tok,
                    format!("\"{s}\" ends without a unit"),
                    format!("end it with its unit, as in {s}ms"),
                );
                return Err(());
            }
            other => {
                let message = format!("unknown unit \"{other}\" in \"{s}\"");
                // In a quoted token the columns of its text are not the line's: point at it all.
                if tok.quoted {
                    p.at(tok, message, "use ms, s, m or h");
                } else {
                    let end = unit_col + other.chars().count();
                    p.error(unit_col, end, message, "use ms, s, m or h");
                }
                return Err(());
            }
        };
        // Exact decimal arithmetic: "1.5s" is 1500 ms, "1.0005s" is finer than 1 ms.
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        let too_long = |p: &mut Parser<'_>| {
            p.at(
                tok,
                format!("{s} is longer than the {MAX_SECONDS} s limit"),
                "use a shorter duration",
            );
        };
        // As many digits as Go takes: leading zeros, and fraction digits past a nanosecond,
        // change nothing but whether it is finer than a millisecond.
        let int = int.as_bytes();
        let int = &int[int.iter().take_while(|&&b| b == b'0').count()..];
        if int.len() > 18 {
            too_long(p);
            return Err(());
        }
        let frac = frac.as_bytes();
        let (frac, past) = frac.split_at(frac.len().min(18));
        let digits = |d: &[u8]| {
            d.iter()
                .fold(0u128, |acc, b| acc * 10 + u128::from(b - b'0'))
        };
        let frac_scale = 10u128.pow(frac.len() as u32);
        let frac_ns = digits(frac) * scale_ns;
        ns += digits(int) * scale_ns + frac_ns / frac_scale;
        if ns > u128::from(MAX_SECONDS) * 1_000_000_000 {
            too_long(p);
            return Err(());
        }
        // Finer than a nanosecond is finer than a millisecond too.
        fine |= frac_ns % frac_scale != 0 || past.iter().any(|&b| b != b'0');
        col = unit_col + unit.chars().count();
        rest = next;
    }
    if fine || ns % 1_000_000 != 0 {
        let down = (ns / 1_000_000) as u64;
        let near = [down, down + 1]
            .into_iter()
            .filter(|&ms| ms > 0 || zero_ok)
            .map(|ms| crate::fmt_duration(Duration::from_millis(ms)))
            .collect::<Vec<_>>()
            .join(" or ");
        p.at(
            tok,
            format!("{s} is finer than 1 ms"),
            format!("round it to whole milliseconds: {near}"),
        );
        return Err(());
    }
    let ms = (ns / 1_000_000) as u64;
    if ms == 0 && !zero_ok {
        p.at(
            tok,
            format!("zero duration \"{s}\""),
            "use a positive duration, like 1ms",
        );
        return Err(());
    }
    Ok(Duration::from_millis(ms))
}

/// The closest word within two edits, if any.
fn suggest<'w>(word: &str, words: &[&'w str]) -> Option<&'w str> {
    words
        .iter()
        .map(|w| (edit_distance(word, w), *w))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, w)| w)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
