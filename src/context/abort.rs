//! Bridges between contexts and the web platform's `AbortSignal` (wasm32 only).

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal};

use super::Context;
use crate::Cause;

thread_local! {
    static CONTROLLERS: RefCell<HashMap<u64, AbortController>> = RefCell::new(HashMap::new());
    static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Removes a controller from the page-wide table when the callback that owns it is dropped
/// (the context was dropped without being cancelled), so the table does not grow.
struct ControllerEntry(u64);

impl Drop for ControllerEntry {
    fn drop(&mut self) {
        CONTROLLERS.with(|c| c.borrow_mut().remove(&self.0));
    }
}

impl Context {
    /// An `AbortSignal` that aborts when this context is cancelled, with the reason's text as
    /// its `reason`: pass it to `fetch` so the request is cancelled by the same tree.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    /// let signal = ctx.abort_signal();
    /// cancel.cancel();
    /// assert!(signal.aborted());
    /// ```
    pub fn abort_signal(&self) -> AbortSignal {
        let controller = AbortController::new().expect("AbortController is available");
        let signal = controller.signal();
        if let Some(reason) = self.err() {
            controller.abort_with_reason(&JsValue::from_str(&reason.explain()));
            return signal;
        }
        let id = NEXT.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        CONTROLLERS.with(|c| c.borrow_mut().insert(id, controller));
        let entry = ControllerEntry(id);
        let handle = self.after_cancel(move |reason| {
            // Move the whole guard in (precise capture would take only its `u64` and drop it now).
            let entry = entry;
            let controller = CONTROLLERS.with(|c| c.borrow_mut().remove(&entry.0));
            if let Some(controller) = controller {
                controller.abort_with_reason(&JsValue::from_str(&reason.explain()));
            }
        });
        std::mem::forget(handle); // the registration lives as long as the context
        signal
    }

    /// A child of this context that is also cancelled when `signal` aborts (cause
    /// [`Cause::Aborted`]), e.g. from a page's Stop button.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let controller = web_sys::AbortController::new().unwrap();
    /// let ctx = ctxgroup::Context::background().with_abort_signal(&controller.signal());
    /// controller.abort();
    /// assert!(ctx.is_cancelled());
    /// ```
    pub fn with_abort_signal(&self, signal: &AbortSignal) -> Context {
        let (ctx, cancel) = self.with_cancel();
        let why = |signal: &AbortSignal| {
            signal
                .reason()
                .as_string()
                .unwrap_or_else(|| "aborted".to_string())
        };
        if signal.aborted() {
            cancel.cancel_because(Cause::Aborted(why(signal)));
            return ctx;
        }
        let listener = Closure::once_into_js(move |event: web_sys::Event| {
            let reason = event
                .target()
                .and_then(|t| t.dyn_into::<AbortSignal>().ok())
                .map(|s| why(&s))
                .unwrap_or_else(|| "aborted".to_string());
            cancel.cancel_because(Cause::Aborted(reason));
        });
        let _ = signal.add_event_listener_with_callback("abort", listener.unchecked_ref());
        ctx
    }
}
