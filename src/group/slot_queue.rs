//! The spawns waiting for a slot under a group's limit, in order of arrival.
//!
//! Invariants: tickets are handed out in increasing order and entries stay in that order, so
//! an entry is found by binary search; an entry whose spawn was dropped is marked dead where it
//! stands and removed once it reaches the front (or when the dead outnumber the living), so
//! the front is always a living entry and dropping any number of queued spawns is
//! O(log n) each (a server's handlers waiting for a slot and cancelled together).

use std::collections::VecDeque;
use std::task::Waker;

#[derive(Default)]
pub(super) struct SlotQueue {
    entries: VecDeque<Entry>,
    /// Entries marked dead, not yet removed.
    dead: usize,
    next_ticket: u64,
}

struct Entry {
    ticket: u64,
    waker: Option<Waker>,
    live: bool,
}

impl SlotQueue {
    /// Whether no spawn waits.
    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many spawns wait.
    pub(super) fn len(&self) -> usize {
        self.entries.len() - self.dead
    }

    /// Queues a spawn, woken by `waker` when it is first in line; its ticket.
    pub(super) fn push(&mut self, waker: Waker) -> u64 {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.entries.push_back(Entry {
            ticket,
            waker: Some(waker),
            live: true,
        });
        ticket
    }

    /// Whether `ticket` is first in line.
    pub(super) fn is_first(&self, ticket: u64) -> bool {
        self.entries.front().is_some_and(|e| e.ticket == ticket)
    }

    /// Takes the first in line out of the queue (it got its slot).
    pub(super) fn pop_front(&mut self) {
        self.entries.pop_front();
        self.trim();
    }

    /// The waker of the first in line, taken: it is woken once, to look again.
    pub(super) fn take_front_waker(&mut self) -> Option<Waker> {
        self.entries.front_mut().and_then(|e| e.waker.take())
    }

    /// Sets the waker `ticket` is woken by (unless it wakes the same task already).
    pub(super) fn set_waker(&mut self, ticket: u64, waker: &Waker) {
        if let Some(i) = self.find(ticket) {
            let entry = &mut self.entries[i];
            if !entry.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
                entry.waker = Some(waker.clone());
            }
        }
    }

    /// Takes `ticket` out of line (its spawn was dropped).
    pub(super) fn remove(&mut self, ticket: u64) {
        let Some(i) = self.find(ticket) else { return };
        if i == 0 {
            self.pop_front();
            return;
        }
        let entry = &mut self.entries[i];
        entry.live = false;
        entry.waker = None;
        self.dead += 1;
        if self.dead > 32 && self.dead > self.entries.len() / 2 {
            self.entries.retain(|e| e.live);
            self.dead = 0;
        }
    }

    fn find(&self, ticket: u64) -> Option<usize> {
        let i = self
            .entries
            .binary_search_by_key(&ticket, |e| e.ticket)
            .ok()?;
        self.entries[i].live.then_some(i)
    }

    /// Removes the dead entries at the front, so the front is a living one.
    fn trim(&mut self) {
        while self.entries.front().is_some_and(|e| !e.live) {
            self.entries.pop_front();
            self.dead -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SlotQueue;
    use std::collections::VecDeque;

    /// Random pushes, removals anywhere and pops from the front, against a plain list.
    #[test]
    fn behaves_as_a_list_in_order_of_arrival() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut below = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut queue = SlotQueue::default();
        let mut model: VecDeque<u64> = VecDeque::new();
        for _ in 0..20_000 {
            match below(4) {
                0 | 1 => model.push_back(queue.push(futures::task::noop_waker())),
                2 if !model.is_empty() => {
                    let i = below(model.len() as u64) as usize;
                    queue.remove(model.remove(i).unwrap());
                }
                _ => {
                    if let Some(&first) = model.front() {
                        assert!(queue.is_first(first));
                        queue.pop_front();
                        model.pop_front();
                    }
                }
            }
            assert_eq!(queue.len(), model.len());
            assert_eq!(queue.is_empty(), model.is_empty());
            if let Some(&first) = model.front() {
                assert!(queue.is_first(first));
            }
        }
    }
}
