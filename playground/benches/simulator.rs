//! The playground's pipeline on a 10,000-task scenario: `cargo bench -p ctxgroup-playground`.
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn simulator(c: &mut Criterion) {
    let text: String = std::iter::once("limit 100\ntimeout 60s\n".to_string())
        .chain(
            (0..10_000)
                .map(|i| format!("task t{i} {}ms check=every:100ms\n", 100 + (i * 37) % 900)),
        )
        .collect();
    let scenario = ctxgroup_playground::scenario::parse(&text).unwrap();
    let mut g = c.benchmark_group("simulator 10k-task scenario");
    g.sample_size(10);
    g.bench_function("parse", |b| {
        b.iter(|| ctxgroup_playground::scenario::parse(black_box(&text)).unwrap())
    });
    g.bench_function("simulate", |b| {
        b.iter(|| ctxgroup_playground::simulate::simulate(black_box(&scenario)).unwrap())
    });
    let trace = ctxgroup_playground::simulate::simulate(&scenario).unwrap();
    g.bench_function("trace JSON", |b| b.iter(|| black_box(&trace).to_json()));
    g.bench_function("Gantt SVG", |b| {
        b.iter(|| ctxgroup_playground::gantt::render(black_box(&trace), &Default::default()))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = simulator
}
criterion_main!(benches);
