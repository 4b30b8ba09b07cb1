//! A burst gives its memory back: a million short-lived deadlines under a long-lived parent
//! left about 100 MB behind (the timer queue's heap and map, the parent's slab of children),
//! for good. Live heap bytes are counted by this test's own allocator; one test in the file,
//! so that nothing else allocates meanwhile.
#![cfg(not(target_arch = "wasm32"))]
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Duration;

use ctxgroup::{Context, SystemClock, VirtualClock};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator, counting what is live.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn a_burst_of_deadlines_under_a_long_lived_parent_gives_its_memory_back() {
    for root in [
        Context::with_clock(VirtualClock::new()),
        Context::with_clock(SystemClock::new()),
    ] {
        let (server, _cancel) = root.with_cancel();
        // Warm: the first timer starts a clock's thread, and that stays.
        drop(server.with_timeout(Duration::from_secs(60)));
        let before = LIVE.load(Ordering::SeqCst);
        let burst: Vec<_> = (0..200_000)
            .map(|_| server.with_timeout(Duration::from_secs(60)))
            .collect();
        let during = LIVE.load(Ordering::SeqCst) - before;
        drop(burst);
        let after = LIVE.load(Ordering::SeqCst) - before;
        assert!(during > 20_000_000, "the burst took {during} B");
        assert!(
            after < 200_000,
            "{after} B left after the burst (of {during} B), {root:?}"
        );
        assert_eq!(server.children(), 0);
    }
}
