//! Nothing is kept alive by accident: dropped groups, dropped clocks.
#![cfg(not(target_arch = "wasm32"))]
use std::time::Duration;

use ctxgroup::{Context, SystemClock, TaskGroup, VirtualClock};

#[test]
fn a_self_driven_group_dropped_without_wait_frees_itself() {
    let root = Context::with_clock(VirtualClock::new());
    for _ in 0..10_000 {
        let group = TaskGroup::new(&root);
        assert!(group.try_spawn(|ctx| async move {
            ctx.done().await;
            Ok(())
        }));
        drop(group);
    }
    assert_eq!(root.children(), 0, "dropped groups stayed registered");
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count())
}

#[test]
fn a_dropped_system_clock_ends_its_thread() {
    let before = threads();
    for _ in 0..50 {
        let clock = SystemClock::new();
        let (ctx, _c) = Context::with_clock(clock).with_timeout(Duration::from_millis(1));
        futures::executor::block_on(ctx.done());
    }
    // Give the threads a moment to notice.
    let mut after = threads();
    for _ in 0..100 {
        if after <= before + 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        after = threads();
    }
    assert!(
        after <= before + 2,
        "{before} threads before, {after} after"
    );
}
