//! The error types work with the ecosystem: `?` into `Box<dyn Error>` and `anyhow::Error`,
//! `source()`, `Display` of a cause.
#![cfg(not(target_arch = "wasm32"))]
use std::error::Error as StdError;

use ctxgroup::{Cause, Context, Error, Errors, TaskGroup, VirtualClock};

fn group_error() -> Error {
    let group = TaskGroup::new(&Context::with_clock(VirtualClock::new()));
    futures::executor::block_on(async {
        group
            .spawn(|_| async { Err(Error::new(std::io::Error::other("disk full"))) })
            .await;
        group.wait().await
    })
    .unwrap_err()
}

fn boxed() -> Result<(), Box<dyn StdError + Send + Sync>> {
    Err(group_error())?;
    Ok(())
}

/// An error with a source: "request failed", caused by an `io::Error`.
#[derive(Debug)]
struct Outer(std::io::Error);

impl std::fmt::Display for Outer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("request failed")
    }
}

impl StdError for Outer {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

fn with_anyhow() -> anyhow::Result<()> {
    Err(group_error())?;
    Ok(())
}

#[test]
fn question_mark_into_box_dyn_error_and_anyhow() {
    assert_eq!(boxed().unwrap_err().to_string(), "disk full");
    let e = with_anyhow().unwrap_err();
    assert_eq!(e.to_string(), "disk full");
    assert!(e.downcast_ref::<Error>().is_some());
}

#[test]
fn error_is_a_std_error_with_the_source_of_what_it_wraps() {
    let e = Error::new(Outer(std::io::Error::other("reset")));
    let as_std: &dyn StdError = &e;
    assert_eq!(as_std.source().unwrap().to_string(), "reset");
}

#[test]
fn a_cause_displays_and_reasons_say_canceled() {
    let (ctx, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    cancel.cancel_with_cause(Error::msg("user pressed stop"));
    let reason = ctx.err().unwrap();
    assert!(reason.is_canceled());
    assert!(!reason.is_deadline_exceeded());
    assert_eq!(reason.cause().to_string(), "user pressed stop");
    assert!(matches!(reason.cause(), Cause::Canceled(Some(_))));
    // The reason's source is its cause's error, as Go's context.Cause.
    assert_eq!(
        StdError::source(&reason).unwrap().to_string(),
        "user pressed stop"
    );
}

#[test]
fn a_report_of_collected_errors_says_each_once() {
    // anyhow's "{:#}" writes an error and then its sources: each message once.
    let two = anyhow::Error::new(Errors(vec![Error::msg("a"), Error::msg("b")]));
    assert_eq!(format!("{two:#}"), "a\nb");
    let wrapped =
        anyhow::Error::new(Errors(vec![Error::msg("a"), Error::msg("b")])).context("batch failed");
    assert_eq!(format!("{wrapped:#}"), "batch failed: a\nb");
    // One error alone keeps the chain of what it wraps.
    let one = anyhow::Error::new(Errors(vec![Error::new(Outer(std::io::Error::other(
        "reset",
    )))]));
    assert_eq!(format!("{one:#}"), "request failed: reset");
}

#[test]
fn an_anyhow_task_error_keeps_its_context_chain_in_causes_and_collected_errors() {
    use anyhow::Context as _;
    use ctxgroup::Policy;
    let failing = || -> anyhow::Result<()> {
        Err(std::io::Error::other("connection reset")).context("fetching a.example")
    };
    // The cause its siblings see, as Go prints a wrapped error: every link.
    let root = Context::with_clock(VirtualClock::new());
    let group = TaskGroup::builder(&root).build_typed::<(), anyhow::Error>();
    let ctx = group.context().clone();
    futures::executor::block_on(async {
        group
            .task("a")
            .spawn(move |_| async move { failing() })
            .await;
        let _ = group.wait().await;
    });
    assert_eq!(
        ctx.err().unwrap().cause().to_string(),
        "fetching a.example: connection reset"
    );
    // Collected: each error's whole chain.
    let group = TaskGroup::builder(&root)
        .policy(Policy::CollectAll)
        .build_typed::<(), anyhow::Error>();
    let err = futures::executor::block_on(async {
        group.spawn(move |_| async move { failing() }).await;
        group
            .spawn(|_| async { Err(anyhow::anyhow!("plain")) })
            .await;
        group.wait().await
    })
    .unwrap_err();
    assert_eq!(
        format!("{err}"),
        "fetching a.example: connection reset\nplain"
    );
}

#[test]
fn debug_reads_like_anyhow_and_main_can_return_it() {
    // `fn main() -> Result<(), ctxgroup::Error>` prints the error with `{:?}`.
    let plain = Error::msg("HTTP 502");
    assert_eq!(format!("{plain:?}"), "HTTP 502");
    let wrapped = Error::new(Outer(std::io::Error::other("reset")));
    assert_eq!(
        format!("{wrapped:?}"),
        "request failed\n\nCaused by:\n    reset"
    );
    // `{:#?}` still shows the structure.
    assert!(format!("{plain:#?}").contains("HTTP 502"));
    assert_eq!(format!("{:?}", Errors(vec![])), "Errors([])");
    assert_eq!(Errors(vec![]).to_string(), "no errors");
}

#[test]
fn question_mark_takes_common_std_errors_and_strings() {
    fn parse(text: &str) -> Result<u32, Error> {
        let n: u32 = text.parse()?;
        let small: u8 = n.try_into()?;
        let _: f64 = "1.5".parse()?;
        let _ = std::str::from_utf8(b"ok")?;
        let _ = String::from_utf8(b"ok".to_vec())?;
        if small == 0 {
            return Err("zero is refused".into());
        }
        if small == 1 {
            return Err(format!("{small} is refused").into());
        }
        Ok(n)
    }
    assert_eq!(parse("7").unwrap(), 7);
    assert_eq!(
        parse("x").unwrap_err().to_string(),
        "invalid digit found in string"
    );
    assert!(parse("x")
        .unwrap_err()
        .downcast_ref::<std::num::ParseIntError>()
        .is_some());
    assert_eq!(
        parse("300").unwrap_err().to_string(),
        "out of range integral type conversion attempted"
    );
    assert_eq!(parse("0").unwrap_err().to_string(), "zero is refused");
    assert_eq!(parse("1").unwrap_err().to_string(), "1 is refused");
}

#[test]
fn every_wait_returns_the_same_error_value() {
    let group = TaskGroup::new(&Context::with_clock(VirtualClock::new()));
    let (first, second) = futures::executor::block_on(async {
        group
            .spawn(|_| async { Err(Error::new(std::io::Error::other("disk full"))) })
            .await;
        (group.wait().await, group.wait().await)
    });
    for e in [first.unwrap_err(), second.unwrap_err()] {
        assert!(e.downcast_ref::<std::io::Error>().is_some(), "{e:?}");
    }
}

/// What a group's hook says of each task's end.
fn ends_said<E: ctxgroup::group::TaskError>(own: fn() -> E) -> Vec<String> {
    use ctxgroup::group::{Event, EventKind};
    use std::sync::{Arc, Mutex};
    let said = Arc::new(Mutex::new(Vec::new()));
    let sink = said.clone();
    let (root, cancel) = Context::with_clock(VirtualClock::new()).with_cancel();
    let group = TaskGroup::builder(&root)
        .policy(ctxgroup::Policy::Continue)
        .hook(move |e: &Event<'_>| {
            if let EventKind::Finished(_) = e.kind {
                sink.lock().unwrap().push(format!("{} {}", e.name, e.kind));
            }
        })
        .build_typed::<(), E>();
    cancel.cancel();
    futures::executor::block_on(async {
        group
            .task("checked")
            .spawn(|ctx| async move {
                ctx.check()?;
                Ok(())
            })
            .await;
        group
            .task("own")
            .spawn(move |_| async move { Err(own()) })
            .await;
        let _ = group.wait().await;
    });
    let said = said.lock().unwrap().clone();
    said
}

#[test]
fn a_task_returning_its_contexts_reason_is_cancelled_whatever_its_error_type() {
    // `ctx.check()?` in a task of anyhow::Error, or of Box<dyn Error>: the hook says the task
    // was cancelled, as it does for ctxgroup::Error, and a task's own error is a failure.
    let expected = [
        "checked cancelled (context canceled)",
        "own failed (HTTP 502)",
    ];
    assert_eq!(ends_said(|| Error::msg("HTTP 502")), expected);
    assert_eq!(
        ends_said::<Box<dyn StdError + Send + Sync>>(|| "HTTP 502".into()),
        expected
    );
    // anyhow's reason is found with the `anyhow` feature; without it, the task is failed.
    #[cfg(feature = "anyhow")]
    assert_eq!(ends_said(|| anyhow::anyhow!("HTTP 502")), expected);
    #[cfg(not(feature = "anyhow"))]
    assert_eq!(
        ends_said(|| anyhow::anyhow!("HTTP 502")),
        ["checked failed (context canceled)", "own failed (HTTP 502)"]
    );
}
