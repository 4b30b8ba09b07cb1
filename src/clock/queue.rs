//! A queue of timers ordered by (due time, insertion order), shared by every clock.
//!
//! Invariants: a timer's callback runs at most once; timers due at the same instant run in the
//! order they were scheduled (so a deadline armed before a sleep wins a tie, as in Go); a
//! cancelled timer's entry stays in the heap until it reaches the top (lazy deletion), so
//! cancelling is O(1) amortised.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Duration;

use super::{TimerCallback, TimerId};

/// Hashes a timer's id, a counter, by one multiplication (Fibonacci hashing): ids are ours, not
/// chosen by anyone, and every timer is looked up when it is armed, fired or cancelled.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, id: u64) {
        self.0 = id;
    }

    fn finish(&self) -> u64 {
        // The high bits of the product are the well-mixed ones; hashbrown uses the top 7 for
        // its control bytes and the low ones for the bucket, so both must vary.
        let h = self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^ (h >> 32)
    }
}

/// Timers holding `C`: a callback, or (on the `SystemClock`) a callback and where it runs.
pub(crate) struct TimerQueue<C = TimerCallback> {
    heap: BinaryHeap<Reverse<(Duration, u64)>>,
    callbacks: HashMap<u64, C, BuildHasherDefault<IdHasher>>,
    next_id: u64,
}

impl<C> TimerQueue<C> {
    pub(crate) fn new() -> Self {
        TimerQueue {
            heap: BinaryHeap::new(),
            callbacks: HashMap::default(),
            next_id: 0,
        }
    }

    pub(crate) fn insert(&mut self, at: Duration, callback: C) -> TimerId {
        let id = self.next_id;
        self.next_id += 1;
        self.heap.push(Reverse((at, id)));
        self.callbacks.insert(id, callback);
        TimerId(id)
    }

    /// Removes a pending timer; returns whether it was still pending.
    pub(crate) fn remove(&mut self, id: TimerId) -> bool {
        let removed = self.callbacks.remove(&id.0).is_some();
        // Keep the heap from filling up with dead entries when most timers are cancelled.
        if removed && self.heap.len() > 64 && self.heap.len() > 4 * self.callbacks.len() {
            let callbacks = &self.callbacks;
            self.heap
                .retain(|Reverse((_, id))| callbacks.contains_key(id));
        }
        if removed {
            self.give_back();
        }
        removed
    }

    /// Gives memory back once the timers are a quarter of what it holds: a burst of a million
    /// deadlines, all cancelled, leaves no 100 MB behind (halving each time: amortised O(1)).
    fn give_back(&mut self) {
        let keep = 4 * self.callbacks.len().max(256);
        if self.callbacks.capacity() > keep {
            self.callbacks.shrink_to(2 * self.callbacks.len());
        }
        if self.heap.capacity() > keep && self.heap.len() <= keep / 2 {
            self.heap.shrink_to(2 * self.heap.len());
        }
    }

    /// The due time of the earliest pending timer.
    pub(crate) fn next_due(&mut self) -> Option<Duration> {
        while let Some(Reverse((at, id))) = self.heap.peek() {
            if self.callbacks.contains_key(id) {
                return Some(*at);
            }
            self.heap.pop();
        }
        None
    }

    /// Removes and returns the earliest timer if it is due at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Duration) -> Option<(Duration, C)> {
        while let Some(&Reverse((at, id))) = self.heap.peek() {
            if at > now {
                return None;
            }
            self.heap.pop();
            if let Some(cb) = self.callbacks.remove(&id) {
                self.give_back();
                return Some((at, cb));
            }
        }
        None
    }

    pub(crate) fn len(&self) -> usize {
        self.callbacks.len()
    }
}
