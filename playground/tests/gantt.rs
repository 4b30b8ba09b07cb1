//! The chart says why: each stopped task's row names what stopped it, a connector runs from the
//! cause to the effect, marks are drawn over the return line, and the legend explains them all.
use ctxgroup_playground::gantt::{render, Options};
use ctxgroup_playground::scenario::parse;
use ctxgroup_playground::simulate::simulate;

fn chart(text: &str) -> String {
    render(
        &simulate(&parse(text).unwrap()).unwrap(),
        &Options::default(),
    )
}

/// The chart at a phone's width.
fn narrow(text: &str) -> String {
    render(
        &simulate(&parse(text).unwrap()).unwrap(),
        &Options {
            width: 390.0,
            ..Options::default()
        },
    )
}

/// The SVG of one row (`<g class="cg-row" data-path="…">…</g>`).
fn row<'s>(svg: &'s str, path: &str) -> &'s str {
    let start = svg
        .find(&format!("class=\"cg-row\" data-path=\"{path}\""))
        .unwrap_or_else(|| panic!("no row {path}"));
    let end = start
        + svg[start..]
            .find("</g><g class=\"cg-r")
            .or_else(|| svg[start..].find("</g></g>"))
            .unwrap();
    &svg[start..end]
}

/// The visible text of an SVG fragment (its `<text>` elements, tags stripped), not its tooltips.
fn visible(fragment: &str) -> String {
    let mut out = String::new();
    for part in fragment.split("<text").skip(1) {
        let body = &part[part.find('>').unwrap() + 1..part.find("</text>").unwrap()];
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.push('\n');
    }
    out
}

const FIRST_ERROR: &str = "task t1 2s fail=\"HTTP 502\"\ntask t2 3s\n";
const FIXED: &str = "timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\n";

#[test]
fn a_task_cancelled_by_a_sibling_names_it_and_its_error_in_its_row() {
    let svg = chart(FIRST_ERROR);
    let t2 = visible(row(&svg, "t2"));
    assert!(t2.contains("cancelled at 2s: t1 failed: HTTP 502"), "{t2}");
    assert!(t2.contains("1s of its 3s not done"), "{t2}");
    let t1 = visible(row(&svg, "t1"));
    assert!(t1.contains("failed at 2s: HTTP 502"), "{t1}");
    assert!(t1.contains("cancelled t2"), "{t1}");
    // A connector from the failing task to the one it stopped, and the work t2 did not do.
    assert!(svg.contains(r#"class="cg-link cg-link-error" data-from="t1" data-to="t2""#));
    assert!(row(&svg, "t2").contains("class=\"cg-ghost\""));
}

#[test]
fn a_task_stopped_by_a_deadline_names_the_context_and_when() {
    let svg = chart(FIXED);
    let t2 = visible(row(&svg, "t2"));
    // The lead says when: the cause does not say it again. (The check at 7 s is a tie.)
    assert!(
        t2.contains("cancelled at 7s: deadline of main · a tie"),
        "{t2}"
    );
    assert!(t2.contains(" · 3s of its 10s not done"), "{t2}");
    assert!(svg.contains(r#"class="cg-link cg-link-deadline" data-from="mark:0" data-to="t2""#));
    assert!(
        !visible(row(&svg, "t1")).contains("cancel"),
        "t1 completed before the deadline"
    );
}

#[test]
fn a_task_stopped_by_cancel_and_one_that_ran_on_say_so() {
    let svg = chart("cancel 3s\ntask w forever check=every:1s\n");
    assert!(visible(row(&svg, "w")).contains("cancelled at 3s: cancel of main was called"));
    assert!(svg.contains(r#"class="cg-link cg-link-cancel" data-from="mark:0" data-to="w""#));
    let svg = chart("timeout 7s\ntask t2 10s check=never\n");
    let t2 = visible(row(&svg, "t2"));
    assert!(
        t2.contains("ran on 3s after the cancel at 7s (deadline of main passed at 7s)"),
        "{t2}"
    );
    let svg = chart("timeout 7s\ntask t2 forever check=every:10s\n");
    let t2 = visible(row(&svg, "t2"));
    assert!(
        t2.contains("cancelled at 10s: deadline of main passed at 7s, seen 3s later"),
        "{t2}"
    );
}

#[test]
fn leaked_and_never_returning_tasks_say_so() {
    let svg = chart("timeout 2s\nwait cancel\ntask query 5s check=never\ntask fetch 5s\n");
    assert!(visible(row(&svg, "query")).contains("leaked"));
    let svg = chart("limit 1\ntask stuck forever check=never\ntask next 1s\n");
    assert!(visible(row(&svg, "stuck")).contains("never returns"));
    assert!(visible(row(&svg, "next")).contains("waits for a slot"));
}

#[test]
fn marks_and_connectors_are_drawn_over_the_return_line() {
    for text in [
        FIRST_ERROR,
        FIXED,
        "cancel 3s\ntask w forever check=every:1s\n",
    ] {
        let svg = chart(text);
        let ret = svg.find("class=\"cg-return\"").expect("a return line");
        for mark in [
            "class=\"cg-deadline\"",
            "class=\"cg-cancel\"",
            "class=\"cg-link ",
            "class=\"cg-end",
        ] {
            if let Some(at) = svg.find(mark) {
                assert!(at > ret, "{mark} is drawn under the return line in\n{text}");
            }
        }
    }
}

#[test]
fn the_legend_explains_every_mark() {
    let svg = chart(FIXED);
    let legend = visible(&svg[svg.find("class=\"cg-legend\"").expect("a legend")..]);
    for item in [
        "completed",
        "failed",
        "cancelled",
        "running",
        "waiting for a slot",
        "ran on after cancel",
        "work not done",
        "leaked",
        "check",
        "deadline",
        "cancel()",
        "returned",
        "cause → effect",
    ] {
        assert!(
            legend.contains(item),
            "no legend entry for {item}: {legend}"
        );
    }
}

#[test]
fn a_zoomed_window_and_a_band_of_rows_draw_only_what_is_shown() {
    let text: String = (0..1000)
        .map(|i| format!("task t{i} {}ms\n", 100 + i))
        .collect();
    let trace = simulate(&parse(&text).unwrap()).unwrap();
    let parts = ctxgroup_playground::gantt::render_parts(
        &trace,
        &Options {
            window: Some((0.5, 0.6)),
            rows_px: Some((2000.0, 2600.0)),
            ..Options::default()
        },
    );
    let rows = parts.body.matches("class=\"cg-row\"").count();
    assert!(
        (20..60).contains(&rows),
        "{rows} rows drawn for a 600 px band"
    );
    assert!(
        parts.body_top <= 2000.0 && parts.body_top > 1900.0,
        "{}",
        parts.body_top
    );
    assert!(parts.body_height >= 20.0 * 1000.0);
    assert!(parts.head.contains(">520ms<"), "ticks inside the window");
    // The full chart still draws every row.
    assert_eq!(
        render(&trace, &Options::default())
            .matches("class=\"cg-row\"")
            .count(),
        1000
    );
}

#[test]
fn joined_errors_read_as_one_line() {
    let s = parse("on-error collect\ntask a 1s fail=x\ntask b 2s fail=y").unwrap();
    let trace = simulate(&s).unwrap();
    assert!(
        trace.summary().starts_with("returned at 2s: x; y"),
        "{}",
        trace.summary()
    );
    let svg = render(&trace, &Default::default());
    assert!(svg.contains("returned at 2s: x; y"), "{svg}");
}

#[test]
fn the_goroutine_count_is_a_step_chart_under_the_rows_and_goroutines_say_go() {
    let svg = chart("timeout 1s\ntask handler 2s {\n  go lib-call 5s check=never\n}");
    assert!(svg.contains(r#"class="cg-goroutines""#), "{svg}");
    assert!(
        svg.contains("goroutines alive (runtime.NumGoroutine()): 2 from 0s, 1 from 1s, 0 from 5s"),
        "{svg}"
    );
    assert!(svg.contains(">go lib-call</text>"), "{svg}");
    // No step chart when nothing ever runs.
    assert!(!chart("# nothing").contains(r#"class="cg-goroutines""#));
}

#[test]
fn the_goroutine_step_chart_stays_small_for_ten_thousand_tasks() {
    let text: String = (0..10_000)
        .map(|i| format!("task t{i} {}ms\n", 1 + i))
        .collect();
    let svg = chart(&text);
    let path = svg
        .split(r#"class="cg-goroutines" d=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        path.matches('H').count() <= 2_000,
        "{} moves",
        path.matches('H').count()
    );
}

#[test]
fn a_return_label_wider_than_a_phone_chart_is_cut_short_with_the_whole_in_its_tooltip() {
    let text = "shutdown 2s grace=1s\ntask worker forever check=every:100ms\ntask exporter-of-a-long-name 10s check=never\n";
    let trace = simulate(&parse(text).unwrap()).unwrap();
    let width = 390.0;
    let svg = render(
        &trace,
        &Options {
            width,
            ..Options::default()
        },
    );
    let label = svg
        .split("<text")
        .skip(1)
        .find(|t| t.contains("returned at 3s"))
        .expect("the return label");
    // What is drawn: the text before its tooltip.
    let drawn = &label[..label.find("<title>").unwrap_or(label.len())];
    let shown = visible(&format!("<text{drawn}</text>"));
    let shown = shown.trim_end();
    // The chart's own estimate of text width (0.56 em at 12.5 px), within the chart.
    assert!(
        shown.chars().count() as f64 * 12.5 * 0.56 <= width - 8.0,
        "{shown:?} is wider than the chart"
    );
    assert!(shown.ends_with('…'), "{shown:?}");
    assert!(
        label.contains("<title>returned at 3s: shutdown: still running after the 1s grace: exporter-of-a-long-name</title>"),
        "{label}"
    );
}

#[test]
fn a_task_that_never_returns_says_so_apart_from_the_cancel_it_ignores() {
    let svg = chart("task x forever check=never\ntask y 10s fail=\"boom\"\n");
    let said = visible(row(&svg, "x"));
    assert!(
        said.contains("never returns: ignores the cancel at 10s ("),
        "{said}"
    );
    assert!(!said.trim_end().ends_with(':'), "{said}");
}

#[test]
fn a_window_that_ends_before_the_return_draws_no_return_line_at_its_edge() {
    let trace = simulate(&parse("timeout 6s\ntask a 10s\n").unwrap()).unwrap();
    let at = |window| {
        render(
            &trace,
            &Options {
                window,
                ..Options::default()
            },
        )
        .matches(r#"class="cg-return""#)
        .count()
    };
    // The line over the rows, the tick by the label, the legend's swatch.
    assert_eq!(at(None), 3);
    assert_eq!(at(Some((5.0, 7.0))), 3);
    assert_eq!(
        at(Some((1.7, 3.6))),
        1,
        "the return at 6 s is outside 1.7–3.6 s"
    );
}

#[test]
fn a_timeout_s_mark_says_its_duration_as_the_chart_says_times() {
    let svg = chart("timeout 45ms\ntask a 1s\n");
    // Said once: a timeout from the start passes at its own duration.
    assert!(svg.contains(">timeout 45ms<"), "{svg}");
    assert!(!svg.contains("timeout 45ms at 45ms"), "{svg}");
    assert!(!svg.contains("timeout 0.045s"), "{svg}");
    // A group's, made later, says when it passed.
    let svg = chart("group g timeout=1s after=2s {\n  task a 5s\n}\n");
    assert!(
        svg.contains("timeout=1s at 3s") || svg.contains("timeout 1s at 3s"),
        "{svg}"
    );
}

#[test]
fn a_cancel_at_the_instant_of_a_tasks_work_or_check_is_flagged_as_a_race_in_go() {
    // In Go the deadline's cancel and a timer due at the same instant race: the row says the
    // simulator's outcome is one side of it.
    let svg = chart(
        "timeout 2s\ntask work 2s\ntask fails 2s fail=\"x\"\ntask steps 5s check=every:1s\ntask apart 5s check=every:1.5s\ntask waits 5s\n",
    );
    // The work's end wins, as in Go it usually does; the row says it was a race.
    for (path, lead) in [
        ("work", "completed at 2s: "),
        ("fails", "failed at 2s: x · "),
    ] {
        let text = visible(row(&svg, path));
        assert!(
            text.contains(&format!(
                "{lead}deadline of main at the same instant: in Go a race either may win"
            )),
            "{path}: {text}"
        );
    }
    let steps = visible(row(&svg, "steps"));
    assert!(
        steps.contains("a tie with its check: in Go a race either may win"),
        "{steps}"
    );
    // A check 1 s after the deadline, and a task woken by the cancel itself: no tie.
    for path in ["apart", "waits"] {
        let text = visible(row(&svg, path));
        assert!(!text.contains("tie"), "{path}: {text}");
    }
}

#[test]
fn the_tooltip_of_a_task_still_running_says_it_was_reached_not_cancelled() {
    let svg = chart("cancel 1s\ntask a 3s {\n  go b forever check=never\n}\n");
    let b = row(&svg, "a/b");
    assert!(
        b.contains(
            "cancellation reached it at 1s (cancel of main was called); it has not returned"
        ),
        "{b}"
    );
    assert!(!b.contains("cancelled at 1s"), "{b}");
    let once = chart("timeout 2s\ntask a 5s check=start\n");
    assert!(once.contains("checked its context once"), "{once}");
}

/// The time axis' tick labels.
fn ticks(svg: &str) -> Vec<String> {
    svg.split(r#"y="32.0" text-anchor="middle">"#)
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_string())
        .collect()
}

#[test]
fn ticks_of_minutes_and_hours_fall_on_steps_a_clock_reads() {
    assert_eq!(
        ticks(&chart("task a 1h")),
        ["0s", "10m", "20m", "30m", "40m", "50m", "1h"]
    );
    assert_eq!(
        ticks(&chart("task a 7m")),
        ["0s", "1m", "2m", "3m", "4m", "5m", "6m", "7m"]
    );
    assert_eq!(
        ticks(&chart("task a 5h")),
        ["0s", "1h", "2h", "3h", "4h", "5h"]
    );
    let on_phone = ticks(&narrow("task a 5h"));
    assert!(on_phone.len() >= 2, "{on_phone:?}");
    assert!(
        on_phone.iter().all(|t| t == "0s" || t.ends_with('h')),
        "{on_phone:?}"
    );
    // Under ten seconds a step stays 1, 2 or 5 × 10^k.
    assert_eq!(
        ticks(&chart("task a 5s")),
        ["0s", "1s", "2s", "3s", "4s", "5s"]
    );
}

#[test]
fn on_a_phone_a_row_says_its_point_in_short_rather_than_cut_off() {
    let svg = narrow("timeout 1s\ntask longjob 10m\n");
    let row_text = visible(row(&svg, "longjob"));
    assert!(
        row_text.ends_with("\ncancelled at 1s: deadline of main · 9m59s not done\n"),
        "{row_text}"
    );
    let svg = narrow("timeout 2s\ntask a_rather_long_name 2s\n");
    let row_text = visible(row(&svg, "a_rather_long_name"));
    assert!(
        row_text.ends_with("\ncompleted at 2s: deadline of main too · a race in Go\n"),
        "{row_text}"
    );
    // Wide, the whole text.
    let wide = visible(row(&chart("timeout 1s\ntask longjob 10m\n"), "longjob"));
    assert!(
        wide.ends_with("\ncancelled at 1s: deadline of main · 9m59s of its 10m not done\n"),
        "{wide}"
    );
}

#[test]
fn work_not_done_past_the_axis_says_where_it_would_have_ended() {
    let svg = chart("timeout 1s\ntask longjob 10m\ntask short 1.2s\n");
    assert!(visible(row(&svg, "longjob")).contains("→ 10m"), "{svg}");
    assert!(
        !visible(row(&svg, "short")).contains('→'),
        "within the axis: no mark"
    );
}

#[test]
fn no_tie_is_flagged_where_go_has_no_race() {
    // A check at the start of a task whose slot the cancel freed: the cancel came first.
    let svg = chart("limit 1\ntask a 1s fail=\"x\"\ntask b 1s check=start\n");
    assert!(!svg.contains("a tie"), "{}", visible(row(&svg, "b")));
    let svg = chart("limit 1\ntimeout 5s\ntask a 10s\ntask b 1s check=start\n");
    assert!(!svg.contains("a tie"), "{}", visible(row(&svg, "b")));
    // A task that never looks, whether it ends with the cancel or after it.
    for text in [
        "cancel 1s\ntask t1 5s check=never\n",
        "cancel 5s\ntask t1 5s check=never\n",
    ] {
        let svg = chart(text);
        assert!(!svg.contains("a tie"), "{text}: {svg}");
    }
}

#[test]
fn a_group_cancelled_by_a_tie_in_its_tasks_and_the_summary_say_so() {
    // In Go g's task completes and so does g (the run returns nil): the simulator's outcome is
    // one side of a race, from the summary down.
    let text = "timeout 3s\ngroup g {\n  task a 3s\n}\ntask b 10s\n";
    let svg = chart(text);
    assert!(
        visible(row(&svg, "g")).contains("a tie in one of its tasks: in Go a race either may win"),
        "{svg}"
    );
    let summary = simulate(&parse(text).unwrap()).unwrap().summary();
    assert!(
        summary.ends_with(" · g/a ties with the cancel: in Go a race"),
        "{summary}"
    );
    // Several ties: the first is named, the others counted.
    let summary = simulate(&parse("timeout 3s\ntask a 3s\ntask b 3s\ntask c 3s\n").unwrap())
        .unwrap()
        .summary();
    assert!(
        summary.ends_with(" · a and 2 more tie with the cancel: in Go races"),
        "{summary}"
    );
    let clear = simulate(&parse("timeout 3s\ntask a 2s\n").unwrap())
        .unwrap()
        .summary();
    assert!(!clear.contains("tie"), "{clear}");
}

#[test]
fn a_task_spawned_late_says_what_held_the_caller_up() {
    // From a learner's audit: b started at 3s and t4 at 1s with no word why. The caller spawns
    // in order: an after= or a g.Go waiting for a slot holds up every line below it.
    let svg = |text: &str| {
        let trace = ctxgroup_playground::simulate::simulate(
            &ctxgroup_playground::scenario::parse(text).unwrap(),
        )
        .unwrap();
        ctxgroup_playground::gantt::render(&trace, &Default::default())
    };
    // With nothing below it, nothing is held up.
    let alone = svg("task a 1s after=3s\n");
    assert!(alone.contains("the caller slept until then (after=)"));
    assert!(!alone.contains("holding up the lines below"));
    let s = svg("task a 1s after=3s\ntask b 1s\n");
    assert!(s.contains(
        "spawned at 3s: the caller slept until then (after=), holding up the lines below"
    ));
    assert!(s.contains("spawned at 3s, right after a: the caller spawns in order"));
    let s = svg("limit 2\ntask t1 1s\ntask t2 1s\ntask t3 1s\ntask t4 1s\n");
    assert!(s.contains("spawned at 1s: until then the caller was in g.Go(t3), waiting for a slot"));
    // Spawned at once: nothing to say.
    assert!(!svg("task a 1s\ntask b 1s\n").contains("spawned at"));
}

#[test]
fn a_failure_the_group_does_not_return_says_so() {
    // From a learner's audit: "boom" was nowhere in the result, and nothing said why.
    let trace = ctxgroup_playground::simulate::simulate(
        &parse("timeout 1s\ntask a 3s check=never fail=\"boom\"\ntask b 2s\n").unwrap(),
    )
    .unwrap();
    let svg = render(&trace, &Options::default());
    assert!(svg.contains(
        "the group returned context deadline exceeded, not this error (Wait returns the first)"
    ));
    // The error it returns says nothing of the kind.
    let trace = ctxgroup_playground::simulate::simulate(
        &parse("task a 1s fail=\"boom\"\ntask b 2s\n").unwrap(),
    )
    .unwrap();
    assert!(!render(&trace, &Options::default()).contains("not this error"));
}

#[test]
fn every_task_says_what_its_ctx_value_finds() {
    // Seed 002's WithValue lesson: the value set on main's context reaches every task and
    // goroutine (a without-cancel task's too); it had been nowhere on the page.
    let svg = chart("value trace=12512312234\ntask worker 2s {\n  go worker2 3s\n}\ntask audit 1s without-cancel\n");
    let said = "its ctx.Value finds trace=12512312234, from main&#39;s context";
    for row in ["worker", "worker/worker2", "audit"] {
        let at = svg.find(&format!("data-path=\"{row}\"")).expect(row);
        let title = &svg[at..][..svg[at..].find("</title>").unwrap()];
        assert!(title.contains(said), "{row}: {title}");
    }
    assert!(!chart("task a 1s\n").contains("ctx.Value"));
}

#[test]
fn a_long_name_in_a_narrow_chart_ends_with_an_ellipsis_not_a_cut() {
    // At a phone's width the label column is 40% of it: a 25-character name was cut mid-letter
    // by the plot, with no sign that it went on.
    let trace =
        simulate(&parse("task warm-recommendation-cache 1s\ntask a 1s\n").unwrap()).unwrap();
    let narrow = render(
        &trace,
        &Options {
            width: 390.0,
            ..Options::default()
        },
    );
    let label = narrow
        .split("<text class=\"cg-text\"")
        .nth(1)
        .and_then(|t| t.split('>').nth(1))
        .and_then(|t| t.split('<').next())
        .unwrap();
    assert!(
        label.ends_with('…') && label.chars().count() < 25,
        "{label}"
    );
    let wide = render(
        &trace,
        &Options {
            width: 1280.0,
            ..Options::default()
        },
    );
    assert!(wide.contains(">warm-recommendation-cache<"));
}

#[test]
fn a_second_learners_findings_in_the_rows_and_stories() {
    // A key set twice: ctx.Value finds the inner one, as Go's nested WithValue does.
    let svg = chart("value user=bob\nvalue user=alice\ntask a 1s\n");
    assert!(svg.contains("its ctx.Value finds user=alice, from main"));
    assert!(!svg.contains("user=bob"));
    // A nested group's task whose error the group does not return says so too.
    let svg =
        chart("group g on-error=continue {\n  task a 1s fail=\"A\"\n  task b 2s fail=\"B\"\n}\n");
    assert!(svg.contains("the group returned A, not this error"));
    // "→ cancelled" names only the tasks the failure cancelled: t4 ran on to 5 s.
    let svg = chart("timeout 3s\ntask t4 5s check=never\ntask t5 1s fail=\"x\"\ntask t6 4s\n");
    assert!(
        svg.contains("→ cancelled t6<") || svg.contains("→ cancelled t6 "),
        "{svg}"
    );
    assert!(!svg.contains("→ cancelled t4"));
}
