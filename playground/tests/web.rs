//! The playground's wasm API in a real browser (headless Chromium): virtual and live runs.
#![cfg(target_arch = "wasm32")]
use std::time::Duration;

use ctxgroup::{clock, BrowserClock};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn outcomes(json: &str) -> Vec<(String, String, Option<String>)> {
    // The trace's rows: (path, outcome, error), read with the browser's JSON parser.
    let v = js_sys::JSON::parse(json).unwrap();
    let trace = js_sys::Reflect::get(&v, &"trace".into()).unwrap();
    let tasks: js_sys::Array = js_sys::Reflect::get(&trace, &"tasks".into())
        .unwrap()
        .into();
    tasks
        .iter()
        .map(|t| {
            let get = |k: &str| js_sys::Reflect::get(&t, &k.into()).unwrap().as_string();
            (get("path").unwrap(), get("outcome").unwrap(), get("error"))
        })
        .collect()
}

/// A live frame over `0..t1` s (the whole run with `t1` 0), drawn a step at a time with the run
/// going on between the steps: its answer.
async fn draw_live_frame(
    pg: &mut ctxgroup_playground::web::Playground,
    t1: f64,
    with_trace: bool,
    stop: bool,
) -> String {
    pg.live_frame(800.0, false, 0.0, t1, 0.0, 1000.0, with_trace, stop);
    while !pg.live_frame_step() {
        clock::sleep(BrowserClock::shared(), Duration::from_millis(2)).await;
    }
    pg.live_frame_answer()
}

/// A member of a parsed JSON object.
fn member(v: &wasm_bindgen::JsValue, key: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

/// Where the trace the page was last given ends, in seconds.
fn trace_end(pg: &ctxgroup_playground::web::Playground) -> f64 {
    member(&js_sys::JSON::parse(&pg.trace_json()).unwrap(), "end")
        .as_f64()
        .unwrap()
}

#[wasm_bindgen_test]
fn the_page_api_runs_a_scenario_and_reports_errors_with_line_and_column() {
    let mut pg = ctxgroup_playground::web::Playground::new();
    let ok = pg.run(
        "timeout 7s\ntask t1 5s check=never\ntask t2 10s check=every:1s\n",
        800.0,
        false,
    );
    assert!(
        ok.starts_with(r#"{"ok":true,"summary":"returned at 7s: context deadline exceeded"#),
        "{ok}"
    );
    assert!(ok.contains(r"\u003csvg"), "the SVG, escaped in JSON");
    assert!(pg.chrome_json().contains("traceEvents"));
    let bad = pg.run("task t1 5s\ntask t2 3q\n", 800.0, false);
    assert!(bad.starts_with(r#"{"ok":false"#));
    assert!(bad.contains(r#""line":2,"col":10"#), "{bad}");
    // The previous trace survives a failed run: nothing the user saw is lost.
    assert!(pg.trace_json().contains(r#""path":"t2""#));
    assert!(
        pg.render(600.0, true).contains("--cg-bg:#0d1117"),
        "dark rendering"
    );
}

#[wasm_bindgen_test]
async fn live_mode_on_real_timers_ends_with_the_outcomes_of_virtual_mode() {
    let text = "timeout 300ms\ntask a 1s\ntask b 100ms check=never\ntask c 600ms check=every:50ms\ntask d 150ms fail=\"boom\" after=50ms\n";
    let mut pg = ctxgroup_playground::web::Playground::new();
    let virtual_run = pg.run(text, 800.0, false);
    assert_eq!(pg.start_live(text, 1.0), r#"{"ok":true}"#);
    let mut frames = 0;
    loop {
        clock::sleep(BrowserClock::shared(), Duration::from_millis(25)).await;
        let frame = draw_live_frame(&mut pg, 0.0, false, false).await;
        let parsed = js_sys::JSON::parse(&frame).expect("a frame is JSON");
        let body = member(&member(&parsed, "chart"), "body");
        assert!(body.as_string().unwrap().contains("cg-row"), "{frame}");
        frames += 1;
        if frame.contains(r#""done":true"#) {
            break;
        }
    }
    assert!(frames > 3, "{frames} frames");
    let live_trace = format!(r#"{{"trace":{}}}"#, pg.trace_json());
    assert_eq!(outcomes(&live_trace), outcomes(&virtual_run));
    assert_eq!(
        pg.live_frame_answer(),
        r#"{"ok":false,"errors":[]}"#,
        "no frame asked"
    );
    assert_eq!(pg.live_pending_timers(), 0, "no stray timers after the run");
}

#[wasm_bindgen_test]
async fn a_live_frame_says_its_tasks_run_at_the_frame_s_time() {
    let mut pg = ctxgroup_playground::web::Playground::new();
    assert_eq!(
        pg.start_live("task a 60s\ntask b 10ms\n", 1.0),
        r#"{"ok":true}"#
    );
    clock::sleep(BrowserClock::shared(), Duration::from_millis(60)).await;
    // The axis to 10 s, as the page asks once the run is under way.
    let frame = draw_live_frame(&mut pg, 10.0, false, false).await;
    let parsed = js_sys::JSON::parse(&frame).expect("a frame is JSON");
    // "running at 61ms — …": the time of the frame, as the summary says it.
    let summary = member(&parsed, "summary").as_string().unwrap();
    let now = summary
        .strip_prefix("running at ")
        .and_then(|s| s.split([':', ' ']).next())
        .unwrap_or_else(|| panic!("{summary}"));
    let chart = member(&parsed, "chart");
    let body = member(&chart, "body").as_string().unwrap();
    let says = format!("a still running at {now}\n");
    assert!(
        body.contains(&says),
        "the row of a says {says:?} as the summary does: {body}"
    );
    // The goroutine count is drawn up to now, not on to the end of the axis.
    let foot = member(&chart, "foot").as_string().unwrap();
    let path = foot
        .split(r#"class="cg-goroutines" d=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{foot}"));
    let last_x: f64 = path.rsplit('H').next().unwrap().parse().unwrap();
    assert!(
        last_x < 100.0,
        "the count runs to x = {last_x} (the axis: 70..776): {path}"
    );
    pg.stop();
}

#[wasm_bindgen_test]
async fn a_live_run_that_ended_ends_at_its_return_not_at_its_last_frame() {
    let mut pg = ctxgroup_playground::web::Playground::new();
    assert_eq!(pg.start_live("task a 20ms\n", 1.0), r#"{"ok":true}"#);
    // The frame that finds the run over comes well after it returned.
    clock::sleep(BrowserClock::shared(), Duration::from_millis(120)).await;
    let frame = draw_live_frame(&mut pg, 0.0, false, false).await;
    assert!(frame.contains(r#""done":true"#), "{frame}");
    let end = trace_end(&pg);
    assert!(
        (0.02..0.06).contains(&end),
        "the run returned at about 20 ms; its trace ends at {end} s"
    );
}

#[wasm_bindgen_test]
async fn a_live_run_stopped_between_its_tasks_ends_at_the_stop() {
    let mut pg = ctxgroup_playground::web::Playground::new();
    let text = "task a 20ms\ntask b 20ms after=2s\n";
    assert_eq!(pg.start_live(text, 1.0), r#"{"ok":true}"#);
    // a is done, b not spawned yet: no task runs.
    clock::sleep(BrowserClock::shared(), Duration::from_millis(150)).await;
    let frame = draw_live_frame(&mut pg, 0.0, true, true).await;
    assert!(frame.contains(r#""stopped":true"#), "{frame}");
    let end = trace_end(&pg);
    assert!(
        end >= 0.14,
        "stopped at about 150 ms; its trace ends at {end} s"
    );
}

#[wasm_bindgen_test]
async fn stopping_a_live_run_drops_its_timers() {
    let mut pg = ctxgroup_playground::web::Playground::new();
    assert_eq!(
        pg.start_live("task a 60s\ntask b forever check=every:1s\n", 1.0),
        r#"{"ok":true}"#
    );
    clock::sleep(BrowserClock::shared(), Duration::from_millis(30)).await;
    assert!(pg.live_pending_timers() > 0);
    pg.stop();
    assert_eq!(pg.live_pending_timers(), 0);
}

#[wasm_bindgen_test]
fn the_page_draws_a_band_of_rows_from_the_kept_trace() {
    let mut pg = ctxgroup_playground::web::Playground::new();
    let text: String = (0..500).map(|i| format!("task t{i} 1s\n")).collect();
    assert!(pg
        .simulate(&text)
        .starts_with(r#"{"ok":true,"summary":"returned at 1s: ok"#));
    let head = js_sys::JSON::parse(&pg.trace_head()).unwrap();
    let get = |v: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).unwrap();
    assert_eq!(get(&head, "taskCount").as_f64(), Some(500.0));
    assert_eq!(js_sys::Array::from(&get(&head, "tasks")).length(), 60);
    let chart =
        js_sys::JSON::parse(&pg.chart(800.0, false, 0.0, 0.0, 1000.0, 1400.0, true)).unwrap();
    let body = get(&chart, "body").as_string().unwrap();
    assert_eq!(
        body.matches("class=\"cg-row\"").count(),
        20,
        "the rows crossing 1000..1400 px"
    );
    assert_eq!(get(&chart, "bodyHeight").as_f64(), Some(10_000.0));
    assert_eq!(js_sys::Array::from(&get(&chart, "rowTops")).length(), 501);
    // A run over the page's budget is refused, at the line that costs most.
    let heavy: String = (0..70)
        .map(|i| format!("task t{i} 100s check=every:1ms\n"))
        .collect();
    let bad = pg.simulate(&heavy);
    assert!(bad.contains("checked its context"), "{bad}");
}

#[wasm_bindgen_test]
fn the_go_view_is_json_with_the_program_or_the_errors() {
    let ok = ctxgroup_playground::web::go_program("timeout 7s\ntask t1 5s check=never\n");
    let v = js_sys::JSON::parse(&ok).unwrap();
    let program = js_sys::Reflect::get(&v, &"program".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(program.contains("errgroup.WithContext(ctx)"), "{program}");
    let bad = ctxgroup_playground::web::go_program("task t1 5x\n");
    assert!(
        bad.starts_with(r#"{"ok":false,"errors":[{"line":1"#),
        "{bad}"
    );
}

#[wasm_bindgen_test]
fn the_rust_view_is_json_with_the_program_or_the_errors() {
    let ok = ctxgroup_playground::web::rust_program("timeout 7s\ntask t1 5s check=never\n");
    let v = js_sys::JSON::parse(&ok).unwrap();
    let program = js_sys::Reflect::get(&v, &"program".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(program.contains("TaskGroup::builder(&ctx)"), "{program}");
    assert!(program.contains(".task(\"t1\")"), "{program}");
    let bad = ctxgroup_playground::web::rust_program("task t1 5x\n");
    assert!(
        bad.starts_with(r#"{"ok":false,"errors":[{"line":1"#),
        "{bad}"
    );
}

#[wasm_bindgen_test]
async fn a_virtual_run_drops_a_live_frame_half_drawn() {
    // A frame begun on a live run must not, finished later, replace the virtual run's trace.
    let mut pg = ctxgroup_playground::web::Playground::new();
    assert_eq!(pg.start_live("task a 60s\n", 1.0), r#"{"ok":true}"#);
    pg.live_frame(800.0, false, 0.0, 0.0, 0.0, 1000.0, false, false);
    assert!(
        !pg.live_frame_step(),
        "the copy of the run is only the first step"
    );
    let virtual_run = pg.run("task b 1s\n", 800.0, false);
    assert!(virtual_run.starts_with(r#"{"ok":true"#));
    assert_eq!(pg.live_frame_answer(), r#"{"ok":false,"errors":[]}"#);
    assert!(
        pg.trace_json().contains(r#""path":"b""#),
        "{}",
        pg.trace_json()
    );
    assert_eq!(pg.live_pending_timers(), 0);
}
