//! Trace → SVG Gantt chart: a pure function, used by the page, the CLI and the tests.
//!
//! One row per task (nested groups indented), the time axis on top, and per row: the queued
//! segment (waiting for a slot), the running bar coloured by outcome, the stretch run after
//! cancellation was requested but before it was observed ("ran on after cancel", striped),
//! checks as ticks, an end marker per outcome, and, faintly, the work a cancelled task did not
//! do. A row whose task was stopped, failed, ran on, leaked or never returns says why in a line
//! of text under its bar, and a connector runs from the cause (the failing sibling's end, the
//! deadline or cancel line) to each task it stopped. Deadline and cancel lines cross every row,
//! over the group's return line; the legend explains every mark. Every row has a `<title>`
//! tooltip; the chart has a text description for screen readers. Colours are CSS variables
//! (`--cg-…`), so a page can theme the chart.
//!
//! [`render`] draws one SVG document. [`render_parts`] draws the same chart as three SVGs (the
//! axis head, a band of rows, the foot with the legend) for a page that keeps the axis in view,
//! draws only the rows on screen and zooms into a window of time.

use std::collections::HashMap;
use std::fmt::Write;

use crate::trace::{human, same_instant, Mark, Outcome, TaskTrace, Trace};

/// How to draw the chart.
///
/// # Examples
///
/// ```
/// let o = ctxgroup_playground::gantt::Options::default();
/// assert_eq!(o.width, 960.0);
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    /// Width in px.
    pub width: f64,
    /// Draw dark colours (for a standalone file; a page sets the `--cg-…` variables instead).
    pub dark: bool,
    /// The run is still going (live mode) at this time: the footer says so instead of "never
    /// returns".
    pub running_at: Option<f64>,
    /// The live run was stopped at `running_at`: the footer says so.
    pub stopped: bool,
    /// The span of time shown, in seconds (zoom); `None`: the whole run.
    pub window: Option<(f64, f64)>,
    /// Only the rows that cross this band of the rows' height, in px from the first row's top
    /// (a page draws what is on screen); `None`: every row.
    pub rows_px: Option<(f64, f64)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 960.0,
            dark: false,
            running_at: None,
            stopped: false,
            window: None,
            rows_px: None,
        }
    }
}

/// The chart in three SVG documents, for a page: see [`render_parts`].
#[derive(Clone, Debug, Default)]
pub struct Parts {
    /// The time axis and the labels of deadline and cancel lines (with the chart's styles).
    pub head: String,
    /// The rows drawn: place its top `body_top` px below the first row's top.
    pub body: String,
    /// The group's return and the legend.
    pub foot: String,
    /// Where the drawn rows start, in px from the first row's top.
    pub body_top: f64,
    /// The height of every row together, in px.
    pub body_height: f64,
    /// The x of time `t0` and the plot's width, in px.
    pub left: f64,
    /// The plot's width in px.
    pub plot_width: f64,
    /// The span of time shown.
    pub t0: f64,
    /// The span of time shown.
    pub t1: f64,
    /// The whole run's span (the end of the unzoomed axis).
    pub end: f64,
}

/// A coordinate written with one decimal by integer arithmetic: float formatting would pull
/// several KB of code into the wasm build.
#[derive(Clone, Copy)]
struct Px(f64);

impl std::fmt::Display for Px {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let t = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", t / 10, t % 10)
    }
}

/// Escapes text for SVG/XML content and attributes.
fn esc(s: &str) -> String {
    let plain = |b: u8| {
        !matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'') && (b >= 0x20 || b == b'\n' || b == b'\t')
    };
    if s.bytes().all(plain) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A tick step giving at most `max` ticks over `span`: 1, 2 or 5 × 10^k s up to 10 s, then
/// steps a clock reads (15 s, 30 s, 1m, 5m, 15m, 1h, 6h…), then 1, 2 or 5 × 10^k days.
fn tick_step(span: f64, max: f64) -> f64 {
    const CLOCK: [f64; 15] = [
        15.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0,
        21600.0, 43200.0, 86400.0,
    ];
    const DAY: f64 = 86400.0;
    let raw = (span / max).max(1e-3);
    if raw > 10.0 {
        return match CLOCK.iter().find(|&&s| s >= raw) {
            Some(&s) => s,
            None => DAY * tick_step(span / DAY, max),
        };
    }
    let pow = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * pow >= raw {
            return m * pow;
        }
    }
    10.0 * pow
}

const LIGHT: &str = "--cg-bg:#ffffff;--cg-fg:#1f2328;--cg-muted:#656d76;--cg-grid:#d8dee4;--cg-stripe:#f6f8fa;\
--cg-completed:#1a7f37;--cg-failed:#cf222e;--cg-cancelled:#bc4c00;--cg-running:#0969da;--cg-queued:#afb8c1;\
--cg-deadline:#8250df;--cg-cancel:#bf3989;--cg-return:#1f2328";
const DARK: &str = "--cg-bg:#0d1117;--cg-fg:#e6edf3;--cg-muted:#8d96a0;--cg-grid:#30363d;--cg-stripe:#161b22;\
--cg-completed:#3fb950;--cg-failed:#f85149;--cg-cancelled:#db6d28;--cg-running:#4493f8;--cg-queued:#6e7681;\
--cg-deadline:#a371f7;--cg-cancel:#db61a2;--cg-return:#e6edf3";

const STYLE: &str = ".cg-bg{fill:var(--cg-bg)}.cg-text{fill:var(--cg-fg)}.cg-muted{fill:var(--cg-muted)}\
.cg-grid{stroke:var(--cg-grid);stroke-width:1}.cg-stripe{fill:var(--cg-stripe)}\
.cg-completed{fill:var(--cg-completed)}.cg-failed{fill:var(--cg-failed)}.cg-cancelled{fill:var(--cg-cancelled)}.cg-running{fill:var(--cg-running)}\
.cg-queued{fill:url(#cg-hatch);stroke:var(--cg-queued);stroke-width:1}\
.cg-ignored{fill:url(#cg-stripes)}.cg-leaked{fill:none;stroke:var(--cg-fg);stroke-dasharray:3 2;stroke-width:1}\
.cg-ghost-to{fill:var(--cg-cancelled);font-size:9px}.cg-ghost{fill:var(--cg-cancelled);fill-opacity:.1;stroke:var(--cg-cancelled);stroke-opacity:.55;stroke-dasharray:3 3;stroke-width:1}\
.cg-deadline{stroke:var(--cg-deadline);stroke-width:2;stroke-dasharray:6 3}.cg-cancel{stroke:var(--cg-cancel);stroke-width:2;stroke-dasharray:2 2}\
.cg-error{stroke:var(--cg-failed);stroke-width:1;stroke-dasharray:1 3}\
.cg-return{stroke:var(--cg-return);stroke-width:2;opacity:.8}.cg-check{stroke:var(--cg-fg);stroke-width:1;opacity:.55}\
.cg-checks{stroke:var(--cg-fg);stroke-width:1.5;stroke-dasharray:1 2;opacity:.55}\
.cg-link{fill:none;stroke-width:1.5}.cg-link-error{stroke:var(--cg-failed)}.cg-link-deadline{stroke:var(--cg-deadline)}.cg-link-cancel{stroke:var(--cg-cancel)}\
.cg-mark-deadline{fill:var(--cg-deadline)}.cg-mark-cancel{fill:var(--cg-cancel)}.cg-mark-error{fill:var(--cg-failed)}\
.cg-why{fill:var(--cg-fg);font-size:11px;paint-order:stroke;stroke:var(--cg-bg);stroke-width:3px;stroke-linejoin:round}.cg-why .cg-w-cancelled{fill:var(--cg-cancelled);font-weight:600}\
.cg-why .cg-w-failed{fill:var(--cg-failed);font-weight:600}.cg-why .cg-w-running{fill:var(--cg-running);font-weight:600}\
.cg-why .cg-w-completed{fill:var(--cg-completed);font-weight:600}\
.cg-why .cg-w-skipped{fill:var(--cg-muted);font-weight:600}\
.cg-skipped{fill:none;stroke:var(--cg-muted);stroke-width:1.5}\
.cg-goroutines{fill:none;stroke:var(--cg-running);stroke-width:1.5}.cg-steps-base{stroke:var(--cg-grid);stroke-width:1}\
.cg-hit{fill:transparent}.cg-row{outline:none}.cg-row:hover .cg-hit,.cg-row:focus .cg-hit,.cg-row.cg-sel .cg-hit{fill:var(--cg-grid);fill-opacity:.45}\
.cg-row.cg-sel .cg-hit{stroke:var(--cg-running);stroke-width:2}\
.cg-hatch{stroke:var(--cg-queued);stroke-width:2}.cg-stripe-line{stroke:var(--cg-bg);stroke-width:3;opacity:.75}\
.cg-end-ok{stroke:var(--cg-bg);stroke-width:1.5}.cg-end-x{stroke:var(--cg-failed);stroke-width:2.5}.cg-end-cut{stroke:var(--cg-fg);stroke-width:1}\
.cg-dim .cg-row:not(.cg-on){opacity:.5}.cg-dim .cg-link:not(.cg-on){opacity:.12}.cg-link.cg-on{stroke-width:2.5}";

/// [`STYLE`] with the palette's colours in place of its variables, for renderers that do not
/// read CSS variables (librsvg, cairosvg, Inkscape painted every such chart black). It comes
/// before `STYLE` in a chart: a browser takes the later rules, whose variables a host page's
/// dark theme can restyle; a renderer that cannot read them drops those and keeps these.
fn plain_style(dark: bool) -> String {
    let mut style = STYLE.to_string();
    for pair in (if dark { DARK } else { LIGHT }).split(';') {
        if let Some((name, colour)) = pair.split_once(':') {
            style = style.replace(&format!("var({name})"), colour);
        }
    }
    style
}

/// Arrowheads for the connectors, one per cause (markers do not take their line's colour).
const DEFS: &str = "<defs><pattern id=\"cg-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect class=\"cg-bg\" width=\"6\" height=\"6\"/><line class=\"cg-hatch\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\"/></pattern>\
<pattern id=\"cg-stripes\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">\
<line class=\"cg-stripe-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\"/></pattern>\
<marker id=\"cg-ah-error\" viewBox=\"0 0 6 6\" refX=\"5\" refY=\"3\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\"><path class=\"cg-mark-error\" d=\"M0,0L6,3L0,6z\"/></marker>\
<marker id=\"cg-ah-deadline\" viewBox=\"0 0 6 6\" refX=\"5\" refY=\"3\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\"><path class=\"cg-mark-deadline\" d=\"M0,0L6,3L0,6z\"/></marker>\
<marker id=\"cg-ah-cancel\" viewBox=\"0 0 6 6\" refX=\"5\" refY=\"3\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\"><path class=\"cg-mark-cancel\" d=\"M0,0L6,3L0,6z\"/></marker>";

/// Where things go: the sizes of the chart and the time → x mapping.
#[derive(Debug)]
struct Layout {
    width: f64,
    left: f64,
    plot_w: f64,
    /// The height of a row's bar line (a row with a reason under its bar is `why_h` taller).
    row_h: f64,
    why_h: f64,
    bar_h: f64,
    font: f64,
    /// Each row's top, from the first row's top; one more entry for the bottom.
    ys: Vec<f64>,
    t0: f64,
    t1: f64,
    end: f64,
    top: f64,
    label_chars: usize,
}

impl Layout {
    fn new(trace: &Trace, options: &Options) -> Layout {
        let n = trace.tasks.len();
        let row_h: f64 = if n <= 40 { 24.0 } else { 20.0 };
        let why_h: f64 = if n <= 40 { 14.0 } else { 13.0 };
        let font = if n <= 40 { 12.0 } else { 11.0 };
        let label_chars = 28;
        let label_w = trace
            .tasks
            .iter()
            .map(|t| {
                t.depth.min(12) as f64 * 14.0
                    + t.name.chars().count().min(label_chars) as f64 * font * 0.62
                    + 22.0
            })
            .fold(70.0, f64::max)
            .min(260.0);
        let width = options.width.max(240.0);
        let left = label_w.min(width * 0.4);
        let plot_w = width - left - 24.0;
        let mut ys = Vec::with_capacity(n + 1);
        let mut y = 0.0;
        for t in &trace.tasks {
            ys.push(y);
            y += row_h
                + if has_why(t, trace, options) {
                    why_h
                } else {
                    0.0
                };
        }
        ys.push(y);
        // The axis shows the work cancelled tasks did not do, within reason.
        let ghosts = trace
            .tasks
            .iter()
            .filter_map(|t| ghost(t).map(|(_, to)| to))
            .fold(trace.end, f64::max)
            .min(trace.end * 1.5);
        let end = if ghosts > 0.0 { ghosts * 1.03 } else { 1.0 };
        let (t0, t1) = match options.window {
            Some((a, b)) if b > a && b - a >= 1e-6 => (a, b),
            _ => (0.0, end),
        };
        Layout {
            width,
            left,
            plot_w,
            row_h,
            why_h,
            bar_h: (row_h * 0.62).max(2.0),
            font,
            ys,
            t0,
            t1,
            end,
            top: 40.0,
            label_chars,
        }
    }

    fn x(&self, t: f64) -> f64 {
        self.left + (t - self.t0) / (self.t1 - self.t0) * self.plot_w
    }

    /// Whether time `t` is on the axis (a zoomed window leaves times out).
    fn shows(&self, t: f64) -> bool {
        (self.t0..=self.t1).contains(&t)
    }

    /// `x` held inside the plot (for text and points that must stay visible).
    fn xc(&self, t: f64) -> f64 {
        self.x(t).max(self.left).min(self.left + self.plot_w)
    }

    fn height(&self) -> f64 {
        *self.ys.last().unwrap_or(&0.0)
    }

    /// The rows crossing the band `[a, b)` of the rows' height.
    fn rows_in(&self, band: Option<(f64, f64)>) -> std::ops::Range<usize> {
        let n = self.ys.len() - 1;
        match band {
            None => 0..n,
            Some((a, b)) => {
                let first = self.ys[..n].partition_point(|&y| y <= a).saturating_sub(1);
                let last = self.ys[..n].partition_point(|&y| y < b);
                first..last.max(first)
            }
        }
    }
}

/// The work a cancelled task did not do: from its end to where it would have ended.
fn ghost(t: &TaskTrace) -> Option<(f64, f64)> {
    if t.outcome != Outcome::Cancelled {
        return None;
    }
    let (start, end, work) = (t.start?, t.end?, t.work?);
    (start + work > end + 1e-9).then_some((end, start + work))
}

/// Whether a row has a line of text saying why (see [`why`]).
fn has_why(t: &TaskTrace, trace: &Trace, options: &Options) -> bool {
    match t.outcome {
        Outcome::Cancelled | Outcome::Failed => true,
        Outcome::Completed => {
            t.leaked
                || trace.tie_of(t).is_some()
                || trace.race_of(t).is_some()
                || t.cancel_requested
                    .is_some_and(|c| t.end.is_some_and(|e| e > c + 5e-4))
        }
        Outcome::Running => options.running_at.is_none() || t.cancel_requested.is_some(),
        Outcome::Skipped => true,
    }
}

/// "deadline of main at the same instant: in Go a race either may win" for a task whose work
/// ended at the instant of the cancel (it won the tie, as in Go it usually does), or a group
/// whose task did; `None` for any other row (a cancelled task's tie is said with its cause).
fn tie_note(t: &TaskTrace, trace: &Trace, cause: &str, compact: bool) -> Option<String> {
    if !matches!(t.outcome, Outcome::Completed | Outcome::Failed) {
        return None;
    }
    let (tie, end) = (trace.tie_of(t)?, t.end?);
    let at_end = format!(" passed at {}", human(end));
    let cause = cause.strip_suffix(at_end.as_str()).unwrap_or(cause);
    Some(match (compact, t.tie().is_some()) {
        (true, _) => format!("{cause} too · a race in Go"),
        (false, true) => format!("{cause} at the same instant: in Go a race either may win"),
        (false, false) => format!("{cause} · {tie}"),
    })
}

/// What a row says under its bar: `(lead, rest)`, the lead in the outcome's colour. `compact`:
/// the short form, for a row too narrow for the whole (a phone), which keeps each part's point.
fn why(
    t: &TaskTrace,
    trace: &Trace,
    effects: &[usize],
    options: &Options,
    compact: bool,
) -> Option<(String, String)> {
    let cause = t.cause.as_deref().unwrap_or("its context was cancelled");
    let tie = tie_note(t, trace, cause, compact);
    let mut rest = String::new();
    let lead = match (t.outcome, t.end) {
        (Outcome::Cancelled, Some(end)) => {
            // "cancelled at 1s: deadline of main", not "… passed at 1s" again.
            let at_end = format!(" passed at {}", human(end));
            rest.push_str(cause.strip_suffix(at_end.as_str()).unwrap_or(cause));
            if let Some(c) = t.cancel_requested.filter(|&c| end > c + 5e-4) {
                let _ = write!(rest, ", seen {} later", human(end - c));
            }
            match trace.tie_of(t) {
                Some(_) if compact => rest.push_str(" · a race in Go"),
                Some(tie) => {
                    let _ = write!(rest, " · {tie}");
                }
                None => {}
            }
            if let (Some((from, to)), Some(work)) = (ghost(t), t.work) {
                let _ = write!(rest, " · {} ", human(to - from));
                if !compact {
                    let _ = write!(rest, "of its {} ", human(work));
                }
                rest.push_str("not done");
            }
            format!("cancelled at {}: ", human(end))
        }
        (Outcome::Failed, Some(end)) => {
            rest.push_str(t.error.as_deref().unwrap_or(""));
            if let Some(note) = &tie {
                let _ = write!(rest, " · {note}");
            }
            // The tasks its failure cancelled: those it reached that ran on to their own end
            // (not looking, or failing themselves) were not.
            let cancelled: Vec<&str> = effects
                .iter()
                .map(|&i| &trace.tasks[i])
                .filter(|e| e.outcome == Outcome::Cancelled)
                .map(|e| e.path.as_str())
                .collect();
            if !cancelled.is_empty() {
                let _ = write!(
                    rest,
                    " → cancelled {}",
                    cancelled[..cancelled.len().min(3)].join(", ")
                );
                if cancelled.len() > 3 {
                    let _ = write!(rest, " and {} more", cancelled.len() - 3);
                }
            }
            format!("failed at {}: ", human(end))
        }
        (Outcome::Completed, Some(end)) if tie.is_some() => {
            rest.push_str(tie.as_deref().unwrap_or_default());
            format!("completed at {}: ", human(end))
        }
        (Outcome::Completed, Some(end)) => {
            if let Some(c) = t.cancel_requested.filter(|&c| end > c + 5e-4) {
                let _ = write!(
                    rest,
                    "ran on {} after the cancel at {}",
                    human(end - c),
                    human(c)
                );
                if !compact {
                    let _ = write!(rest, " ({cause})");
                }
            }
            String::new()
        }
        (Outcome::Skipped, _) => {
            rest.push_str("g.TryGo found no free slot and returned false: it never ran");
            format!("skipped at {}: ", human(t.spawned))
        }
        (Outcome::Running, _) if t.start.is_none() => {
            if options.running_at.is_some() {
                return None;
            }
            rest.push_str("waits for a slot that is never freed");
            String::new()
        }
        (Outcome::Running, _) => {
            match (t.cancel_requested, options.running_at) {
                (Some(c), Some(_)) => {
                    let _ = write!(
                        rest,
                        "cancel requested at {} ({cause}); still running",
                        human(c)
                    );
                }
                (Some(c), None) => {
                    let _ = write!(rest, "ignores the cancel at {}", human(c));
                    if !compact {
                        let _ = write!(rest, " ({cause})");
                    }
                }
                (None, Some(_)) => return None,
                (None, None) => {}
            }
            match (options.running_at, rest.is_empty()) {
                (Some(_), _) => String::new(),
                (None, true) => "never returns".to_string(),
                (None, false) => "never returns: ".to_string(),
            }
        }
        _ => return None,
    };
    let mut lead = lead;
    if let Some(race) = trace.race_of(t) {
        if lead.is_empty() && rest.is_empty() {
            if let Some(end) = t.end {
                lead = format!("{} at {}: ", t.outcome.as_str(), human(end));
            }
        }
        if !rest.is_empty() {
            rest.push_str(" · ");
        }
        if compact {
            rest.push_str("a race in Go");
        } else {
            rest.push_str(&race.sentence());
        }
    }
    if t.leaked {
        if !rest.is_empty() || !lead.is_empty() {
            rest.push_str(" · ");
        }
        rest.push_str("leaked: nobody waits for it");
    }
    (!lead.is_empty() || !rest.is_empty()).then_some((lead, rest))
}

/// The mark (deadline or cancel line) that stopped `t`, if one did.
fn origin_mark(t: &TaskTrace, marks: &[Mark]) -> Option<usize> {
    let c = t.cancel_requested?;
    let cause = t.cause.as_deref()?;
    if t.cause_task.is_some() {
        return None;
    }
    marks.iter().position(|m| {
        m.kind != "error"
            && (m.t - c).abs() < 5e-4
            && (cause.contains(&format!(" of {} ", m.context))
                || cause.ends_with(&format!(" of {}", m.context)))
    })
}

/// Renders the trace as one SVG document.
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s").unwrap();
/// let trace = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// let svg = ctxgroup_playground::gantt::render(&trace, &Default::default());
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains("t2 cancelled at 7s"));
/// ```
pub fn render(trace: &Trace, options: &Options) -> String {
    let l = Layout::new(trace, options);
    let rows = l.rows_in(options.rows_px);
    let body_top = l.ys[rows.start];
    let body_h = l.ys[rows.end] - body_top;
    let legend = legend_layout(l.width);
    let foot_h = foot_height(&legend, trace);
    let height = l.top + body_h + foot_h;
    let mut s = String::with_capacity(4096 + rows.len() * 700);
    svg_open(&mut s, &l, height, Some(trace), options.dark, "");
    let _ = write!(
        s,
        r#"<rect class="cg-bg" x="0" y="0" width="{w}" height="{h}"/>"#,
        w = Px(l.width),
        h = Px(height)
    );
    head(&mut s, trace, &l);
    let _ = write!(
        s,
        r#"<g transform="translate(0,{})">"#,
        Px(l.top - body_top)
    );
    body(&mut s, trace, &l, rows, options);
    let _ = write!(
        s,
        r#"</g><g transform="translate(0,{})">"#,
        Px(l.top + body_h)
    );
    foot(&mut s, trace, &l, &legend, options);
    s.push_str("</g></svg>");
    s
}

/// Renders the chart as three SVG documents: the axis (to keep in view), the rows crossing
/// `options.rows_px` (all of them without it) and the foot with the legend.
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::gantt::{render_parts, Options};
/// let text: String = (0..100).map(|i| format!("task t{i} 1s\n")).collect();
/// let s = ctxgroup_playground::scenario::parse(&text).unwrap();
/// let trace = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// let parts = render_parts(&trace, &Options { rows_px: Some((0.0, 200.0)), ..Options::default() });
/// assert_eq!(parts.body.matches("class=\"cg-row\"").count(), 10);
/// assert_eq!(parts.body_height, 2000.0);
/// ```
pub fn render_parts(trace: &Trace, options: &Options) -> Parts {
    let mut parts = PartsBuilder::new(trace, options);
    while !parts.step(trace, options) {}
    parts.finish()
}

/// [`render_parts`] one part at a time, so that a caller can do other work between the parts
/// (a live run draws its frames between its deadlines). Each step must be given the trace and
/// options the builder was made with.
///
/// # Examples
///
/// ```
/// use ctxgroup_playground::gantt::{render_parts, Options, PartsBuilder};
/// let s = ctxgroup_playground::scenario::parse("timeout 1s\ntask a 2s").unwrap();
/// let trace = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// let options = Options::default();
/// let mut parts = PartsBuilder::new(&trace, &options);
/// let mut steps = 1;
/// while !parts.step(&trace, &options) {
///     steps += 1;
/// }
/// assert_eq!(steps, 3); // the axis, the rows, the foot
/// assert_eq!(parts.finish().body, render_parts(&trace, &options).body);
/// ```
#[derive(Debug)]
pub struct PartsBuilder {
    layout: Layout,
    rows: std::ops::Range<usize>,
    parts: Parts,
    drawn: u8,
}

impl PartsBuilder {
    /// Lays the chart out (every row's place; cheap next to drawing).
    pub fn new(trace: &Trace, options: &Options) -> PartsBuilder {
        let layout = Layout::new(trace, options);
        let rows = layout.rows_in(options.rows_px);
        let body_top = layout.ys[rows.start];
        let parts = Parts {
            body_top,
            body_height: layout.height(),
            left: layout.left,
            plot_width: layout.plot_w,
            t0: layout.t0,
            t1: layout.t1,
            end: layout.end,
            ..Parts::default()
        };
        PartsBuilder {
            layout,
            rows,
            parts,
            drawn: 0,
        }
    }

    /// Draws the next part: the axis, then the rows, then the foot. True once all are drawn.
    pub fn step(&mut self, trace: &Trace, options: &Options) -> bool {
        let l = &self.layout;
        match self.drawn {
            0 => {
                let h = &mut self.parts.head;
                h.reserve(4096);
                svg_open(h, l, l.top, Some(trace), options.dark, " cg-head");
                head(h, trace, l);
                h.push_str("</svg>");
            }
            1 => {
                let rows = self.rows.clone();
                let body_h = l.ys[rows.end] - l.ys[rows.start];
                let b = &mut self.parts.body;
                b.reserve(1024 + rows.len() * 700);
                svg_open(b, l, body_h, None, false, " cg-body");
                let _ = write!(
                    b,
                    r#"<g transform="translate(0,{})">"#,
                    Px(-self.parts.body_top)
                );
                body(b, trace, l, rows, options);
                b.push_str("</g></svg>");
            }
            2 => {
                let legend = legend_layout(l.width);
                let f = &mut self.parts.foot;
                f.reserve(4096);
                svg_open(f, l, foot_height(&legend, trace), None, false, " cg-foot");
                foot(f, trace, l, &legend, options);
                f.push_str("</svg>");
            }
            _ => return true,
        }
        self.drawn += 1;
        self.drawn == 3
    }

    /// The parts drawn so far (all of them once [`step`](Self::step) has said so).
    pub fn finish(self) -> Parts {
        self.parts
    }
}

/// Each row's top, in px from the first row's top, and the bottom of the last row (rows that
/// say why they stopped are taller).
///
/// # Examples
///
/// ```
/// let s = ctxgroup_playground::scenario::parse("timeout 1s\ntask a 500ms\ntask b 2s").unwrap();
/// let trace = ctxgroup_playground::simulate::simulate(&s).unwrap();
/// let tops = ctxgroup_playground::gantt::row_tops(&trace, &Default::default());
/// assert_eq!(tops, [0.0, 24.0, 62.0]);
/// ```
pub fn row_tops(trace: &Trace, options: &Options) -> Vec<f64> {
    Layout::new(trace, options).ys
}

/// `<svg …>`; with a trace, also the title, description, styles and shared definitions.
fn svg_open(s: &mut String, l: &Layout, height: f64, doc: Option<&Trace>, dark: bool, class: &str) {
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="cg-gantt{class}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" data-left="{left}" data-plot-width="{pw}" data-end-us="{end}" data-t0-us="{t0}" data-t1-us="{t1}" font-family="ui-sans-serif, system-ui, -apple-system, Segoe UI, sans-serif" font-size="{font}""#,
        w = Px(l.width),
        h = Px(height),
        left = Px(l.left),
        pw = Px(l.plot_w),
        end = (l.end * 1e6).round() as i64,
        t0 = (l.t0 * 1e6).round() as i64,
        t1 = (l.t1 * 1e6).round() as i64,
        font = Px(l.font),
    );
    let Some(trace) = doc else {
        s.push_str(r#" aria-hidden="true">"#);
        return;
    };
    // Named by the summary, described by the tasks: each said once.
    s.push_str(r#" role="img" aria-labelledby="cg-title" aria-describedby="cg-desc">"#);
    let _ = write!(
        s,
        "<title id=\"cg-title\">{}</title>",
        esc(&trace.summary())
    );
    let _ = write!(s, "<desc id=\"cg-desc\">{}</desc>", esc(&describe(trace)));
    let _ = write!(
        s,
        "<style>.cg-gantt{{{}}}{}{STYLE}</style>{DEFS}<clipPath id=\"cg-plot\"><rect x=\"{}\" y=\"-4000000\" width=\"{}\" height=\"8000000\"/></clipPath></defs>",
        if dark { DARK } else { LIGHT },
        plain_style(dark),
        Px(l.left - 1.0),
        Px(l.plot_w + 2.0)
    );
}

/// The axis: tick labels, and the labels of deadline and cancel lines.
fn head(s: &mut String, trace: &Trace, l: &Layout) {
    let step = tick_step(l.t1 - l.t0, (l.plot_w / 90.0).max(2.0));
    let mut k = (l.t0 / step - 1e-9).ceil();
    while k * step <= l.t1 + 1e-9 {
        let t = k * step;
        let _ = write!(
            s,
            r#"<text class="cg-muted" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            Px(l.x(t)),
            Px(l.top - 8.0),
            esc(&human(t))
        );
        k += 1.0;
    }
    for (k, m) in trace.marks.iter().enumerate() {
        if m.kind == "error" || m.t < l.t0 - 1e-9 || m.t > l.t1 + 1e-9 {
            continue;
        }
        let xx = l.x(m.t);
        let anchor = if xx > l.width - 120.0 { "end" } else { "start" };
        let _ = write!(
            s,
            r#"<text class="cg-mark-{}" data-mark="{k}" x="{}" y="{}" text-anchor="{anchor}" font-size="10">{}</text>"#,
            m.kind,
            Px(xx + if anchor == "start" { 3.0 } else { -3.0 }),
            Px(11.0 + (k % 2) as f64 * 11.0),
            esc(&mark_text(m))
        );
    }
}

/// A mark's label and instant: `timeout 2s at 3.5s`, or `timeout 6.5s` alone when it passed at
/// 6.5 s (a context made at the start: "timeout 6.5s at 6.5s" says it twice).
fn mark_text(m: &crate::trace::Mark) -> String {
    let at = human(m.t);
    match m.label.rsplit_once(' ') {
        Some((_, last)) if last == at => m.label.clone(),
        _ => format!("{} at {at}", m.label),
    }
}

/// The rows `rows`, with the lines that cross them and the connectors between them; `y` from the
/// first row's top.
fn body(
    s: &mut String,
    trace: &Trace,
    l: &Layout,
    rows: std::ops::Range<usize>,
    options: &Options,
) {
    let (y0, y1) = (l.ys[rows.start], l.ys[rows.end]);
    for i in rows.clone() {
        let class = if i % 2 == 0 { "cg-stripe" } else { "cg-bg" };
        let _ = write!(
            s,
            r#"<rect class="{class}" x="0" y="{}" width="{}" height="{}"/>"#,
            Px(l.ys[i]),
            Px(l.width),
            Px(l.ys[i + 1] - l.ys[i])
        );
    }
    s.push_str(r#"<g clip-path="url(#cg-plot)">"#);
    // Grid.
    let step = tick_step(l.t1 - l.t0, (l.plot_w / 90.0).max(2.0));
    let mut k = (l.t0 / step - 1e-9).ceil();
    while k * step <= l.t1 + 1e-9 {
        let xx = Px(l.x(k * step));
        let _ = write!(
            s,
            r#"<line class="cg-grid" x1="{xx}" y1="{}" x2="{xx}" y2="{}"/>"#,
            Px(y0),
            Px(y1)
        );
        k += 1.0;
    }
    // The return line first, then the deadline and cancel lines over it: nothing hides them.
    // Outside a zoomed window it is not drawn (at the edge it would say the wrong time).
    if let Some(r) = trace.returned.as_ref().filter(|r| l.shows(r.at)) {
        let xx = Px(l.x(r.at));
        let _ = write!(
            s,
            r#"<line class="cg-return" x1="{xx}" y1="{}" x2="{xx}" y2="{}"/>"#,
            Px(y0),
            Px(y1)
        );
    }
    for (k, m) in trace.marks.iter().enumerate() {
        let class = match m.kind {
            "deadline" => "cg-deadline",
            "cancel" => "cg-cancel",
            _ => "cg-error",
        };
        let xx = Px(l.x(m.t));
        let _ = write!(
            s,
            r#"<line class="{class}" data-mark="{k}" x1="{xx}" y1="{}" x2="{xx}" y2="{}"><title>{}</title></line>"#,
            Px(y0),
            Px(y1),
            esc(&mark_text(m))
        );
    }
    s.push_str("</g>");

    let index = trace.rows_by_path();
    let mut effects: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, t) in trace.tasks.iter().enumerate() {
        if let Some(&j) = t.cause_task.as_deref().and_then(|c| index.get(c)) {
            effects.entry(j).or_default().push(i);
        }
    }
    let drawn = |p: &str| index.get(p).is_some_and(|&i| rows.contains(&i));
    let mut checks: HashMap<&str, Vec<f64>> = HashMap::new();
    for e in trace.events.iter().filter(|e| e.kind == "check") {
        if let Some(task) = e.task.as_deref().filter(|p| drawn(p)) {
            checks.entry(task).or_default().push(e.t);
        }
    }
    let open_end = options.running_at.map_or(l.end, |now| now.min(l.end));
    for i in rows.clone() {
        let task = &trace.tasks[i];
        row(
            s,
            trace,
            l,
            i,
            task,
            checks.get(task.path.as_str()),
            effects.get(&i).map_or(&[][..], |v| v),
            open_end,
            options,
        );
    }

    // Cause → effect: from the failing sibling's end, or from the deadline or cancel line, to
    // each task it stopped (its end marker), bulging left so that it shows beside the lines.
    s.push_str(r#"<g clip-path="url(#cg-plot)">"#);
    let mid = |i: usize| l.ys[i] + l.row_h / 2.0;
    for i in rows {
        let t = &trace.tasks[i];
        let Some(c) = t.cancel_requested else {
            continue;
        };
        let to_t = t.end.unwrap_or(open_end).max(c);
        let (x2, y2) = (l.x(to_t) - 3.0, mid(i));
        let (from, kind, x1, y1) =
            if let Some(&j) = t.cause_task.as_deref().and_then(|p| index.get(p)) {
                let jt = &trace.tasks[j];
                (esc(&jt.path), "error", l.x(jt.end.unwrap_or(c)), mid(j))
            } else if let Some(k) = origin_mark(t, &trace.marks) {
                (
                    format!("mark:{k}"),
                    trace.marks[k].kind,
                    l.x(trace.marks[k].t),
                    l.ys[i] - 2.0,
                )
            } else {
                continue;
            };
        let bulge = (18.0 + (y2 - y1).abs() * 0.15).min(60.0);
        let _ = write!(
            s,
            r#"<path class="cg-link cg-link-{kind}" data-from="{from}" data-to="{to}" d="M{},{}C{},{} {},{} {},{}" marker-end="url(#cg-ah-{kind})"/>"#,
            Px(x1),
            Px(y1),
            Px(x1 - bulge),
            Px(y1 + (y2 - y1) * 0.35),
            Px(x2 - bulge),
            Px(y2),
            Px(x2),
            Px(y2),
            to = esc(&t.path),
        );
    }
    s.push_str("</g>");
}

#[allow(clippy::too_many_arguments)]
fn row(
    s: &mut String,
    trace: &Trace,
    l: &Layout,
    i: usize,
    task: &TaskTrace,
    checks: Option<&Vec<f64>>,
    effects: &[usize],
    open_end: f64,
    options: &Options,
) {
    let y = l.ys[i];
    let h = l.ys[i + 1] - y;
    let cy = y + l.row_h / 2.0;
    let bar_h = l.bar_h;
    let by = cy - bar_h / 2.0;
    let _ = write!(
        s,
        r#"<g class="cg-row" data-path="{}" data-line="{}" data-i="{i}" tabindex="-1">"#,
        esc(&task.path),
        task.line
    );
    let _ = write!(s, "<title>{}</title>", esc(&tooltip(task, trace)));
    let _ = write!(
        s,
        r#"<rect class="cg-hit" x="0" y="{}" width="{}" height="{}"/>"#,
        Px(y),
        Px(l.width),
        Px(h)
    );
    // As many characters as the label column holds at this depth (a phone's is narrow).
    let indent = task.depth.min(12) as f64 * 14.0;
    let room = (((l.left - 22.0 - indent) / (l.font * 0.62))
        .floor()
        .max(3.0) as usize)
        .min(l.label_chars);
    let name: String = if task.name.chars().count() > room {
        task.name.chars().take(room - 1).chain(['…']).collect()
    } else {
        task.name.clone()
    };
    let _ = write!(
        s,
        r#"<text class="cg-text" x="{}" y="{}" dominant-baseline="central"{}>{}{}</text>"#,
        Px(8.0 + task.depth.min(12) as f64 * 14.0),
        Px(cy),
        if task.is_group {
            " font-weight=\"600\""
        } else {
            ""
        },
        if task.is_group {
            "▾ "
        } else if task.goroutine {
            "go "
        } else if task.after_cancel {
            "AfterFunc "
        } else {
            ""
        },
        esc(&name)
    );
    s.push_str(r#"<g clip-path="url(#cg-plot)">"#);
    let bar_end = task.end.unwrap_or(open_end);
    let start = task.start.unwrap_or(open_end);
    if task.outcome == Outcome::Skipped {
        skipped_marker(s, l.x(task.spawned), cy, bar_h);
    } else if start > task.spawned + 1e-9 {
        let _ = write!(
            s,
            r#"<rect class="cg-queued" x="{}" y="{}" width="{}" height="{}" rx="2"/>"#,
            Px(l.x(task.spawned)),
            Px(by),
            Px((l.x(start) - l.x(task.spawned)).max(1.0)),
            Px(bar_h)
        );
    }
    if let Some(st) = task.start {
        if let Some((from, to)) = ghost(task) {
            let _ = write!(
                s,
                r#"<rect class="cg-ghost" x="{}" y="{}" width="{}" height="{}" rx="2"><title>{}</title></rect>"#,
                Px(l.x(from)),
                Px(by),
                Px((l.x(to) - l.x(from)).max(1.0)),
                Px(bar_h),
                esc(&format!(
                    "work not done: it would have run until {} ({} more)",
                    human(to),
                    human(to - from)
                ))
            );
            // Past the axis' end: where it would have ended, at the edge.
            let edge = l.left + l.plot_w;
            if l.x(to) > edge + 1.0 && l.x(from) < edge - 40.0 {
                let _ = write!(
                    s,
                    r#"<text class="cg-ghost-to" x="{}" y="{}" text-anchor="end" dominant-baseline="central">→ {}</text>"#,
                    Px(edge - 2.0),
                    Px(by + bar_h / 2.0),
                    esc(&human(to))
                );
            }
        }
        let w = (l.x(bar_end) - l.x(st)).max(1.5);
        let _ = write!(
            s,
            r#"<rect class="cg-{}" x="{}" y="{}" width="{}" height="{}" rx="2"/>"#,
            task.outcome.as_str(),
            Px(l.x(st)),
            Px(by),
            Px(w),
            Px(bar_h)
        );
        if let Some(c) = task.cancel_requested.filter(|&c| bar_end > c + 1e-9) {
            let _ = write!(
                s,
                r#"<rect class="cg-ignored" x="{}" y="{}" width="{}" height="{}"/>"#,
                Px(l.x(c)),
                Px(by),
                Px((l.x(bar_end) - l.x(c)).max(1.0)),
                Px(bar_h)
            );
        }
        if task.leaked {
            let _ = write!(
                s,
                r#"<rect class="cg-leaked" x="{}" y="{}" width="{}" height="{}" rx="2"/>"#,
                Px(l.x(st) - 1.5),
                Px(by - 2.0),
                Px(w + 3.0),
                Px(bar_h + 4.0)
            );
        }
        if let Some(ts) = checks {
            draw_checks(s, l, ts, task.checks, by);
        }
    }
    s.push_str("</g>");
    if task.start.is_some()
        && l.x(bar_end) >= l.left - 1.0
        && l.x(bar_end) <= l.left + l.plot_w + 1.0
    {
        end_marker(s, task.outcome, l.x(bar_end), cy, bar_h);
    }
    if let Some((mut lead, mut rest)) = why(task, trace, effects, options, false) {
        // Under its bar, moved left as far as the chart's edge needs (the line under the names
        // is free); in its short form when it is wider than that, and then cut short, with the
        // whole text in the tooltip.
        let width_of =
            |lead: &str, rest: &str| (text_width(lead, 11.0) + text_width(rest, 11.0)) * 1.1;
        let room = l.width - 8.0;
        if width_of(&lead, &rest) > room {
            (lead, rest) = why(task, trace, effects, options, true).unwrap_or_default();
        }
        if width_of(&lead, &rest) > room {
            let keep =
                ((room / (11.0 * 0.56 * 1.1)) as usize).saturating_sub(lead.chars().count() + 1);
            rest = rest.chars().take(keep).chain(['…']).collect();
        }
        let text_w = width_of(&lead, &rest);
        let wy = y + l.row_h + l.why_h / 2.0 - 1.0;
        let x_start = l.xc(task.start.unwrap_or(task.spawned));
        let x = x_start.min(l.width - 4.0 - text_w).max(4.0);
        let _ = write!(
            s,
            r#"<text class="cg-why" x="{}" y="{}" dominant-baseline="central" xml:space="preserve">"#,
            Px(x),
            Px(wy)
        );
        if !lead.is_empty() {
            let _ = write!(
                s,
                r#"<tspan class="cg-w-{}">{}</tspan>"#,
                task.outcome.as_str(),
                esc(&lead)
            );
        }
        let _ = write!(s, "{}</text>", esc(&rest));
    }
    s.push_str("</g>");
}

/// Check ticks; when they would crowd (or only the first and last are listed), a dotted line
/// for the stretch of steady checking.
fn draw_checks(s: &mut String, l: &Layout, ts: &[f64], total: u64, by: f64) {
    let Some((&first, &last)) = ts.first().zip(ts.last()) else {
        return;
    };
    let px_per_check = (l.x(last) - l.x(first)) / (ts.len().max(2) - 1) as f64;
    let (y1, y2) = (Px(by - 2.0), Px(by + 2.5));
    if ts.len() as u64 >= total && px_per_check >= 3.0 {
        for &t in ts {
            if t < l.t0 - 1e-9 || t > l.t1 + 1e-9 {
                continue;
            }
            let xx = Px(l.x(t));
            let _ = write!(
                s,
                r#"<line class="cg-check" x1="{xx}" y1="{y1}" x2="{xx}" y2="{y2}"/>"#
            );
        }
    } else {
        let _ = write!(
            s,
            r#"<line class="cg-checks" x1="{}" y1="{}" x2="{}" y2="{}"><title>{} checks</title></line>"#,
            Px(l.x(first)),
            Px(by - 1.0),
            Px(l.x(last)),
            Px(by - 1.0),
            crate::simulate::grouped(total)
        );
    }
}

fn foot_height(legend: &[(&'static (Swatch, &'static str), f64, f64)], trace: &Trace) -> f64 {
    legend.last().map_or(0.0, |(_, _, y)| *y) + 64.0 + steps_height(trace)
}

/// Height of the goroutine count's step chart (none when nothing ever runs).
const STEPS_H: f64 = 44.0;

fn steps_height(trace: &Trace) -> f64 {
    if trace.goroutines.iter().any(|(_, n)| *n > 0) {
        STEPS_H
    } else {
        0.0
    }
}

/// The goroutines alive over time, as a step chart on the rows' time axis, from `y` down.
fn steps(s: &mut String, trace: &Trace, l: &Layout, y: f64, until: f64) {
    let max = trace.goroutines.iter().map(|(_, n)| *n).max().unwrap_or(0);
    if max == 0 {
        return;
    }
    let (top, bottom) = (y + 6.0, y + STEPS_H - 8.0);
    let yn = |n: usize| bottom - (bottom - top) * n as f64 / max as f64;
    let (x0, x1) = (l.left, l.left + l.plot_w);
    let xt = |t: f64| l.x(t).clamp(x0, x1);
    // One horizontal move per pixel column at most: within a column only the lowest, the
    // highest and the last count are drawn (10,000 tasks change the count 20,000 times).
    let mut d = format!("M{},{}", Px(xt(0.0)), Px(yn(0)));
    let mut column: Option<(f64, usize, usize, usize)> = None; // (x, low, high, last)
    let flush = |d: &mut String, (x, low, high, last): (f64, usize, usize, usize)| {
        let _ = write!(d, "H{}", Px(x));
        if low != high {
            let _ = write!(d, "V{}V{}", Px(yn(low)), Px(yn(high)));
        }
        let _ = write!(d, "V{}", Px(yn(last)));
    };
    for (t, n) in &trace.goroutines {
        let x = xt(*t).round();
        column = match column {
            Some((cx, low, high, _)) if cx == x => Some((cx, low.min(*n), high.max(*n), *n)),
            Some(done) => {
                flush(&mut d, done);
                Some((x, *n, *n, *n))
            }
            None => Some((x, *n, *n, *n)),
        };
    }
    if let Some(done) = column {
        flush(&mut d, done);
    }
    let _ = write!(d, "H{}", Px(xt(trace.end.max(until))));
    let mut said: Vec<String> = trace
        .goroutines
        .iter()
        .take(20)
        .map(|(t, n)| format!("{n} from {}", human(*t)))
        .collect();
    if trace.goroutines.len() > 20 {
        said.push("…".into());
    }
    let _ = write!(
        s,
        r#"<g class="cg-steps"><title>{}</title><line class="cg-steps-base" x1="{}" y1="{}" x2="{}" y2="{}"/><path class="cg-goroutines" d="{d}"/><text class="cg-muted" x="8" y="{}" dominant-baseline="central" font-size="11">goroutines</text><text class="cg-muted" x="{}" y="{}" text-anchor="end" dominant-baseline="central" font-size="10">{max}</text><text class="cg-muted" x="{}" y="{}" text-anchor="end" dominant-baseline="central" font-size="10">0</text></g>"#,
        esc(&format!(
            "goroutines alive (runtime.NumGoroutine()): {}",
            said.join(", ")
        )),
        Px(x0),
        Px(bottom),
        Px(x1),
        Px(bottom),
        Px((top + bottom) / 2.0),
        Px(l.left - 6.0),
        Px(top),
        Px(l.left - 6.0),
        Px(bottom),
    );
}

/// The group's return (or why it has not) and the legend.
fn foot(
    s: &mut String,
    trace: &Trace,
    l: &Layout,
    legend: &[(&'static (Swatch, &'static str), f64, f64)],
    options: &Options,
) {
    match &trace.returned {
        Some(r) => {
            let xx = l.xc(r.at);
            if l.shows(r.at) {
                let _ = write!(
                    s,
                    r#"<line class="cg-return" x1="{xx}" y1="0" x2="{xx}" y2="8"/>"#,
                    xx = Px(xx)
                );
            }
            let mut label = match &r.error {
                // Joined errors (on-error collect) are one per line: one line here.
                Some(e) => format!("returned at {}: {}", human(r.at), e.replace('\n', "; ")),
                None => format!("returned at {}: ok", human(r.at)),
            };
            // An exported picture has no summary: the return says when it is one side of a race.
            if trace.races.iter().any(|race| race.path.is_none()) {
                label.push_str(" · a race in Go");
            }
            // Too wide for the chart (a phone, joined errors): cut short, whole in the tooltip.
            let room = l.width - 8.0;
            let full = text_width(&label, 12.5) > room;
            let shown = if full {
                let keep = (room / (12.5 * 0.56)) as usize;
                label
                    .chars()
                    .take(keep.saturating_sub(1))
                    .chain(['…'])
                    .collect()
            } else {
                label.clone()
            };
            // Right of the line if it fits, else left of it, else from the left edge.
            let w = text_width(&shown, 12.5);
            let (anchor, lx) = if xx + 4.0 + w <= l.width - 4.0 {
                ("start", xx + 4.0)
            } else if xx - 4.0 - w >= 4.0 {
                ("end", xx - 4.0)
            } else {
                ("start", 4.0)
            };
            let tooltip = if full {
                format!("<title>{}</title>", esc(&label))
            } else {
                String::new()
            };
            let _ = write!(
                s,
                r#"<text class="cg-text" x="{}" y="20" text-anchor="{anchor}" font-weight="600">{}{tooltip}</text>"#,
                Px(lx),
                esc(&shown)
            );
        }
        None => {
            let text = match options.running_at {
                Some(t) if options.stopped => {
                    format!("stopped at {}: the group had not returned", human(t))
                }
                Some(t) => format!("running at {}: the group has not returned yet", human(t)),
                None => "never returns: a task never ends, so Wait never returns".to_string(),
            };
            let _ = write!(
                s,
                r#"<text class="cg-text" x="{}" y="20" font-weight="600">{text}</text>"#,
                Px(l.left)
            );
        }
    }
    // A live run's count is known up to now, not to the axis' end.
    steps(s, trace, l, 28.0, options.running_at.unwrap_or(l.t1));
    let below = steps_height(trace);
    s.push_str(r#"<g class="cg-legend">"#);
    for (item, lx, ly) in legend {
        let (lx, ly) = (*lx, 44.0 + below + *ly);
        let (x, y) = (Px(lx), Px(ly - 8.0));
        match item.0 {
            Swatch::Bar(class, end) => {
                let _ = write!(
                    s,
                    r#"<rect class="{class}" x="{x}" y="{y}" width="16" height="10" rx="2"/>"#
                );
                end_marker(s, end, lx + 16.0, ly - 3.0, 10.0);
            }
            Swatch::Fill(class) => {
                let _ = write!(
                    s,
                    r#"<rect class="{class}" x="{x}" y="{y}" width="16" height="10" rx="2"/>"#
                );
            }
            Swatch::Skipped => skipped_marker(s, lx + 3.0, ly - 3.0, 10.0),
            Swatch::Striped => {
                let _ = write!(
                    s,
                    r#"<rect class="cg-running" x="{x}" y="{y}" width="16" height="10"/><rect class="cg-ignored" x="{x}" y="{y}" width="16" height="10"/>"#
                );
            }
            Swatch::Leaked => {
                let _ = write!(
                    s,
                    r#"<rect class="cg-running" x="{}" y="{}" width="14" height="8" rx="2"/><rect class="cg-leaked" x="{x}" y="{y}" width="16" height="10" rx="2"/>"#,
                    Px(lx + 1.0),
                    Px(ly - 7.0)
                );
            }
            Swatch::Check => {
                for dx in [2.0, 7.0, 12.0] {
                    let xx = Px(lx + dx);
                    let _ = write!(
                        s,
                        r#"<line class="cg-check" x1="{xx}" y1="{}" x2="{xx}" y2="{}"/>"#,
                        Px(ly - 9.0),
                        Px(ly + 1.0)
                    );
                }
            }
            Swatch::Line(class) => {
                let _ = write!(
                    s,
                    r#"<line class="{class}" x1="{xx}" y1="{}" x2="{xx}" y2="{}"/>"#,
                    Px(ly - 11.0),
                    Px(ly + 3.0),
                    xx = Px(lx + 6.0)
                );
            }
            Swatch::Link => {
                let _ = write!(
                    s,
                    r#"<path class="cg-link cg-link-error" d="M{},{}C{},{} {},{} {},{}" marker-end="url(#cg-ah-error)"/>"#,
                    Px(lx + 2.0),
                    Px(ly - 10.0),
                    Px(lx - 4.0),
                    Px(ly - 6.0),
                    Px(lx + 6.0),
                    Px(ly),
                    Px(lx + 15.0),
                    Px(ly)
                );
            }
        }
        let _ = write!(
            s,
            r#"<text class="cg-muted" x="{}" y="{}" font-size="11">{}</text>"#,
            Px(lx + 26.0),
            Px(ly),
            item.1
        );
    }
    s.push_str("</g>");
}

enum Swatch {
    Bar(&'static str, Outcome),
    Fill(&'static str),
    Striped,
    Leaked,
    Check,
    Line(&'static str),
    Link,
    Skipped,
}

const LEGEND: [(Swatch, &str); 14] = [
    (Swatch::Bar("cg-completed", Outcome::Completed), "completed"),
    (Swatch::Bar("cg-failed", Outcome::Failed), "failed"),
    (Swatch::Bar("cg-cancelled", Outcome::Cancelled), "cancelled"),
    (Swatch::Bar("cg-running", Outcome::Running), "running"),
    (Swatch::Fill("cg-queued"), "waiting for a slot"),
    (Swatch::Skipped, "skipped (TryGo)"),
    (Swatch::Striped, "ran on after cancel"),
    (Swatch::Fill("cg-ghost"), "work not done"),
    (Swatch::Leaked, "leaked"),
    (Swatch::Check, "check of ctx"),
    (Swatch::Line("cg-deadline"), "deadline"),
    (Swatch::Line("cg-cancel"), "cancel()"),
    (Swatch::Line("cg-return"), "returned"),
    (Swatch::Link, "cause → effect"),
];

/// Where each legend item goes (x, and y from the first line), wrapping at `width`.
fn legend_layout(width: f64) -> Vec<(&'static (Swatch, &'static str), f64, f64)> {
    let (mut x, mut y) = (8.0, 0.0);
    let mut out = Vec::new();
    for item in LEGEND.iter() {
        let w = 38.0 + text_width(item.1, 11.0);
        if x + w > width - 8.0 && x > 8.0 {
            x = 8.0;
            y += 18.0;
        }
        out.push((item, x, y));
        x += w;
    }
    out
}

/// A rough width of `text` in px at `size` (the chart's sans-serif averages ~0.56 em).
fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.56
}

/// A skipped task's mark where `g.TryGo` was called: a hollow circle, struck through.
fn skipped_marker(s: &mut String, x: f64, cy: f64, h: f64) {
    let r = (h / 2.0).min(5.0);
    let _ = write!(
        s,
        r#"<g class="cg-skipped"><circle cx="{}" cy="{}" r="{}"/><path d="M{},{}L{},{}"/></g>"#,
        Px(x + r),
        Px(cy),
        Px(r),
        Px(x + r - r * 0.7),
        Px(cy + r * 0.7),
        Px(x + r + r * 0.7),
        Px(cy - r * 0.7)
    );
}

fn end_marker(s: &mut String, outcome: Outcome, x: f64, cy: f64, h: f64) {
    let r = (h / 2.0).min(5.0);
    match outcome {
        Outcome::Completed => {
            let _ = write!(
                s,
                r#"<circle class="cg-end cg-completed cg-end-ok" cx="{}" cy="{}" r="{}"/>"#,
                Px(x),
                Px(cy),
                Px(r)
            );
        }
        Outcome::Failed => {
            let _ = write!(
                s,
                r#"<path class="cg-end cg-end-x" d="M{},{}L{},{}M{},{}L{},{}"/>"#,
                Px(x - r),
                Px(cy - r),
                Px(x + r),
                Px(cy + r),
                Px(x - r),
                Px(cy + r),
                Px(x + r),
                Px(cy - r)
            );
        }
        Outcome::Cancelled => {
            let _ = write!(
                s,
                r#"<rect class="cg-end cg-cancelled cg-end-cut" x="{}" y="{}" width="4" height="{}"/>"#,
                Px(x - 2.0),
                Px(cy - h / 2.0 - 2.0),
                Px(h + 4.0)
            );
        }
        Outcome::Running => {
            let _ = write!(
                s,
                r#"<path class="cg-end cg-running" d="M{},{}L{},{}L{},{}z"/>"#,
                Px(x - r),
                Px(cy - r),
                Px(x + r * 0.6),
                Px(cy),
                Px(x - r),
                Px(cy + r)
            );
        }
        Outcome::Skipped => skipped_marker(s, x, cy, h),
    }
}

/// Why the caller spawned `task` later than the item before it, if it did: the caller spawns
/// in order, so an `after=` or a `g.Go` waiting for a slot holds up every line below it.
fn late_spawn(task: &TaskTrace, trace: &Trace) -> Option<String> {
    if task.goroutine || task.after_cancel || task.spawned <= 1e-9 {
        return None;
    }
    let i = trace.row_of(task)?;
    // The item spawned before it by the same caller: rows come depth first.
    let mut before = None;
    let mut parent_start = 0.0;
    for r in trace.tasks[..i].iter().rev() {
        if r.depth < task.depth {
            parent_start = r.start.unwrap_or(0.0);
            break;
        }
        if r.depth == task.depth && !r.goroutine && !r.after_cancel {
            before = Some(r);
            break;
        }
    }
    let at = human(task.spawned);
    match before {
        Some(b)
            if b.start
                .is_some_and(|st| st > b.spawned + 1e-9 && same_instant(st, task.spawned)) =>
        {
            Some(format!(
                "spawned at {at}: until then the caller was in g.Go({}), waiting for a slot",
                b.name
            ))
        }
        Some(b) if same_instant(b.spawned, task.spawned) => Some(format!(
            "spawned at {at}, right after {}: the caller spawns in order",
            b.name
        )),
        _ if task.spawned > before.map_or(parent_start, |b| b.spawned) + 1e-9 => {
            // Whether the same caller spawns anything after it.
            let below = trace.tasks[i + 1..]
                .iter()
                .take_while(|r| r.depth >= task.depth)
                .any(|r| r.depth == task.depth && !r.goroutine && !r.after_cancel);
            Some(format!(
                "spawned at {at}: the caller slept until then (after=){}",
                if below {
                    ", holding up the lines below"
                } else {
                    ""
                }
            ))
        }
        _ => None,
    }
}

fn tooltip(task: &TaskTrace, trace: &Trace) -> String {
    let mut lines = Vec::new();
    let head = match (task.outcome, task.end) {
        (Outcome::Running, _) if task.start.is_none() => format!(
            "{} waiting for a slot since {}",
            task.path,
            human(task.spawned)
        ),
        (Outcome::Running, _) => format!("{} still running at {}", task.path, human(trace.end)),
        (o, Some(e)) => format!("{} {} at {}", task.path, o.as_str(), human(e)),
        (o, None) => format!("{} {}", task.path, o.as_str()),
    };
    lines.push(head);
    if let Some(e) = &task.error {
        lines.push(format!("returned: {e}"));
    }
    if let Some(st) = task.start {
        if st > task.spawned {
            lines.push(format!(
                "spawned at {}, waited {} for a slot",
                human(task.spawned),
                human(st - task.spawned)
            ));
        } else {
            lines.push(format!("started at {}", human(st)));
        }
    }
    if let Some(why) = late_spawn(task, trace) {
        lines.push(why);
    }
    // A failure whose error its group does not return: an earlier one won, or the caller's
    // context, or a shutdown. (A nested group's row holds what it returned.)
    let group_error = if task.depth == 0 {
        trace.returned.as_ref().map(|r| r.error.as_ref())
    } else {
        let i = trace.row_of(task);
        i.and_then(|i| trace.tasks[..i].iter().rev().find(|r| r.depth < task.depth))
            .filter(|g| g.is_group)
            .map(|g| g.error.as_ref())
    };
    if let (Outcome::Failed, Some(e), Some(Some(first))) = (task.outcome, &task.error, group_error)
    {
        if !first.split('\n').any(|line| line == e) {
            lines.push(format!(
                "the group returned {}, not this error (Wait returns the first)",
                first.replace('\n', "; ")
            ));
        }
    }
    if let Some(c) = task.cancel_requested {
        let cause = task.cause.clone().unwrap_or_default();
        match task.end {
            Some(e) if e > c + 1e-9 => lines.push(format!(
                "cancellation reached it at {} ({cause}) but it ran on {} more",
                human(c),
                human(e - c)
            )),
            Some(_) if task.outcome == Outcome::Cancelled => {
                lines.push(format!("cancelled at {}: {cause}", human(c)))
            }
            Some(_) => lines.push(format!(
                "cancellation reached it at {} ({cause}), the instant it returned",
                human(c)
            )),
            None => lines.push(format!(
                "cancellation reached it at {} ({cause}); it has not returned",
                human(c)
            )),
        }
        if let Some(tie) = trace.tie_of(task) {
            lines.push(tie.to_string());
        }
    }
    if let Some(race) = trace.race_of(task) {
        lines.push(race.sentence());
    }
    if !trace.values.is_empty() && !task.after_cancel {
        // A key set twice is found as set last: the inner WithValue shadows the outer.
        let values: Vec<String> = trace
            .values
            .iter()
            .enumerate()
            .filter(|(i, (k, _))| !trace.values[i + 1..].iter().any(|(later, _)| later == k))
            .map(|(_, (k, v))| format!("{k}={v}"))
            .collect();
        lines.push(format!(
            "its ctx.Value finds {}, from main's context",
            values.join(", ")
        ));
    }
    if let Some((from, to)) = ghost(task) {
        lines.push(format!(
            "it would have run until {}: cancellation saved {}",
            human(to),
            human(to - from)
        ));
    }
    match task.checks {
        0 => {}
        1 => lines.push("checked its context once".into()),
        n => lines.push(format!(
            "checked its context {} times",
            crate::simulate::grouped(n)
        )),
    }
    if task.leaked {
        lines.push("leaked: its group returned while it still ran".into());
    }
    lines.push(format!("line {}", task.line));
    lines.join("\n")
}

/// A plain-text account of the chart, for screen readers.
fn describe(trace: &Trace) -> String {
    let mut parts = Vec::new();
    for t in trace.tasks.iter().take(50) {
        parts.push(tooltip(t, trace).replace('\n', "; "));
    }
    if trace.tasks.len() > 50 {
        parts.push(format!("and {} more tasks", trace.tasks.len() - 50));
    }
    parts.join(". ")
}
