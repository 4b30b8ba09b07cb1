//! The playground's scenario language: text → a checked [`Scenario`] with precise errors.
//!
//! ```text
//! timeout 7s                   # deadline of the group's context (context.WithTimeout)
//! limit 2                      # at most 2 tasks run at once (errgroup.SetLimit)
//! on-error cancel              # cancel | continue
//! wait all                     # all | cancel
//! cancel 3s                    # the caller calls cancel() at 3 s
//! value trace=12512312234      # context value, inherited by every task
//! task t1 5s check=never       # never | start | every:1s | await (default)
//! task t5 3s fail="HTTP 502"   # returns this error when its 3 s are up
//! task t7 5s timeout=2s after=1s
//! group batch timeout=3s limit=1 on-error=continue {
//!   task b1 1s
//! }
//! expect t1 completed at 5s
//! expect returned at 7s "context deadline exceeded"
//! ```

mod model;
mod parse;

pub use model::*;
pub(crate) use parse::resolve;
pub use parse::{
    parse, ParseError, ParseErrors, MAX_DEPTH, MAX_SECONDS, MAX_STEPS, MAX_TASKS, MAX_TEXT,
};
