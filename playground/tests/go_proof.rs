//! The proof against real Go: every example scenario's generated Go program is gofmt-clean,
//! builds (GOPATH mode over Debian's x/sync, offline), and its run in trace mode matches the
//! simulator's trace: same tasks, outcomes, errors, leaks and returned error, every time within
//! 0.05 scenario seconds.
//!
//! Skips with a message when no Go 1.21+ is installed, unless `CTXGROUP_REQUIRE_GO=1` (the
//! test command sets it, after its setup installed Go).
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/go.rs"]
mod go;

#[path = "support/examples.rs"]
mod examples;

use std::path::PathBuf;
use std::time::Instant;

fn examples() -> Vec<(String, String)> {
    let files = examples::example_files();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().replace('-', "_");
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Scenarios whose programs must build though they are not run: corner cases of the
/// generator (unused contexts, empty groups, shadowed names) and hostile sizes.
fn build_only() -> Vec<(String, String)> {
    let mut deep = String::new();
    let depth = ctxgroup_playground::scenario::MAX_DEPTH;
    for i in 0..depth {
        let options = ["timeout=1s wait=cancel", "on-error=continue", ""][i % 3];
        deep += &format!("group g{i} {options} {{\n");
    }
    deep += "task leaf 1s check=every:100ms\n";
    deep += &"}\n".repeat(depth);
    let mut many = String::from("limit 3\nvalue a=\"b c\"\nvalue d=e\n");
    // A hundred tasks: a thousand builds too, but the compiler takes half a minute over one
    // function that large (tests/golang.rs generates the thousand).
    for i in 0..100 {
        many += &format!(
            "task t{i}-é {}ms fail=\"a \\\"quote\\\" and \\\\ ✓\" after={i}ms check={}\n",
            i + 10,
            ["never", "start", "every:7ms", "await"][i % 4]
        );
    }
    [
        ("empty", "# nothing\n".to_string()),
        ("empty_group", "group g {\n}\n".to_string()),
        (
            "nested_shadowing",
            "on-error continue\nwait cancel\ngroup g wait=cancel {\n  group h wait=cancel {\n    task a 1s\n  }\n  task b 1s check=never timeout=1s\n}\n".to_string(),
        ),
        (
            "never_looks",
            "timeout 1s\non-error continue\ntask a 1s check=never\ngroup g {\n  task b forever check=never\n}\n".to_string(),
        ),
        (
            "collect_nested",
            "on-error collect\nwait cancel\ngroup g on-error=collect wait=cancel {\n  task a 1s fail=x\n  group h on-error=collect {\n    task b 1s\n  }\n}\n".to_string(),
        ),
        (
            "causes",
            "timeout 3s cause=\"a \\\"b\\\"\"\ncancel 2s cause=stop\ngroup g timeout=1s cause=g {\n  task a 1s check=never timeout=1s cause=x\n}\n".to_string(),
        ),
        (
            "cancel_cause_alone",
            "cancel 2s cause=stop\ntask a 1s check=never\n".to_string(),
        ),
        (
            "try_collect",
            "on-error collect\nlimit 1\ntask a 1s check=never\ntask b 1s try\ngroup g limit=1 {\n  task c 1s try timeout=1s cause=x\n}\n".to_string(),
        ),
        (
            "go_blocks",
            "on-error collect\ntask a 1s check=never timeout=1s {\n  go b 1s check=never {\n    go c forever check=never\n  }\n  go d 1s fail=y\n}\ngroup g {\n  task e 1s try {\n    go f 1s check=start\n  }\n}\n".to_string(),
        ),
        (
            "after_cancel_everywhere",
            "on-error continue\nafter-cancel top 1s\ntask a 1s timeout=5s {\n  after-cancel flush 2s\n  go w 1s {\n    after-cancel x forever\n  }\n}\ngroup g on-error=collect {\n  task b 1s\n  after-cancel c 1s\n}\ngroup h {\n  after-cancel d 1s\n}\n".to_string(),
        ),
        (
            "shutdown_collect",
            "on-error collect\nshutdown 1s grace=0s\nlimit 2\ntask a 2s fail=x\ntask b 1s try\ngroup g {\n  task c 1s\n}\n".to_string(),
        ),
        ("deep", deep),
        ("hundred_tasks", many),
    ]
    .into_iter()
    .map(|(name, text)| (format!("build_{name}"), text))
    .collect()
}

#[test]
fn every_example_runs_the_same_in_go() {
    let Some(go_bin) = go::find_go() else {
        if std::env::var("CTXGROUP_REQUIRE_GO").as_deref() == Ok("1") {
            panic!(
                "Go 1.21+ is required (CTXGROUP_REQUIRE_GO=1) but not found: run scripts/setup.sh"
            );
        }
        println!("SKIPPED: no Go 1.21+ found (install it with scripts/setup.sh); the Go proof did not run");
        return;
    };
    let started = Instant::now();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let work = tmp.join("go-proof");
    let cache = tmp.join("go-cache");
    let mut programs = Vec::new();
    let mut sims = Vec::new();
    for (name, text) in examples() {
        let scenario = ctxgroup_playground::scenario::parse(&text).unwrap();
        let trace = ctxgroup_playground::simulate::simulate(&scenario).unwrap();
        sims.push(serde_json::from_str::<serde_json::Value>(&trace.to_json()).unwrap());
        programs.push((name, ctxgroup_playground::golang::go_program(&scenario)));
    }
    let mut all = programs.clone();
    for (name, text) in build_only() {
        let scenario =
            ctxgroup_playground::scenario::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        all.push((name, ctxgroup_playground::golang::go_program(&scenario)));
    }
    let bins = go::build_all(&go_bin, &work, &cache, &all).unwrap();
    let built = started.elapsed();

    // gofmt -l names every file whose formatting differs.
    let unformatted = std::process::Command::new(go::gofmt(&go_bin))
        .arg("-l")
        .arg(work.join("src/ctxgroup_proof"))
        .output()
        .unwrap();
    assert!(
        unformatted.status.success() && unformatted.stdout.is_empty(),
        "not gofmt-clean: {}{}",
        String::from_utf8_lossy(&unformatted.stdout),
        String::from_utf8_lossy(&unformatted.stderr)
    );

    let scale_override: Option<f64> = std::env::var("CTXGROUP_PROOF_SCALE")
        .ok()
        .and_then(|s| s.parse().ok());
    // Run them all at once: they mostly sleep.
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = bins
            .iter()
            .zip(&sims)
            .map(|(bin, sim)| {
                let scale = scale_override.unwrap_or_else(|| go::scale_for(sim));
                s.spawn(move || {
                    let mut scale = scale;
                    let mut run = go::run_trace(bin, scale);
                    // A time alone off (a load spike on a shared machine): again, slower, up
                    // to twice. A different outcome, error or leak is never run again.
                    for _ in 0..2 {
                        match &run {
                            Ok(g) if go::compare(sim, g, go::TOLERANCE).timing_only => {
                                scale = (scale * 2.0).min(1.0);
                                run = go::run_trace(bin, scale);
                            }
                            _ => break,
                        }
                    }
                    (scale, run)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut failures = Vec::new();
    for (((name, _), sim), (scale, go)) in programs.iter().zip(&sims).zip(results) {
        let go = match go {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let diff = go::compare(sim, &go, go::TOLERANCE);
        println!(
            "{name}: scale {scale:.2}, {}",
            if diff.is_empty() {
                "same as the simulator".to_string()
            } else {
                diff.lines.join("; ")
            }
        );
        if !diff.is_empty() {
            failures.push(format!(
                "{name} (scale {scale:.2}): {}",
                diff.lines.join("; ")
            ));
        }
    }
    println!(
        "Go proof: {} examples run ({} more programs built), built in {:.1}s, total {:.1}s",
        programs.len(),
        all.len() - programs.len(),
        built.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "Go and the simulator disagree:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_leak_decided_within_the_tolerance_is_a_difference_in_times() {
    // A task that ends 2 ms after its group returned is leaked in the simulator; in Go, whose
    // times are only good to the tolerance, it may end first. Found by the fuzzer.
    let sim: serde_json::Value = serde_json::from_str(
        r#"{"returned":{"at":3.0,"error":null},"tasks":[
            {"path":"g","outcome":"cancelled","error":"context canceled","leaked":false,"spawned":1.0,"start":1.0,"end":1.314},
            {"path":"g/t","outcome":"failed","error":"E","leaked":true,"spawned":1.1,"start":1.1,"end":1.316}]}"#,
    )
    .unwrap();
    let mut go = sim.clone();
    go["tasks"][1]["leaked"] = false.into();
    let d = go::compare(&sim, &go, go::TOLERANCE);
    assert!(!d.is_empty() && d.timing_only, "{:?}", d.lines);
    // Far from the group's return, a different leak is a real difference.
    let mut far = sim.clone();
    far["tasks"][1]["end"] = 2.0.into();
    let mut go = far.clone();
    go["tasks"][1]["leaked"] = false.into();
    assert!(!go::compare(&far, &go, go::TOLERANCE).timing_only);
}
