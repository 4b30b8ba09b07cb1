//! Cancel functions, reasons and errors go into `catch_unwind` with no `AssertUnwindSafe`:
//! their state stays consistent when user code they run panics (every cancel completes). A
//! `Context` (and a group, which lends out its context) does not: it lends out the user's
//! values, which may be changed through a shared reference.
use std::panic::{RefUnwindSafe, UnwindSafe};

fn unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}

#[test]
fn cancel_functions_reasons_and_errors_are_unwind_safe() {
    unwind_safe::<ctxgroup::CancelFn>();
    unwind_safe::<ctxgroup::CancelGuard>();
    unwind_safe::<ctxgroup::Reason>();
    unwind_safe::<ctxgroup::Error>();
    unwind_safe::<ctxgroup::Errors>();
}

#[test]
fn a_cancel_function_used_inside_catch_unwind_without_asserting() {
    let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    let caught = std::panic::catch_unwind(|| {
        cancel.cancel();
        panic!("user code");
    });
    assert!(caught.is_err());
    assert!(ctx.is_cancelled());
}
