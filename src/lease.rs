//! R12: a concurrent connection is a lease with a time-to-live, so a crashed
//! caller cannot hold a slot forever. A call that outlives the TTL renews it.

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::error::Result;
use crate::key_id::KeyId;
use crate::quota::current_day;
use crate::window::{check_now, day_index, DAY_MS};

/// A slot of an in-flight call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lease {
    /// `lease-<n>`, unique in the account.
    pub id: String,
    /// The application holding the slot.
    pub key_id: KeyId,
    /// When the slot frees itself if not released or renewed, epoch ms.
    pub expires_at: u64,
    /// When the call was admitted, epoch ms (0 in states written before
    /// refunds existed: such a call is never refunded).
    #[serde(default)]
    pub admitted_at: u64,
}

impl Lease {
    /// Whether the lease still holds its slot at `now`. A lease that would
    /// outlive `now` by more than a day past its TTL was written by a clock
    /// running ahead: it is taken as expired, so a wrong clock cannot hold a
    /// slot for good.
    pub fn is_live(&self, now: u64, ttl: u64) -> bool {
        self.expires_at > now && self.expires_at <= now.saturating_add(ttl + DAY_MS)
    }
}

/// The number in a lease ID `lease-<n>` (no sign, no leading zero).
pub fn lease_number(id: &str) -> Option<u64> {
    let n = id.strip_prefix("lease-")?;
    if n.is_empty() || n.len() > 20 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if n.len() > 1 && n.starts_with('0') {
        return None;
    }
    n.parse().ok()
}

impl Account {
    /// Gives back a lease. Returns whether a lease was held under that ID
    /// (an expired or unknown lease returns `false`; both are harmless).
    pub fn release(&mut self, lease_id: &str, now: u64) -> Result<bool> {
        self.release_with(lease_id, now, false)
    }

    /// [`Account::release`], and with `refund` gives back the call itself:
    /// its unit of the daily quota and of the key's Call Count, for a call
    /// the edge could not deliver. A refund happens once per lease (the
    /// lease is gone after it), only in the windows the call was counted in,
    /// and never takes a count below zero.
    pub fn release_with(&mut self, lease_id: &str, now: u64, refund: bool) -> Result<bool> {
        let now = check_now(now)?;
        let Some(i) = self.leases.iter().position(|l| l.id == lease_id) else {
            return Ok(false);
        };
        let lease = self.leases.remove(i);
        if refund && lease.admitted_at > 0 {
            self.refund(&lease, now);
        }
        Ok(lease.is_live(now, self.limits.lease_ttl_ms))
    }

    /// Extends a live lease to `now` + the lease TTL (never further), for a
    /// call still in flight. Returns whether the lease was live.
    pub fn renew(&mut self, lease_id: &str, now: u64) -> Result<bool> {
        let now = check_now(now)?;
        let ttl = self.limits.lease_ttl_ms;
        match self.leases.iter_mut().find(|l| l.id == lease_id) {
            Some(l) if l.is_live(now, ttl) => {
                l.expires_at = now + ttl;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn refund(&mut self, lease: &Lease, now: u64) {
        let l = &self.limits;
        let day = day_index(lease.admitted_at, l.quota_reset_offset_ms);
        if self.quota.day == day && self.quota.day_at(now, l.quota_reset_offset_ms) == day {
            self.quota.calls = self.quota.calls.saturating_sub(1);
            self.history.unrecord(&lease.key_id, day);
        }
        let offset = l.call_count_reset_offset_ms;
        let key_day = day_index(lease.admitted_at, offset);
        if let Some(app) = self.keys.iter_mut().find(|k| k.key_id == lease.key_id) {
            if app.call_count_day == key_day
                && current_day(app.call_count_day, now, offset) == key_day
            {
                app.call_count = app.call_count.saturating_sub(1);
            }
        }
    }
}
