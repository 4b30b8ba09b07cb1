//! The wakers of the futures waiting on a group (`wait`, `join_next`).
//!
//! Each waiting future keeps one entry: polled with another waker, it replaces its own; done
//! or dropped, it takes it out. So an executor that makes a new waker for every poll, or a
//! `select!` loop that makes and drops a `wait` each turn, does not grow the list. Waking them
//! all empties the list and starts a new *round*: an entry of an earlier round is gone.

use std::task::Waker;

use crate::context::Slab;

#[derive(Default)]
pub(super) struct Wakers {
    entries: Slab<Waker>,
    round: u64,
}

/// A waiting future's entry: the round it was made in, and its slot.
pub(super) type Entry = Option<(u64, usize)>;

impl Wakers {
    /// Registers `waker` as `entry`'s, in place of the one it had.
    pub(super) fn register(&mut self, entry: &mut Entry, waker: &Waker) {
        if let Some((round, i)) = *entry {
            if round == self.round {
                if let Some(w) = self.entries.get_mut(i) {
                    if !w.will_wake(waker) {
                        *w = waker.clone();
                    }
                    return;
                }
            }
        }
        *entry = Some((self.round, self.entries.insert(waker.clone())));
    }

    /// Takes `entry`'s waker out, if it is still in.
    pub(super) fn remove(&mut self, entry: &mut Entry) -> Option<Waker> {
        match entry.take() {
            Some((round, i)) if round == self.round => self.entries.remove(i),
            _ => None,
        }
    }

    /// Every waker, to be woken; the list starts a new round.
    pub(super) fn take_all(&mut self, into: &mut Vec<Waker>) {
        if self.entries.len() > 0 {
            self.round += 1;
            into.extend(std::mem::take(&mut self.entries).into_values());
        }
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::{Entry, Wakers};

    #[test]
    fn a_future_polled_with_a_new_waker_each_time_keeps_one_entry() {
        let mut wakers = Wakers::default();
        let (mut a, mut b): (Entry, Entry) = (None, None);
        for _ in 0..1_000 {
            wakers.register(&mut a, &futures::task::noop_waker());
            wakers.register(&mut b, &futures::task::noop_waker());
        }
        assert_eq!(wakers.len(), 2);
        assert!(wakers.remove(&mut a).is_some());
        assert_eq!(wakers.len(), 1);
        let mut woken = Vec::new();
        wakers.take_all(&mut woken);
        assert_eq!((woken.len(), wakers.len()), (1, 0));
        // b's entry went with its round: removing it touches a new entry of nobody else's.
        let mut c: Entry = None;
        wakers.register(&mut c, &futures::task::noop_waker());
        assert!(wakers.remove(&mut b).is_none());
        assert_eq!(wakers.len(), 1);
    }
}
