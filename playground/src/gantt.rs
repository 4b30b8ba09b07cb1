//! Trace → SVG Gantt chart: a pure function, used by the page, the CLI and the tests.
//!
//! One row per task (nested groups indented), the time axis on top, and per row: the queued
//! segment (waiting for a slot), the running bar coloured by outcome, the stretch run after
//! cancellation was requested but before it was observed ("ignored cancellation", striped),
//! checks as ticks, and an end marker per outcome. Deadline and cancel lines cross every row;
//! the group's return line carries its error. Every row has a `<title>` tooltip; the whole
//! chart has a text description for screen readers. Colours are CSS variables (`--cg-…`), so a
//! page can theme the chart.

use std::fmt::Write;

use crate::trace::{human, Outcome, Trace};

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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 960.0,
            dark: false,
            running_at: None,
            stopped: false,
        }
    }
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
    let mut out = String::with_capacity(s.len());
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

/// A tick step of 1, 2 or 5 × 10^k giving at most `max` ticks over `span`.
fn tick_step(span: f64, max: f64) -> f64 {
    let raw = (span / max).max(1e-3);
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

/// Renders the trace as an SVG document.
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
    let n = trace.tasks.len();
    let row_h: f64 = if n <= 40 {
        24.0
    } else {
        (1600.0 / n as f64).clamp(3.0, 24.0).floor()
    };
    let labels = row_h >= 11.0;
    // With thin rows, label every k-th row so that labels never overlap.
    let label_every = if labels {
        1
    } else {
        (13.0 / row_h).ceil() as usize
    };
    let font = if row_h >= 20.0 {
        12.0
    } else if labels {
        10.0
    } else {
        9.0
    };
    let label_w = trace
        .tasks
        .iter()
        .step_by(label_every)
        .map(|t| t.depth as f64 * 14.0 + t.name.chars().count().min(28) as f64 * font * 0.62 + 22.0)
        .fold(70.0, f64::max)
        .min(260.0);
    let width = options.width.max(320.0);
    let left = label_w;
    let right = 24.0;
    let top = 40.0;
    let plot_w = width - left - right;
    // A little room past the last event, so its markers are not cut by the edge.
    let end = if trace.end > 0.0 {
        trace.end * 1.03
    } else {
        1.0
    };
    // max/min, not clamp: clamp with a run-time bound keeps a panic message that links float formatting.
    let x = |t: f64| left + (t.max(0.0).min(end) / end) * plot_w;
    let rows_h = row_h * n as f64;
    let legend = legend_layout(width);
    let legend_lines = legend.last().map_or(0.0, |(_, _, y)| *y);
    let footer = 64.0 + legend_lines;
    let height = top + rows_h + footer;

    let mut s = String::with_capacity(4096 + n * 600);
    let vars = if options.dark { DARK } else { LIGHT };
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="cg-gantt" width="{width}" height="{height}" viewBox="0 0 {width} {height}" data-left="{left}" data-plot-width="{plot_w}" data-end-us="{end_us}" role="img" aria-labelledby="cg-title cg-desc" font-family="ui-sans-serif, system-ui, -apple-system, Segoe UI, sans-serif" font-size="{font}">"#,
        end_us = (end * 1e6).round() as i64,
        font = Px(font),
        height = Px(height),
        left = Px(left),
        plot_w = Px(plot_w),
        width = Px(width)
    );
    let _ = write!(
        s,
        "<title id=\"cg-title\">{}</title>",
        esc(&trace.summary())
    );
    let _ = write!(s, "<desc id=\"cg-desc\">{}</desc>", esc(&describe(trace)));
    let _ = write!(
        s,
        "<style>.cg-gantt{{{vars}}}\
.cg-bg{{fill:var(--cg-bg)}}.cg-text{{fill:var(--cg-fg)}}.cg-muted{{fill:var(--cg-muted)}}\
.cg-grid{{stroke:var(--cg-grid);stroke-width:1}}.cg-stripe{{fill:var(--cg-stripe)}}\
.cg-completed{{fill:var(--cg-completed)}}.cg-failed{{fill:var(--cg-failed)}}.cg-cancelled{{fill:var(--cg-cancelled)}}.cg-running{{fill:var(--cg-running)}}\
.cg-queued{{fill:url(#cg-hatch);stroke:var(--cg-queued);stroke-width:1}}\
.cg-ignored{{fill:url(#cg-stripes)}}.cg-leaked{{fill:none;stroke:var(--cg-fg);stroke-dasharray:3 2;stroke-width:1}}\
.cg-deadline{{stroke:var(--cg-deadline);stroke-width:1.5;stroke-dasharray:5 3}}.cg-cancel{{stroke:var(--cg-cancel);stroke-width:1.5;stroke-dasharray:2 2}}\
.cg-error{{stroke:var(--cg-failed);stroke-width:1;stroke-dasharray:1 3}}\
.cg-return{{stroke:var(--cg-return);stroke-width:2}}.cg-check{{stroke:var(--cg-fg);stroke-width:1;opacity:.55}}\
.cg-arrow{{stroke:var(--cg-failed);stroke-width:1;fill:none;opacity:.7}}\
.cg-mark-deadline{{fill:var(--cg-deadline)}}.cg-mark-cancel{{fill:var(--cg-cancel)}}.cg-mark-error{{fill:var(--cg-failed)}}\
.cg-hit{{fill:transparent}}.cg-row:hover .cg-hit{{fill:var(--cg-grid);fill-opacity:.35}}</style>"
    );
    s.push_str(
        "<defs><pattern id=\"cg-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
<rect width=\"6\" height=\"6\" fill=\"var(--cg-bg)\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"var(--cg-queued)\" stroke-width=\"2\"/></pattern>\
<pattern id=\"cg-stripes\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">\
<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"var(--cg-bg)\" stroke-width=\"3\" opacity=\".75\"/></pattern>\
<marker id=\"cg-arrowhead\" viewBox=\"0 0 6 6\" refX=\"5\" refY=\"3\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L6,3L0,6z\" fill=\"var(--cg-failed)\"/></marker></defs>",
    );
    let _ = write!(
        s,
        r#"<rect class="cg-bg" x="0" y="0" width="{width}" height="{height}"/>"#,
        height = Px(height),
        width = Px(width)
    );

    // Axis and grid.
    let step = tick_step(end, (plot_w / 90.0).max(2.0));
    let mut t = 0.0;
    while t <= end + 1e-9 {
        let xx = x(t);
        let _ = write!(
            s,
            r#"<line class="cg-grid" x1="{xx}" y1="{}" x2="{xx}" y2="{}"/>"#,
            top - 4.0,
            top + rows_h,
            xx = Px(xx)
        );
        let _ = write!(
            s,
            r#"<text class="cg-muted" x="{xx}" y="{}" text-anchor="middle">{}</text>"#,
            top - 8.0,
            esc(&human(t)),
            xx = Px(xx)
        );
        t += step;
    }

    for i in 0..n {
        let y = top + i as f64 * row_h;
        let class = if i % 2 == 0 { "cg-stripe" } else { "cg-bg" };
        let _ = write!(
            s,
            r#"<rect class="{class}" x="0" y="{y}" width="{width}" height="{row_h}"/>"#,
            row_h = Px(row_h),
            width = Px(width),
            y = Px(y)
        );
    }
    // Deadline, cancel and return lines go over the stripes and under the bars, so nothing
    // hides an end marker.
    lines(&mut s, trace, &x, (top, rows_h, width), options);

    // Rows.
    let index: std::collections::HashMap<&str, usize> = trace
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.path.as_str(), i))
        .collect();
    let mut checks: std::collections::HashMap<&str, Vec<f64>> = std::collections::HashMap::new();
    for e in trace.events.iter().filter(|e| e.kind == "check") {
        if let Some(task) = &e.task {
            checks.entry(task.as_str()).or_default().push(e.t);
        }
    }
    let bar_h = (row_h * 0.62).max(2.0);
    for (i, task) in trace.tasks.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let cy = y + row_h / 2.0;
        let by = cy - bar_h / 2.0;
        let _ = write!(
            s,
            r#"<g class="cg-row" data-path="{}" data-line="{}">"#,
            esc(&task.path),
            task.line
        );
        let _ = write!(s, "<title>{}</title>", esc(&tooltip(task, trace)));
        // Transparent, for the tooltip's hit area and the hover highlight.
        let _ = write!(
            s,
            r#"<rect class="cg-hit" x="0" y="{y}" width="{width}" height="{row_h}"/>"#,
            row_h = Px(row_h),
            width = Px(width),
            y = Px(y)
        );
        if i % label_every == 0 {
            let name: String = if task.name.chars().count() > 28 {
                task.name.chars().take(27).chain(['…']).collect()
            } else {
                task.name.clone()
            };
            let weight = if task.is_group {
                " font-weight=\"600\""
            } else {
                ""
            };
            let prefix = if task.is_group { "▾ " } else { "" };
            let _ = write!(
                s,
                r#"<text class="cg-text" x="{}" y="{}" dominant-baseline="central" font-size="{font}"{weight}>{}{}</text>"#,
                Px(8.0 + task.depth as f64 * 14.0),
                Px(cy),
                prefix,
                esc(&name),
                font = Px(font)
            );
        }
        // Unfinished work runs to the chart's end, or to "now" while a live run goes on.
        let open_end = options.running_at.map_or(end, |now| now.min(end));
        let bar_end = task.end.unwrap_or(open_end);
        let start = task.start.unwrap_or(open_end);
        if start > task.spawned + 1e-9 {
            let _ = write!(
                s,
                r#"<rect class="cg-queued" x="{}" y="{}" width="{}" height="{}" rx="2"/>"#,
                Px(x(task.spawned)),
                Px(by),
                Px((x(start) - x(task.spawned)).max(1.0)),
                Px(bar_h)
            );
        }
        if let Some(st) = task.start {
            let class = format!("cg-{}", task.outcome.as_str());
            let w = (x(bar_end) - x(st)).max(1.5);
            let _ = write!(
                s,
                r#"<rect class="{class}" x="{}" y="{by}" width="{w}" height="{bar_h}" rx="2"/>"#,
                Px(x(st)),
                bar_h = Px(bar_h),
                by = Px(by),
                w = Px(w)
            );
            if let Some(c) = task.cancel_requested {
                if bar_end > c + 1e-9 {
                    let _ = write!(
                        s,
                        r#"<rect class="cg-ignored" x="{}" y="{by}" width="{}" height="{bar_h}"/>"#,
                        Px(x(c)),
                        Px((x(bar_end) - x(c)).max(1.0)),
                        bar_h = Px(bar_h),
                        by = Px(by)
                    );
                }
            }
            if task.leaked {
                let _ = write!(
                    s,
                    r#"<rect class="cg-leaked" x="{}" y="{}" width="{w}" height="{}" rx="2"/>"#,
                    Px(x(st) - 1.0),
                    Px(by - 1.5),
                    Px(bar_h + 3.0),
                    w = Px(w)
                );
            }
            if row_h >= 10.0 {
                if let Some(ts) = checks.get(task.path.as_str()).filter(|ts| ts.len() <= 400) {
                    for &t in ts {
                        let _ = write!(
                            s,
                            r#"<line class="cg-check" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
                            Px(x(t)),
                            Px(by - 2.0),
                            Px(x(t)),
                            Px(by + 2.5)
                        );
                    }
                }
                end_marker(&mut s, task.outcome, x(bar_end), cy, bar_h);
            }
        }
        s.push_str("</g>");
    }

    // What cancelled what: an arrow from the failing task's end to each task its error reached.
    let mut arrows = 0;
    for (i, task) in trace.tasks.iter().enumerate() {
        let (Some(culprit), Some(c)) = (&task.cause_task, task.cancel_requested) else {
            continue;
        };
        let Some(&j) = index.get(culprit.as_str()) else {
            continue;
        };
        if arrows >= 200 || row_h < 10.0 {
            break;
        }
        arrows += 1;
        let (x1, y1) = (x(c), top + j as f64 * row_h + row_h / 2.0);
        let (x2, y2) = (
            x(c),
            top + i as f64 * row_h + row_h / 2.0 + if i > j { -bar_h / 2.0 } else { bar_h / 2.0 },
        );
        let _ = write!(
            s,
            r#"<path class="cg-arrow" d="M{x1},{y1} L{x2},{y2}" marker-end="url(#cg-arrowhead)"/>"#,
            x1 = Px(x1),
            x2 = Px(x2),
            y1 = Px(y1),
            y2 = Px(y2)
        );
    }

    // Legend.
    for (item, x0, y0) in legend {
        let (lx, ly) = (x0, top + rows_h + 44.0 + y0);
        match item.0 {
            Swatch::Fill(class) => {
                let _ = write!(
                    s,
                    r#"<rect class="{class}" x="{lx}" y="{}" width="14" height="10" rx="2"/>"#,
                    Px(ly - 8.0),
                    lx = Px(lx)
                );
            }
            Swatch::Striped => {
                let _ = write!(
                    s,
                    r#"<rect class="cg-running" x="{lx}" y="{y}" width="14" height="10"/><rect class="cg-ignored" x="{lx}" y="{y}" width="14" height="10"/>"#,
                    y = Px(ly - 8.0),
                    lx = Px(lx)
                );
            }
            Swatch::Line(class) => {
                let _ = write!(
                    s,
                    r#"<line class="{class}" x1="{x}" y1="{}" x2="{x}" y2="{}"/>"#,
                    Px(ly - 10.0),
                    Px(ly + 2.0),
                    x = Px(lx + 4.0)
                );
            }
        }
        let _ = write!(
            s,
            r#"<text class="cg-muted" x="{}" y="{ly}" font-size="11">{}</text>"#,
            Px(lx + 18.0),
            item.1,
            ly = Px(ly)
        );
    }
    s.push_str("</svg>");
    s
}

enum Swatch {
    Fill(&'static str),
    Striped,
    Line(&'static str),
}

const LEGEND: [(Swatch, &str); 8] = [
    (Swatch::Fill("cg-completed"), "completed"),
    (Swatch::Fill("cg-failed"), "failed"),
    (Swatch::Fill("cg-cancelled"), "cancelled"),
    (Swatch::Fill("cg-running"), "running"),
    (Swatch::Fill("cg-queued"), "waiting for a slot"),
    (Swatch::Striped, "ran on after cancel"),
    (Swatch::Line("cg-deadline"), "deadline"),
    (Swatch::Line("cg-cancel"), "cancel"),
];

/// Where each legend item goes (x, and y from the first line), wrapping at `width`.
fn legend_layout(width: f64) -> Vec<(&'static (Swatch, &'static str), f64, f64)> {
    let (mut x, mut y) = (8.0, 0.0);
    let mut out = Vec::new();
    for item in LEGEND.iter() {
        let w = 30.0 + text_width(item.1, 11.0);
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

/// Deadline and cancel lines, and the return line with its label.
fn lines(
    s: &mut String,
    trace: &Trace,
    x: &dyn Fn(f64) -> f64,
    (top, rows_h, width): (f64, f64, f64),
    options: &Options,
) {
    let left = x(0.0);
    // Deadline and cancel lines.
    for (k, m) in trace.marks.iter().enumerate() {
        let xx = x(m.t);
        let class = match m.kind {
            "deadline" => "cg-deadline",
            "cancel" => "cg-cancel",
            _ => "cg-error",
        };
        let _ = write!(
            s,
            r#"<line class="{class}" x1="{xx}" y1="{}" x2="{xx}" y2="{}"><title>{}</title></line>"#,
            top - 2.0,
            top + rows_h,
            esc(&format!("{} at {}", m.label, human(m.t))),
            xx = Px(xx)
        );
        if m.kind != "error" {
            let anchor = if xx > width - 120.0 { "end" } else { "start" };
            let _ = write!(
                s,
                r#"<text class="cg-mark-{}" x="{}" y="{}" text-anchor="{anchor}" font-size="10">{}</text>"#,
                m.kind,
                Px(xx + if anchor == "start" { 3.0 } else { -3.0 }),
                Px(11.0 + (k % 2) as f64 * 11.0),
                esc(&m.label)
            );
        }
    }

    // The return line.
    let fy = top + rows_h;
    match &trace.returned {
        Some(r) => {
            let xx = x(r.at);
            let _ = write!(
                s,
                r#"<line class="cg-return" x1="{xx}" y1="{}" x2="{xx}" y2="{}"/>"#,
                top - 2.0,
                Px(fy + 8.0),
                xx = Px(xx)
            );
            let label = match &r.error {
                Some(e) => format!("returned at {}: {e}", human(r.at)),
                None => format!("returned at {}: ok", human(r.at)),
            };
            // Right of the line if it fits, else left of it, else from the left edge.
            let w = text_width(&label, 12.5);
            let (anchor, lx) = if xx + 4.0 + w <= width - 4.0 {
                ("start", xx + 4.0)
            } else if xx - 4.0 - w >= 4.0 {
                ("end", xx - 4.0)
            } else {
                ("start", 4.0)
            };
            let _ = write!(
                s,
                r#"<text class="cg-text" x="{lx}" y="{}" text-anchor="{anchor}" font-weight="600">{}</text>"#,
                Px(fy + 20.0),
                esc(&label),
                lx = Px(lx)
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
                r#"<text class="cg-text" x="{left}" y="{}" font-weight="600">{text}</text>"#,
                Px(fy + 20.0),
                left = Px(left)
            );
        }
    }
}

fn end_marker(s: &mut String, outcome: Outcome, x: f64, cy: f64, h: f64) {
    let r = (h / 2.0).min(5.0);
    match outcome {
        Outcome::Completed => {
            let _ = write!(
                s,
                r#"<circle class="cg-completed" cx="{x}" cy="{cy}" r="{r}" stroke="var(--cg-bg)" stroke-width="1.5"/>"#,
                cy = Px(cy),
                r = Px(r),
                x = Px(x)
            );
        }
        Outcome::Failed => {
            let _ = write!(
                s,
                r#"<path d="M{},{}L{},{}M{},{}L{},{}" stroke="var(--cg-failed)" stroke-width="2.5"/>"#,
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
                r#"<rect class="cg-cancelled" x="{}" y="{}" width="4" height="{}" stroke="var(--cg-fg)" stroke-width="1"/>"#,
                Px(x - 2.0),
                Px(cy - h / 2.0 - 2.0),
                Px(h + 4.0)
            );
        }
        Outcome::Running => {
            let _ = write!(
                s,
                r#"<path class="cg-running" d="M{},{}L{},{cy}L{},{}z"/>"#,
                Px(x - r),
                Px(cy - r),
                Px(x + r * 0.6),
                Px(x - r),
                Px(cy + r),
                cy = Px(cy)
            );
        }
    }
}

fn tooltip(task: &crate::trace::TaskTrace, trace: &Trace) -> String {
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
    if let Some(c) = task.cancel_requested {
        let cause = task.cause.clone().unwrap_or_default();
        match task.end {
            Some(e) if e > c + 1e-9 => lines.push(format!(
                "cancellation reached it at {} ({cause}) but it ran on {} more",
                human(c),
                human(e - c)
            )),
            _ => lines.push(format!("cancelled at {}: {cause}", human(c))),
        }
    }
    if task.leaked {
        lines.push("leaked: its group returned while it still ran".into());
    }
    lines.push(format!("line {}", task.line));
    lines.join("\n")
}

/// A plain-text account of the chart, for screen readers.
fn describe(trace: &Trace) -> String {
    let mut parts = vec![trace.summary()];
    for t in trace.tasks.iter().take(50) {
        parts.push(tooltip(t, trace).replace('\n', "; "));
    }
    if trace.tasks.len() > 50 {
        parts.push(format!("and {} more tasks", trace.tasks.len() - 50));
    }
    parts.join(". ")
}
