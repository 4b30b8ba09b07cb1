//! The 10,000-task scenario of the browser benchmark (www/bench.js), parsed and simulated
//! natively: prints how long each step took. Under callgrind it gives the instruction counts
//! that BENCHMARKS.md quotes for the simulator:
//!
//! ```text
//! cargo build --release -p ctxgroup-playground --example simulate_10k
//! valgrind --tool=callgrind target/release/examples/simulate_10k
//! ```

use std::sync::Arc;
use std::time::Instant;

use ctxgroup_playground::scenario::parse;
use ctxgroup_playground::simulate::{simulate_shared, Budget};

fn main() {
    let mut text = String::from("timeout 60s\nlimit 64\n");
    for i in 0..10_000 {
        let check = ["", " check=never", " check=every:100ms", " check=start"][i % 4];
        let fail = if i == 9_000 { " fail=\"boom\"" } else { "" };
        text += &format!("task t{i} {}ms{check}{fail}\n", 100 + (i * 37) % 900);
    }
    let started = Instant::now();
    let scenario = Arc::new(parse(&text).expect("the scenario parses"));
    let parsed = Instant::now();
    let trace = simulate_shared(&scenario, &Budget::default()).expect("the scenario runs");
    let simulated = Instant::now();
    println!(
        "parse {:.1} ms, simulate {:.1} ms: {} tasks, {} events; {}",
        (parsed - started).as_secs_f64() * 1e3,
        (simulated - parsed).as_secs_f64() * 1e3,
        trace.tasks.len(),
        trace.events.len(),
        trace.summary().chars().take(60).collect::<String>()
    );
}
