use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use gloo_timers::callback::Timeout;

use super::{Clock, TimerCallback, TimerId, TimerQueue};

/// Real time in the browser, on a page or in a Web Worker: `performance.now()` for reading, and
/// ONE browser timer, armed for the earliest pending deadline, with the others kept in a heap in
/// Rust (10,000 pending deadlines are not 10,000 `setTimeout`s).
///
/// When the browser timer fires the clock re-reads the time (browsers fire late, and sometimes
/// early by a fraction of a millisecond) and runs every due callback, then re-arms. Delays of
/// 2^31 ms and more are split into steps (a browser fires such timers at once). It re-arms from
/// a message task after the timer's task, not from the timer's task itself: browsers clamp a
/// timer set from a chain of five nested timers to 4 ms, which would make deadlines a few
/// milliseconds apart fire up to 4 ms late.
///
/// A browser timer fires a whole number of milliseconds after it is armed, and often a
/// millisecond late besides. So the clock arms it two milliseconds early, and covers the
/// last stretch to a deadline by posting itself messages, each a task of its own that reads the
/// time again; in a Web Worker, one message that reads the time in a loop until the deadline is
/// due. A deadline never fires before its due time. On a thread that is free, it fires within
/// tens of microseconds of it; on a busy one (a page's main thread with a long task, a worker
/// whose core the machine gives to other threads) as soon as the thread runs again, which in
/// the project's browser benchmark was up to a few milliseconds for the latest of hundreds.
/// The thread's other tasks run between deadlines (a worker's loop lasts two milliseconds at
/// most). That stretch costs CPU; a page in the background, whose timers the browser delays by a
/// second or more, never reaches it.
///
/// # Examples
///
/// ```no_run
/// use ctxgroup::{Clock, BrowserClock};
/// let clock = BrowserClock::new();
/// let t = clock.now();
/// ```
pub struct BrowserClock {
    inner: Arc<Inner>,
}

struct Inner {
    origin_ms: f64,
    queue: Mutex<TimerQueue>,
    id: u64,
}

/// The longest delay a browser timer takes without firing at once (2^31 - 1 ms).
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// How long before a deadline the clock stops relying on a browser timer and polls (with
/// message tasks): a browser timer is usually late by under a millisecond, and by whole
/// milliseconds when armed for a fraction of one.
const POLL_LEAD_MS: f64 = 2.0;

/// How close to a deadline a polling message, in a worker, reads the time in a loop until it is
/// due, rather than post another message: a worker that passes thousands of messages a second is
/// paused for milliseconds at a time (measured in Chromium: a worker posting messages to itself
/// for a second went up to 18 ms without running; reading the time in a loop, 1.4 ms). A page's
/// main thread keeps posting messages: it has other work, and a loop there can be interrupted
/// for milliseconds (by the page's devtools, for one).
const SPIN_MS: f64 = 2.0;

/// How a clock waits for its next deadline.
enum Armed {
    /// A browser timer.
    Timer(Timeout),
    /// A message posted to itself: the deadline is near, and each message reads the time.
    Poll,
}

thread_local! {
    // What each clock has armed: (clock id, due ms since origin, how).
    static ARMED: RefCell<Vec<(u64, f64, Armed)>> = const { RefCell::new(Vec::new()) };
    // Timers that have fired. A closure must not be freed while it runs, so each is freed by the
    // next firing instead.
    static SPENT: RefCell<Vec<Timeout>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
    // Whether a clock's browser timer task is running (its callbacks, and what they wake, until
    // the task ends): a timer armed then would nest in it. The clocks to re-arm then wait in
    // REARM for the message task that HOP posts, which runs after this task.
    static IN_TIMER_TASK: Cell<bool> = const { Cell::new(false) };
    static REARM: RefCell<Vec<Weak<Inner>>> = const { RefCell::new(Vec::new()) };
    // The clocks polling for a deadline less than `POLL_LEAD_MS` away: each message HOP
    // delivers reads their time again.
    static POLLING: RefCell<Vec<Weak<Inner>>> = const { RefCell::new(Vec::new()) };
    // Whether a HOP message is posted and not yet delivered: one serves every clock (clocks
    // that poll at once would otherwise each post one per message, and the queue would grow).
    static HOP_POSTED: Cell<bool> = const { Cell::new(false) };
    static HOP: Option<Hop> = Hop::new();
    // Whether this thread is a worker's (`WorkerGlobalScope` is defined in workers only).
    static IN_WORKER: bool = js_sys::Reflect::get(&js_sys::global(), &"WorkerGlobalScope".into())
        .is_ok_and(|scope| scope.is_function());
}

/// Adds `inner` to a list of clocks, once.
fn enlist(list: &RefCell<Vec<Weak<Inner>>>, inner: &Arc<Inner>) {
    let mut list = list.borrow_mut();
    if !list
        .iter()
        .any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(inner)))
    {
        list.push(Arc::downgrade(inner));
    }
}

/// Posts the message that runs the next HOP task, unless one is on its way; false where there
/// is no `MessageChannel`.
fn post_hop() -> bool {
    if HOP_POSTED.with(Cell::get) {
        return true;
    }
    let posted = HOP.with(|hop| {
        hop.as_ref()
            .is_some_and(|h| h.send.post_message(&wasm_bindgen::JsValue::NULL).is_ok())
    });
    HOP_POSTED.with(|p| p.set(posted));
    posted
}

/// In a worker, waits out the last stretch to the earliest deadline of `clocks`, if it is at most
/// `SPIN_MS` away, by reading the time in a loop; the earliest of all, so that no clock waits for
/// another's. Never on a page's main thread, which has pages to draw and input to answer.
fn spin_to_first_due(clocks: impl Iterator<Item = Arc<Inner>>) {
    if !IN_WORKER.with(|w| *w) {
        return;
    }
    let first = clocks
        .filter_map(|inner| inner.next_due_abs_ms())
        .fold(f64::INFINITY, f64::min);
    let start = performance_now();
    if first - start > SPIN_MS {
        return;
    }
    // Bounded by the start too: `Date.now()`, where there is no `performance`, can go back.
    let end = first.min(start + SPIN_MS);
    loop {
        let now = performance_now();
        if now >= end || now < start {
            break;
        }
        // Far from the deadline, the time is read every few microseconds, not as fast as the
        // loop goes: each read makes a JS number for the collector to sweep, and a worker
        // collecting hundreds of times a second was paused by it for milliseconds.
        if end - now > 0.02 {
            for i in 0..2_000u32 {
                std::hint::black_box(i);
            }
        }
    }
}

/// A message channel to post to ourselves: its message is a new task, outside the timer's chain.
struct Hop {
    send: web_sys::MessagePort,
    _receive: web_sys::MessagePort,
    _on_message: wasm_bindgen::closure::Closure<dyn FnMut(wasm_bindgen::JsValue)>,
}

impl Hop {
    /// `None` where there is no `MessageChannel`: timers are then armed directly.
    fn new() -> Option<Hop> {
        use wasm_bindgen::JsCast;
        let channel = web_sys::MessageChannel::new().ok()?;
        let on_message = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(
            |_: wasm_bindgen::JsValue| {
                HOP_POSTED.with(|p| p.set(false));
                IN_TIMER_TASK.with(|t| t.set(false));
                let clocks = REARM.with(|r| std::mem::take(&mut *r.borrow_mut()));
                for inner in clocks.iter().filter_map(Weak::upgrade) {
                    inner.rearm();
                }
                // A message task is no timer's: a clock that polls fires (and re-arms) here.
                let polling = POLLING.with(|p| std::mem::take(&mut *p.borrow_mut()));
                spin_to_first_due(polling.iter().filter_map(Weak::upgrade));
                for inner in polling.iter().filter_map(Weak::upgrade) {
                    inner.fire(false);
                }
            },
        );
        let receive = channel.port1();
        receive.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Hop {
            send: channel.port2(),
            _receive: receive,
            _on_message: on_message,
        })
    }
}

thread_local! {
    // `performance` of the global scope: a window's, or a worker's (which has no `window`).
    // `None` where there is none, and the clock falls back to `Date.now()`.
    static PERFORMANCE: Option<web_sys::Performance> = {
        use wasm_bindgen::JsCast;
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .filter(|p| {
                js_sys::Reflect::get(p, &"now".into()).is_ok_and(|now| now.is_function())
            })
            .map(|p| p.unchecked_into())
    };
}

fn performance_now() -> f64 {
    PERFORMANCE.with(|p| p.as_ref().map_or_else(js_sys::Date::now, |p| p.now()))
}

impl BrowserClock {
    /// A clock whose origin is now.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let clock = ctxgroup::BrowserClock::new();
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> Arc<BrowserClock> {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Arc::new(BrowserClock {
            inner: Arc::new(Inner {
                origin_ms: performance_now(),
                queue: Mutex::new(TimerQueue::new()),
                id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            }),
        })
    }

    /// The page-wide clock, created on first use.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let clock = ctxgroup::BrowserClock::shared();
    /// ```
    pub fn shared() -> Arc<BrowserClock> {
        static SHARED: OnceLock<Arc<BrowserClock>> = OnceLock::new();
        SHARED.get_or_init(BrowserClock::new).clone()
    }

    /// How many timers are pending (all behind a single browser timer).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert_eq!(ctxgroup::BrowserClock::new().pending_timers(), 0);
    /// ```
    pub fn pending_timers(&self) -> usize {
        self.inner.queue.lock().unwrap().len()
    }

    /// When the earliest pending timer is due, in this clock's time: work that can wait (a
    /// page's drawing) can be fitted in before it.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use ctxgroup::{BrowserClock, Clock, Context};
    /// let clock = BrowserClock::new();
    /// assert_eq!(clock.next_deadline(), None);
    /// let due = clock.now() + Duration::from_millis(5);
    /// let (_ctx, _cancel) = Context::with_clock(clock.clone()).with_deadline(due);
    /// assert_eq!(clock.next_deadline(), Some(due));
    /// ```
    pub fn next_deadline(&self) -> Option<Duration> {
        self.inner.queue.lock().unwrap().next_due()
    }

    /// How many browser timers this clock holds armed right now (0 or 1; a deadline less than
    /// two milliseconds away is polled for instead, and counts as one).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// assert_eq!(ctxgroup::BrowserClock::new().armed_browser_timers(), 0);
    /// ```
    pub fn armed_browser_timers(&self) -> usize {
        ARMED.with(|a| {
            a.borrow()
                .iter()
                .filter(|(id, _, _)| *id == self.inner.id)
                .count()
        })
    }
}

impl Armed {
    /// Stops waiting: a timer is cancelled; a posted poll finds nothing armed and stops.
    fn disarm(self) {
        if let Armed::Timer(timeout) = self {
            timeout.cancel();
        }
    }
}

impl Inner {
    fn now_ms(&self) -> f64 {
        (performance_now() - self.origin_ms).max(0.0)
    }

    /// Arms the browser timer for the earliest pending deadline, unless it already is (after the
    /// current timer task, if one of ours is running).
    fn rearm(self: &Arc<Self>) {
        if IN_TIMER_TASK.with(Cell::get) {
            REARM.with(|r| enlist(r, self));
            return;
        }
        let next = self.queue.lock().unwrap().next_due();
        ARMED.with(|armed| {
            let mut armed = armed.borrow_mut();
            let current = armed.iter().position(|(id, _, _)| *id == self.id);
            let Some(next) = next else {
                if let Some(i) = current {
                    armed.swap_remove(i).2.disarm();
                }
                return;
            };
            let due_ms = next.as_secs_f64() * 1000.0;
            if let Some(i) = current {
                if armed[i].1 <= due_ms || matches!(armed[i].2, Armed::Poll) {
                    return; // already armed early enough; firing re-arms for the rest
                }
                armed.swap_remove(i).2.disarm();
            }
            let wait = due_ms - self.now_ms();
            if wait <= POLL_LEAD_MS && post_hop() {
                POLLING.with(|p| enlist(p, self));
                armed.push((self.id, due_ms, Armed::Poll));
                return;
            }
            // Without message tasks to poll with, the timer is armed for the deadline itself.
            let lead = if HOP.with(Option::is_some) {
                POLL_LEAD_MS
            } else {
                0.0
            };
            let delay = (wait - lead).clamp(0.0, MAX_TIMER_MS);
            let me = self.clone();
            let timeout = Timeout::new(delay.ceil() as u32, move || me.fire(true));
            armed.push((self.id, due_ms, Armed::Timer(timeout)));
        });
    }

    /// When the earliest deadline is due, in ms of `performance.now()`.
    fn next_due_abs_ms(&self) -> Option<f64> {
        let next = self.queue.lock().unwrap().next_due()?;
        Some(self.origin_ms + next.as_secs_f64() * 1000.0)
    }

    /// Runs the due callbacks, from a browser timer's task (`from_timer`) or a poll's message task.
    fn fire(self: &Arc<Self>, from_timer: bool) {
        if from_timer && !IN_TIMER_TASK.with(Cell::get) {
            IN_TIMER_TASK.with(|t| t.set(post_hop()));
        }
        let spent_before = SPENT.with(|s| std::mem::take(&mut *s.borrow_mut()));
        drop(spent_before);
        ARMED.with(|armed| {
            let mut armed = armed.borrow_mut();
            if let Some(i) = armed.iter().position(|(id, _, _)| *id == self.id) {
                if let Armed::Timer(fired) = armed.swap_remove(i).2 {
                    SPENT.with(|s| s.borrow_mut().push(fired));
                }
            }
        });
        let now = Duration::from_secs_f64(self.now_ms() / 1000.0);
        loop {
            let due = self.queue.lock().unwrap().pop_due(now);
            match due {
                Some((_, callback)) => callback(),
                None => break,
            }
        }
        self.rearm();
    }
}

impl Clock for BrowserClock {
    fn now(&self) -> Duration {
        Duration::from_secs_f64(self.inner.now_ms() / 1000.0)
    }

    fn schedule(&self, at: Duration, callback: TimerCallback) -> TimerId {
        let id = self.inner.queue.lock().unwrap().insert(at, callback);
        self.inner.rearm();
        id
    }

    fn cancel_timer(&self, id: TimerId) -> bool {
        // The browser timer stays armed; when it fires with nothing due it simply re-arms.
        self.inner.queue.lock().unwrap().remove(id)
    }
}

impl fmt::Debug for BrowserClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrowserClock")
            .field("now", &self.now())
            .field("pending_timers", &self.pending_timers())
            .finish()
    }
}
