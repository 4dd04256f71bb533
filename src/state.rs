//! The account's serialized form: plain, versioned data that holds hashes and
//! never a secret, and the validation of untrusted state. `from_json` trusts
//! nothing: a record that fails any check is [`Error::InvalidState`].

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::account::Account;
use crate::application::{clean_description, clean_name, Application};
use crate::audit::AuditLog;
use crate::error::{Error, Result};
use crate::hashing::validate_hash;
use crate::history::History;
use crate::lease::{lease_number, Lease};
use crate::limits::{Limits, MAX_APPLICATIONS, MAX_CONNECTIONS};
use crate::quota::Quota;
use crate::window::{day_index, MAX_TIME_MS};

/// The schema version that [`Account::to_json`] writes. [`Account::from_json`]
/// reads it and every older one:
///
/// - 1: limits, quota, keys, leases (`admittedAt` on leases came later, optional);
/// - 2: adds `history` (calls and authenticated refusals per key, 90 quota
///   windows) and `audit` (the last 200 management events). A version-1
///   state reads with both empty: history starts at the upgrade.
pub const STATE_VERSION: u32 = 2;

/// The serialized form, of any version (the fields a version lacks are `None`).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct State<'a> {
    version: u32,
    limits: Cow<'a, Limits>,
    quota: Quota,
    next_lease: u64,
    keys: Cow<'a, [Application]>,
    leases: Cow<'a, [Lease]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    history: Option<Cow<'a, History>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audit: Option<Cow<'a, AuditLog>>,
}

impl Serialize for Account {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        State {
            version: STATE_VERSION,
            limits: Cow::Borrowed(&self.limits),
            quota: self.quota,
            next_lease: self.next_lease,
            keys: Cow::Borrowed(&self.keys),
            leases: Cow::Borrowed(&self.leases),
            history: Some(Cow::Borrowed(&self.history)),
            audit: Some(Cow::Borrowed(&self.audit)),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> core::result::Result<Account, D::Error> {
        let s = State::deserialize(d)?;
        validate(&s).map_err(|_| serde::de::Error::custom("invalid account state"))?;
        Ok(Account {
            limits: s.limits.into_owned(),
            quota: s.quota,
            next_lease: s.next_lease,
            keys: s.keys.into_owned(),
            leases: s.leases.into_owned(),
            history: s.history.map(Cow::into_owned).unwrap_or_default(),
            audit: s.audit.map(Cow::into_owned).unwrap_or_default(),
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
    // Version 1 has neither history nor audit trail; version 2 has both.
    let fields = (s.history.is_some(), s.audit.is_some());
    match (s.version, fields) {
        (1, (false, false)) | (2, (true, true)) => {}
        _ => return bad,
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
    // History moves with the quota's window (never ahead of it) and names
    // only current keys; the audit trail is bounded event by event.
    if let Some(h) = &s.history {
        if !h.validate(s.quota.day, |id| s.keys.iter().any(|k| &k.key_id == id)) {
            return bad;
        }
    }
    if s.audit.as_ref().is_some_and(|a| !a.validate(MAX_TIME_MS)) {
        return bad;
    }
    Ok(())
}
