//! R12: a concurrent connection is a lease with a time-to-live, so a crashed
//! caller cannot hold a slot forever. A call that outlives the TTL renews it.

use serde::{Deserialize, Serialize};

use crate::key_id::KeyId;
use crate::window::DAY_MS;

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
