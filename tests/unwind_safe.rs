//! The handles a user passes into `catch_unwind` need no `AssertUnwindSafe`: their state stays
//! consistent when user code they run panics (every lock is recovered, every cancel completes).
use std::panic::{RefUnwindSafe, UnwindSafe};

fn unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}

#[test]
fn contexts_groups_and_errors_are_unwind_safe() {
    unwind_safe::<ctxgroup::Context>();
    unwind_safe::<ctxgroup::CancelFn>();
    unwind_safe::<ctxgroup::CancelGuard>();
    unwind_safe::<ctxgroup::Reason>();
    unwind_safe::<ctxgroup::Error>();
    unwind_safe::<ctxgroup::Errors>();
    unwind_safe::<ctxgroup::TaskGroup>();
    unwind_safe::<ctxgroup::TaskGroup<u32, ctxgroup::Error>>();
}

#[test]
fn a_context_used_inside_catch_unwind_without_asserting() {
    let (ctx, cancel) = ctxgroup::Context::background().with_cancel();
    let caught = std::panic::catch_unwind(|| {
        let _ = ctx.err();
        cancel.cancel();
        panic!("user code");
    });
    assert!(caught.is_err());
    assert!(ctx.is_cancelled());
}
