//! The account's limits (R2: applications, R9: daily calls and their window,
//! R10: the call-count window, R12: connections and the lease TTL) and its
//! options. Every field has the seed's default.

use serde::{Deserialize, Serialize};

use crate::decision::DEFAULT_REALM;
use crate::error::{Error, Result};
use crate::hashing::Profile;
use crate::window::DAY_MS;

/// The account's limits and options. Every field has the seed's default, so
/// any subset may be given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Limits {
    /// API calls per account per quota window (2,500).
    pub daily_calls: u32,
    /// Applications (keys) per account (3).
    pub max_applications: u32,
    /// Concurrent connections (live leases) per application (3).
    pub max_connections: u32,
    /// Where the account's quota window starts, in ms after 00:00 UTC (0: midnight).
    pub quota_reset_offset_ms: u64,
    /// Where each key's call-count window starts, in ms after 00:00 UTC (1,800,000: 00:30).
    pub call_count_reset_offset_ms: u64,
    /// How long a lease lives unless released or renewed, in ms (60,000).
    pub lease_ttl_ms: u64,
    /// The realm named in `WWW-Authenticate` ("apikeys").
    pub realm: String,
    /// The argon2 profile for new hashes; older hashes are migrated on their
    /// next successful call.
    pub hash_profile: Profile,
}

/// A change to some of the limits: the fields given replace the current
/// ones, the others are kept (`account.setLimits`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitsPatch {
    /// See [`Limits::daily_calls`].
    pub daily_calls: Option<u32>,
    /// See [`Limits::max_applications`].
    pub max_applications: Option<u32>,
    /// See [`Limits::max_connections`].
    pub max_connections: Option<u32>,
    /// See [`Limits::quota_reset_offset_ms`].
    pub quota_reset_offset_ms: Option<u64>,
    /// See [`Limits::call_count_reset_offset_ms`].
    pub call_count_reset_offset_ms: Option<u64>,
    /// See [`Limits::lease_ttl_ms`].
    pub lease_ttl_ms: Option<u64>,
    /// See [`Limits::realm`].
    pub realm: Option<String>,
    /// See [`Limits::hash_profile`].
    pub hash_profile: Option<Profile>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            daily_calls: 2_500,
            max_applications: 3,
            max_connections: 3,
            quota_reset_offset_ms: 0,
            call_count_reset_offset_ms: 30 * 60 * 1000,
            lease_ttl_ms: 60_000,
            realm: DEFAULT_REALM.to_owned(),
            hash_profile: Profile::DEFAULT,
        }
    }
}

/// The most applications any account may be given.
pub const MAX_APPLICATIONS: u32 = 100;
/// The most connections per application any account may be given.
pub const MAX_CONNECTIONS: u32 = 1000;

impl Limits {
    /// Checks every field's range: daily calls 1 to 100,000,000; applications
    /// 1 to 100; connections 1 to 1,000; offsets under a day; lease TTL 1 s to
    /// a day; realm 1 to 64 printable ASCII characters without `"` or `\`; a
    /// valid hash profile. Refuses with [`Error::InvalidLimits`].
    pub fn validate(&self) -> Result<()> {
        let realm_ok = (1..=64).contains(&self.realm.len())
            && self
                .realm
                .bytes()
                .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
        let ok = (1..=100_000_000).contains(&self.daily_calls)
            && (1..=MAX_APPLICATIONS).contains(&self.max_applications)
            && (1..=MAX_CONNECTIONS).contains(&self.max_connections)
            && self.quota_reset_offset_ms < DAY_MS
            && self.call_count_reset_offset_ms < DAY_MS
            && (1000..=DAY_MS).contains(&self.lease_ttl_ms)
            && realm_ok
            && self.hash_profile.validate().is_ok();
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidLimits)
        }
    }

    /// These limits with `patch` applied, checked.
    pub fn merged(&self, patch: LimitsPatch) -> Result<Limits> {
        let l = Limits {
            daily_calls: patch.daily_calls.unwrap_or(self.daily_calls),
            max_applications: patch.max_applications.unwrap_or(self.max_applications),
            max_connections: patch.max_connections.unwrap_or(self.max_connections),
            quota_reset_offset_ms: patch
                .quota_reset_offset_ms
                .unwrap_or(self.quota_reset_offset_ms),
            call_count_reset_offset_ms: patch
                .call_count_reset_offset_ms
                .unwrap_or(self.call_count_reset_offset_ms),
            lease_ttl_ms: patch.lease_ttl_ms.unwrap_or(self.lease_ttl_ms),
            realm: patch.realm.unwrap_or_else(|| self.realm.clone()),
            hash_profile: patch.hash_profile.unwrap_or(self.hash_profile),
        };
        l.validate()?;
        Ok(l)
    }
}
