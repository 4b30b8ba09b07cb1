//! Instruction counts of the benchmark rows, a noise-free complement to criterion on a shared
//! machine: `scripts/bench-instructions.sh` runs each mode under callgrind, counting only what
//! runs inside `measured` (setup and teardown are not counted), and divides by N.
use std::hint::black_box;

use ctxgroup::{Context, TaskGroup, VirtualClock};
use futures::stream::{FuturesUnordered, StreamExt};
use tokio_util::sync::CancellationToken;

const N: usize = 100_000;

/// The measured part of a mode (callgrind counts only inside it).
#[inline(never)]
fn measured<R>(op: impl FnOnce() -> R) -> R {
    op()
}

fn root() -> Context {
    Context::with_clock(VirtualClock::new())
}

fn main() {
    let mode = std::env::args().nth(1).expect("a mode");
    let tokio_rt = || {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    };
    match mode.as_str() {
        "create-drop" => {
            let ctx = root();
            measured(|| (0..N).for_each(|_| drop(black_box(ctx.with_cancel()))));
        }
        "create-drop/tokio-util" => {
            let token = CancellationToken::new();
            measured(|| (0..N).for_each(|_| drop(black_box(token.child_token()))));
        }
        "fan-out" => {
            let (parent, cancel) = root().with_cancel();
            let children: Vec<_> = (0..N).map(|_| parent.with_cancel()).collect();
            measured(|| cancel.cancel());
            drop(children);
        }
        "fan-out/tokio-util" => {
            let parent = CancellationToken::new();
            let children: Vec<_> = (0..N).map(|_| parent.child_token()).collect();
            measured(|| parent.cancel());
            drop(children);
        }
        "chain" => {
            let (top, cancel) = root().with_cancel();
            let mut chain = vec![top];
            for _ in 0..N {
                let next = chain.last().unwrap().with_cancel().0;
                chain.push(next);
            }
            measured(|| cancel.cancel());
        }
        "chain/tokio-util" => {
            let mut chain = vec![CancellationToken::new()];
            for _ in 0..N {
                let next = chain.last().unwrap().child_token();
                chain.push(next);
            }
            measured(|| chain[0].cancel());
        }
        "chain-middle-dropped" => {
            let (top, cancel) = root().with_cancel();
            let mut leaf = top;
            for _ in 0..N {
                leaf = leaf.with_cancel().0;
            }
            measured(|| cancel.cancel());
            assert!(leaf.is_cancelled());
        }
        "chain-middle-dropped/tokio-util" => {
            let top = CancellationToken::new();
            let mut leaf = top.clone();
            for _ in 0..N {
                leaf = leaf.child_token();
            }
            measured(|| top.cancel());
            assert!(leaf.is_cancelled());
        }
        "is-cancelled" => {
            let ctx = root();
            measured(|| (0..N).filter(|_| black_box(&ctx).is_cancelled()).count());
        }
        "is-cancelled/tokio-util" => {
            let token = CancellationToken::new();
            measured(|| (0..N).filter(|_| black_box(&token).is_cancelled()).count());
        }
        "spawn-wait/self-driven" => measured(|| {
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
        }),
        "spawn-wait/FuturesUnordered" => measured(|| {
            futures::executor::block_on(async {
                let mut set = FuturesUnordered::new();
                for i in 0..N {
                    set.push(async move { black_box(i) });
                }
                while set.next().await.is_some() {}
            })
        }),
        "spawn-wait/tokio-spawner" => {
            let rt = tokio_rt();
            measured(|| {
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
        }
        "spawn-wait/JoinSet" => {
            let rt = tokio_rt();
            measured(|| {
                rt.block_on(async {
                    let mut set = tokio::task::JoinSet::new();
                    for i in 0..N {
                        set.spawn(async move { black_box(i) });
                    }
                    while set.join_next().await.is_some() {}
                })
            })
        }
        other => panic!("unknown mode {other}"),
    }
}
