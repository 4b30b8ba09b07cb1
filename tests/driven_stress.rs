//! Multi-thread stress of the tasks a group without a spawner drives itself (its task cells and
//! ready queue; the loom model of the same races is tests/loom_group.rs): wakes from other
//! threads racing two drivers, tasks that yield and panic, the group dropped mid-run, and
//! wakers kept and woken after the group is gone.
#![cfg(not(target_arch = "wasm32"))]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};
use std::thread;
use std::time::Duration;

use ctxgroup::{Context, TaskGroup};

/// Pending until opened; keeps every waker it was polled with (clones, as a real resource
/// would), so other threads can wake the task, also after the group is gone.
#[derive(Clone, Default)]
struct Gate {
    open: Arc<AtomicBool>,
    wakers: Arc<Mutex<Vec<Waker>>>,
}

impl Gate {
    fn open(&self) {
        self.open.store(true, Ordering::SeqCst);
        self.wake_all();
    }
    fn wake_all(&self) {
        let wakers: Vec<Waker> = self.wakers.lock().unwrap().clone();
        for w in wakers {
            w.wake();
        }
    }
}

impl Future for Gate {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        self.wakers.lock().unwrap().push(cx.waker().clone());
        if self.open.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Pending once, having woken itself: a yield.
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

/// Counts the futures dropped (finished or not).
struct CountDrop(Arc<AtomicUsize>);
impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The result of `f` on another thread, or a failure if it takes more than 20 s (a lost wake).
fn within<R: Send + 'static>(what: &str, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()).unwrap());
    rx.recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what}: hung (a wake was lost)"))
}

#[test]
fn wakes_from_other_threads_racing_two_drivers_lose_nothing() {
    wakes_racing_two_drivers(false);
}

#[test]
fn wakes_from_other_threads_racing_two_drivers_lose_nothing_with_a_hook() {
    // A hook gives each task a context and a future of its own (not the plain task cell).
    wakes_racing_two_drivers(true);
}

fn wakes_racing_two_drivers(hooked: bool) {
    const TASKS: usize = 48;
    for round in 0..400 {
        let group = if hooked {
            TaskGroup::builder(&Context::background())
                .hook(|_: &ctxgroup::group::Event<'_>| {})
                .build()
        } else {
            TaskGroup::new(&Context::background())
        };
        let gates: Vec<Gate> = (0..TASKS).map(|_| Gate::default()).collect();
        let finished = Arc::new(AtomicUsize::new(0));
        let panics = round % 4 == 0;
        for (i, gate) in gates.iter().cloned().enumerate() {
            let finished = finished.clone();
            assert!(group.try_spawn(move |_| async move {
                if i % 3 == 0 {
                    yield_now().await;
                }
                gate.await;
                if i % 5 == 0 {
                    yield_now().await;
                }
                if panics && i == TASKS / 2 {
                    panic!("task {i} panics");
                }
                finished.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }));
        }
        let drivers: Vec<_> = (0..2)
            .map(|_| {
                let group = group.clone();
                thread::spawn(move || futures::executor::block_on(group.wait()))
            })
            .collect();
        let wakers: Vec<_> = gates
            .chunks(TASKS / 4)
            .map(|chunk| {
                let chunk = chunk.to_vec();
                thread::spawn(move || {
                    for gate in chunk {
                        gate.wake_all(); // a spurious wake first
                        thread::yield_now();
                        gate.open();
                    }
                })
            })
            .collect();
        let results = within("two drivers", move || {
            for w in wakers {
                w.join().unwrap();
            }
            drivers
                .into_iter()
                .map(|d| d.join().unwrap().map_err(|e| e.to_string()))
                .collect::<Vec<_>>()
        });
        let expected = if panics { TASKS - 1 } else { TASKS };
        assert_eq!(finished.load(Ordering::SeqCst), expected, "round {round}");
        for result in results {
            match result {
                Ok(()) => assert!(!panics, "round {round}"),
                Err(e) => {
                    assert!(panics, "round {round}: {e}");
                    assert!(e.contains("panics"), "round {round}: {e}");
                }
            }
        }
    }
}

#[test]
fn a_group_dropped_mid_run_drops_every_future_while_wakes_race_it() {
    const TASKS: usize = 32;
    for _ in 0..300 {
        let group = TaskGroup::new(&Context::background());
        let gate = Gate::default();
        let dropped = Arc::new(AtomicUsize::new(0));
        for i in 0..TASKS {
            let (gate, guard) = (gate.clone(), CountDrop(dropped.clone()));
            assert!(group.try_spawn(move |ctx| async move {
                let _guard = guard;
                if i % 2 == 0 {
                    gate.await;
                } else {
                    ctx.done().await; // holds its group's context: only the drop ends it
                }
                Ok(())
            }));
        }
        // One drive: every task is pending, its waker kept by the gate or the context.
        let mut join = Box::pin(group.join_next());
        let mut cx = TaskContext::from_waker(futures::task::noop_waker_ref());
        assert!(join.as_mut().poll(&mut cx).is_pending());
        drop(join);
        let opener = {
            let gate = gate.clone();
            thread::spawn(move || gate.open())
        };
        drop(group);
        opener.join().unwrap();
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            TASKS,
            "every future dropped"
        );
        // The wakers outlive the group: waking them now does nothing, and frees nothing twice.
        gate.wake_all();
    }
}

#[test]
fn wakers_kept_and_woken_from_many_threads_after_the_group_is_gone_are_harmless() {
    let gate = Gate::default();
    let dropped = Arc::new(AtomicUsize::new(0));
    {
        let group = TaskGroup::new(&Context::background());
        for _ in 0..64 {
            let (gate, guard) = (gate.clone(), CountDrop(dropped.clone()));
            assert!(group.try_spawn(move |_| async move {
                let _guard = guard;
                gate.await;
                Ok(())
            }));
        }
        let mut join = Box::pin(group.join_next());
        let mut cx = TaskContext::from_waker(futures::task::noop_waker_ref());
        assert!(join.as_mut().poll(&mut cx).is_pending());
    }
    assert_eq!(dropped.load(Ordering::SeqCst), 64);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let gate = gate.clone();
            thread::spawn(move || {
                for _ in 0..1_000 {
                    gate.wake_all();
                }
                gate.open();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(gate.wakers.lock().unwrap().len(), 64);
}

#[test]
fn a_task_that_keeps_yielding_does_not_hold_the_executor() {
    // One thread: the group's driver must hand the thread back between rounds of a task that
    // wakes itself, or the other future on the same executor would never run.
    let group = TaskGroup::new(&Context::background());
    let stop = Arc::new(AtomicBool::new(false));
    let seen = stop.clone();
    assert!(group.try_spawn(move |_| async move {
        while !seen.load(Ordering::SeqCst) {
            yield_now().await;
        }
        Ok(())
    }));
    within("a yielding task", move || {
        futures::executor::block_on(async {
            let stopper = async {
                yield_now().await;
                stop.store(true, Ordering::SeqCst);
            };
            futures::future::join(group.wait(), stopper).await.0
        })
    })
    .unwrap();
}

#[test]
fn spawns_from_four_threads_racing_a_collector_and_limit_changes_deliver_every_output_once() {
    // Spawns count and queue their tasks in one lock (without a limit) or wait for a slot
    // (with one); the limit flips between the two while they race, so spawns that read "no
    // limit" find one under the lock and wait for a slot with the body they made. Half the
    // tasks yield once, so they are listed, woken and run again.
    const THREADS: u32 = 4;
    const EACH: u32 = 5_000;
    within("spawns racing a collector", || {
        let group = TaskGroup::<u32, ctxgroup::Error>::with_outputs(&Context::background());
        let spawning = AtomicUsize::new(THREADS as usize);
        thread::scope(|s| {
            for t in 0..THREADS {
                let (group, spawning) = (&group, &spawning);
                s.spawn(move || {
                    futures::executor::block_on(async {
                        for i in 0..EACH {
                            let n = t * EACH + i;
                            group
                                .spawn(move |_| async move {
                                    if n % 2 == 0 {
                                        yield_now().await;
                                    }
                                    Ok(n)
                                })
                                .await;
                        }
                    });
                    spawning.fetch_sub(1, Ordering::SeqCst);
                });
            }
            s.spawn(|| {
                let mut flip = 0u32;
                while spawning.load(Ordering::SeqCst) > 0 {
                    flip += 1;
                    group.set_limit((flip % 2 == 0).then_some(64));
                    thread::yield_now();
                }
                group.set_limit(None);
            });
            let mut seen = vec![false; (THREADS * EACH) as usize];
            let mut count = 0;
            while count < seen.len() {
                match futures::executor::block_on(group.join_next()) {
                    Some(output) => {
                        let n = output.unwrap() as usize;
                        assert!(!seen[n], "output {n} delivered twice");
                        seen[n] = true;
                        count += 1;
                    }
                    None => thread::yield_now(),
                }
            }
        });
        assert_eq!(group.running(), 0);
    });
}
