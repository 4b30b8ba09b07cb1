//! Durations as this crate's messages write them.

use std::fmt;
use std::time::Duration;

/// Displays a duration to the millisecond in Go's units, as this crate's messages do ("deadline
/// of request passed at 1m30.5s"): `45ms`, `1.5s`, `2m`, `1m30.5s`, `1h0m5s`. Unlike Go's
/// `time.Duration.String`, zero tails are left out (`2m`, not `2m0s`) and time under a
/// millisecond is dropped.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ctxgroup::GoDuration;
///
/// assert_eq!(GoDuration(Duration::from_millis(45)).to_string(), "45ms");
/// assert_eq!(GoDuration(Duration::from_millis(90_500)).to_string(), "1m30.5s");
/// assert_eq!(GoDuration(Duration::from_secs(3605)).to_string(), "1h0m5s");
/// assert_eq!(GoDuration(Duration::ZERO).to_string(), "0s");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoDuration(pub Duration);

impl fmt::Display for GoDuration {
    // Integer arithmetic: float formatting would add several KB to the wasm build.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms > 0 && ms < 1000 {
            return write!(f, "{ms}ms");
        }
        let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 || (h > 0 && s + frac > 0) {
            write!(f, "{m}m")?;
        }
        if s + frac == 0 && ms > 0 {
            return Ok(());
        }
        write!(f, "{s}")?;
        // The fraction's digits, without trailing zeros.
        let (mut frac, mut digits) = (frac, 3);
        while frac > 0 && frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        if frac > 0 {
            write!(f, ".{frac:0digits$}")?;
        }
        f.write_str("s")
    }
}
