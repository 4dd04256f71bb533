//! An account's API key applications, its daily quota, each key's call count
//! and last call, and the concurrency leases of in-flight calls.
//!
//! All state is plain data (serde): the caller persists [`Account::to_json`]
//! wherever it lives. Time is passed in as `now` (epoch milliseconds); nothing
//! here reads a clock.

use serde::{Deserialize, Serialize};

use crate::access::{check_method, Access};
use crate::credentials::parse_basic;
use crate::decision::{seconds_until, Decision, QuotaView, DEFAULT_REALM};
use crate::error::{Error, Result};
use crate::hashing::{hash_secret, needs_rehash, validate_hash, verify_secret, Profile};
use crate::key_id::KeyId;
use crate::secret::Secret;

/// Milliseconds in a day.
pub const DAY_MS: u64 = 86_400_000;
/// The latest time a JS `Date` can hold (epoch ms); later `now` values are refused.
pub const MAX_TIME_MS: u64 = 8_640_000_000_000_000;
/// The most characters in an application name.
pub const MAX_NAME_CHARS: usize = 100;
/// The most characters in a description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;
/// The schema version that [`Account::to_json`] writes and [`Account::from_json`] reads.
pub const STATE_VERSION: u32 = 1;

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
    /// How long a lease lives unless released, in ms (60,000).
    pub lease_ttl_ms: u64,
    /// The realm named in `WWW-Authenticate` ("apikeys").
    pub realm: String,
    /// The argon2 profile for new hashes; older hashes are migrated on their
    /// next successful call.
    pub hash_profile: Profile,
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
            && (1..=100).contains(&self.max_applications)
            && (1..=1000).contains(&self.max_connections)
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
}

/// Who calls a management operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// An account admin: may create, list, reset and delete keys.
    Admin,
    /// Any other user: refused with [`Error::NotAdmin`].
    User,
}

impl Actor {
    /// `"admin"` is an admin; any other role is not.
    pub fn from_role(role: &str) -> Actor {
        if role == "admin" {
            Actor::Admin
        } else {
            Actor::User
        }
    }

    fn require_admin(self) -> Result<()> {
        match self {
            Actor::Admin => Ok(()),
            Actor::User => Err(Error::NotAdmin),
        }
    }
}

/// What an admin fills in to create a key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewKey {
    /// Required: names the connected system, e.g. "Salesforce Integration".
    pub name: String,
    /// Optional purpose of the application.
    pub description: String,
    /// Restricts the key to GET, HEAD and OPTIONS.
    pub read_only: bool,
}

/// One stored application: everything but the secret, of which only the
/// argon2id hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    /// The API Key ID.
    pub key_id: KeyId,
    /// The application's name (trimmed).
    pub name: String,
    /// The description (trimmed; may be empty).
    pub description: String,
    /// Full or read-only.
    pub access: Access,
    /// PHC string of the secret's argon2 hash.
    pub secret_hash: String,
    /// When the key was created, epoch ms.
    pub created_at: u64,
    /// When the secret was last set (created or reset), epoch ms.
    pub secret_set_at: u64,
    /// Admitted calls in the window numbered `call_count_day`.
    pub call_count: u32,
    /// Which call-count window `call_count` belongs to (see [`day_index`]).
    pub call_count_day: u64,
    /// When the last admitted call was made, epoch ms.
    pub last_call_at: Option<u64>,
}

/// A slot of an in-flight call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lease {
    /// `lease-<n>`, unique in the account.
    pub id: String,
    /// The application holding the slot.
    pub key_id: KeyId,
    /// When the slot frees itself if not released, epoch ms.
    pub expires_at: u64,
}

/// The account's quota window and the calls admitted in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quota {
    /// Which quota window `calls` belongs to (see [`day_index`]).
    pub day: u64,
    /// Admitted calls in that window.
    pub calls: u32,
}

/// The number of the daily window that holds `now`, for windows starting
/// `offset` ms after 00:00 UTC. Window `d` ends (resets) at `d * DAY_MS + offset`.
pub fn day_index(now: u64, offset: u64) -> u64 {
    (now + DAY_MS - offset) / DAY_MS
}

fn window_end(day: u64, offset: u64) -> u64 {
    day * DAY_MS + offset
}

fn check_now(now: u64) -> Result<u64> {
    if now <= MAX_TIME_MS {
        Ok(now)
    } else {
        Err(Error::InvalidTime)
    }
}

/// A key as given once, right after create or reset: the only place its
/// secret appears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedKey {
    /// The API Key ID.
    pub key_id: KeyId,
    /// The API Key Secret: show it once, store it nowhere.
    pub secret: Secret,
}

/// One row of the keys page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    /// Application name.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// API Key ID.
    pub key_id: KeyId,
    /// Full or read-only.
    pub access: Access,
    /// Calls admitted in the key's current call-count window (0 after its reset).
    pub call_count: u32,
    /// When the key's call count next resets, epoch ms.
    pub call_count_resets_at: u64,
    /// The most recent admitted call, epoch ms.
    pub last_call_at: Option<u64>,
    /// When the key was created, epoch ms.
    pub created_at: u64,
    /// When the secret was last set, epoch ms.
    pub secret_set_at: u64,
    /// Live leases (in-flight calls) of the application.
    pub active_connections: u32,
}

/// What the keys page shows: the account's calls and balance, then the keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyList {
    /// Calls admitted in the current quota window.
    pub calls_today: u32,
    /// Calls left in the current quota window.
    pub remaining_today: u32,
    /// The daily limit.
    pub daily_limit: u32,
    /// When the quota window resets, epoch ms.
    pub resets_at: u64,
    /// The most applications the account may have.
    pub application_limit: u32,
    /// The most concurrent connections per application.
    pub connection_limit: u32,
    /// The applications, oldest first.
    pub keys: Vec<KeyView>,
}

/// A key record as an edge worker with its own key store keeps it: the input
/// of the stateless [`verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRecord {
    /// The API Key ID.
    pub key_id: KeyId,
    /// PHC string of the secret's argon2 hash.
    pub secret_hash: String,
    /// Full or read-only (`"full"` when absent).
    #[serde(default)]
    pub access: Access,
}

/// The serialized form, version 1.
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

/// An account: up to three applications sharing one daily quota.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "State", into = "State")]
pub struct Account {
    limits: Limits,
    quota: Quota,
    next_lease: u64,
    keys: Vec<Application>,
    leases: Vec<Lease>,
}

impl From<Account> for State {
    fn from(a: Account) -> State {
        State {
            version: STATE_VERSION,
            limits: a.limits,
            quota: a.quota,
            next_lease: a.next_lease,
            keys: a.keys,
            leases: a.leases,
        }
    }
}

impl TryFrom<State> for Account {
    type Error = Error;

    fn try_from(s: State) -> Result<Account> {
        validate_state(&s).map_err(|_| Error::InvalidState)?;
        Ok(Account {
            limits: s.limits,
            quota: s.quota,
            next_lease: s.next_lease,
            keys: s.keys,
            leases: s.leases,
        })
    }
}

fn lease_number(id: &str) -> Option<u64> {
    let n = id.strip_prefix("lease-")?;
    if n.is_empty() || n.len() > 20 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if n.len() > 1 && n.starts_with('0') {
        return None;
    }
    n.parse().ok()
}

fn validate_state(s: &State) -> Result<()> {
    let bad = Err(Error::InvalidState);
    if s.version != STATE_VERSION {
        return bad;
    }
    // The lease counter goes to JS as a number: keep it exact there, and far
    // from u64::MAX so that `admit` can never overflow it (a debug-build panic).
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    if s.next_lease > MAX_SAFE_INTEGER {
        return bad;
    }
    s.limits.validate()?;
    let l = &s.limits;
    let max_day = day_index(MAX_TIME_MS, 0) + 1;
    if s.quota.day > max_day || s.quota.calls > l.daily_calls {
        return bad;
    }
    if s.keys.len() > l.max_applications as usize {
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
        let count_ok = k.call_count <= l.daily_calls.saturating_mul(2)
            && (k.call_count == 0 || k.last_call_at.is_some());
        if !times_ok || !count_ok {
            return bad;
        }
    }
    for (i, lease) in s.leases.iter().enumerate() {
        let n = lease_number(&lease.id).ok_or(Error::InvalidState)?;
        if n >= s.next_lease
            || lease.expires_at > MAX_TIME_MS + l.lease_ttl_ms
            || s.leases[..i].iter().any(|o| o.id == lease.id)
            || !s.keys.iter().any(|k| k.key_id == lease.key_id)
        {
            return bad;
        }
        let held = s.leases.iter().filter(|o| o.key_id == lease.key_id).count();
        if held > l.max_connections as usize {
            return bad;
        }
    }
    Ok(())
}

fn clean_name(name: &str) -> Result<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(Error::InvalidName);
    }
    Ok(name.to_owned())
}

fn clean_description(text: &str) -> Result<String> {
    let text = text.trim();
    if text.chars().count() > MAX_DESCRIPTION_CHARS
        || text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::InvalidDescription);
    }
    Ok(text.to_owned())
}

/// Why [`authenticate`] refused: the error, and the key ID and access learnt so far.
type Refusal = (Error, Option<KeyId>, Option<Access>);

/// The first half of the pipeline, shared by [`Account::authorize`] and
/// [`verify`]: cheap refusals, then one argon2 verification.
/// `find` maps a well-formed key ID to its stored hash and access.
fn authenticate<'a>(
    header: &str,
    method: &str,
    find: impl FnOnce(&KeyId) -> Option<(&'a str, Access)>,
) -> core::result::Result<(KeyId, Access, Secret), Refusal> {
    check_method(method).map_err(|e| (e, None, None))?;
    let creds = parse_basic(header).map_err(|e| (e, None, None))?;
    let key_id = KeyId::parse(&creds.user_id).map_err(|e| (e, None, None))?;
    let secret = Secret::parse(&creds.password).map_err(|e| (e, None, None))?;
    let Some((hash, access)) = find(&key_id) else {
        return Err((Error::UnknownKey, Some(key_id), None));
    };
    if verify_secret(secret.expose(), hash) != Ok(true) {
        return Err((Error::InvalidSecret, Some(key_id), None));
    }
    if !access.allows(method) {
        return Err((Error::ReadOnlyKey, Some(key_id), Some(access)));
    }
    Ok((key_id, access, secret))
}

/// The stateless check for an edge worker that keeps key records in a store
/// of its own: the same codes and headers as [`Account::authorize`], but no
/// quota, counts or lease. `key` is the stored record of the presented key
/// ID, or `None` when the store has none.
pub fn verify(header: &str, method: &str, key: Option<&KeyRecord>) -> Decision {
    let found = authenticate(header, method, |id| {
        key.filter(|k| &k.key_id == id)
            .map(|k| (k.secret_hash.as_str(), k.access))
    });
    match found {
        Ok((key_id, access, _)) => Decision::build(
            None,
            Some(key_id),
            Some(access),
            None,
            None,
            None,
            DEFAULT_REALM,
        ),
        Err((e, key_id, access)) => {
            Decision::build(Some(e), key_id, access, None, None, None, DEFAULT_REALM)
        }
    }
}

impl Account {
    /// A new account with no keys under `limits` (checked).
    pub fn new(limits: Limits) -> Result<Account> {
        limits.validate()?;
        Ok(Account {
            limits,
            ..Account::default()
        })
    }

    /// The account's limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The stored applications, oldest first.
    pub fn applications(&self) -> &[Application] {
        &self.keys
    }

    /// The stored leases.
    pub fn leases(&self) -> &[Lease] {
        &self.leases
    }

    /// The state as versioned JSON text. It holds hashes, never a secret.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads and validates state written by [`Account::to_json`]; anything
    /// else is refused with [`Error::InvalidState`].
    pub fn from_json(text: &str) -> Result<Account> {
        serde_json::from_str(text).map_err(|_| Error::InvalidState)
    }

    /// Creates an application and its key (admin only). The secret in the
    /// result is the only copy there will ever be.
    pub fn create_key(
        &mut self,
        actor: Actor,
        new: NewKey,
        now: u64,
    ) -> Result<(IssuedKey, KeyView)> {
        actor.require_admin()?;
        let now = check_now(now)?;
        if self.keys.len() >= self.limits.max_applications as usize {
            return Err(Error::ApplicationLimitReached);
        }
        let name = clean_name(&new.name)?;
        let description = clean_description(&new.description)?;
        let key_id = loop {
            let id = KeyId::generate()?;
            if !self.keys.iter().any(|k| k.key_id == id) {
                break id;
            }
        };
        let secret = Secret::generate()?;
        let secret_hash = hash_secret(secret.expose(), self.limits.hash_profile)?;
        self.keys.push(Application {
            key_id: key_id.clone(),
            name,
            description,
            access: if new.read_only {
                Access::ReadOnly
            } else {
                Access::Full
            },
            secret_hash,
            created_at: now,
            secret_set_at: now,
            call_count: 0,
            call_count_day: 0,
            last_call_at: None,
        });
        let view = self.view(self.keys.len() - 1, now);
        Ok((IssuedKey { key_id, secret }, view))
    }

    /// The keys page as of `now` (admin only). Changes nothing.
    pub fn list_keys(&self, actor: Actor, now: u64) -> Result<KeyList> {
        actor.require_admin()?;
        let now = check_now(now)?;
        let q = self.quota_view(now);
        Ok(KeyList {
            calls_today: self.limits.daily_calls - q.remaining,
            remaining_today: q.remaining,
            daily_limit: self.limits.daily_calls,
            resets_at: q.resets_at,
            application_limit: self.limits.max_applications,
            connection_limit: self.limits.max_connections,
            keys: (0..self.keys.len()).map(|i| self.view(i, now)).collect(),
        })
    }

    /// Replaces a key's secret (admin only). The old secret fails from the
    /// very next call; the key ID, counts and leases stay.
    pub fn reset_secret(&mut self, actor: Actor, key_id: &str, now: u64) -> Result<IssuedKey> {
        actor.require_admin()?;
        let now = check_now(now)?;
        let i = self.index_of(key_id)?;
        let secret = Secret::generate()?;
        let hash = hash_secret(secret.expose(), self.limits.hash_profile)?;
        let app = &mut self.keys[i];
        app.secret_hash = hash;
        app.secret_set_at = now.max(app.created_at);
        Ok(IssuedKey {
            key_id: app.key_id.clone(),
            secret,
        })
    }

    /// Deletes an application (admin only), freeing its slot and its leases.
    /// Its key ID is unknown from then on.
    pub fn delete_key(&mut self, actor: Actor, key_id: &str, now: u64) -> Result<()> {
        actor.require_admin()?;
        check_now(now)?;
        let i = self.index_of(key_id)?;
        let removed = self.keys.remove(i);
        self.leases.retain(|l| l.key_id != removed.key_id);
        Ok(())
    }

    /// Checks one request and, when it is admitted, counts the call and takes
    /// a lease. Never fails: every refusal is a [`Decision`] with its code.
    ///
    /// The pipeline, cheapest refusal first: method syntax, header parse, key
    /// ID and secret format with checksum, key lookup, argon2 verification,
    /// access by method, concurrency, daily quota. A refused call changes
    /// nothing.
    pub fn authorize(&mut self, header: &str, method: &str, now: u64) -> Decision {
        if check_now(now).is_err() {
            return Decision::build(
                Some(Error::InvalidTime),
                None,
                None,
                None,
                None,
                None,
                &self.limits.realm,
            );
        }
        let keys = &self.keys;
        let found = authenticate(header, method, |id| {
            keys.iter()
                .find(|k| &k.key_id == id)
                .map(|k| (k.secret_hash.as_str(), k.access))
        });
        let (key_id, access, secret) = match found {
            Ok(v) => v,
            Err((e, key_id, access)) => {
                let q = self.quota_view(now);
                return Decision::build(
                    Some(e),
                    key_id,
                    access,
                    None,
                    Some(q),
                    None,
                    &self.limits.realm,
                );
            }
        };
        if let Some(e) = self.admission_error(&key_id, now) {
            let q = self.quota_view(now);
            let retry = match e {
                Error::ConcurrencyLimitExceeded => {
                    let first = self
                        .live_leases(&key_id, now)
                        .map(|l| l.expires_at)
                        .min()
                        .unwrap_or(now);
                    seconds_until(first, now)
                }
                _ => seconds_until(q.resets_at, now),
            };
            return Decision::build(
                Some(e),
                Some(key_id),
                Some(access),
                None,
                Some(q),
                Some(retry),
                &self.limits.realm,
            );
        }
        // Admitted: count, lease, and migrate an outdated hash.
        let lease_id = self.admit(&key_id, now);
        self.rehash_if_needed(&key_id, &secret);
        let q = self.quota_view(now);
        Decision::build(
            None,
            Some(key_id),
            Some(access),
            Some(lease_id),
            Some(q),
            None,
            &self.limits.realm,
        )
    }

    /// Gives back a lease. Returns whether a lease was held under that ID
    /// (an expired or unknown lease returns `false`; both are harmless).
    pub fn release(&mut self, lease_id: &str, now: u64) -> Result<bool> {
        let now = check_now(now)?;
        let before = self.leases.len();
        let mut live = false;
        self.leases.retain(|l| {
            if l.id == lease_id {
                live = l.expires_at > now;
                false
            } else {
                true
            }
        });
        Ok(self.leases.len() != before && live)
    }

    fn index_of(&self, key_id: &str) -> Result<usize> {
        self.keys
            .iter()
            .position(|k| k.key_id.as_str() == key_id)
            .ok_or(Error::UnknownKey)
    }

    fn live_leases<'a>(
        &'a self,
        key_id: &'a KeyId,
        now: u64,
    ) -> impl Iterator<Item = &'a Lease> + 'a {
        self.leases
            .iter()
            .filter(move |l| &l.key_id == key_id && l.expires_at > now)
    }

    fn quota_view(&self, now: u64) -> QuotaView {
        let offset = self.limits.quota_reset_offset_ms;
        let today = day_index(now, offset).max(self.quota.day);
        let used = if self.quota.day == today {
            self.quota.calls
        } else {
            0
        };
        let resets_at = window_end(today, offset);
        QuotaView {
            remaining: self.limits.daily_calls.saturating_sub(used),
            limit: self.limits.daily_calls,
            resets_at,
            reset_seconds: seconds_until(resets_at, now),
        }
    }

    fn admission_error(&self, key_id: &KeyId, now: u64) -> Option<Error> {
        if self.live_leases(key_id, now).count() >= self.limits.max_connections as usize {
            return Some(Error::ConcurrencyLimitExceeded);
        }
        if self.quota_view(now).remaining == 0 {
            return Some(Error::DailyLimitExceeded);
        }
        None
    }

    fn admit(&mut self, key_id: &KeyId, now: u64) -> String {
        let l = &self.limits;
        // Windows only move forward: a clock that steps back cannot refill the quota.
        let today = day_index(now, l.quota_reset_offset_ms).max(self.quota.day);
        if self.quota.day != today {
            self.quota = Quota {
                day: today,
                calls: 0,
            };
        }
        self.quota.calls += 1;
        let key_day_now = day_index(now, l.call_count_reset_offset_ms);
        if let Some(app) = self.keys.iter_mut().find(|k| &k.key_id == key_id) {
            let day = key_day_now.max(app.call_count_day);
            if app.call_count_day != day {
                app.call_count_day = day;
                app.call_count = 0;
            }
            // Real calls cannot pass 2 × the daily limit in one key window;
            // the cap keeps any accepted state within what `from_json` reads.
            app.call_count = app
                .call_count
                .saturating_add(1)
                .min(l.daily_calls.saturating_mul(2));
            app.last_call_at = Some(app.last_call_at.map_or(now, |t| t.max(now)));
        }
        self.leases.retain(|lease| lease.expires_at > now);
        let id = format!("lease-{}", self.next_lease);
        self.next_lease += 1;
        self.leases.push(Lease {
            id: id.clone(),
            key_id: key_id.clone(),
            expires_at: now + self.limits.lease_ttl_ms,
        });
        id
    }

    fn rehash_if_needed(&mut self, key_id: &KeyId, secret: &Secret) {
        let profile = self.limits.hash_profile;
        if let Some(app) = self.keys.iter_mut().find(|k| &k.key_id == key_id) {
            if needs_rehash(&app.secret_hash, profile) == Ok(true) {
                if let Ok(h) = hash_secret(secret.expose(), profile) {
                    app.secret_hash = h;
                }
            }
        }
    }

    fn view(&self, i: usize, now: u64) -> KeyView {
        let k = &self.keys[i];
        let offset = self.limits.call_count_reset_offset_ms;
        let day = day_index(now, offset).max(k.call_count_day);
        KeyView {
            name: k.name.clone(),
            description: k.description.clone(),
            key_id: k.key_id.clone(),
            access: k.access,
            call_count: if k.call_count_day == day {
                k.call_count
            } else {
                0
            },
            call_count_resets_at: window_end(day, offset),
            last_call_at: k.last_call_at,
            created_at: k.created_at,
            secret_set_at: k.secret_set_at,
            active_connections: self.live_leases(&k.key_id, now).count() as u32,
        }
    }
}
