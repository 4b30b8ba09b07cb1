//! ctxgroup against its peers, in one run: `cargo bench --bench core`.
//! Each group compares the same work; BENCHMARKS.md reports the ratios.
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use ctxgroup::{Context, TaskGroup, VirtualClock};
use futures::stream::{FuturesUnordered, StreamExt};
use tokio_util::sync::CancellationToken;

fn root() -> Context {
    Context::with_clock(VirtualClock::new())
}

fn child_create_drop(c: &mut Criterion) {
    let mut g = c.benchmark_group("child create+drop");
    let ctx = root();
    g.bench_function("ctxgroup", |b| {
        b.iter(|| drop(black_box(ctx.with_cancel())))
    });
    let token = CancellationToken::new();
    g.bench_function("tokio-util", |b| {
        b.iter(|| drop(black_box(token.child_token())))
    });
    g.finish();
}

fn clone_drop(c: &mut Criterion) {
    let mut g = c.benchmark_group("context clone+drop");
    let (ctx, _cancel) = root().with_cancel();
    g.bench_function("ctxgroup", |b| b.iter(|| drop(black_box(ctx.clone()))));
    let token = CancellationToken::new().child_token();
    g.bench_function("tokio-util", |b| b.iter(|| drop(black_box(token.clone()))));
    g.finish();
}

fn fan_out(c: &mut Criterion) {
    for n in [10_000usize, 100_000] {
        let mut g = c.benchmark_group(format!("cancel fan-out {n}"));
        g.sample_size(20);
        g.bench_function("ctxgroup", |b| {
            b.iter_batched(
                || {
                    let (parent, cancel) = root().with_cancel();
                    let children: Vec<_> = (0..n).map(|_| parent.with_cancel().0).collect();
                    (cancel, children)
                },
                |(cancel, children)| {
                    cancel.cancel();
                    (cancel, children) // dropped outside the timing
                },
                BatchSize::LargeInput,
            )
        });
        g.bench_function("tokio-util", |b| {
            b.iter_batched(
                || {
                    let parent = CancellationToken::new();
                    let children: Vec<_> = (0..n).map(|_| parent.child_token()).collect();
                    (parent, children)
                },
                |(parent, children)| {
                    parent.cancel();
                    (parent, children)
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }
}

fn deep_chain(c: &mut Criterion) {
    const DEPTH: usize = 100_000;
    // Every handle kept: a real 100k-deep chain in both libraries.
    let mut g = c.benchmark_group("cancel 100k-deep chain");
    g.sample_size(20);
    g.bench_function("ctxgroup", |b| {
        b.iter_batched(
            || {
                let (top, cancel) = root().with_cancel();
                let mut chain = vec![top];
                for _ in 0..DEPTH {
                    let next = chain.last().unwrap().with_cancel().0;
                    chain.push(next);
                }
                (cancel, chain)
            },
            |(cancel, chain)| {
                cancel.cancel();
                (cancel, chain)
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("tokio-util", |b| {
        b.iter_batched(
            || {
                let mut chain = vec![CancellationToken::new()];
                for _ in 0..DEPTH {
                    let next = chain.last().unwrap().child_token();
                    chain.push(next);
                }
                chain
            },
            |chain| {
                chain[0].cancel();
                chain
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
    // Intermediate handles dropped: both libraries take a link with no handle left out of the
    // tree (tokio-util re-parents the children of a dropped token; ctxgroup moves them up to
    // where the link was registered, keeping the link for values and deadlines), so the chain
    // is one registration deep and the cancel is O(1).
    let mut g = c.benchmark_group("cancel 100k chain, middle handles dropped");
    g.sample_size(20);
    g.bench_function("ctxgroup", |b| {
        b.iter_batched(
            || {
                let (top, cancel) = root().with_cancel();
                let mut ctx = top;
                for _ in 0..DEPTH {
                    ctx = ctx.with_cancel().0;
                }
                (cancel, ctx)
            },
            |(cancel, leaf)| {
                cancel.cancel();
                (cancel, leaf)
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("tokio-util", |b| {
        b.iter_batched(
            || {
                let top = CancellationToken::new();
                let mut t = top.clone();
                for _ in 0..DEPTH {
                    t = t.child_token();
                }
                (top, t)
            },
            |(top, leaf)| {
                top.cancel();
                (top, leaf)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn is_cancelled(c: &mut Criterion) {
    let mut g = c.benchmark_group("is-cancelled check");
    let (ctx, _cancel) = root().with_cancel();
    let (ctx, _c2) = ctx.with_cancel();
    g.bench_function("ctxgroup", |b| b.iter(|| black_box(&ctx).is_cancelled()));
    let token = CancellationToken::new().child_token().child_token();
    g.bench_function("tokio-util", |b| {
        b.iter(|| black_box(&token).is_cancelled())
    });
    g.finish();
}

fn spawn_wait(c: &mut Criterion) {
    const N: usize = 100_000;
    let mut g = c.benchmark_group("spawn+wait 100k trivial tasks");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    // On futures::executor, the group driving its own tasks, next to FuturesUnordered.
    g.bench_function("ctxgroup (self-driven, futures executor)", |b| {
        b.iter(|| {
            futures::executor::block_on(async {
                let group = TaskGroup::new(&Context::background());
                for i in 0..N {
                    group
                        .spawn(move |_| async move {
                            black_box(i);
                            Ok(())
                        })
                        .await;
                }
                group.wait().await.unwrap();
            })
        })
    });
    g.bench_function("FuturesUnordered (futures executor)", |b| {
        b.iter(|| {
            futures::executor::block_on(async {
                let mut set = FuturesUnordered::new();
                for i in 0..N {
                    set.push(async move { black_box(i) });
                }
                while set.next().await.is_some() {}
            })
        })
    });
    // On tokio's current-thread runtime, next to JoinSet.
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    g.bench_function("ctxgroup (tokio::spawn)", |b| {
        b.iter(|| {
            rt.block_on(async {
                let group = TaskGroup::builder(&Context::background())
                    .spawner(|f| {
                        tokio::spawn(f);
                    })
                    .build();
                for i in 0..N {
                    group
                        .spawn(move |_| async move {
                            black_box(i);
                            Ok(())
                        })
                        .await;
                }
                group.wait().await.unwrap();
            })
        })
    });
    g.bench_function("tokio JoinSet", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut set = tokio::task::JoinSet::new();
                for i in 0..N {
                    set.spawn(async move { black_box(i) });
                }
                while set.join_next().await.is_some() {}
            })
        })
    });
    g.finish();
}

/// A deadline's lateness in real time: from arming a 2 ms deadline to its waiter running again.
/// ctxgroup's `SystemClock` marks and wakes on its timer thread; tokio's timer turns in whole
/// milliseconds; a plain thread sleep is the floor.
fn deadline_fires(c: &mut Criterion) {
    const AFTER: Duration = Duration::from_millis(2);
    let mut g = c.benchmark_group("deadline 2 ms, armed to woken");
    g.sample_size(30);
    let root = Context::with_clock(ctxgroup::SystemClock::new());
    g.bench_function("ctxgroup (SystemClock, futures executor)", |b| {
        b.iter(|| {
            let (ctx, _cancel) = root.with_timeout(AFTER);
            futures::executor::block_on(ctx.done())
        })
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    g.bench_function("tokio::time::sleep (current thread)", |b| {
        b.iter(|| rt.block_on(async { tokio::time::sleep(AFTER).await }))
    });
    g.bench_function("std::thread::sleep (the floor)", |b| {
        b.iter(|| std::thread::sleep(AFTER))
    });
    g.finish();
}

/// A child with a timeout made and dropped before it fires, on real clocks: ctxgroup's
/// `SystemClock` arms and disarms its timer; tokio's `Sleep` is made, polled once (it arms
/// on its first poll) and dropped, in a runtime.
fn timeout_create_drop(c: &mut Criterion) {
    const AFTER: Duration = Duration::from_secs(30);
    let mut g = c.benchmark_group("child with a 30 s timeout, create+drop");
    let root = Context::with_clock(ctxgroup::SystemClock::new());
    g.bench_function("ctxgroup (SystemClock)", |b| {
        b.iter(|| drop(black_box(root.with_timeout(AFTER))))
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    g.bench_function("tokio::time::sleep, polled once", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut sleep = std::pin::pin!(tokio::time::sleep(AFTER));
                let waker = futures::task::noop_waker();
                let mut cx = std::task::Context::from_waker(&waker);
                std::future::Future::poll(sleep.as_mut(), &mut cx).is_pending()
            })
        })
    });
    g.finish();
}

/// Dropping 10,000 spawns queued for a slot (a server's handlers, waiting under a limit,
/// cancelled together), against as many `acquire`s of tokio's `Semaphore`.
fn queued_spawns_dropped(c: &mut Criterion) {
    use std::future::Future;
    use std::pin::Pin;
    const N: usize = 10_000;
    fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>) {
        let waker = futures::task::noop_waker();
        assert!(f
            .poll(&mut std::task::Context::from_waker(&waker))
            .is_pending());
    }
    let mut g = c.benchmark_group("drop 10k spawns queued for a slot");
    g.sample_size(20);
    let group = TaskGroup::builder(&root()).limit(1).build();
    assert!(group.try_spawn(|_| futures::future::pending()));
    g.bench_function("ctxgroup", |b| {
        b.iter_batched(
            || {
                let mut queued: Vec<_> = (0..N)
                    .map(|_| Box::pin(group.spawn(|_| async { Ok(()) })))
                    .collect();
                for f in &mut queued {
                    poll_once(f.as_mut());
                }
                queued
            },
            drop,
            BatchSize::LargeInput,
        )
    });
    let semaphore = tokio::sync::Semaphore::new(0);
    g.bench_function("tokio Semaphore", |b| {
        b.iter_batched(
            || {
                let mut queued: Vec<_> = (0..N).map(|_| Box::pin(semaphore.acquire())).collect();
                for f in &mut queued {
                    poll_once(f.as_mut());
                }
                queued
            },
            drop,
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = child_create_drop, clone_drop, fan_out, deep_chain, is_cancelled, spawn_wait, deadline_fires, queued_spawns_dropped, timeout_create_drop
}
criterion_main!(benches);
