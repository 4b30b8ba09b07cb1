//! The Rust view: every example's generated Rust program (committed in tests/rust_programs/, as
//! `ctxgroup rust` writes it) compiles here as a module, runs, and reproduces the simulator's
//! trace exactly. `UPDATE_GOLDEN=1` rewrites the programs from the generator.
#![cfg(not(target_arch = "wasm32"))]

#[path = "support/examples.rs"]
mod examples;

use std::path::PathBuf;

/// One module per example (a new example needs a line here; a test says which).
macro_rules! programs {
    ($($name:ident = $file:literal),* $(,)?) => {
        $(
            #[allow(dead_code)]
            #[path = $file]
            mod $name;
        )*
        /// (example name, the program's trace JSON).
        fn traces() -> Vec<(&'static str, String)> {
            vec![$((stringify!($name), $name::run_scenario(false).json())),*]
        }
    };
}

programs! {
    p_000_fast_api = "rust_programs/000_fast_api.rs",
    p_000_slow_api_6s = "rust_programs/000_slow_api_6s.rs",
    p_000_slow_api = "rust_programs/000_slow_api.rs",
    p_000_slow_api_cause = "rust_programs/000_slow_api_cause.rs",
    p_001_attempt_1_no_context = "rust_programs/001_attempt_1_no_context.rs",
    p_001_attempt_2_timeout_ignored = "rust_programs/001_attempt_2_timeout_ignored.rs",
    p_001_attempt_3_watcher = "rust_programs/001_attempt_3_watcher.rs",
    p_001_attempt_4_check_once = "rust_programs/001_attempt_4_check_once.rs",
    p_001_attempt_5_outer_loop = "rust_programs/001_attempt_5_outer_loop.rs",
    p_001_fixed = "rust_programs/001_fixed.rs",
    p_002_timeout_50ms = "rust_programs/002_timeout_50ms.rs",
    p_002_worker_cancel = "rust_programs/002_worker_cancel.rs",
    p_002_worker_go = "rust_programs/002_worker_go.rs",
    p_003_collect_all = "rust_programs/003_collect_all.rs",
    p_003_continue = "rust_programs/003_continue.rs",
    p_continue_outlives = "rust_programs/continue_outlives.rs",
    p_003_first_error = "rust_programs/003_first_error.rs",
    p_004_after_func = "rust_programs/004_after_func.rs",
    p_004_go_leak = "rust_programs/004_go_leak.rs",
    p_004_leak = "rust_programs/004_leak.rs",
    p_everything = "rust_programs/everything.rs",
    p_limit_2 = "rust_programs/limit_2.rs",
    p_limit_try = "rust_programs/limit_try.rs",
    p_shutdown_straggler = "rust_programs/shutdown_straggler.rs",
    p_token_held_forever = "rust_programs/token_held_forever.rs",
    p_without_cancel = "rust_programs/without_cancel.rs",
    p_extra_cancel_at_the_deadline = "rust_programs/extra_cancel_at_the_deadline.rs",
    p_extra_cancel_and_goroutines_outliving = "rust_programs/extra_cancel_and_goroutines_outliving.rs",
    p_extra_end_at_the_grace = "rust_programs/extra_end_at_the_grace.rs",
}

/// Scenarios beside the examples whose programs the generator writes differently: a cancel at
/// the deadline's instant, a cancel the caller also defers, a task ending as a shutdown's
/// grace runs out.
const EXTRAS: [(&str, &str); 3] = [
    (
        "extra_cancel_at_the_deadline",
        "timeout 2s\ncancel 2s\ntask a 5s\ntask b 1s\n",
    ),
    (
        "extra_cancel_and_goroutines_outliving",
        "on-error continue\ncancel 2s\ntask a 1s {\n  go bg 5s\n}\n",
    ),
    (
        "extra_end_at_the_grace",
        "shutdown 2s grace=1s\ntask worker forever\ntask exporter 3s check=never\n",
    ),
];

/// (name, scenario text): every example, then the extras.
fn examples() -> Vec<(String, String)> {
    let files = examples::example_files();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().replace('-', "_"),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .chain(EXTRAS.map(|(name, text)| (name.to_string(), text.to_string())))
        .collect()
}

#[test]
fn the_programs_are_what_the_generator_writes() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/rust_programs");
    let listed: Vec<&str> = traces_names();
    for (name, text) in examples() {
        let scenario = ctxgroup_playground::scenario::parse(&text).unwrap();
        let program = ctxgroup_playground::rustgen::rust_program(&scenario);
        let file = dir.join(format!("{name}.rs"));
        if update {
            std::fs::write(&file, &program).unwrap();
        } else {
            let committed = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(
                committed == program,
                "{} is stale: run with UPDATE_GOLDEN=1",
                file.display()
            );
        }
        assert!(
            listed.contains(&format!("p_{name}").as_str()),
            "add `p_{name} = \"rust_programs/{name}.rs\",` to programs! in {}",
            file!()
        );
    }
}

fn traces_names() -> Vec<&'static str> {
    traces().into_iter().map(|(n, _)| n).collect()
}

#[test]
fn every_program_reproduces_the_simulator_exactly() {
    let traces = traces();
    for (name, text) in examples() {
        let scenario = ctxgroup_playground::scenario::parse(&text).unwrap();
        let sim: serde_json::Value = serde_json::from_str(
            &ctxgroup_playground::simulate::simulate(&scenario)
                .unwrap()
                .to_json(),
        )
        .unwrap();
        let (_, json) = traces
            .iter()
            .find(|(n, _)| *n == format!("p_{name}"))
            .unwrap_or_else(|| panic!("no program for {name}"));
        let rust: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            rust["returned"]["at"].as_f64(),
            sim["returned"]["at"].as_f64(),
            "{name}: returned at"
        );
        assert_eq!(
            rust["returned"]["error"], sim["returned"]["error"],
            "{name}: returned error"
        );
        let (r, s) = (
            rust["tasks"].as_array().unwrap(),
            sim["tasks"].as_array().unwrap(),
        );
        assert_eq!(r.len(), s.len(), "{name}: spawned tasks");
        for (r, s) in r.iter().zip(s) {
            for key in ["name", "path", "outcome", "error", "leaked", "go_cause"] {
                assert_eq!(r[key], s[key], "{name}: {} {key}", s["path"]);
            }
            for key in ["spawned", "start", "end"] {
                assert_eq!(
                    r[key].as_f64(),
                    s[key].as_f64(),
                    "{name}: {} {key}",
                    s["path"]
                );
            }
        }
    }
}
