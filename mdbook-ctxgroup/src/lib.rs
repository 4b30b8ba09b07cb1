//! `mdbook-ctxgroup`: an mdBook preprocessor for ctxgroup playground scenarios.
//!
//! A fenced block
//!
//! ````markdown
//! ```ctxgroup
//! timeout 7s
//! task t2 10s check=every:1s
//! expect t2 cancelled at 7s "context deadline exceeded"
//! ```
//! ````
//!
//! becomes a `<ctxgroup-playground>` element holding the scenario in a `<pre>` and the chart,
//! pre-rendered at build time as SVG: the page reads well with JavaScript off and in print, and
//! the element replaces both with the live playground once it loads. An `expect` line that does
//! not hold fails the build, naming the file and the line.
//!
//! The preprocessor protocol is spoken over `serde_json` (`[context, book]` on standard input,
//! the book on standard output) instead of through the `mdbook` crates: it keeps the build small
//! and works with mdBook 0.4 (`sections`) and 0.5 (`items`) alike, since only chapters' `content`
//! is read and written.

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]

use ctxgroup_playground::{gantt, scenario, simulate};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

pub mod install;

/// Width in px of the pre-rendered chart (mdBook's default content width is 750 px).
pub const DEFAULT_WIDTH: f64 = 720.0;

/// Attributes a block's info string may set on the element (`ctxgroup mode=live speed=2`).
const ATTRIBUTES: &[&str] = &[
    "mode", "speed", "readonly", "height", "theme", "views", "view", "autorun", "norun",
];

/// An error in a book's source: the file, the 1-based line (and column) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    /// The chapter's file, as the book names it (`src/chapter.md`).
    pub file: String,
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column, when known.
    pub col: Option<usize>,
    /// What is wrong (and, after a newline, how to fix it).
    pub message: String,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.col {
            Some(c) => write!(f, "{}:{}:{}: {}", self.file, self.line, c, self.message),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.message),
        }
    }
}

/// Options of the preprocessor (`[preprocessor.ctxgroup]` in book.toml).
#[derive(Clone, Debug)]
pub struct Options {
    /// Width in px of the pre-rendered chart (`width`).
    pub width: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: DEFAULT_WIDTH,
        }
    }
}

impl Options {
    /// Reads `[preprocessor.ctxgroup]` from the context mdBook passes (its `config`).
    pub fn from_context(context: &Value) -> Options {
        let mut o = Options::default();
        let table = &context["config"]["preprocessor"]["ctxgroup"];
        if let Some(w) = table["width"]
            .as_f64()
            .filter(|w| (200.0..=4000.0).contains(w))
        {
            o.width = w;
        }
        o
    }
}

/// `line`'s blockquote marks, at most `most` of them (`>`, each after up to three spaces and
/// before an optional space): how many, and the bytes they take.
fn quote_marks(line: &str, most: usize) -> (usize, usize) {
    let (mut depth, mut at) = (0, 0);
    while depth < most {
        let rest = &line[at..];
        let spaces = rest.len() - rest.trim_start_matches(' ').len();
        if spaces > 3 || !rest[spaces..].starts_with('>') {
            break;
        }
        at += spaces + 1;
        if line[at..].starts_with(' ') {
            at += 1;
        }
        depth += 1;
    }
    (depth, at)
}

/// `line` without its `depth` quote marks and its line ending, and the columns the marks took;
/// `None` if it has fewer marks (its quote has ended).
fn quoted_line(line: &str, depth: usize) -> Option<(&str, usize)> {
    let (marks, at) = quote_marks(line, depth);
    (marks == depth).then(|| {
        (
            line[at..].trim_end_matches(['\n', '\r']),
            line[..at].chars().count(),
        )
    })
}

/// A fence line: its indent, the fence character and its length, and the info string.
fn fence(line: &str) -> Option<(usize, char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.len() - rest.trim_start_matches(ch).len();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some((indent, ch, len, info))
}

/// The fenced code blocks CommonMark finds indented four or more spaces (in a list item's
/// content: a nested list), which a fence's own rule alone takes for indented code: the line of
/// each one's opening fence, and of its last line.
fn deep_fences(content: &str, lines: &[&str]) -> HashMap<usize, usize> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag};
    let mut starts = Vec::with_capacity(lines.len());
    let mut at = 0;
    for l in lines {
        starts.push(at);
        at += l.len();
    }
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
    Parser::new(content)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => {
                let (first, last) = (line_of(range.start), line_of(range.end.saturating_sub(1)));
                let (_, quote_len) = quote_marks(lines[first], usize::MAX);
                let rest = &lines[first][quote_len..];
                let indent = rest.len() - rest.trim_start_matches(' ').len();
                (indent > 3).then_some((first, last))
            }
            _ => None,
        })
        .collect()
}

/// Whether `line` closes a fence opened with `ch` × `len`.
fn closes(line: &str, ch: char, len: usize) -> bool {
    matches!(fence(line), Some((_, c, n, info)) if c == ch && n >= len && info.is_empty())
}

/// Rewrites one chapter: each ```ctxgroup block becomes a playground element with its chart.
/// `file` names the chapter in errors. Blocks inside other fenced blocks are left alone.
/// `blocks` counts the book's blocks so far: each chart's ids are unique in the book (mdBook's
/// print page holds every chapter).
pub fn process_chapter(
    content: &str,
    file: &str,
    options: &Options,
    blocks: &mut usize,
) -> Result<String, Vec<SourceError>> {
    let lines: Vec<&str> = content.split_inclusive('\n').collect();
    let deep = deep_fences(content, &lines);
    let mut out = String::with_capacity(content.len());
    let mut errors = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // A block in a blockquote (`> ```ctxgroup`): its lines carry as many `>` marks; a line
        // with fewer ends the quote, and with it the block (CommonMark).
        let (depth, quote_len) = quote_marks(line, usize::MAX);
        let quote = &line[..quote_len];
        let text = line[quote_len..].trim_end_matches(['\n', '\r']);
        let deep_end = deep.get(&i).copied();
        let opened = match deep_end {
            // Its indent is its list item's: the fence is what follows it.
            Some(_) => fence(text.trim_start_matches(' ')).map(|(_, ch, len, info)| {
                (
                    text.len() - text.trim_start_matches(' ').len(),
                    ch,
                    len,
                    info,
                )
            }),
            None => fence(text),
        };
        let Some((indent, ch, len, info)) = opened else {
            out.push_str(line);
            i += 1;
            continue;
        };
        let inner = |l| quoted_line(l, depth);
        let mut end = None; // (the line after the block's last, whether a fence closed it)
        if let Some(last) = deep_end {
            let closed = last > i
                && inner(lines[last])
                    .is_some_and(|(l, _)| closes(l.trim_start_matches(' '), ch, len));
            end = Some(if closed {
                (last, true)
            } else {
                (last + 1, false)
            });
        }
        for (j, l) in lines
            .iter()
            .enumerate()
            .skip(i + 1)
            .take_while(|_| deep_end.is_none())
        {
            match inner(l) {
                None => {
                    end = Some((j, false));
                    break;
                }
                Some((text, _)) if closes(text, ch, len) => {
                    end = Some((j, true));
                    break;
                }
                Some(_) => {}
            }
        }
        if end.is_none() && depth > 0 {
            end = Some((lines.len(), false));
        }
        let lang = info.split_whitespace().next().unwrap_or("");
        if lang != "ctxgroup" {
            // Another code block: copied as it is, whatever it holds.
            let stop = end.map_or(lines.len(), |(e, fenced)| e + usize::from(fenced));
            lines[i..stop].iter().for_each(|l| out.push_str(l));
            i = stop;
            continue;
        }
        let Some((end, fenced)) = end else {
            errors.push(SourceError {
                file: file.to_string(),
                line: i + 1,
                col: Some(indent + 1),
                message: format!(
                    "this ```ctxgroup block is never closed\n  = hint: end it with a line of {}",
                    ch.to_string().repeat(len)
                ),
            });
            break;
        };
        let mut text = String::new();
        let mut shifts = Vec::new();
        for l in &lines[i + 1..end] {
            let (l, marks) = inner(l).unwrap_or_default();
            let body = l
                .strip_prefix(&" ".repeat(indent))
                .unwrap_or(l.trim_start());
            shifts.push(marks + l.chars().count() - body.chars().count());
            text.push_str(body);
            text.push('\n');
        }
        *blocks += 1;
        match block(&text, info, file, (i + 1, &shifts), *blocks, options) {
            Ok(html) => {
                let pad = " ".repeat(indent);
                let _ = writeln!(out, "{}", quote.trim_end());
                for l in html.lines() {
                    let _ = writeln!(out, "{quote}{pad}{l}");
                }
                let _ = writeln!(out, "{}", quote.trim_end());
            }
            Err(mut e) => errors.append(&mut e),
        }
        i = end + usize::from(fenced);
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Escapes text for HTML, with newlines as character references so that the element is one
/// HTML block to Markdown (a blank line would end it).
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("&#10;"),
            '\r' => {}
            _ => o.push(c),
        }
    }
    o
}

/// An info string's words: split at spaces, except inside double quotes (`views="go chart"`).
fn words(info: &str) -> Vec<String> {
    let mut words = Vec::new();
    let (mut word, mut quoted) = (String::new(), false);
    for c in info.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The element's attributes from a block's info string (after `ctxgroup`).
fn attributes(info: &str, err: &dyn Fn(String) -> SourceError) -> Result<String, SourceError> {
    let mut attrs = String::new();
    let mut autorun = true;
    let mut live = false;
    for word in words(info).into_iter().skip(1) {
        let (key, value) = word.split_once('=').unwrap_or((&word, ""));
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        if !ATTRIBUTES.contains(&key) {
            return Err(err(format!(
                "unknown option \"{key}\" of a ```ctxgroup block\n  = hint: the options are {}",
                ATTRIBUTES.join(", ")
            )));
        }
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".%-, ".contains(c))
        {
            return Err(err(format!(
                "the value of {key} may hold letters, digits, spaces, '.', '%', ',' and '-' only\n  = hint: write {key}=VALUE, or {key}=\"A B\" for a value with spaces"
            )));
        }
        match key {
            "norun" => autorun = false,
            "autorun" => {}
            _ => {
                live |= key == "mode" && value == "live";
                let _ = write!(attrs, " {key}");
                if !value.is_empty() {
                    let _ = write!(attrs, "=\"{value}\"");
                }
            }
        }
    }
    // A live run plays on real timers: the reader starts it.
    if autorun && !live {
        attrs.insert_str(0, " autorun");
    }
    Ok(attrs)
}

/// Gives the chart's ids a prefix of their own: a page holds many charts.
fn scope_ids(svg: &str, n: usize) -> String {
    svg.replace("id=\"cg-", &format!("id=\"cg{n}-"))
        .replace("url(#cg-", &format!("url(#cg{n}-"))
        .replace(
            "aria-labelledby=\"cg-title cg-desc\"",
            &format!("aria-labelledby=\"cg{n}-title cg{n}-desc\""),
        )
}

/// What a block says when the simulator panicked on its scenario.
const PANICKED: &str =
    "internal error: the simulator failed on this scenario\n  = hint: please report it with the scenario";

/// Runs the simulator on a user's scenario: a panic in it becomes an error of that block
/// (`None`), not a crash of the whole book build.
fn guarded<R>(f: impl FnOnce() -> R) -> Option<R> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// One block: the scenario checked and run, and the element with its pre-rendered chart.
/// `fence_line` is the 1-based line of the opening fence; `shifts`, the columns before the
/// block's text on each of its lines (quote marks and indent).
fn block(
    text: &str,
    info: &str,
    file: &str,
    (fence_line, shifts): (usize, &[usize]),
    n: usize,
    options: &Options,
) -> Result<String, Vec<SourceError>> {
    let at = |line: usize, col: Option<usize>, message: String| SourceError {
        file: file.to_string(),
        line: fence_line + line,
        col,
        message,
    };
    let attrs = attributes(info, &|m| at(0, None, m)).map_err(|e| vec![e])?;
    let scenario = scenario::parse(text).map_err(|errs| {
        errs.0
            .iter()
            .map(|e| {
                at(
                    e.line,
                    Some(e.col + shifts.get(e.line.wrapping_sub(1)).copied().unwrap_or(0)),
                    format!(
                        "error: {}\n  | {}\n  = hint: {}",
                        e.message, e.source_line, e.hint
                    ),
                )
            })
            .collect::<Vec<_>>()
    })?;
    let trace = match guarded(|| simulate::simulate(&scenario)) {
        Some(Ok(trace)) => trace,
        Some(Err(e)) => return Err(vec![at(e.line, None, format!("error: {}", e.message))]),
        None => return Err(vec![at(1, None, PANICKED.to_string())]),
    };
    let failed: Vec<SourceError> = trace
        .expectations
        .iter()
        .filter(|x| !x.ok)
        .map(|x| at(x.line, None, format!("expect failed: {}", x.message)))
        .collect();
    if !failed.is_empty() {
        return Err(failed);
    }
    let svg = gantt::render(
        &trace,
        &gantt::Options {
            width: options.width,
            ..gantt::Options::default()
        },
    );
    // The chart must stay one Markdown HTML block: no line breaks in it.
    let svg = scope_ids(&svg, n).replace('\n', " ");
    Ok(format!(
        "<ctxgroup-playground{attrs}>\n<pre class=\"ctxgroup-scenario\">{}</pre>\n<figure class=\"ctxgroup-chart\">{svg}<figcaption>{}</figcaption></figure>\n</ctxgroup-playground>",
        esc(text),
        esc(&trace.summary())
    ))
}

/// Rewrites every chapter of a book (the JSON mdBook passes), in place. `src` is the book's
/// source directory as book.toml names it, for the file names of errors.
pub fn process_book(
    book: &mut Value,
    src: &str,
    options: &Options,
) -> Result<(), Vec<SourceError>> {
    let mut errors = Vec::new();
    let mut blocks = 0;
    visit(book, &mut |chapter| {
        let Some(content) = chapter.get("content").and_then(Value::as_str) else {
            return;
        };
        if !content.contains("ctxgroup") {
            return;
        }
        let name = chapter
            .get("source_path")
            .or_else(|| chapter.get("path"))
            .and_then(Value::as_str)
            .unwrap_or("<chapter>");
        let file = Path::new(src).join(name).to_string_lossy().into_owned();
        match process_chapter(content, &file, options, &mut blocks) {
            Ok(new) => chapter["content"] = Value::String(new),
            Err(mut e) => errors.append(&mut e),
        }
    });
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Calls `f` on every chapter object (`{"Chapter": {...}}`) of the book, nested ones included.
fn visit(v: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    match v {
        Value::Object(map) => {
            if let Some(ch) = map.get_mut("Chapter") {
                f(ch);
            }
            for (_, child) in map.iter_mut() {
                visit(child, f);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|x| visit(x, f)),
        _ => {}
    }
}

/// The preprocessor's run: `[context, book]` JSON in, the book JSON out, or the errors.
pub fn run(input: &str) -> Result<String, Vec<String>> {
    let value: Value = serde_json::from_str(input)
        .map_err(|e| vec![format!("mdbook-ctxgroup: mdBook's input is not JSON: {e}")])?;
    let Value::Array(mut pair) = value else {
        return Err(vec![
            "mdbook-ctxgroup: expected [context, book] from mdBook".into(),
        ]);
    };
    if pair.len() != 2 {
        return Err(vec![
            "mdbook-ctxgroup: expected [context, book] from mdBook".into(),
        ]);
    }
    let mut book = pair.pop().unwrap();
    let context = pair.pop().unwrap();
    let src = context["config"]["book"]["src"].as_str().unwrap_or("src");
    process_book(&mut book, src, &Options::from_context(&context))
        .map_err(|errs| errs.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    Ok(book.to_string())
}

/// Whether the preprocessor works with a renderer (`mdbook-ctxgroup supports NAME`).
pub fn supports(renderer: &str) -> bool {
    renderer == "html"
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\nexpect t2 cancelled at 7s \"context deadline exceeded\"\n";

    fn chapter(body: &str) -> Result<String, Vec<SourceError>> {
        process_chapter(body, "src/a.md", &Options::default(), &mut 0)
    }

    #[test]
    fn a_block_becomes_the_element_with_its_chart_and_its_text() {
        let out = chapter(&format!(
            "# Title\n\nSome text.\n```ctxgroup\n{OK}```\nAfter.\n"
        ))
        .unwrap();
        assert!(out.starts_with("# Title\n\nSome text.\n\n<ctxgroup-playground autorun>\n<pre class=\"ctxgroup-scenario\">timeout 7s&#10;"));
        assert!(out.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cg-gantt\""));
        assert!(out.contains("t2 cancelled at 7s"));
        assert!(out.contains("&quot;context deadline exceeded&quot;"));
        assert!(out.ends_with("</ctxgroup-playground>\n\nAfter.\n"));
        // One HTML block to Markdown: no blank line from its start to its end.
        let start = out.find("<ctxgroup-playground").unwrap();
        let end = out.find("</ctxgroup-playground>").unwrap();
        assert!(!out[start..end].contains("\n\n"));
    }

    #[test]
    fn blank_lines_and_markup_in_the_scenario_do_not_end_the_html_block() {
        let out = chapter("```ctxgroup\n# a <b> & c\n\ntask t1 1s\n```\n").unwrap();
        assert!(out.contains("# a &lt;b&gt; &amp; c&#10;&#10;task t1 1s&#10;</pre>"));
        let start = out.find("<ctxgroup-playground").unwrap();
        let end = out.find("</ctxgroup-playground>").unwrap();
        assert!(!out[start..end].contains("\n\n"));
    }

    #[test]
    fn a_failed_expect_names_the_file_and_the_line() {
        let body = "# T\n\n```ctxgroup\ntask a 1s\nexpect a completed at 2s\n```\n";
        let errs = chapter(body).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "src/a.md:5: expect failed: expected a completed at 2s, got completed at 1s"
        );
    }

    #[test]
    fn a_parse_error_names_the_line_and_column_with_a_hint() {
        let errs = chapter("text\n```ctxgroup\ntask a 1s\ntask b 1x\n```\n").unwrap_err();
        let e = errs[0].to_string();
        assert!(e.starts_with("src/a.md:4:"), "{e}");
        assert!(e.contains("hint:"), "{e}");
    }

    #[test]
    fn blocks_inside_other_code_blocks_are_left_alone() {
        let body = "````markdown\n```ctxgroup\ntask a 1s\nexpect a completed at 9s\n```\n````\n";
        assert_eq!(chapter(body).unwrap(), body);
        let other = "```rust\nlet x = 1;\n```\n";
        assert_eq!(chapter(other).unwrap(), other);
    }

    #[test]
    fn an_unclosed_block_is_an_error_at_its_fence() {
        let errs = chapter("a\n\n```ctxgroup\ntask a 1s\n").unwrap_err();
        assert_eq!(errs[0].line, 3);
        assert!(errs[0].message.contains("never closed"));
    }

    #[test]
    fn options_become_attributes_and_unknown_ones_are_refused() {
        let out = chapter("```ctxgroup mode=live speed=2 readonly\ntask a 1s\n```\n").unwrap();
        assert!(
            out.contains("<ctxgroup-playground mode=\"live\" speed=\"2\" readonly>"),
            "{out}"
        );
        let out = chapter("```ctxgroup norun\ntask a 1s\n```\n").unwrap();
        assert!(out.contains("<ctxgroup-playground>"));
        let errs = chapter("```ctxgroup onclick=x\ntask a 1s\n```\n").unwrap_err();
        assert!(errs[0]
            .to_string()
            .starts_with("src/a.md:1: unknown option \"onclick\""));
        let errs = chapter("```ctxgroup height=\"x\"onload=\"y\"\ntask a 1s\n```\n").unwrap_err();
        assert!(errs[0].message.contains("letters, digits"));
    }

    #[test]
    fn each_chart_has_ids_of_its_own() {
        let out = chapter("```ctxgroup\ntask a 1s\n```\n\n```ctxgroup\ntask b 1s\n```\n").unwrap();
        assert!(out.contains("id=\"cg1-title\"") && out.contains("id=\"cg2-title\""));
        assert!(!out.contains("id=\"cg-"));
        assert!(!out.contains("url(#cg-"));
    }

    #[test]
    fn an_indented_block_in_a_list_keeps_its_indent() {
        let out = chapter("1. Step\n\n   ```ctxgroup\n   task a 1s\n   ```\n").unwrap();
        assert!(out.contains("\n   <ctxgroup-playground autorun>\n   <pre class=\"ctxgroup-scenario\">task a 1s&#10;</pre>"), "{out}");
    }

    #[test]
    fn a_block_in_a_nested_list_is_run_and_its_expect_checked() {
        // A fence in a nested list item is indented past three spaces: CommonMark's
        // container, not indented code.
        let body =
            "- Step\n    - Sub-step\n\n      ```ctxgroup\n      task a 1s\n      ```\n\nafter\n";
        let out = chapter(body).unwrap();
        assert!(
            out.contains("\n      <ctxgroup-playground autorun>\n      <pre class=\"ctxgroup-scenario\">task a 1s&#10;</pre>"),
            "{out}"
        );
        assert!(out.ends_with("\nafter\n") && !out.contains("```"), "{out}");
        let failing = "1. Step\n   1. Sub-step\n\n      ```ctxgroup\n      task a 1s\n      expect a completed at 2s\n      ```\n";
        let errs = chapter(failing).unwrap_err();
        assert_eq!(errs[0].line, 6, "{errs:?}");
        assert!(errs[0].message.contains("got completed at 1s"), "{errs:?}");
        let typo = chapter("- a\n    - b\n\n      ```ctxgroup\n      task a 1x\n      ```\n");
        assert!(
            typo.as_ref().unwrap_err()[0]
                .to_string()
                .starts_with("src/a.md:5:15: "),
            "{typo:?}"
        );
        // Indented four spaces outside a list, it is indented code: shown as it is.
        let code = "Text.\n\n    ```ctxgroup\n    task a 1s\n    ```\n";
        assert_eq!(chapter(code).unwrap(), code);
    }

    #[test]
    fn a_chapter_nested_thousands_deep_is_read_in_linear_time() {
        // Hostile: 3,000 nested list items and quotes, then a block in the deepest item.
        let mut body = String::new();
        for depth in 0..3_000 {
            body += &format!("{}- item\n", " ".repeat(2 * depth));
        }
        let pad = " ".repeat(2 * 3_000);
        body += &format!("\n{pad}```ctxgroup\n{pad}task a 1s\n{pad}```\n");
        body += &format!("{}```ctxgroup\ntask b 1s\n```\n", ">".repeat(3_000));
        let out = chapter(&body).unwrap();
        assert_eq!(out.matches("<ctxgroup-playground").count(), 2);
    }

    #[test]
    fn views_and_view_are_options_with_spaces_in_quotes() {
        let out = chapter("```ctxgroup views=\"go chart\" view=go\ntask a 1s\n```\n").unwrap();
        assert!(
            out.contains("<ctxgroup-playground autorun views=\"go chart\" view=\"go\">"),
            "{out}"
        );
        let out = chapter("```ctxgroup views=chart,rust\ntask a 1s\n```\n").unwrap();
        assert!(out.contains(" views=\"chart,rust\""), "{out}");
    }

    #[test]
    fn an_indented_blocks_errors_have_the_files_columns() {
        // `1x` is at column 9 of the block, 12 of the file.
        let errs = chapter("1. Step\n\n   ```ctxgroup\n   task a 1x\n   ```\n").unwrap_err();
        assert!(
            errs[0].to_string().starts_with("src/a.md:4:12: "),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn a_block_in_a_blockquote_is_run_and_stays_in_the_quote() {
        let errs =
            chapter("> Note:\n>\n> ```ctxgroup\n> task a 1s\n> expect a completed at 2s\n> ```\n")
                .unwrap_err();
        assert!(
            errs[0].to_string().starts_with("src/a.md:5: expect failed"),
            "{}",
            errs[0]
        );
        let errs = chapter("> ```ctxgroup\n> task a 1x\n> ```\n").unwrap_err();
        assert!(
            errs[0].to_string().starts_with("src/a.md:2:11: "),
            "{}",
            errs[0]
        );
        let out = chapter("> Note:\n>\n> ```ctxgroup\n> task a 1s\n> ```\nafter\n").unwrap();
        assert!(
            out.contains("\n> <ctxgroup-playground autorun>\n> <pre class=\"ctxgroup-scenario\">task a 1s&#10;</pre>"),
            "{out}"
        );
        assert!(
            out.ends_with("\n> </ctxgroup-playground>\n>\nafter\n"),
            "{out}"
        );
    }

    #[test]
    fn a_quoted_block_reads_its_lines_as_commonmark_does() {
        // A bare `>` line (editors trim the space), `>` with no space, `> >` for `>>`.
        for body in [
            "> ```ctxgroup\n> task a 1s\n>\n> task b 2s\n> ```\n",
            ">```ctxgroup\n>task a 1s\n>task b 2s\n>```\n",
            ">> ```ctxgroup\n> > task a 1s\n>>task b 2s\n> > ```\n",
        ] {
            let out = chapter(body).unwrap_or_else(|e| panic!("{body:?}: {e:?}"));
            assert!(out.contains("task a 1s&#10;"), "{out}");
            assert!(out.contains("task b 2s&#10;"), "{out}");
        }
    }

    #[test]
    fn a_quote_that_ends_ends_its_block() {
        // The block is closed by the end of its quote: the paragraph after it is not
        // scenario, and the next block is run and checked.
        let body = "> ```ctxgroup\n> task a 1s\n\nSome paragraph.\n\n```ctxgroup\ntask b 1s\nexpect b completed at 5s\n```\n";
        let errs = chapter(body).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].to_string().starts_with("src/a.md:8: expect failed"),
            "{}",
            errs[0]
        );
        // A quoted fence of another language that its quote ends does not hide what follows.
        let body = "> ```text\n> output\n\n```ctxgroup\ntask b 1s\nexpect b completed at 5s\n```\n";
        let errs = chapter(body).unwrap_err();
        assert!(
            errs[0].to_string().starts_with("src/a.md:6: expect failed"),
            "{}",
            errs[0]
        );
        // An unquoted line ends the quote: it is not part of the scenario.
        let out = chapter("> ```ctxgroup\n> task a 1s\nlazy text\n> ```\n").unwrap();
        assert!(!out.contains("lazy text&#10;"), "{out}");
        assert!(out.contains("\nlazy text\n"), "{out}");
    }

    #[test]
    fn a_quoted_lines_column_counts_its_own_marks_and_indent() {
        // The fence is indented two spaces in the quote; the content line one: `x` is at 11.
        let errs = chapter(">   ```ctxgroup\n> task a 1x\n>   ```\n").unwrap_err();
        assert!(
            errs[0].to_string().starts_with("src/a.md:2:11: "),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn a_scenario_over_the_work_budget_is_an_error_not_a_hang() {
        // 20 tasks checking every millisecond for an hour: far over the simulator's budget.
        let text: String = (0..20)
            .map(|i| format!("task t{i} 3600s check=every:1ms\n"))
            .collect();
        let errs = chapter(&format!("```ctxgroup\n{text}```\n")).unwrap_err();
        assert!(errs[0].message.starts_with("error:"), "{:?}", errs[0]);
    }

    #[test]
    fn a_panic_of_the_simulator_is_an_error_of_the_block() {
        assert_eq!(guarded(|| 7), Some(7));
        assert_eq!(guarded(|| -> u8 { panic!("simulated") }), None);
    }

    #[test]
    fn a_heavy_chapter_of_many_blocks_goes_through_with_unique_ids() {
        let task_lines: String = (0..20)
            .map(|i| format!("task t{i} {}s check=every:100ms\n", i + 1))
            .collect();
        let block = format!("timeout 7s\n{task_lines}");
        let body: String = (0..150)
            .map(|_| format!("```ctxgroup\n{block}```\n\n"))
            .collect();
        let out = chapter(&body).unwrap();
        assert_eq!(out.matches("<ctxgroup-playground autorun>").count(), 150);
        assert!(out.contains("id=\"cg150-title\""));
    }

    #[test]
    fn hostile_input_is_refused_with_a_line() {
        let errs = chapter("```ctxgroup\n\u{0}\u{202e}task <script>alert(1)</script> 1s\n```\n")
            .unwrap_err();
        assert_eq!(errs[0].line, 2);
    }

    #[test]
    fn a_book_of_either_mdbook_version_is_rewritten() {
        let chapter = |c: &str| serde_json::json!({"Chapter": {"name": "A", "content": c, "number": null, "sub_items": [], "path": "a.md", "source_path": "a.md", "parent_names": []}});
        let block = format!("```ctxgroup\n{OK}```\n");
        for key in ["sections", "items"] {
            let nested = serde_json::json!({"Chapter": {"name": "B", "content": "x", "sub_items": [chapter(&block)], "path": "b.md", "source_path": "b.md"}});
            let book = serde_json::json!([{"root": "/b", "config": {"book": {"src": "src"}}, "renderer": "html", "mdbook_version": "0.5.4"}, {key: [chapter(&block), "Separator", nested]}]);
            let out: Value = serde_json::from_str(&run(&book.to_string()).unwrap()).unwrap();
            assert!(out[key][0]["Chapter"]["content"]
                .as_str()
                .unwrap()
                .contains("<ctxgroup-playground autorun>"));
            assert!(out[key][2]["Chapter"]["sub_items"][0]["Chapter"]["content"]
                .as_str()
                .unwrap()
                .contains("<svg"));
            assert_eq!(out[key][1], "Separator");
            // Unique in the book: the print page holds every chapter.
            assert!(out.to_string().contains("cg2-title"));
        }
        let bad = serde_json::json!([{"config": {"book": {"src": "doc"}}}, {"items": [chapter("```ctxgroup\ntask a 1s\nexpect a failed\n```\n")]}]);
        assert_eq!(
            run(&bad.to_string()).unwrap_err(),
            vec!["doc/a.md:3: expect failed: expected a failed, got completed at 1s".to_string()]
        );
        assert!(run("{").is_err() && run("[1]").is_err());
    }
}
