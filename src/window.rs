//! Time: daily windows (R9's quota at 00:00 UTC, R10's call count at 00:30
//! UTC), and which `now` values the rules accept. `now` is always passed in
//! (epoch milliseconds); nothing here reads a clock.

use crate::error::{Error, Result};

/// Milliseconds in a day.
pub const DAY_MS: u64 = 86_400_000;
/// The latest time a JS `Date` can hold (epoch ms); later `now` values are refused.
pub const MAX_TIME_MS: u64 = 8_640_000_000_000_000;

/// The number of the daily window that holds `now`, for windows starting
/// `offset` ms after 00:00 UTC. Window `d` ends (resets) at `d * DAY_MS + offset`.
pub fn day_index(now: u64, offset: u64) -> u64 {
    (now + DAY_MS - offset) / DAY_MS
}

/// When window `day` ends (resets), epoch ms.
pub fn window_end(day: u64, offset: u64) -> u64 {
    day * DAY_MS + offset
}

/// Whole seconds from `now` to `then`, rounded up, at least 1.
pub fn seconds_until(then: u64, now: u64) -> u64 {
    then.saturating_sub(now).div_ceil(1000).max(1)
}

/// `now` if a JS `Date` can hold it, else [`Error::InvalidTime`].
pub fn check_now(now: u64) -> Result<u64> {
    if now <= MAX_TIME_MS {
        Ok(now)
    } else {
        Err(Error::InvalidTime)
    }
}
