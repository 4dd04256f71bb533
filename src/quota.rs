//! R9: the account's daily quota, shared by all its keys, in windows that
//! reset at 00:00 UTC (configurable). Windows never move backwards for a
//! clock that steps back less than a day; a stored window more than a day
//! ahead of `now` is a wrong clock's mark and is recomputed from `now`.

use serde::{Deserialize, Serialize};

use crate::window::{day_index, seconds_until, window_end};

/// The account's quota window and the calls admitted in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// Which quota window `calls` belongs to (see [`day_index`]).
    pub day: u64,
    /// Admitted calls in that window.
    pub calls: u32,
}

/// The quota as of a decision: what the `RateLimit` headers carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaView {
    /// Calls the account may still make in the current window.
    pub remaining: u32,
    /// The daily limit.
    pub limit: u32,
    /// When the window resets, epoch ms.
    pub resets_at: u64,
    /// Seconds from the decision until the reset (rounded up).
    pub reset_seconds: u64,
}

/// The window that `now` counts in, given the window last `stored`: never
/// an earlier one (a clock that stepped back less than a day cannot reopen a
/// window), unless the stored one is more than a day ahead of `now`, which
/// only a wrong clock writes: then `now`'s own.
pub fn current_day(stored: u64, now: u64, offset: u64) -> u64 {
    let today = day_index(now, offset);
    if stored > today + 1 {
        today
    } else {
        today.max(stored)
    }
}

/// A count kept for one window: its value as of window `day` (0 once the
/// window has passed).
pub fn count_in(count: u32, count_day: u64, day: u64) -> u32 {
    if count_day == day {
        count
    } else {
        0
    }
}

impl Quota {
    /// The window `now` counts in (see [`current_day`]).
    pub fn day_at(&self, now: u64, offset: u64) -> u64 {
        current_day(self.day, now, offset)
    }

    /// The balance as of `now` under `limit` calls a window.
    pub fn view(&self, now: u64, offset: u64, limit: u32) -> QuotaView {
        let today = self.day_at(now, offset);
        let used = count_in(self.calls, self.day, today);
        let resets_at = window_end(today, offset);
        QuotaView {
            remaining: limit.saturating_sub(used),
            limit,
            resets_at,
            reset_seconds: seconds_until(resets_at, now),
        }
    }
}
