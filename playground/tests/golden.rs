//! Every scenario in examples/scenarios: its `expect` lines hold, its trace equals the stored
//! golden trace, and two runs give byte-identical JSON. `UPDATE_GOLDEN=1` rewrites the goldens.
#![cfg(not(target_arch = "wasm32"))]
#[path = "support/examples.rs"]
mod examples;

use std::path::PathBuf;

fn scenarios() -> Vec<PathBuf> {
    let files = examples::example_files();
    assert!(files.len() >= 15, "the seed scenarios are there");
    files
}

#[test]
fn every_seed_scenario_meets_its_expectations() {
    for file in scenarios() {
        let text = std::fs::read_to_string(&file).unwrap();
        let scenario = ctxgroup_playground::scenario::parse(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let trace = ctxgroup_playground::simulate::simulate(&scenario).unwrap();
        for x in &trace.expectations {
            assert!(x.ok, "{}:{}: {}", file.display(), x.line, x.message);
        }
    }
}

#[test]
fn traces_match_the_goldens_and_are_deterministic() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for file in scenarios() {
        let text = std::fs::read_to_string(&file).unwrap();
        let scenario = ctxgroup_playground::scenario::parse(&text).unwrap();
        let json = ctxgroup_playground::simulate::simulate(&scenario)
            .unwrap()
            .to_json();
        let again = ctxgroup_playground::simulate::simulate(&scenario)
            .unwrap()
            .to_json();
        assert_eq!(json, again, "{}: two runs differ", file.display());
        serde_json::from_str::<serde_json::Value>(&json).expect("valid JSON");
        let golden = file.with_extension("trace.json");
        if update {
            std::fs::write(&golden, format!("{json}\n")).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_else(|_| {
            panic!("{} is missing: run with UPDATE_GOLDEN=1", golden.display())
        });
        assert_eq!(
            json,
            want.trim_end(),
            "{} changed; if that is right, run with UPDATE_GOLDEN=1",
            golden.display()
        );
    }
}
