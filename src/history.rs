//! Usage history: for each of the last [`HISTORY_DAYS`] quota windows, the
//! calls each key made and the calls it was refused after its secret had been
//! verified, by code. Calls of deleted keys stay counted in one bucket, so the
//! per-key counts and that bucket always add up to the account's total.
//!
//! Every series is a ring of fixed length in the state: newest window first,
//! at most [`HISTORY_DAYS`] entries, trailing zeros left out (an idle key
//! costs a few bytes). All series share one anchor, `day`, the newest window:
//! entry `i` belongs to window `day - i`. Moving the anchor forward shifts
//! them once per window; recording a call touches one counter.

use serde::{Deserialize, Serialize};

use crate::key_id::KeyId;

/// How many quota windows the history keeps.
pub const HISTORY_DAYS: usize = 90;

/// What [`History`] counts of an authenticated call. Calls refused before
/// the secret is proven (401) are never written: anyone could make the
/// account write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Admitted (200): counts toward the account's total.
    Admitted,
    /// Refused with `READ_ONLY_KEY`.
    ReadOnly,
    /// Refused with `DAILY_LIMIT_EXCEEDED`.
    DailyLimit,
    /// Refused with `CONCURRENCY_LIMIT_EXCEEDED`.
    Concurrency,
}

/// One key's series. Each is newest window first (see [`History`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyHistory {
    /// The key.
    pub key_id: KeyId,
    /// Admitted calls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    calls: Vec<u32>,
    /// Refusals with `READ_ONLY_KEY`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    read_only: Vec<u32>,
    /// Refusals with `DAILY_LIMIT_EXCEEDED`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    daily_limit: Vec<u32>,
    /// Refusals with `CONCURRENCY_LIMIT_EXCEEDED`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    concurrency: Vec<u32>,
}

impl KeyHistory {
    fn new(key_id: KeyId) -> KeyHistory {
        KeyHistory {
            key_id,
            calls: Vec::new(),
            read_only: Vec::new(),
            daily_limit: Vec::new(),
            concurrency: Vec::new(),
        }
    }

    fn series_mut(&mut self) -> [&mut Vec<u32>; 4] {
        [
            &mut self.calls,
            &mut self.read_only,
            &mut self.daily_limit,
            &mut self.concurrency,
        ]
    }

    fn series(&self) -> [&Vec<u32>; 4] {
        [
            &self.calls,
            &self.read_only,
            &self.daily_limit,
            &self.concurrency,
        ]
    }

    fn is_empty(&self) -> bool {
        self.series().iter().all(|s| s.is_empty())
    }
}

/// The counts of one key in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DayCounts {
    /// Admitted calls.
    #[serde(skip)]
    pub calls: u32,
    /// Refusals with `READ_ONLY_KEY`.
    #[serde(rename = "READ_ONLY_KEY")]
    pub read_only: u32,
    /// Refusals with `DAILY_LIMIT_EXCEEDED`.
    #[serde(rename = "DAILY_LIMIT_EXCEEDED")]
    pub daily_limit: u32,
    /// Refusals with `CONCURRENCY_LIMIT_EXCEEDED`.
    #[serde(rename = "CONCURRENCY_LIMIT_EXCEEDED")]
    pub concurrency: u32,
}

/// The usage history of an account (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct History {
    /// The newest window held (see [`crate::window::day_index`]).
    day: u64,
    /// Admitted calls of keys deleted since, newest window first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    deleted: Vec<u32>,
    /// Keys that have any count in the windows held (others are left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    keys: Vec<KeyHistory>,
}

fn trim(s: &mut Vec<u32>) {
    while s.last() == Some(&0) {
        s.pop();
    }
}

/// Makes room for `n` newer windows in front.
fn shift(s: &mut Vec<u32>, n: u64) {
    if s.is_empty() || n == 0 {
        return;
    }
    if n >= HISTORY_DAYS as u64 {
        s.clear();
        return;
    }
    s.splice(0..0, core::iter::repeat_n(0, n as usize));
    s.truncate(HISTORY_DAYS);
    trim(s);
}

/// Drops the `n` newest windows.
fn drop_newest(s: &mut Vec<u32>, n: u64) {
    let n = n.min(s.len() as u64) as usize;
    s.drain(..n);
}

fn bump(s: &mut Vec<u32>) {
    if s.is_empty() {
        s.push(0);
    }
    s[0] = s[0].saturating_add(1);
}

fn at(s: &[u32], i: u64) -> u32 {
    if i >= s.len() as u64 {
        0
    } else {
        s[i as usize]
    }
}

impl History {
    /// The newest window held.
    pub fn day(&self) -> u64 {
        self.day
    }

    /// Makes `window` the newest window. Forward, the older windows shift
    /// and those past [`HISTORY_DAYS`] fall out. Backward (the account's
    /// window was dropped for a clock more than a day ahead), the windows
    /// newer than `window` are dropped with it.
    pub fn align(&mut self, window: u64) {
        if window == self.day {
            return;
        }
        for k in &mut self.keys {
            for s in k.series_mut() {
                if window > self.day {
                    shift(s, window - self.day);
                } else {
                    drop_newest(s, self.day - window);
                }
            }
        }
        if window > self.day {
            shift(&mut self.deleted, window - self.day);
        } else {
            drop_newest(&mut self.deleted, self.day - window);
        }
        self.day = window;
        self.keys.retain(|k| !k.is_empty());
    }

    /// Counts one authenticated call of `key_id` in `window` (the account's
    /// current quota window, which becomes the newest). O(1) but once per window.
    pub fn record(&mut self, key_id: &KeyId, window: u64, outcome: Outcome) {
        self.align(window);
        let i = match self.keys.iter().position(|k| &k.key_id == key_id) {
            Some(i) => i,
            None => {
                self.keys.push(KeyHistory::new(key_id.clone()));
                self.keys.len() - 1
            }
        };
        let k = &mut self.keys[i];
        bump(match outcome {
            Outcome::Admitted => &mut k.calls,
            Outcome::ReadOnly => &mut k.read_only,
            Outcome::DailyLimit => &mut k.daily_limit,
            Outcome::Concurrency => &mut k.concurrency,
        });
    }

    /// Takes back one admitted call of `key_id` in `window` (a refund), if
    /// `window` is the newest window and the call is there. Returns whether it was.
    pub fn unrecord(&mut self, key_id: &KeyId, window: u64) -> bool {
        if window != self.day {
            return false;
        }
        let Some(k) = self.keys.iter_mut().find(|k| &k.key_id == key_id) else {
            return false;
        };
        match k.calls.first_mut() {
            Some(n) if *n > 0 => {
                *n -= 1;
                trim(&mut k.calls);
                self.keys.retain(|k| !k.is_empty());
                true
            }
            _ => false,
        }
    }

    /// A key was deleted: its admitted calls move to the deleted bucket (so
    /// the account's totals stay), its refusals go.
    pub fn remove_key(&mut self, key_id: &KeyId) {
        let Some(i) = self.keys.iter().position(|k| &k.key_id == key_id) else {
            return;
        };
        let k = self.keys.remove(i);
        if self.deleted.len() < k.calls.len() {
            self.deleted.resize(k.calls.len(), 0);
        }
        for (d, c) in self.deleted.iter_mut().zip(&k.calls) {
            *d = d.saturating_add(*c);
        }
    }

    /// The counts of `key_id` in `window` (zeros for a window not held).
    pub fn counts(&self, key_id: &KeyId, window: u64) -> DayCounts {
        let Some(k) = self.keys.iter().find(|k| &k.key_id == key_id) else {
            return DayCounts::default();
        };
        let Some(i) = self.day.checked_sub(window) else {
            return DayCounts::default();
        };
        DayCounts {
            calls: at(&k.calls, i),
            read_only: at(&k.read_only, i),
            daily_limit: at(&k.daily_limit, i),
            concurrency: at(&k.concurrency, i),
        }
    }

    /// Admitted calls of deleted keys in `window`.
    pub fn deleted_calls(&self, window: u64) -> u32 {
        self.day
            .checked_sub(window)
            .map_or(0, |i| at(&self.deleted, i))
    }

    /// Checks state read from outside: the anchor at most `max_day`, every
    /// series at most [`HISTORY_DAYS`] long, each key once and known to the
    /// account (`known`).
    pub fn validate(&self, max_day: u64, known: impl Fn(&KeyId) -> bool) -> bool {
        let len_ok = |s: &Vec<u32>| s.len() <= HISTORY_DAYS;
        self.day <= max_day
            && len_ok(&self.deleted)
            && self.keys.iter().enumerate().all(|(i, k)| {
                known(&k.key_id)
                    && !self.keys[..i].iter().any(|o| o.key_id == k.key_id)
                    && k.series().into_iter().all(len_ok)
            })
    }
}

/// One key's row in a day of [`Usage`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyUsage {
    /// The key.
    pub key_id: KeyId,
    /// Its current name.
    pub name: String,
    /// Admitted calls.
    pub calls: u32,
    /// Refusals after the secret was verified, by code.
    pub refused: DayCounts,
}

/// One quota window of [`Usage`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageDay {
    /// When the window starts, epoch ms.
    pub start: u64,
    /// When it ends (the next starts), epoch ms.
    pub end: u64,
    /// Admitted calls of the account: the keys' calls plus `deleted_calls`.
    pub total: u64,
    /// Each current key, in the account's order.
    pub keys: Vec<KeyUsage>,
    /// Admitted calls of keys deleted since.
    pub deleted_calls: u32,
}

/// What `usage` returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// The account's current daily limit.
    pub daily_limit: u32,
    /// The windows, oldest first; the last is the current one.
    pub days: Vec<UsageDay>,
}

impl History {
    /// The last `days` windows up to `today` (the account's current window),
    /// oldest first, for the current `keys` (ID and name). `offset` is where a
    /// window starts after 00:00 UTC.
    pub fn usage<'a>(
        &self,
        keys: impl Iterator<Item = (&'a KeyId, &'a str)> + Clone,
        today: u64,
        days: u32,
        offset: u64,
        daily_limit: u32,
    ) -> Usage {
        let day_ms = crate::window::DAY_MS;
        let days = days.clamp(1, HISTORY_DAYS as u32);
        // Window 0 ends at `offset`: with no offset it ends before 1970.
        let earliest = u64::from(offset == 0);
        let first = today.saturating_sub(u64::from(days) - 1).max(earliest);
        let days = (first..=today)
            .map(|w| {
                let keys: Vec<KeyUsage> = keys
                    .clone()
                    .map(|(id, name)| {
                        let c = self.counts(id, w);
                        KeyUsage {
                            key_id: id.clone(),
                            name: name.to_owned(),
                            calls: c.calls,
                            refused: c,
                        }
                    })
                    .collect();
                let deleted_calls = self.deleted_calls(w);
                UsageDay {
                    start: (w * day_ms + offset).saturating_sub(day_ms),
                    end: w * day_ms + offset,
                    total: keys.iter().map(|k| u64::from(k.calls)).sum::<u64>()
                        + u64::from(deleted_calls),
                    keys,
                    deleted_calls,
                }
            })
            .collect();
        Usage { daily_limit, days }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> KeyId {
        KeyId::parse(&format!("PFK-{n:08x}-0000-4000-8000-000000000000")).unwrap()
    }

    #[test]
    fn records_in_the_newest_window_and_shifts_forward() {
        let mut h = History::default();
        h.record(&id(1), 100, Outcome::Admitted);
        h.record(&id(1), 100, Outcome::Admitted);
        h.record(&id(1), 100, Outcome::ReadOnly);
        h.record(&id(1), 102, Outcome::Admitted);
        h.record(&id(2), 102, Outcome::Concurrency);
        h.record(&id(2), 102, Outcome::DailyLimit);
        assert_eq!(h.day(), 102);
        assert_eq!(h.counts(&id(1), 100).calls, 2);
        assert_eq!(h.counts(&id(1), 100).read_only, 1);
        assert_eq!(h.counts(&id(1), 101), DayCounts::default());
        assert_eq!(h.counts(&id(1), 102).calls, 1);
        let c = h.counts(&id(2), 102);
        assert_eq!((c.calls, c.concurrency, c.daily_limit), (0, 1, 1));
        // Windows not held read 0.
        assert_eq!(h.counts(&id(1), 103), DayCounts::default());
        assert_eq!(h.counts(&id(3), 102), DayCounts::default());
    }

    #[test]
    fn keeps_exactly_the_last_90_windows() {
        let mut h = History::default();
        for w in 1..=200u64 {
            h.record(&id(1), w, Outcome::Admitted);
            h.record(&id(1), w, Outcome::ReadOnly);
        }
        h.remove_key(&id(1));
        h.record(&id(2), 200, Outcome::Admitted);
        for s in h.keys[0].series().into_iter().chain([&h.deleted]) {
            assert!(s.len() <= HISTORY_DAYS, "{}", s.len());
        }
        assert_eq!(h.deleted.len(), HISTORY_DAYS);
        assert_eq!(h.deleted_calls(111), 1);
        assert_eq!(h.deleted_calls(110), 0, "the 91st window back is gone");
        // A jump of 90 windows or more clears everything.
        h.align(200 + HISTORY_DAYS as u64);
        assert_eq!(
            h,
            History {
                day: 290,
                ..History::default()
            }
        );
    }

    #[test]
    fn the_deleted_bucket_keeps_the_totals() {
        let mut h = History::default();
        for _ in 0..3 {
            h.record(&id(1), 10, Outcome::Admitted);
        }
        h.record(&id(1), 11, Outcome::Admitted);
        h.record(&id(1), 11, Outcome::DailyLimit);
        h.record(&id(2), 11, Outcome::Admitted);
        h.remove_key(&id(1));
        assert_eq!((h.deleted_calls(10), h.deleted_calls(11)), (3, 1));
        assert_eq!(h.counts(&id(1), 11), DayCounts::default());
        let keys = [(id(2), "two".to_owned())];
        let u = h.usage(keys.iter().map(|(k, n)| (k, n.as_str())), 11, 2, 0, 2500);
        assert_eq!(
            u.days
                .iter()
                .map(|d| (d.total, d.deleted_calls))
                .collect::<Vec<_>>(),
            [(3, 3), (2, 1)]
        );
    }

    #[test]
    fn a_window_moved_back_drops_the_newer_windows() {
        let mut h = History::default();
        h.record(&id(1), 50, Outcome::Admitted);
        h.record(&id(1), 60, Outcome::Admitted);
        h.record(&id(1), 60, Outcome::Admitted);
        h.remove_key(&id(1));
        h.record(&id(2), 60, Outcome::ReadOnly);
        h.align(55);
        assert_eq!(h.day(), 55);
        assert_eq!(h.deleted_calls(50), 1, "windows before it stay");
        assert_eq!(h.deleted_calls(60), 0);
        assert!(h.keys.is_empty(), "a key with nothing left is left out");
        h.record(&id(2), 60, Outcome::Admitted);
        assert_eq!(h.counts(&id(2), 60).calls, 1);
        assert_eq!(h.counts(&id(2), 60).read_only, 0, "not counted twice");
    }

    #[test]
    fn unrecord_takes_back_one_current_call_at_most() {
        let mut h = History::default();
        h.record(&id(1), 7, Outcome::Admitted);
        h.record(&id(1), 7, Outcome::ReadOnly);
        assert!(!h.unrecord(&id(1), 6), "not the newest window");
        assert!(!h.unrecord(&id(2), 7));
        assert!(h.unrecord(&id(1), 7));
        assert!(!h.unrecord(&id(1), 7), "refusals are not calls");
        assert_eq!(h.counts(&id(1), 7).read_only, 1);
        h.record(&id(1), 8, Outcome::Admitted);
        h.align(9);
        assert!(!h.unrecord(&id(1), 8));
        assert_eq!(h.counts(&id(1), 8).calls, 1);
    }

    #[test]
    fn counters_saturate() {
        let mut h = History::default();
        h.record(&id(1), 1, Outcome::Admitted);
        h.keys[0].calls[0] = u32::MAX;
        h.record(&id(1), 1, Outcome::Admitted);
        assert_eq!(h.counts(&id(1), 1).calls, u32::MAX);
        h.remove_key(&id(1));
        h.record(&id(2), 1, Outcome::Admitted);
        h.keys[0].calls[0] = u32::MAX;
        h.remove_key(&id(2));
        assert_eq!(h.deleted_calls(1), u32::MAX);
    }

    #[test]
    fn compact_form_and_validation() {
        let mut h = History::default();
        h.record(&id(1), 20_000, Outcome::Admitted);
        h.record(&id(1), 20_002, Outcome::Admitted);
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(
            json,
            r#"{"day":20002,"keys":[{"keyId":"PFK-00000001-0000-4000-8000-000000000000","calls":[1,0,1]}]}"#
        );
        let back: History = serde_json::from_str(&json).unwrap();
        assert_eq!(back, h);
        assert!(h.validate(20_002, |k| k == &id(1)));
        assert!(!h.validate(20_001, |_| true), "anchor beyond max");
        assert!(!h.validate(20_002, |_| false), "unknown key");
        let mut dup = h.clone();
        dup.keys.push(dup.keys[0].clone());
        assert!(!dup.validate(20_002, |_| true));
        let mut long = h.clone();
        long.keys[0].read_only = vec![1; HISTORY_DAYS + 1];
        assert!(!long.validate(20_002, |_| true));
        let mut long = h;
        long.deleted = vec![1; HISTORY_DAYS + 1];
        assert!(!long.validate(20_002, |_| true));
        assert!(serde_json::from_str::<History>(r#"{"day":1,"other":[]}"#).is_err());
        assert!(serde_json::from_str::<History>(r#"{"day":1,"deleted":[-1]}"#).is_err());
    }

    #[test]
    fn usage_lists_windows_oldest_first_with_their_times() {
        let day = crate::window::DAY_MS;
        let mut h = History::default();
        h.record(&id(1), 20_000, Outcome::Admitted);
        h.record(&id(1), 20_000, Outcome::Concurrency);
        let keys = [(id(1), "one".to_owned()), (id(2), "two".to_owned())];
        let u = h.usage(
            keys.iter().map(|(k, n)| (k, n.as_str())),
            20_001,
            3,
            0,
            2500,
        );
        assert_eq!(u.days.len(), 3);
        assert_eq!(u.days[0].end, 19_999 * day);
        assert_eq!(u.days[2].start, 20_000 * day);
        assert_eq!(u.days[2].end, 20_001 * day);
        assert_eq!(u.days[1].total, 1);
        assert_eq!(u.days[1].keys[0].refused.concurrency, 1);
        assert_eq!(u.days[1].keys[1].name, "two");
        let json = serde_json::to_string(&u.days[1]).unwrap();
        assert!(json.contains(r#""refused":{"READ_ONLY_KEY":0,"DAILY_LIMIT_EXCEEDED":0,"CONCURRENCY_LIMIT_EXCEEDED":1}"#), "{json}");
        assert!(json.contains(r#""deletedCalls":0"#));
        // Windows near 1970 start no earlier than 0 and end after they start.
        let u = h.usage(keys.iter().map(|(k, n)| (k, n.as_str())), 1, 90, 0, 1);
        assert_eq!((u.days.len(), u.days[0].start, u.days[0].end), (1, 0, day));
        let u = h.usage(keys.iter().map(|(k, n)| (k, n.as_str())), 0, 90, 60_000, 1);
        assert_eq!(
            (u.days.len(), u.days[0].start, u.days[0].end),
            (1, 0, 60_000)
        );
    }
}
