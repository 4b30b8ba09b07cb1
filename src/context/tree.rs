//! The cancellation tree behind [`Context`](super::Context).
//!
//! Each context is a `Node`. Invariants:
//!
//! - A node either owns cancellation state (`cancel: Some`) or delegates to its parent's (value
//!   nodes, like Go's `valueCtx`). The *owner* of a node is the nearest node, itself included,
//!   that owns state.
//! - A cancellable node is registered, by a `Weak`, in the `children` slab of its *registry*:
//!   its parent's owner when it is made (unless it was made by `without_cancel`: then nowhere),
//!   later perhaps a further ancestor (see collapse below). Its `Inner` records the slot and,
//!   when it is not the parent's owner, the registry. The registry keeps no strong reference:
//!   dropping every handle to a child frees it and its slab slot (reused by later children), so
//!   a long-lived root that sees millions of short-lived children does not grow.
//! - A registry is always an ancestor, so locks are taken ancestor before descendant (a
//!   registry, then the node, then its children); no path takes them the other way.
//! - Every node counts its *handles* in one word: its `Context`s (a `Done` holds one; all the
//!   contexts of a node share one strong reference, so a clone is one atomic add) and its value
//!   children whose own count is not zero (a value node uses its owner's state). `CancelFn`s and
//!   `AfterCancel`s hold `Weak`s: a registered node's only other `Weak` is its registry's entry,
//!   so its weak count tells whether any is left. No handle is made from nothing: a count that
//!   reached zero stays zero.
//! - Collapse: a cancellable node with no handle, `CancelFn` or `AfterCancel` left, no timer
//!   of its own, no waiter, no pending after-cancel callback, no observer, not cancelled and
//!   registered, can no longer be cancelled or seen cancelled by anyone but its descendants.
//!   When the last of those goes it leaves the tree: under its registry's lock, then its
//!   own, then each child's, its registered children move into its registry and it unregisters
//!   itself. A cancel of the registry takes the same lock to set its reason and take its
//!   children, so it either came first (the collapse gives up and the walk reaches the node)
//!   or takes the moved children. A child that is dying (its `Weak` no longer upgrades) is
//!   dropped from the move; its own unregister then finds no entry of its own and does nothing.
//!   The collapsed node stays alive while its children hold it: values and deadlines are still
//!   read up through it; only the cancel walk skips it. A chain whose middle handles were
//!   dropped thus stays one registration deep, and cancelling its root is O(1).
//! - A node holds its parent strongly (values and deadlines are read up the chain). Parents
//!   never change; registries only move up.
//! - Nothing can cancel a root or a node made by `without_cancel` (no `CancelFn`, no deadline,
//!   no registry): their state says so (`never`), set when they are made, and an after-cancel
//!   callback on them is not kept.
//! - A child is registered only once it is fully built (a `Weak` that can be upgraded), under
//!   the parent owner's lock, which is also where a cancel reads the reason and takes the
//!   children: a child made while its parent is being cancelled is either taken by that cancel
//!   or sees the reason and cancels itself. No cancellation is lost.
//! - Cancelling sets the reason once (later cancels are no-ops), then wakes waiters and cancels
//!   registered children with the same reason. It walks the subtree depth first, last
//!   registered first, with an explicit stack of children lists, never recursion; dropping a
//!   long chain walks up it in a loop too. A 1,000,000-deep chain overflows no stack, natively
//!   or in wasm.
//! - After-cancel callbacks run once the whole subtree is marked and woken, each on its own.
//!   A callback, a waker or the clock that panics neither leaves a descendant uncancelled nor
//!   skips the others (the first panic is resumed afterwards, to the caller of `cancel`).
//! - A deadline cancels from its clock's timer ([`Clock::schedule_wake`]): the subtree is marked
//!   and woken there, and its callbacks and the releases of the nodes they kept alive (whose
//!   drops may run user code) are handed to [`Clock::run_aside`], so that on a clock with a
//!   timer thread no callback holds up marking. (A node whose last handle another thread drops
//!   during the walk, or as the walk ends, is still dropped on the timer thread: rare, and only
//!   its values' drops run there.)
//! - A node with pending after-cancel callbacks keeps itself alive (as Go's `AfterFunc` keeps
//!   its context): its callbacks run when it is cancelled, even if every handle was dropped.
//!   The self-reference goes when it is cancelled or its last callback is stopped.
//! - No lock is held while wakers, callbacks or clock calls run, nor while a waker, a callback
//!   or a node is dropped (their drop may release a handle, and so collapse).

use std::any::{Any, TypeId};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock, Weak};

use super::sync::{AtomicBool, AtomicU64, Mutex};
use std::task::Waker;
use std::time::Duration;

use crate::clock::{Clock, TimerId};
use crate::{Cause, Error, Reason};

pub(crate) type Callback = Box<dyn FnOnce(&Reason) + Send + 'static>;

/// How a task looked at its context: a check (`err`/`check`, with what it found), or its
/// `done()` future completing.
#[derive(Debug)]
pub(crate) enum Look<'a> {
    Check(Option<&'a Reason>),
    Done(&'a Reason),
}

pub(crate) type Observer = Box<dyn Fn(Look<'_>) + Send + Sync + 'static>;

/// Laid out in the order written (`repr(C)`), what a cancel reads first: a cancel walk touches
/// each node of a fan-out once, and the fewer cache lines it reads per node, the faster it goes
/// (with the reference counts before it, a node's lock, reason and children share a line).
#[repr(C)]
pub(crate) struct Node {
    pub(crate) cancel: Option<CancelState>,
    pub(crate) parent: Option<Arc<Node>>,
    clock: ClockRef,
    pub(crate) value: Option<(TypeId, Arc<dyn Any + Send + Sync>)>,
    /// The nearest deadline of this node and its (linked) ancestors.
    pub(crate) deadline: Option<Duration>,
    /// What still reaches this node's state: its `Context`s (a `Done` holds one) in the low
    /// 32 bits (`CONTEXT`), its value children whose own count is not zero in the high ones
    /// (`VALUE_CHILD`). One word, so reaching zero happens once; no handle is made from
    /// nothing, so zero stays zero. (`CancelFn`s and `AfterCancel`s hold `Weak`s, which
    /// [`collapsible`] counts.)
    pub(crate) handles: AtomicU64,
}

/// The clock of a node's tree. The root owns it; every other node points at the root's, which
/// outlives it: a node holds its parent strongly, parents never change, so the root lives while
/// any node of its tree does. (A child made and dropped then touches no clock's count: two
/// atomic operations fewer for each.)
enum ClockRef {
    Owned(Arc<dyn Clock>),
    Root(std::ptr::NonNull<Arc<dyn Clock>>),
}

// SAFETY: a `Root` is a shared reference to the root's `Arc<dyn Clock>` (see `ClockRef`), and
// `dyn Clock` is `Send + Sync`: sharing or sending it is sharing or sending `&Arc<dyn Clock>`.
unsafe impl Send for ClockRef {}
// SAFETY: as for `Send`.
unsafe impl Sync for ClockRef {}

impl ClockRef {
    /// The clock of `parent`'s tree, for a node made under it (which holds `parent`).
    fn of(parent: &Node) -> ClockRef {
        ClockRef::Root(std::ptr::NonNull::from(parent.clock()))
    }
}

#[repr(C)] // hot first: see `Node`
pub(crate) struct CancelState {
    pub(crate) cancelled: AtomicBool,
    /// Set (under the lock) once a waiter, an after-cancel callback or a timer was registered:
    /// a cancel reads those only then, and a plain child of a wide fan-out costs it one line.
    pub(crate) extras: AtomicBool,
    pub(crate) inner: Mutex<Inner>,
    /// Told when a task looks at this context (set by a group with a trace hook).
    pub(crate) observer: OnceLock<Observer>,
    /// Nothing can ever cancel this node: a root, or `without_cancel`'s (no cancel function, no
    /// deadline, no parent that reaches it). Set when it is made.
    pub(crate) never: bool,
}

#[repr(C)] // what a cancel reads, in the order it reads it: see `Node`
pub(crate) struct Inner {
    pub(crate) reason: Option<Reason>,
    /// Set while callbacks are pending: the node keeps itself alive for them.
    pub(crate) keep_alive: Option<Arc<Node>>,
    children: Slab<Weak<Node>>,
    pub(crate) waiters: Slab<Waker>,
    /// After-cancel callbacks, with the id their handle knows them by.
    pub(crate) callbacks: Slab<(u64, Callback)>,
    timer: Option<TimerId>,
    pub(crate) name: Option<Arc<str>>,
    pub(crate) next_callback: u64,
    /// Our slot in our registry's `children`, or `NONE` when not registered.
    slot: u32,
    /// Where we are registered when it is not the parent's owner: an ancestor that a collapse
    /// moved us up to.
    registry: Option<Arc<Node>>,
}

impl Default for Inner {
    fn default() -> Self {
        Inner {
            reason: None,
            name: None,
            children: Slab::default(),
            waiters: Slab::default(),
            callbacks: Slab::default(),
            next_callback: 0,
            keep_alive: None,
            timer: None,
            slot: NONE,
            registry: None,
        }
    }
}

/// A vector with a free list threaded through its vacant slots: stable indices, reused slots,
/// 32 bytes when empty (nodes hold three; small nodes keep a 100k fan-out in cache). Its length
/// comes first: a cancel reads only that of an empty slab.
#[repr(C)]
pub(crate) struct Slab<T> {
    len: u32,
    /// First vacant slot, or `NONE`.
    free: u32,
    entries: Vec<Slot<T>>,
}

enum Slot<T> {
    Full(T),
    /// Vacant; the next vacant slot, or `NONE`.
    Vacant(u32),
}

const NONE: u32 = u32::MAX;

/// One `Context` in `Node::handles`.
const CONTEXT: u64 = 1;
/// The contexts' part of `Node::handles`.
const CONTEXTS: u64 = u32::MAX as u64;
/// One live value child in `Node::handles`.
const VALUE_CHILD: u64 = 1 << 32;

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            entries: Vec::new(),
            free: NONE,
            len: 0,
        }
    }
}

impl<T> Slab<T> {
    /// The index the next `insert` returns.
    pub(crate) fn vacant(&self) -> usize {
        if self.free != NONE {
            self.free as usize
        } else {
            self.entries.len()
        }
    }
    pub(crate) fn insert(&mut self, value: T) -> usize {
        self.len += 1;
        if self.free != NONE {
            let i = self.free as usize;
            if let Slot::Vacant(next) = self.entries[i] {
                self.free = next;
            }
            self.entries[i] = Slot::Full(value);
            i
        } else {
            self.entries.push(Slot::Full(value));
            self.entries.len() - 1
        }
    }
    pub(crate) fn remove(&mut self, i: usize) -> Option<T> {
        let slot = self.entries.get_mut(i)?;
        if let Slot::Vacant(_) = slot {
            return None;
        }
        let Slot::Full(value) = std::mem::replace(slot, Slot::Vacant(self.free)) else {
            unreachable!()
        };
        self.free = i as u32;
        self.len -= 1;
        if self.len == 0 && self.entries.capacity() > 64 {
            // Nothing left: a burst of a million children gives its memory back.
            self.entries = Vec::new();
            self.free = NONE;
        }
        Some(value)
    }
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        match self.entries.get_mut(i)? {
            Slot::Full(v) => Some(v),
            Slot::Vacant(_) => None,
        }
    }
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        match self.entries.get(i)? {
            Slot::Full(v) => Some(v),
            Slot::Vacant(_) => None,
        }
    }
    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().filter_map(|s| match s {
            Slot::Full(v) => Some(v),
            Slot::Vacant(_) => None,
        })
    }
    pub(crate) fn into_values(self) -> impl Iterator<Item = T> {
        self.entries.into_iter().filter_map(|s| match s {
            Slot::Full(v) => Some(v),
            Slot::Vacant(_) => None,
        })
    }
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }
}

impl Node {
    pub(crate) fn root(clock: Arc<dyn Clock>) -> Arc<Node> {
        Arc::new(Node {
            parent: None,
            clock: ClockRef::Owned(clock),
            value: None,
            deadline: None,
            cancel: Some(CancelState::root()),
            handles: AtomicU64::new(CONTEXT),
        })
    }

    /// The clock of this node's tree.
    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        match &self.clock {
            ClockRef::Owned(clock) => clock,
            // SAFETY: the root this points into outlives this node (see `ClockRef`).
            ClockRef::Root(clock) => unsafe { clock.as_ref() },
        }
    }

    /// The `Arc` of this node's owner (see [`owner`](Self::owner)).
    pub(crate) fn owner_arc(self: &Arc<Node>) -> Arc<Node> {
        let mut node = self;
        while node.cancel.is_none() {
            node = node
                .parent
                .as_ref()
                .expect("a value node always has a parent");
        }
        node.clone()
    }

    /// The node whose cancellation state this node uses.
    pub(crate) fn owner(&self) -> &Node {
        let mut node = self;
        loop {
            if node.cancel.is_some() {
                return node;
            }
            node = node
                .parent
                .as_deref()
                .expect("a value node always has a parent");
        }
    }

    pub(crate) fn state(&self) -> &CancelState {
        self.owner().cancel.as_ref().expect("owner has state")
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.state().cancelled.load(Ordering::Acquire)
    }

    /// Tells the observer, if any, how a task looked at this context.
    pub(crate) fn observe(&self, look: Look<'_>) {
        if let Some(observer) = self.state().observer.get() {
            observer(look);
        }
    }

    pub(crate) fn reason(&self) -> Option<Reason> {
        let state = self.state();
        if !state.cancelled.load(Ordering::Acquire) {
            return None;
        }
        state.inner.lock().unwrap().reason.clone()
    }

    /// A node that shares its parent's cancellation and adds a value.
    pub(crate) fn with_value(
        parent: &Arc<Node>,
        key: TypeId,
        value: Arc<dyn Any + Send + Sync>,
    ) -> Arc<Node> {
        // The new node's handle on its parent, released when its own count reaches zero.
        parent.handles.fetch_add(VALUE_CHILD, Ordering::Relaxed);
        Arc::new(Node {
            parent: Some(parent.clone()),
            clock: ClockRef::of(parent),
            value: Some((key, value)),
            deadline: parent.deadline,
            cancel: None,
            handles: AtomicU64::new(CONTEXT),
        })
    }

    /// A cancellable child, registered with the parent's owner (or cancelled at once if the parent
    /// already is). `linked == false` makes a `without_cancel` node: values only.
    pub(crate) fn child(
        parent: &Arc<Node>,
        own_deadline: Option<Duration>,
        deadline_cause: Option<Error>,
        linked: bool,
    ) -> Arc<Node> {
        let inherited = if linked { parent.deadline } else { None };
        let deadline = match (inherited, own_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let make = |slot: u32| {
            Arc::new(Node {
                parent: Some(parent.clone()),
                clock: ClockRef::of(parent),
                value: None,
                deadline,
                cancel: Some(CancelState::with_slot(
                    slot,
                    !linked && own_deadline.is_none(),
                )),
                handles: AtomicU64::new(CONTEXT),
            })
        };
        let node = if linked {
            // Registered once the `Weak` can be upgraded, under the parent's lock: a cancel
            // that takes the children after this point reaches us; one that came before left
            // its reason. The node is made under that lock too, knowing its slot, so nothing
            // locks it to record the slot afterwards.
            let mut parent_inner = parent.state().inner.lock().unwrap();
            if let Some(reason) = parent_inner.reason.clone() {
                drop(parent_inner);
                let node = make(NONE);
                cancel(&node, reason);
                return node;
            }
            let slot = parent_inner.children.vacant();
            let node = make(slot as u32);
            let registered = parent_inner.children.insert(Arc::downgrade(&node));
            debug_assert_eq!(registered, slot);
            node
        } else {
            make(NONE)
        };
        // Arm a timer only when our own deadline is the nearest: otherwise an ancestor's timer
        // fires first and its cancellation reaches us through the tree (as in Go).
        if let Some(own) = own_deadline {
            if inherited.map_or(true, |d| own < d) {
                if own <= node.clock().now() {
                    let reason = node.deadline_reason(own, deadline_cause);
                    cancel(&node, reason);
                } else {
                    let weak = Arc::downgrade(&node);
                    let id = node.clock().schedule_wake(
                        own,
                        Box::new(move || {
                            if let Some(node) = weak.upgrade() {
                                let reason = node.deadline_reason(own, deadline_cause);
                                cancel_by_timer(node, reason);
                            }
                        }),
                    );
                    let state = node.state();
                    let mut inner = state.inner.lock().unwrap();
                    if inner.reason.is_none() {
                        state.extras.store(true, Ordering::Relaxed);
                        inner.timer = Some(id);
                    } else {
                        drop(inner);
                        node.clock().cancel_timer(id);
                    }
                }
            }
        }
        node
    }

    fn deadline_reason(&self, deadline: Duration, cause: Option<Error>) -> Reason {
        let name = self.state().inner.lock().unwrap().name.clone();
        Reason::new(
            Cause::DeadlineExceeded { deadline, cause },
            name,
            self.clock().now().max(deadline),
        )
    }

    pub(crate) fn cause_reason(&self, cause: Cause) -> Reason {
        let name = self.state().inner.lock().unwrap().name.clone();
        Reason::new(cause, name, self.clock().now())
    }

    pub(crate) fn children_len(&self) -> usize {
        self.state().inner.lock().unwrap().children.len()
    }

    /// Removes this node from its registry's children (used on drop). `me` is the node's
    /// address inside its `Arc` (it may have been moved out since), which the registry's `Weak`
    /// has.
    fn unregister(&mut self, me: *const Node) {
        let Some(state) = self.cancel.as_mut() else {
            return;
        };
        let inner = state.inner.get_mut().unwrap_or_else(|e| e.into_inner());
        let (timer, slot, moved_to) = (inner.timer.take(), inner.slot, inner.registry.take());
        inner.slot = NONE;
        if let Some(timer) = timer {
            self.clock().cancel_timer(timer);
        }
        if slot == NONE {
            return;
        }
        let registry: &Node = match (&moved_to, &self.parent) {
            (Some(registry), _) => registry,
            (None, Some(parent)) => parent.owner(),
            (None, None) => return,
        };
        let mut inner = registry.state().inner.lock().unwrap();
        // The slot may have been drained by a cancel (or by a collapse that found us dying)
        // and reused: only remove our own entry.
        if inner
            .children
            .get(slot as usize)
            .is_some_and(|w| std::ptr::eq(w.as_ptr(), me))
        {
            inner.children.remove(slot as usize);
        }
        drop(inner);
        // Our registry is an ancestor, still held by our parent: this is never its last reference.
        drop(moved_to);
    }
}

impl CancelState {
    /// A root's state: nothing can cancel a root.
    fn root() -> CancelState {
        CancelState::with_slot(NONE, true)
    }

    /// The state of a node registered at `slot` of its registry's children (`NONE`: nowhere).
    fn with_slot(slot: u32, never: bool) -> CancelState {
        CancelState {
            cancelled: AtomicBool::new(false),
            extras: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                slot,
                ..Inner::default()
            }),
            observer: OnceLock::new(),
            never,
        }
    }
}

/// Counts one more context of `node` (see `Context`'s shared reference).
#[inline]
pub(crate) fn add_context(node: &Node) {
    let before = node.handles.fetch_add(CONTEXT, Ordering::Relaxed);
    if before & CONTEXTS == CONTEXTS {
        // 2^32 contexts of one node: like `Arc`'s overflow, nothing sane to go on with.
        std::process::abort();
    }
}

/// Counts one context of `node` less; returns whether it was the last one (its caller then
/// releases the contexts' shared reference). With no handle left at all, the node may leave
/// the tree (see [`collapse`]); a value node then releases its own handle on its parent.
#[inline]
pub(crate) fn release_context(node: &Arc<Node>) -> bool {
    let before = node.handles.fetch_sub(CONTEXT, Ordering::AcqRel);
    if before & CONTEXTS != CONTEXT {
        return false;
    }
    if before == CONTEXT {
        no_handle_left(node);
    }
    true
}

#[cold]
#[inline(never)]
fn no_handle_left(node: &Arc<Node>) {
    if node.cancel.is_some() {
        // Only the contexts' reference left: no descendant holds the node, so it has no
        // registered children to move (they would hold it through their parents).
        if Arc::strong_count(node) > 1 {
            collapse(node);
        }
        return;
    }
    let mut node: &Arc<Node> = node;
    loop {
        let parent = node
            .parent
            .as_ref()
            .expect("a value node always has a parent");
        if parent.handles.fetch_sub(VALUE_CHILD, Ordering::AcqRel) != VALUE_CHILD {
            return;
        }
        if parent.cancel.is_some() {
            return collapse(parent);
        }
        node = parent;
    }
}

/// Drops a `CancelFn`'s or `AfterCancel`'s `Weak`; when it was the last such handle of a
/// registered node with no context left, the node may leave the tree. The cheap check (only
/// this `Weak` and the registry's left) comes first: most drops go no further.
#[inline]
pub(crate) fn release_weak_handle(weak: &mut Weak<Node>) {
    if weak.weak_count() == 2 {
        release_weak_handle_slow(std::mem::take(weak));
    }
}

#[cold]
#[inline(never)]
fn release_weak_handle_slow(weak: Weak<Node>) {
    let Some(node) = weak.upgrade() else {
        return;
    };
    drop(weak);
    // Pairs with the fence in `collapse`: of this drop and a last context's drop racing it, at
    // least one sees the other gone, so the collapse is not missed.
    std::sync::atomic::fence(Ordering::SeqCst);
    if node.cancel.is_some() && node.handles.load(Ordering::Acquire) == 0 {
        collapse(&node);
    }
}

/// Whether a node may leave the tree: nothing can cancel it (no context, no `CancelFn`, no
/// timer of its own) and nothing can see it cancelled (no value child in use, waiter, callback,
/// `AfterCancel` handle or observer). A cancelled node has already passed its cancellation
/// on; one with no children has nothing to hand on.
///
/// `CancelFn`s and `AfterCancel`s hold `Weak`s: the only other one of a registered node is
/// its registry's entry (a collapse moves that entry, never copies it), so one `Weak` means
/// none of them is left. Any other `Weak` (a timer's, say) only makes the answer no.
fn collapsible(node: &Arc<Node>, state: &CancelState, inner: &Inner) -> bool {
    node.handles.load(Ordering::Acquire) == 0
        && Arc::weak_count(node) == 1
        && inner.reason.is_none()
        && inner.slot != NONE
        && inner.children.len() > 0
        && inner.timer.is_none()
        && inner.waiters.len() == 0
        && inner.callbacks.len() == 0
        && state.observer.get().is_none()
}

/// Takes `node` out of the cancellation tree once [`collapsible`]: its registered children move
/// up into its registry (the ancestor where it is registered), which cancels them as it would
/// have through `node`. `node` itself stays alive while its children hold it (values and the
/// deadline are read up through it), but no cancel walks through it any more.
///
/// Locks go registry, node, each child: ancestor before descendant, as everywhere else. The
/// registry's lock is the one a cancel of the registry takes to read its reason and take its
/// children, so a cancel either comes first (then `node` is cancelled with the rest and we give
/// up) or takes the moved children.
pub(crate) fn collapse(node: &Arc<Node>) {
    let state = node
        .cancel
        .as_ref()
        .expect("only a cancellable node collapses");
    // See `release_weak_handle_slow`.
    std::sync::atomic::fence(Ordering::SeqCst);
    // Children we upgraded (and their old registries), dropped once no lock is held: one may
    // be the last reference.
    let mut moved: Vec<Arc<Node>> = Vec::new();
    loop {
        let registry = {
            let inner = state.inner.lock().unwrap();
            if !collapsible(node, state, &inner) {
                return;
            }
            registry_of(node, &inner)
        };
        let registry_state = registry.state();
        let mut registry_inner = registry_state.inner.lock().unwrap();
        if registry_inner.reason.is_some() {
            // Being cancelled: the walk reaches `node` and its children.
            return;
        }
        let mut inner = state.inner.lock().unwrap();
        if !collapsible(node, state, &inner) {
            return;
        }
        if !Arc::ptr_eq(&registry_of(node, &inner), &registry) {
            // Our registry collapsed meanwhile and moved us further up: start again there.
            continue;
        }
        let slot = inner.slot as usize;
        let mut our_slot = registry_inner
            .children
            .get(slot)
            .is_some_and(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(node)))
            .then_some(slot);
        for weak in std::mem::take(&mut inner.children).into_values() {
            // A child whose last reference is gone is dying: its own unregister finds nothing
            // here (our slab is empty for good: no handle is left to make a child with).
            let Some(child) = weak.upgrade() else {
                continue;
            };
            let child_state = child
                .cancel
                .as_ref()
                .expect("registered nodes are cancellable");
            let mut child_inner = child_state.inner.lock().unwrap();
            // The first child takes our slot; the others get new ones.
            let child_slot = match our_slot.take() {
                Some(slot) => {
                    let entry = registry_inner.children.get_mut(slot).expect("our entry");
                    drop(std::mem::replace(entry, weak));
                    slot
                }
                None => registry_inner.children.insert(weak),
            };
            child_inner.slot = child_slot as u32;
            // Its previous registry can only be `node`, which our caller holds.
            let previous = child_inner.registry.replace(registry.clone());
            drop(child_inner);
            moved.push(child);
            moved.extend(previous);
        }
        if let Some(slot) = our_slot {
            registry_inner.children.remove(slot);
        }
        inner.slot = NONE;
        let previous = inner.registry.take();
        drop(inner);
        drop(registry_inner);
        drop(previous);
        drop(moved);
        return;
    }
}

/// The node whose `children` hold `node`'s registration.
fn registry_of(node: &Node, inner: &Inner) -> Arc<Node> {
    match &inner.registry {
        Some(registry) => registry.clone(),
        None => node
            .parent
            .as_ref()
            .expect("a registered node has a parent")
            .owner_arc(),
    }
}

/// Cancels `node`'s owner and its whole subtree, iteratively. Returns whether this call did it.
///
/// Every node is marked and woken before any after-cancel callback runs; then each callback
/// runs, even if one before it panicked, and the first panic is resumed at the end.
pub(crate) fn cancel(node: &Node, reason: Reason) -> bool {
    match mark(node, &reason) {
        Some(taken) => {
            taken.finish(&reason);
            true
        }
        None => false,
    }
}

/// [`cancel`], by a timer armed with [`Clock::schedule_wake`]: the subtree is marked and woken
/// here, on the clock's timer thread; its after-cancel callbacks, and the nodes' releases
/// (whose drops may run user code: a value's), are handed to [`Clock::run_aside`].
fn cancel_by_timer(node: Arc<Node>, reason: Reason) {
    let Some(mut taken) = mark(&node, &reason) else {
        return;
    };
    // The walk's panic goes on from here, not from the work handed aside.
    let mut first_panic = taken.panic.take();
    // Unless another handle outlives ours, ours is the node's last (a handle dropped on
    // another thread meanwhile may still leave the last one to us: then it goes here).
    let last = Arc::strong_count(&node) == 1;
    if !taken.callbacks.is_empty() || !taken.keep_alive.is_empty() || last {
        let clock = node.clock().clone();
        let work: crate::clock::TimerCallback = Box::new(move || {
            taken.finish(&reason);
            drop(node);
        });
        let aside =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| clock.run_aside(work)));
        if let Err(panic) = aside {
            first_panic.get_or_insert(panic);
        }
    }
    if let Some(panic) = first_panic {
        std::panic::resume_unwind(panic);
    }
}

/// Marks `node`'s owner and its whole subtree cancelled with `reason` and wakes their waiters;
/// `None` if it was cancelled already. What is left to do is in the [`Taken`].
fn mark(node: &Node, reason: &Reason) -> Option<Taken> {
    // The children lists still to walk, depth first: each child is marked as soon as it is
    // reached, while its node is in cache (a 100k fan-out read each node twice when its children
    // were collected first, then marked). A list whose last child is taken leaves the walk
    // before that child's own list joins it, so a long chain keeps the walk one list deep.
    let mut walk: Vec<Children> = Vec::new();
    let mut taken = Taken::default();
    if !take_for_cancel(node.owner(), reason, &mut walk, &mut taken) {
        return None;
    }
    while let Some(children) = walk.last_mut() {
        // Last registered first, as the walk always went: traces list same-instant cancels in
        // this order.
        let Some(slot) = children.next_back() else {
            walk.pop();
            continue;
        };
        if children.len() == 0 {
            walk.pop();
        }
        if let Slot::Full(child) = slot {
            if let Some(child) = child.upgrade() {
                take_for_cancel(&child, reason, &mut walk, &mut taken);
            }
        }
    }
    Some(taken)
}

/// A cancelled node's registered children, as its cancel walks them.
type Children = std::vec::IntoIter<Slot<Weak<Node>>>;

/// What a cancel collects from the subtree to run or release once every node is marked.
#[derive(Default)]
struct Taken {
    callbacks: Vec<Callback>,
    keep_alive: Vec<Arc<Node>>,
    /// The first panic of a waker or of the clock met on the walk: resumed once the whole
    /// subtree is cancelled and its callbacks have run, so that it leaves nothing uncancelled.
    panic: Option<Box<dyn std::any::Any + Send>>,
}

impl Taken {
    /// Runs the callbacks, each even if one before it panicked, releases the nodes kept
    /// alive for them, and resumes the first panic.
    fn finish(self, reason: &Reason) {
        let mut first_panic = self.panic;
        for callback in self.callbacks {
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(reason)));
            if let Err(panic) = ran {
                first_panic.get_or_insert(panic);
            }
        }
        // Nodes that kept themselves alive for their callbacks may go now.
        drop(self.keep_alive);
        if let Some(panic) = first_panic {
            std::panic::resume_unwind(panic);
        }
    }
}

/// Marks one node cancelled, runs its wakers, collects its callbacks, and pushes its
/// children onto `walk`. The slabs are moved out whole: a node with no waiters allocates
/// nothing here.
fn take_for_cancel(
    node: &Node,
    reason: &Reason,
    walk: &mut Vec<Children>,
    taken: &mut Taken,
) -> bool {
    let Some(state) = node.cancel.as_ref() else {
        return false;
    };
    // Only non-empty slabs are moved out: a leaf of a wide fan-out has none.
    fn take_some<T>(slab: &mut Slab<T>) -> Option<Slab<T>> {
        (slab.len() > 0).then(|| std::mem::take(slab))
    }
    let (waiters, callbacks, children, timer) = {
        let mut inner = state.inner.lock().unwrap();
        if inner.reason.is_some() {
            return false;
        }
        inner.reason = Some(reason.clone());
        state.cancelled.store(true, Ordering::Release);
        if let Some(keep_alive) = inner.keep_alive.take() {
            taken.keep_alive.push(keep_alive);
        }
        let children = take_some(&mut inner.children);
        if state.extras.load(Ordering::Relaxed) {
            (
                take_some(&mut inner.waiters),
                take_some(&mut inner.callbacks),
                children,
                inner.timer.take(),
            )
        } else {
            (None, None, children, None)
        }
    };
    // Wakers and the clock are other people's code: one that panics must not stop the walk.
    let mut guarded = |f: &mut dyn FnMut()| {
        if let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            taken.panic.get_or_insert(panic);
        }
    };
    if let Some(timer) = timer {
        guarded(&mut || {
            node.clock().cancel_timer(timer);
        });
    }
    if let Some(waiters) = waiters {
        for waker in waiters.into_values() {
            guarded(&mut || waker.wake_by_ref());
        }
    }
    if let Some(callbacks) = callbacks {
        taken
            .callbacks
            .extend(callbacks.into_values().map(|(_, callback)| callback));
    }
    if let Some(children) = children {
        walk.push(children.entries.into_iter());
    }
    true
}

impl Drop for Node {
    fn drop(&mut self) {
        let me: *const Node = self;
        self.unregister(me);
        // Drop the chain of ancestors iteratively: each one we hold the last reference to is
        // unwrapped here instead of recursing into its own drop.
        let mut next = self.parent.take();
        while let Some(parent) = next {
            let address = Arc::as_ptr(&parent);
            match Arc::try_unwrap(parent) {
                Ok(mut node) => {
                    node.unregister(address);
                    next = node.parent.take();
                }
                Err(_) => break,
            }
        }
    }
}
