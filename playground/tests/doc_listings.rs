//! The README's listing of the scenario language is one scenario that runs and whose `expect`
//! lines hold: readers copy it.
#![cfg(not(target_arch = "wasm32"))]
use ctxgroup_playground::scenario::parse;
use ctxgroup_playground::simulate::simulate;

#[test]
fn the_readmes_scenario_language_listing_runs_and_its_expects_hold() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let from = readme.find("## The scenario language and the CLI").unwrap();
    let block = &readme[from..];
    let start = block.find("```text\n").unwrap() + "```text\n".len();
    let text = &block[start..start + block[start..].find("```").unwrap()];
    let scenario = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let trace = simulate(&scenario).unwrap();
    assert!(trace.expectations.len() >= 2);
    for x in &trace.expectations {
        assert!(x.ok, "line {}: {}", x.line, x.message);
    }
    assert!(!trace.summary().contains("tie"), "{}", trace.summary());
}
