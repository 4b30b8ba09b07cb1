//! Cancellation contexts: Go's `context`, in Rust.

use std::any::{Any, TypeId};
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use crate::clock::{self, Clock};

#[cfg(target_arch = "wasm32")]
mod abort;
mod reason;
pub(crate) mod sync;
mod tree;

pub use reason::{Cause, Reason};
use tree::Node;
pub(crate) use tree::{Look, Slab};

/// A cancellation context: a node in a tree where cancelling a parent cancels every descendant.
///
/// Cheap to clone (an `Arc`), `Send + Sync`. Like Go's `context.Context`: it can be cancelled
/// (by its [`CancelFn`], its deadline, or an ancestor), carries typed values, and tells tasks
/// when to stop through [`done`](Self::done), [`err`](Self::err) and [`check`](Self::check).
/// Cancellation is cooperative: a task that never looks keeps running.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::{Context, VirtualRuntime};
///
/// // Seed 000's callSlowAPI: a 5 s call under a 2 s timeout.
/// let rt = VirtualRuntime::new();
/// let root = Context::with_clock(rt.clock());
/// let (ctx, _cancel) = root.with_timeout(Duration::from_secs(2));
/// let result = rt.block_on(async move { ctx.sleep(Duration::from_secs(5)).await }).unwrap();
/// assert_eq!(result.unwrap_err().to_string(), "context deadline exceeded");
/// assert_eq!(ctxgroup::Clock::now(&*rt.clock()), Duration::from_secs(2));
/// ```
pub struct Context {
    /// All the `Context`s of a node share one strong reference, which the last one dropped
    /// releases; the node counts them (see `tree::add_context`). A clone or a drop is thus one
    /// atomic operation, and the node knows when its last context goes.
    node: ManuallyDrop<Arc<Node>>,
}

impl Context {
    /// The first context of a freshly made node: takes the node's strong reference as the
    /// shared one (a new node counts one context).
    fn new(node: Arc<Node>) -> Context {
        Context {
            node: ManuallyDrop::new(node),
        }
    }
}

impl Clone for Context {
    fn clone(&self) -> Self {
        tree::add_context(&self.node);
        // SAFETY: the shared strong reference is released only by the last context of the
        // node, and this new one is counted: the pointer stays valid while the clone lives.
        let alias = unsafe { Arc::from_raw(Arc::as_ptr(&self.node)) };
        Context {
            node: ManuallyDrop::new(alias),
        }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        if tree::release_context(&self.node) {
            // SAFETY: we were the node's last context: the shared reference is ours to
            // release, and no context uses this pointer after us.
            drop(unsafe { ManuallyDrop::take(&mut self.node) });
        }
    }
}

/// Cancels the context it was made with (Go's `CancelFunc`). Holds the context weakly: it does
/// not keep a dropped context alive.
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
/// assert!(cancel.cancel());
/// assert!(!cancel.cancel()); // only the first cancel counts
/// assert!(ctx.is_cancelled());
/// ```
#[derive(Clone)]
pub struct CancelFn {
    /// While it lives, the context stays in the tree: it can still cancel the context's
    /// children (`tree::collapse` counts the `Weak`s).
    node: Weak<Node>,
}

// Unwind-safe: the tree runs no user code under its locks, and a cancel completes (every node
// marked, every callback run) before it passes a panic on, so user code that panics leaves
// nothing half-done for a later call to see. (Not `Context`: it lends out the user's values,
// which may be changed through a shared reference.)
impl std::panic::UnwindSafe for CancelFn {}
impl std::panic::RefUnwindSafe for CancelFn {}

impl Drop for CancelFn {
    fn drop(&mut self) {
        tree::release_weak_handle(&mut self.node);
    }
}

impl Context {
    /// A root context that is never cancelled, on this platform's [default clock](clock::default_clock).
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = ctxgroup::Context::background();
    /// assert!(ctx.err().is_none() && ctx.deadline().is_none());
    /// ```
    pub fn background() -> Context {
        Context::with_clock(clock::default_clock())
    }

    /// A root context on the given clock; every descendant reads time and arms deadlines there.
    ///
    /// # Examples
    ///
    /// ```
    /// use ctxgroup::{Context, VirtualClock};
    /// let clock = VirtualClock::new();
    /// let ctx = Context::with_clock(clock.clone());
    /// assert_eq!(ctx.now(), std::time::Duration::ZERO);
    /// ```
    pub fn with_clock(clock: Arc<dyn Clock>) -> Context {
        Context::new(Node::root(clock))
    }

    /// A child that is cancelled by the returned [`CancelFn`] or with this context.
    ///
    /// # Examples
    ///
    /// ```
    /// let root = ctxgroup::Context::background();
    /// let (parent, cancel) = root.with_cancel();
    /// let (child, _) = parent.with_cancel();
    /// cancel.cancel();
    /// assert_eq!(child.err().unwrap().to_string(), "context canceled");
    /// ```
    #[must_use = "the new context and the CancelFn that cancels it are returned; this context is unchanged"]
    pub fn with_cancel(&self) -> (Context, CancelFn) {
        let node = Node::child(&self.node, None, None, true);
        let cancel = CancelFn {
            node: Arc::downgrade(&node),
        };
        (Context::new(node), cancel)
    }

    /// A child cancelled at clock time `at` (or earlier, with this context). Its effective
    /// [`deadline`](Self::deadline) is the nearest of `at` and this context's.
    ///
    /// `at` is a time on the context's clock, as [`now`](Self::now) reads it (a `Duration`
    /// since the clock's start), not a span from now and not an `Instant`: for "in 2 s", use
    /// [`with_timeout`](Self::with_timeout), or `with_deadline(ctx.now() + d)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, VirtualClock};
    /// let clock = VirtualClock::new();
    /// let (ctx, _) = Context::with_clock(clock.clone()).with_deadline(Duration::from_millis(50));
    /// clock.advance(Duration::from_millis(49));
    /// assert!(ctx.err().is_none());
    /// clock.advance(Duration::from_millis(1));
    /// assert!(ctx.err().unwrap().is_deadline_exceeded());
    /// ```
    #[must_use = "the new context and the CancelFn that cancels it are returned; this context is unchanged"]
    pub fn with_deadline(&self, at: Duration) -> (Context, CancelFn) {
        self.deadline_child(at, None)
    }

    /// [`with_deadline`](Self::with_deadline) with a cause (Go 1.21's `WithDeadlineCause`):
    /// when the deadline passes, `err()` still says `context deadline exceeded`, and
    /// [`Reason::cause`] holds `cause`. A cancel by its [`CancelFn`] does not use it.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, Error, VirtualClock};
    /// let clock = VirtualClock::new();
    /// let root = Context::with_clock(clock.clone());
    /// let (ctx, _) = root.with_deadline_cause(Duration::from_secs(7), Error::msg("SLA of 7 s"));
    /// clock.advance(Duration::from_secs(7));
    /// let reason = ctx.err().unwrap();
    /// assert_eq!(reason.to_string(), "context deadline exceeded");
    /// assert_eq!(reason.cause().to_string(), "SLA of 7 s");
    /// ```
    #[must_use = "the new context and the CancelFn that cancels it are returned; this context is unchanged"]
    pub fn with_deadline_cause(&self, at: Duration, cause: crate::Error) -> (Context, CancelFn) {
        self.deadline_child(at, Some(cause))
    }

    /// [`with_timeout`](Self::with_timeout) with a cause (Go 1.21's `WithTimeoutCause`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, Error, VirtualRuntime};
    /// let rt = VirtualRuntime::new();
    /// let root = Context::with_clock(rt.clock());
    /// let (ctx, _) = root.with_timeout_cause(Duration::from_secs(2), Error::msg("API too slow"));
    /// let err = rt.block_on(async move { ctx.sleep(Duration::from_secs(5)).await }).unwrap().unwrap_err();
    /// assert_eq!(err.cause().to_string(), "API too slow");
    /// ```
    #[must_use = "the new context and the CancelFn that cancels it are returned; this context is unchanged"]
    pub fn with_timeout_cause(
        &self,
        timeout: Duration,
        cause: crate::Error,
    ) -> (Context, CancelFn) {
        self.deadline_child(self.node.clock().now().saturating_add(timeout), Some(cause))
    }

    fn deadline_child(&self, at: Duration, cause: Option<crate::Error>) -> (Context, CancelFn) {
        let node = Node::child(&self.node, Some(at), cause, true);
        let cancel = CancelFn {
            node: Arc::downgrade(&node),
        };
        (Context::new(node), cancel)
    }

    /// How long until the effective [`deadline`](Self::deadline) (zero once it passed), or
    /// `None` without one.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, VirtualClock};
    /// let clock = VirtualClock::new();
    /// let (ctx, _) = Context::with_clock(clock.clone()).with_timeout(Duration::from_secs(7));
    /// clock.advance(Duration::from_secs(5));
    /// assert_eq!(ctx.remaining(), Some(Duration::from_secs(2)));
    /// ```
    pub fn remaining(&self) -> Option<Duration> {
        self.node
            .deadline
            .map(|d| d.saturating_sub(self.node.clock().now()))
    }

    /// A child cancelled `timeout` from now (Go's `WithTimeout`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, VirtualClock};
    /// let clock = VirtualClock::new();
    /// let (ctx, _) = Context::with_clock(clock.clone()).with_timeout(Duration::from_secs(7));
    /// assert_eq!(ctx.deadline(), Some(Duration::from_secs(7)));
    /// ```
    #[must_use = "the new context and the CancelFn that cancels it are returned; this context is unchanged"]
    pub fn with_timeout(&self, timeout: Duration) -> (Context, CancelFn) {
        self.with_deadline(self.node.clock().now().saturating_add(timeout))
    }

    /// A child carrying `value`, found by [`value`](Self::value) on it and its descendants (the
    /// nearest value of each type wins). Shares this context's cancellation.
    ///
    /// Values are keyed by their type, as Go's are by their key's: give each value a type of
    /// your own (a newtype, not `String` or `u32`), so that no other crate's value of the same
    /// type hides it.
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(Debug, PartialEq)]
    /// struct TraceCode(&'static str);
    /// let ctx = ctxgroup::Context::background().with_value(TraceCode("12512312234"));
    /// let (child, _) = ctx.with_cancel();
    /// assert_eq!(child.value::<TraceCode>(), Some(&TraceCode("12512312234")));
    /// ```
    #[must_use = "the value is in the new context, not in this one"]
    pub fn with_value<T: Any + Send + Sync>(&self, value: T) -> Context {
        Context::new(Node::with_value(
            &self.node,
            TypeId::of::<T>(),
            Arc::new(value),
        ))
    }

    /// The nearest value of type `T` on this context or its ancestors.
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(Debug, PartialEq)]
    /// struct RequestId(u32);
    /// #[derive(Debug, PartialEq)]
    /// struct UserId(u32);
    /// let ctx = ctxgroup::Context::background().with_value(RequestId(42));
    /// assert_eq!(ctx.value::<RequestId>(), Some(&RequestId(42)));
    /// assert_eq!(ctx.value::<UserId>(), None);
    /// ```
    pub fn value<T: Any + Send + Sync>(&self) -> Option<&T> {
        let key = TypeId::of::<T>();
        let mut node: &Node = &self.node;
        loop {
            if let Some((k, v)) = &node.value {
                if *k == key {
                    return v.downcast_ref::<T>();
                }
            }
            node = node.parent.as_deref()?;
        }
    }

    /// A context with this one's values but none of its cancellation or deadline (Go's
    /// `WithoutCancel`): for work that must outlive the request, such as a cleanup.
    ///
    /// # Examples
    ///
    /// ```
    /// #[derive(Debug, PartialEq)]
    /// struct Tenant(&'static str);
    /// let (ctx, cancel) = ctxgroup::Context::background().with_value(Tenant("7")).with_cancel();
    /// let detached = ctx.without_cancel();
    /// cancel.cancel();
    /// assert!(ctx.is_cancelled() && !detached.is_cancelled());
    /// assert_eq!(detached.value::<Tenant>(), Some(&Tenant("7")));
    /// ```
    #[must_use = "the new context is the one without cancellation"]
    pub fn without_cancel(&self) -> Context {
        Context::new(Node::child(&self.node, None, None, false))
    }

    /// Why this context was cancelled, or `None` while it is not (Go's `ctx.Err()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// assert!(ctx.err().is_none());
    /// cancel.cancel();
    /// assert_eq!(ctx.err().unwrap().to_string(), "context canceled");
    /// ```
    #[must_use = "err() only reads whether the context is cancelled"]
    pub fn err(&self) -> Option<Reason> {
        let reason = self.node.reason();
        self.node.observe(tree::Look::Check(reason.as_ref()));
        reason
    }

    /// `Err(reason)` once cancelled: the check a cooperative loop makes with `?`.
    ///
    /// # Examples
    ///
    /// ```
    /// fn step(ctx: &ctxgroup::Context) -> Result<(), ctxgroup::Reason> {
    ///     ctx.check()?;
    ///     Ok(())
    /// }
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// assert!(step(&ctx).is_ok());
    /// cancel.cancel();
    /// assert!(step(&ctx).is_err());
    /// ```
    pub fn check(&self) -> Result<(), Reason> {
        match self.err() {
            None => Ok(()),
            Some(reason) => Err(reason),
        }
    }

    /// Whether this context is cancelled: a single atomic load.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// assert!(ctx.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        self.node.is_cancelled()
    }

    /// The effective deadline: the nearest of this context's and its ancestors'.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, VirtualClock};
    /// let root = Context::with_clock(VirtualClock::new());
    /// let (parent, _) = root.with_timeout(Duration::from_secs(3));
    /// let (child, _) = parent.with_timeout(Duration::from_secs(10));
    /// assert_eq!(child.deadline(), Some(Duration::from_secs(3)));
    /// ```
    pub fn deadline(&self) -> Option<Duration> {
        self.node.deadline
    }

    /// The clock this context reads time from.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = ctxgroup::Context::with_clock(ctxgroup::VirtualClock::new());
    /// assert_eq!(ctx.clock().now(), std::time::Duration::ZERO);
    /// ```
    pub fn clock(&self) -> &Arc<dyn Clock> {
        self.node.clock()
    }

    /// The clock's current time.
    ///
    /// # Examples
    ///
    /// ```
    /// let ctx = ctxgroup::Context::with_clock(ctxgroup::VirtualClock::new());
    /// assert_eq!(ctx.now(), std::time::Duration::ZERO);
    /// ```
    pub fn now(&self) -> Duration {
        self.node.clock().now()
    }

    /// Names the cancellable context this one belongs to; reasons name it as their origin.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, _) = ctxgroup::Context::background().with_cancel();
    /// ctx.set_name("group");
    /// assert_eq!(ctx.name().as_deref(), Some("group"));
    /// ```
    pub fn set_name(&self, name: impl Into<Arc<str>>) {
        self.node.state().inner.lock().unwrap().name = Some(name.into());
    }

    /// The name given with [`set_name`](Self::set_name).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ctxgroup::Context::background().name().is_none());
    /// ```
    pub fn name(&self) -> Option<Arc<str>> {
        self.node.state().inner.lock().unwrap().name.clone()
    }

    /// A future that completes with the reason when this context is cancelled (Go's `<-ctx.Done()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// let reason = futures::executor::block_on(ctx.done());
    /// assert_eq!(reason.to_string(), "context canceled");
    /// ```
    pub fn done(&self) -> Done {
        Done {
            ctx: self.clone(),
            slot: None,
        }
    }

    /// Runs `callback` once, with the reason, when this context is cancelled (at once if it
    /// already is). Go's `context.AfterFunc`; [`AfterCancel::stop`] unregisters it.
    ///
    /// Where it runs: on the thread that cancels, after the whole subtree is cancelled; for a
    /// deadline on the [`SystemClock`](crate::SystemClock), on a thread of the clock's own that
    /// is never the one firing timers (slow callbacks delay no deadline or sleep; other
    /// callbacks wait a few milliseconds behind them, as more runner threads start, doubling
    /// each millisecond, while fewer than 64 are slow at once; past that, until one of them
    /// ends). A callback that
    /// panics does not stop the cancel or the other callbacks; its panic reaches whoever called
    /// `cancel` (on the clock's threads, it is reported on standard error).
    ///
    /// Unlike Go, which starts `f` in a goroutine of its own, the callback runs inside `cancel`
    /// (and inside `after_cancel` itself, on a context already cancelled): `cancel` returns once
    /// it has. So it must not block, nor take a lock its canceller may hold; to do slow work,
    /// have it send on a channel, or start a task through a handle taken beforehand
    /// (`tokio::runtime::Handle::current()` where the callback is made, `handle.spawn(…)` in
    /// it): a deadline's callback runs on the clock's thread, where `tokio::spawn` finds no
    /// runtime and panics.
    ///
    /// Like Go's `AfterFunc`, a pending callback keeps its context alive: it runs when the
    /// context is cancelled (by its deadline, a parent, or its cancel), even if every handle to
    /// the context was dropped. Stop it, or cancel the context, to release it: a context made
    /// per request as `let (ctx, _cancel) = server.with_cancel()`, with a callback left
    /// pending, stays under `server` until `server` is cancelled, one per request (Go's `vet`
    /// warns of such a lost cancel). Hold the cancel as [`CancelFn::drop_guard`] instead. On a context
    /// nothing can cancel ([`background`](Self::background), [`without_cancel`](Self::without_cancel)
    /// and their values), nothing is kept: the callback is dropped at once, and `stop` says
    /// `true` (then `false`, as Go's).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let seen = Arc::new(Mutex::new(None));
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// let s = seen.clone();
    /// let _guard = ctx.after_cancel(move |reason| *s.lock().unwrap() = Some(reason.to_string()));
    /// cancel.cancel();
    /// assert_eq!(seen.lock().unwrap().as_deref(), Some("context canceled"));
    /// ```
    pub fn after_cancel(&self, callback: impl FnOnce(&Reason) + Send + 'static) -> AfterCancel {
        let owner = self.node.owner_arc();
        let state = self.node.state();
        let mut inner = state.inner.lock().unwrap();
        if let Some(reason) = inner.reason.clone() {
            drop(inner);
            callback(&reason);
            return AfterCancel {
                node: Weak::new(),
                slot: AtomicUsize::new(usize::MAX),
                id: 0,
            };
        }
        if state.never {
            // Nothing can cancel it: as Go, register nothing (the callback would be kept, and
            // the context with it, for ever).
            drop(inner);
            drop(callback);
            return AfterCancel {
                node: Weak::new(),
                slot: AtomicUsize::new(NEVER),
                id: 0,
            };
        }
        let id = inner.next_callback;
        inner.next_callback += 1;
        state
            .extras
            .store(true, std::sync::atomic::Ordering::Relaxed); // (under the lock: see `CancelState`)
        let slot = inner.callbacks.insert((id, Box::new(callback)));
        let weak = Arc::downgrade(&owner);
        if inner.keep_alive.is_none() {
            inner.keep_alive = Some(owner);
        }
        AfterCancel {
            node: weak,
            slot: AtomicUsize::new(slot),
            id,
        }
    }

    /// Runs `fut` until it completes or this context is cancelled, whichever is first; a
    /// cancellation at the same moment wins.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// let out = futures::executor::block_on(ctx.run_until_cancelled(futures::future::pending::<()>()));
    /// assert!(out.is_err());
    /// ```
    pub fn run_until_cancelled<F: Future>(&self, fut: F) -> RunUntilCancelled<F> {
        RunUntilCancelled {
            done: self.done(),
            fut,
        }
    }

    /// Sleeps for `duration` on this context's clock, or returns the reason if it is cancelled
    /// first: Go's `select { case <-ctx.Done(): …; case <-time.After(d): … }`.
    ///
    /// "First" is on the clock, from the call: a sleep whose time was up by the moment the
    /// context was cancelled ends `Ok`, even when it is polled after both. At the very same
    /// instant the sleep wins, as Go's `select` usually decides that race (the timer's channel
    /// is ready before the context's timer goroutine closes `Done`). A zero sleep on a cancelled
    /// context returns the reason.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ctxgroup::{Context, VirtualRuntime};
    /// let rt = VirtualRuntime::new();
    /// let (ctx, _) = Context::with_clock(rt.clock()).with_timeout(Duration::from_secs(6));
    /// let r = rt.block_on(async move { ctx.sleep(Duration::from_secs(5)).await }).unwrap();
    /// assert!(r.is_ok()); // a 5 s call under a 6 s timeout completes
    /// ```
    pub fn sleep(
        &self,
        duration: Duration,
    ) -> impl Future<Output = Result<(), Reason>> + Send + 'static {
        let mut sleep = clock::sleep(self.node.clock().clone(), duration);
        let due = sleep.deadline();
        let ctx = self.clone();
        let mut done = self.done();
        // When the cancellation happened: a deadline's own time (its timer may fire late),
        // else when it was cancelled. At or after the sleep's end, the sleep came first.
        let after_the_end =
            move |reason: &Reason| !duration.is_zero() && cancelled_at(reason) >= due;
        std::future::poll_fn(move |cx| {
            // Read without looking first (no hook hears of a cancel that came second).
            if ctx.node.reason().is_some_and(|r| after_the_end(&r)) {
                return Poll::Ready(Ok(()));
            }
            if let Poll::Ready(reason) = Pin::new(&mut done).poll(cx) {
                // Cancelled since the read above: perhaps after the end too.
                return Poll::Ready(if after_the_end(&reason) {
                    Ok(())
                } else {
                    Err(reason)
                });
            }
            Pin::new(&mut sleep).poll(cx).map(Ok)
        })
    }

    /// Makes `observer` hear every `err`/`check` on this context (and the value contexts that
    /// share its cancellation), and its `done()` completing. Set once; used by groups with a hook.
    pub(crate) fn set_observer(&self, observer: tree::Observer) {
        let _ = self.node.state().observer.set(observer);
    }

    /// How many live cancellable descendants are registered with this context (for
    /// diagnostics): its cancellable children, and the descendants below a link that left the
    /// tree when its last handle was dropped (their cancellation comes straight from here).
    ///
    /// # Examples
    ///
    /// ```
    /// let root = ctxgroup::Context::background();
    /// let (child, _) = root.with_cancel();
    /// assert_eq!(root.children(), 1);
    /// drop(child);
    /// assert_eq!(root.children(), 0);
    ///
    /// // A chain whose middle handles were dropped: its leaf is registered here.
    /// let (middle, _) = root.with_cancel();
    /// let (leaf, _) = middle.with_cancel();
    /// drop(middle);
    /// assert_eq!(root.children(), 1);
    /// # drop(leaf);
    /// ```
    pub fn children(&self) -> usize {
        self.node.children_len()
    }
}

impl CancelFn {
    /// Cancels the context (Go's `cancel()`); returns whether this call cancelled it.
    ///
    /// When it returns, the context is cancelled, and so is every context made from it, unless
    /// another cancel of it is under way on another thread (its deadline firing at that very
    /// moment): then this one returns at once, and that one marks the descendants a moment
    /// later. (Go's `cancel` waits for it.)
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel();
    /// assert!(ctx.is_cancelled());
    /// ```
    pub fn cancel(&self) -> bool {
        self.cancel_because(crate::Cause::Canceled(None))
    }

    /// Cancels with a cause (Go's `WithCancelCause`): `err()` still says `context canceled`, and
    /// [`Reason::cause`] holds `cause`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// cancel.cancel_with_cause(ctxgroup::Error::msg("shutting down"));
    /// assert_eq!(ctx.err().unwrap().explain(), "context canceled: canceled: shutting down");
    /// ```
    pub fn cancel_with_cause(&self, cause: crate::Error) -> bool {
        self.cancel_because(crate::Cause::Canceled(Some(cause)))
    }

    /// A guard that cancels the context when dropped (tokio-util's `drop_guard`): cancellation
    /// on every way out of a scope, early returns and panics included. Dropped by a panic, it
    /// still cancels in full; a callback's panic then is dropped (a second panic while
    /// unwinding would abort the process), and the scope's own panic goes on.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// {
    ///     let _guard = cancel.drop_guard();
    /// }
    /// assert!(ctx.is_cancelled());
    ///
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// let kept = cancel.drop_guard().disarm();
    /// assert!(!ctx.is_cancelled());
    /// kept.cancel();
    /// ```
    pub fn drop_guard(self) -> CancelGuard {
        CancelGuard { cancel: Some(self) }
    }

    pub(crate) fn cancel_because(&self, cause: crate::Cause) -> bool {
        match self.node.upgrade() {
            Some(node) => {
                let reason = node.cause_reason(cause);
                tree::cancel(&node, reason)
            }
            None => false,
        }
    }
}

/// Cancels its context when dropped ([`CancelFn::drop_guard`]).
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
/// drop(cancel.drop_guard());
/// assert!(ctx.is_cancelled());
/// ```
#[must_use = "dropping the guard cancels the context at once"]
#[derive(Debug)]
pub struct CancelGuard {
    cancel: Option<CancelFn>,
}

impl CancelGuard {
    /// Gives the [`CancelFn`] back without cancelling.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// let _cancel = cancel.drop_guard().disarm();
    /// assert!(!ctx.is_cancelled());
    /// ```
    pub fn disarm(mut self) -> CancelFn {
        self.cancel
            .take()
            .expect("a guard holds its CancelFn until disarmed or dropped")
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        let Some(cancel) = self.cancel.take() else {
            return;
        };
        if std::thread::panicking() {
            // A callback's panic now would be a second one, and abort the process. The cancel
            // still happens in full (it runs every callback before passing a panic on).
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cancel.cancel()));
        } else {
            cancel.cancel();
        }
    }
}

/// Future returned by [`Context::done`]: completes with the [`Reason`] once cancelled.
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
/// let done = ctx.done();
/// cancel.cancel();
/// assert!(futures::executor::block_on(done).to_string().contains("canceled"));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Done {
    /// A handle: a context someone waits on stays in the tree.
    ctx: Context,
    slot: Option<usize>,
}

impl Future for Done {
    type Output = Reason;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Reason> {
        let this = &mut *self;
        let state = this.ctx.node.state();
        let mut inner = state.inner.lock().unwrap();
        if let Some(reason) = inner.reason.clone() {
            drop(inner);
            this.slot = None;
            this.ctx.node.observe(tree::Look::Done(&reason));
            return Poll::Ready(reason);
        }
        match this.slot.and_then(|s| inner.waiters.get_mut(s)) {
            Some(waker) => {
                if !waker.will_wake(cx.waker()) {
                    // The old waker is dropped after the lock: dropping it may drop a task, and
                    // with it a context whose release takes tree locks.
                    let old = std::mem::replace(waker, cx.waker().clone());
                    drop(inner);
                    drop(old);
                }
            }
            None => {
                state
                    .extras
                    .store(true, std::sync::atomic::Ordering::Relaxed); // (under the lock: see `CancelState`)
                let slot = inner.waiters.insert(cx.waker().clone());
                drop(inner);
                this.slot = Some(slot);
            }
        }
        Poll::Pending
    }
}

impl Drop for Done {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            let state = self.ctx.node.state();
            let mut inner = state.inner.lock().unwrap();
            let waker = if inner.reason.is_none() {
                inner.waiters.remove(slot)
            } else {
                None
            };
            // Dropped after the lock (see `poll`).
            drop(inner);
            drop(waker);
        }
    }
}

/// Future returned by [`Context::run_until_cancelled`].
///
/// # Examples
///
/// ```
/// let ctx = ctxgroup::Context::background();
/// assert_eq!(futures::executor::block_on(ctx.run_until_cancelled(async { 5 })).unwrap(), 5);
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct RunUntilCancelled<F> {
    done: Done,
    fut: F,
}

impl<F: Future> Future for RunUntilCancelled<F> {
    type Output = Result<F::Output, Reason>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is never moved out of the pinned struct; `done` is Unpin.
        let this = unsafe { self.get_unchecked_mut() };
        if let Poll::Ready(reason) = Pin::new(&mut this.done).poll(cx) {
            return Poll::Ready(Err(reason));
        }
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        fut.poll(cx).map(Ok)
    }
}

/// When `reason`'s cancellation happened on the clock: a deadline's time, or the cancel's.
fn cancelled_at(reason: &Reason) -> Duration {
    match reason.cause() {
        Cause::DeadlineExceeded { deadline, .. } => *deadline,
        _ => reason.at(),
    }
}

/// An [`AfterCancel`] of a context nothing can cancel: no callback was registered.
const NEVER: usize = usize::MAX - 1;

/// Handle of an after-cancel callback ([`Context::after_cancel`]).
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
/// let handle = ctx.after_cancel(|_| panic!("never runs"));
/// assert!(handle.stop());
/// cancel.cancel();
/// ```
#[must_use = "dropping the handle keeps the callback registered; call stop() to remove it"]
pub struct AfterCancel {
    /// The owner node, where the callback is registered.
    node: Weak<Node>,
    /// Its entry there; [`NEVER`] on a context nothing can cancel, until stopped.
    slot: AtomicUsize,
    /// Tells our entry from a later one that reused the slot.
    id: u64,
}

impl AfterCancel {
    /// Unregisters the callback; `true` if it had not run yet (it then never will).
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// let handle = ctx.after_cancel(|_| {});
    /// cancel.cancel();
    /// assert!(!handle.stop()); // it already ran
    /// ```
    pub fn stop(&self) -> bool {
        let Some(node) = self.node.upgrade() else {
            // On a context nothing can cancel, the callback never runs: as Go's stop, `true`
            // the first time, `false` after.
            return self.slot.swap(usize::MAX, Ordering::Relaxed) == NEVER;
        };
        let slot = self.slot.load(Ordering::Relaxed);
        let state = node.state();
        let mut inner = state.inner.lock().unwrap();
        if !inner
            .callbacks
            .get(slot)
            .is_some_and(|(id, _)| *id == self.id)
        {
            return false;
        }
        let callback = inner.callbacks.remove(slot);
        // The last pending callback gone: the context need not keep itself alive any more
        // (released after the lock, since it may be the last reference; the callback too, as
        // it may hold contexts).
        let released = if inner.callbacks.len() == 0 {
            inner.keep_alive.take()
        } else {
            None
        };
        drop(inner);
        drop(callback);
        drop(released);
        true
    }
}

impl Drop for AfterCancel {
    fn drop(&mut self) {
        // The handle counts as one until dropped (`tree::collapse` counts the `Weak`s).
        tree::release_weak_handle(&mut self.node);
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Reads the reason without `err()`: formatting is not a check a task made.
        f.debug_struct("Context")
            .field("name", &self.name())
            .field("err", &self.node.reason().map(|r| r.to_string()))
            .field("deadline", &self.deadline())
            .finish()
    }
}

impl fmt::Debug for CancelFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelFn")
            .field("live", &(self.node.strong_count() > 0))
            .finish()
    }
}

impl fmt::Debug for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Done")
            .field("cancelled", &self.ctx.node.is_cancelled())
            .finish()
    }
}

impl<F> fmt::Debug for RunUntilCancelled<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunUntilCancelled")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for AfterCancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterCancel")
            .field("slot", &self.slot.load(Ordering::Relaxed))
            .field("id", &self.id)
            .finish()
    }
}
