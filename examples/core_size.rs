//! What an application that uses only the core (clock, context, group) pays in wasm: built by
//! `bash scripts/size.sh` as a cdylib and measured next to the playground.

#[cfg(target_arch = "wasm32")]
mod demo {
    use std::time::Duration;

    use ctxgroup::{BrowserClock, Context, Error, TaskGroup};
    use wasm_bindgen::prelude::*;

    /// Runs two tasks under a timeout on real browser timers and resolves with the group's
    /// error; the returned AbortSignal-linked context shows the web bridge.
    #[wasm_bindgen]
    pub async fn run_core_demo(timeout_ms: u32) -> String {
        let (ctx, _cancel) = Context::with_clock(BrowserClock::shared())
            .with_timeout(Duration::from_millis(timeout_ms.into()));
        let _signal = ctx.abort_signal();
        let group = TaskGroup::builder(&ctx).limit(2).build();
        group
            .spawn(|ctx| async move {
                ctx.sleep(Duration::from_millis(10)).await?;
                Ok(())
            })
            .await;
        group
            .spawn(|ctx| async move {
                ctx.sleep(Duration::from_secs(60)).await?;
                Err(Error::msg("unreachable"))
            })
            .await;
        match group.wait().await {
            Ok(()) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }
}
