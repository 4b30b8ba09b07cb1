//! A queue of timers ordered by (due time, insertion order), shared by every clock.
//!
//! Invariants: a timer's callback runs at most once; timers due at the same instant run in the
//! order they were scheduled (so a deadline armed before a sleep wins a tie, as in Go); a
//! cancelled timer's entry stays in the heap until it reaches the top (lazy deletion), so
//! cancelling is O(1) amortised.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::Duration;

use super::{TimerCallback, TimerId};

pub(crate) struct TimerQueue {
    heap: BinaryHeap<Reverse<(Duration, u64)>>,
    callbacks: HashMap<u64, TimerCallback>,
    next_id: u64,
}

impl TimerQueue {
    pub(crate) fn new() -> Self {
        TimerQueue {
            heap: BinaryHeap::new(),
            callbacks: HashMap::new(),
            next_id: 0,
        }
    }

    pub(crate) fn insert(&mut self, at: Duration, callback: TimerCallback) -> TimerId {
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
        removed
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
    pub(crate) fn pop_due(&mut self, now: Duration) -> Option<(Duration, TimerCallback)> {
        while let Some(&Reverse((at, id))) = self.heap.peek() {
            if at > now {
                return None;
            }
            self.heap.pop();
            if let Some(cb) = self.callbacks.remove(&id) {
                return Some((at, cb));
            }
        }
        None
    }

    pub(crate) fn len(&self) -> usize {
        self.callbacks.len()
    }
}
