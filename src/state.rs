//! The account's serialized form: plain, versioned data that holds hashes and
//! never a secret, and the validation of untrusted state. `from_json` trusts
//! nothing: a record that fails any check is [`Error::InvalidState`].

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::application::{clean_description, clean_name, Application};
use crate::error::{Error, Result};
use crate::hashing::validate_hash;
use crate::lease::{lease_number, Lease};
use crate::limits::{Limits, MAX_APPLICATIONS, MAX_CONNECTIONS};
use crate::quota::Quota;
use crate::window::{day_index, MAX_TIME_MS};

/// The schema version that [`Account::to_json`] writes and [`Account::from_json`] reads.
pub const STATE_VERSION: u32 = 1;

/// The serialized form.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct State {
    version: u32,
    limits: Limits,
    quota: Quota,
    next_lease: u64,
    keys: Vec<Application>,
    leases: Vec<Lease>,
}

impl Serialize for Account {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        State {
            version: STATE_VERSION,
            limits: self.limits.clone(),
            quota: self.quota,
            next_lease: self.next_lease,
            keys: self.keys.clone(),
            leases: self.leases.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Account, D::Error> {
        let s = State::deserialize(d)?;
        validate(&s).map_err(|_| serde::de::Error::custom("invalid account state"))?;
        Ok(Account {
            limits: s.limits,
            quota: s.quota,
            next_lease: s.next_lease,
            keys: s.keys,
            leases: s.leases,
        })
    }
}

impl Account {
    /// The state as versioned JSON text. It holds hashes, never a secret.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and validates state written by [`Account::to_json`]; anything
    /// else is refused with [`Error::InvalidState`].
    pub fn from_json(text: &str) -> Result<Account> {
        serde_json::from_str(text).map_err(|_| Error::InvalidState)
    }
}

fn validate(s: &State) -> Result<()> {
    let bad = Err(Error::InvalidState);
    if s.version != STATE_VERSION {
        return bad;
    }
    // The lease counter goes to JS as a number: keep it exact there, and far
    // from u64::MAX so that admitting a call can never overflow it.
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    if s.next_lease > MAX_SAFE_INTEGER {
        return bad;
    }
    s.limits.validate()?;
    let l = &s.limits;
    let max_day = day_index(MAX_TIME_MS, 0) + 1;
    // Limits may have been lowered below what is in use (`set_limits`): the
    // use drains, so counts and keys are bounded by what any limits allow.
    if s.quota.day > max_day || s.quota.calls > 100_000_000 {
        return bad;
    }
    if s.keys.len() > MAX_APPLICATIONS as usize {
        return bad;
    }
    for (i, k) in s.keys.iter().enumerate() {
        if s.keys[..i].iter().any(|o| o.key_id == k.key_id) {
            return bad;
        }
        if clean_name(&k.name).as_deref() != Ok(k.name.as_str())
            || clean_description(&k.description).as_deref() != Ok(k.description.as_str())
        {
            return bad;
        }
        validate_hash(&k.secret_hash)?;
        let times_ok = k.created_at <= MAX_TIME_MS
            && k.secret_set_at <= MAX_TIME_MS
            && k.created_at <= k.secret_set_at
            && k.last_call_at.is_none_or(|t| t <= MAX_TIME_MS)
            && k.call_count_day <= max_day
            // The library writes a key's window together with the quota's:
            // it is never more than one window ahead of it.
            && k.call_count_day <= s.quota.day.saturating_add(1);
        // A key's window can overlap two quota windows: 2× the limit at most.
        let count_ok =
            k.call_count <= 200_000_000 && (k.call_count == 0 || k.last_call_at.is_some());
        if !times_ok || !count_ok {
            return bad;
        }
    }
    for (i, lease) in s.leases.iter().enumerate() {
        let n = lease_number(&lease.id).ok_or(Error::InvalidState)?;
        if n >= s.next_lease
            || lease.expires_at > MAX_TIME_MS + l.lease_ttl_ms.max(crate::window::DAY_MS)
            || lease.admitted_at > MAX_TIME_MS
            || s.leases[..i].iter().any(|o| o.id == lease.id)
            || !s.keys.iter().any(|k| k.key_id == lease.key_id)
        {
            return bad;
        }
        let held = s.leases.iter().filter(|o| o.key_id == lease.key_id).count();
        if held > MAX_CONNECTIONS as usize {
            return bad;
        }
    }
    Ok(())
}
