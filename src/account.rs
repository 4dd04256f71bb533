//! An account and its rules: up to three applications (R2) managed by admins
//! (R3), secrets shown once (R5) and reset at once (R6), one daily quota
//! shared by the keys (R9), each key's call count and last call (R10, R11),
//! and at most three in-flight calls per application (R12).
//!
//! All state is plain data: the caller persists [`Account::to_json`]
//! wherever it lives (see [`crate::state`]). Time is passed in as `now`
//! (epoch milliseconds); nothing here reads a clock.

use crate::access::{check_method, Access};
use crate::actor::Actor;
use crate::application::{
    clean_description, clean_name, Application, IssuedKey, KeyList, KeyUpdate, KeyView, NewKey,
};
use crate::audit::{Action, AuditLog, Changes, Event, Who};
use crate::decision::{Decision, DecisionBuilder};
use crate::error::{Error, Result};
use crate::hashing::{hash_secret, needs_rehash};
use crate::history::{History, Outcome, Usage, HISTORY_DAYS};
use crate::key_id::KeyId;
use crate::lease::Lease;
use crate::limits::{Limits, LimitsPatch};
use crate::pipeline::{authenticate, Header, KeyRecord};
use crate::quota::{count_in, current_day, Quota, QuotaView};
use crate::secret::Secret;
use crate::window::{check_now, seconds_until, window_end, DAY_MS};

/// The most calls one key's count may show: a key's window can overlap two
/// quota windows of the largest limit.
const MAX_CALL_COUNT: u32 = 200_000_000;

/// An account: up to three applications sharing one daily quota.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    pub(crate) limits: Limits,
    pub(crate) quota: Quota,
    pub(crate) next_lease: u64,
    pub(crate) keys: Vec<Application>,
    pub(crate) leases: Vec<Lease>,
    /// Calls and authenticated refusals per key over the last 90 quota
    /// windows; its newest window is the quota's.
    pub(crate) history: History,
    /// The last 200 management events.
    pub(crate) audit: AuditLog,
}

/// What a verifying edge worker caches of one key: the record [`crate::verify`]
/// takes, its version, and whether its hash should be migrated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedKey {
    /// Key ID, hash and access.
    pub record: KeyRecord,
    /// Changes with every change to the record (reset, access change, rehash).
    pub version: u64,
    /// The stored hash differs from the account's profile: send the next
    /// call with its header to [`Account::authorize`], which migrates it.
    pub rehash: bool,
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
        let access = if new.read_only {
            Access::ReadOnly
        } else {
            Access::Full
        };
        self.audit.push(Event::key(
            now,
            Who::from(&actor),
            Action::KeyCreated,
            &key_id,
            &name,
            Changes::created(access),
        ));
        self.keys.push(Application {
            key_id: key_id.clone(),
            name,
            description,
            access,
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
        let event = Event::key(
            now,
            Who::from(&actor),
            Action::SecretReset,
            &app.key_id,
            &app.name,
            None,
        );
        self.audit.push(event);
        let app = &self.keys[i];
        Ok(IssuedKey {
            key_id: app.key_id.clone(),
            secret,
        })
    }

    /// Deletes an application (admin only), freeing its slot and its leases.
    /// Its key ID is unknown from then on; its calls stay in the account's
    /// history (as deleted keys' calls).
    pub fn delete_key(&mut self, actor: Actor, key_id: &str, now: u64) -> Result<()> {
        actor.require_admin()?;
        let now = check_now(now)?;
        let i = self.index_of(key_id)?;
        let removed = self.keys.remove(i);
        self.leases.retain(|l| l.key_id != removed.key_id);
        self.history.remove_key(&removed.key_id);
        self.audit.push(Event::key(
            now,
            Who::from(&actor),
            Action::KeyDeleted,
            &removed.key_id,
            &removed.name,
            None,
        ));
        Ok(())
    }

    /// Edits a key's name, description or access (admin only), checked as
    /// at creation. An access change applies from the next call (calls in
    /// flight finish) and changes the key record's version. Returns the
    /// key's row; an edit that changes nothing writes no audit event.
    pub fn update_key(
        &mut self,
        actor: Actor,
        key_id: &str,
        update: KeyUpdate,
        now: u64,
    ) -> Result<KeyView> {
        actor.require_admin()?;
        let now = check_now(now)?;
        let i = self.index_of(key_id)?;
        let app = &self.keys[i];
        let name = match update.name {
            Some(n) => clean_name(&n)?,
            None => app.name.clone(),
        };
        let description = match update.description {
            Some(d) => clean_description(&d)?,
            None => app.description.clone(),
        };
        let access = match update.read_only {
            Some(true) => Access::ReadOnly,
            Some(false) => Access::Full,
            None => app.access,
        };
        let changes = Changes::key(
            (&app.name, &name),
            (&app.description, &description),
            (app.access, access),
        );
        if let Some(changes) = changes {
            let app = &mut self.keys[i];
            app.name = name;
            app.description = description;
            app.access = access;
            let event = Event::key(
                now,
                Who::from(&actor),
                Action::KeyUpdated,
                &app.key_id,
                &app.name,
                Some(changes),
            );
            self.audit.push(event);
        }
        Ok(self.view(i, now))
    }

    /// Calls per quota window for the last `days` windows (1 to 90), oldest
    /// first, the current one last (admin only): the account's total, each
    /// current key's calls and authenticated refusals by code, and the calls
    /// of keys deleted since. Throws [`Error::InvalidInput`] for `days` out
    /// of range. Changes nothing.
    pub fn usage(&self, actor: Actor, days: u32, now: u64) -> Result<Usage> {
        actor.require_admin()?;
        let now = check_now(now)?;
        if !(1..=HISTORY_DAYS as u32).contains(&days) {
            return Err(Error::InvalidInput);
        }
        let l = &self.limits;
        let offset = l.quota_reset_offset_ms;
        let today = self.quota.day_at(now, offset);
        let keys = self.keys.iter().map(|k| (&k.key_id, k.name.as_str()));
        Ok(self.history.usage(keys, today, days, offset, l.daily_calls))
    }

    /// The audit trail, newest first (admin only): the last 200 key
    /// creations, resets, edits, deletions and limit changes, with who acted.
    /// It holds no secret and no hash.
    pub fn audit_log(&self, actor: Actor, now: u64) -> Result<Vec<&Event>> {
        actor.require_admin()?;
        check_now(now)?;
        Ok(self.audit.newest_first().collect())
    }

    /// Changes some of the limits (admin only; who may is the caller's
    /// policy: at the edge, only the operator). Limits below what is in use
    /// are accepted and the use drains: no new key while the account has
    /// as many as the limit or more, no new call while the quota or the
    /// connections are used up. Returns the limits now in force.
    pub fn set_limits(&mut self, actor: Actor, patch: LimitsPatch, now: u64) -> Result<Limits> {
        actor.require_admin()?;
        let now = check_now(now)?;
        let limits = self.limits.merged(patch)?;
        if let Some(changes) = Changes::limits(&self.limits, &limits) {
            self.audit.push(Event {
                at: now,
                actor: Who::from(&actor),
                action: Action::LimitsChanged,
                key_id: None,
                name: None,
                changes: Some(changes),
            });
        }
        self.limits = limits;
        Ok(self.limits.clone())
    }

    /// What a verifying edge worker caches of a key, or `None` for a key ID
    /// the account does not have.
    pub fn key_record(&self, key_id: &str) -> Option<CachedKey> {
        let app = self.keys.iter().find(|k| k.key_id.as_str() == key_id)?;
        Some(CachedKey {
            record: KeyRecord {
                key_id: app.key_id.clone(),
                secret_hash: app.secret_hash.clone(),
                access: app.access,
            },
            version: app.record_version(),
            rehash: needs_rehash(&app.secret_hash, self.limits.hash_profile) == Ok(true),
        })
    }

    /// Checks one request and, when it is admitted, counts the call and takes
    /// a lease. Never fails: every refusal is a [`Decision`] with its code.
    ///
    /// The pipeline (see [`crate::pipeline`]), then concurrency and the daily
    /// quota. A refusal before the secret is proven (401, 400) changes
    /// nothing; a refusal after it (403, 429) changes only its counter in
    /// the history.
    pub fn authorize(&mut self, header: &str, method: &str, now: u64) -> Decision {
        self.authorize_header(Ok(header), method, now)
    }

    pub(crate) fn authorize_header(
        &mut self,
        header: Header<'_>,
        method: &str,
        now: u64,
    ) -> Decision {
        if check_now(now).is_err() {
            return self.invalid_time();
        }
        let keys = &self.keys;
        let found = authenticate(header, method, |id| {
            keys.iter()
                .find(|k| &k.key_id == id)
                .map(|k| (k.secret_hash.as_str(), k.access))
        });
        match found {
            Ok((key_id, access, secret)) => {
                let d = self.admit_if_room(key_id.clone(), access, now);
                if d.ok() {
                    self.rehash_if_needed(&key_id, &secret);
                }
                d
            }
            Err((e, key_id, access)) => {
                // Only READ_ONLY_KEY comes after the secret verified: the one
                // refusal of the pipeline that history counts (401s never write).
                if let (Error::ReadOnlyKey, Some(id)) = (e, &key_id) {
                    self.record(id, Outcome::ReadOnly, now);
                }
                self.finish(Decision::refuse(e).key(key_id).access(access), now)
            }
        }
    }

    /// Everything [`Account::authorize`] does but the secret check, for a
    /// call whose secret an edge worker has verified against the key's
    /// cached record of `version` ([`Account::key_record`]). A record that is
    /// no longer current is refused with [`Error::StaleKeyRecord`]: refresh
    /// it and decide again.
    pub fn authorize_verified(
        &mut self,
        key_id: &str,
        version: u64,
        method: &str,
        now: u64,
    ) -> Decision {
        if check_now(now).is_err() {
            return self.invalid_time();
        }
        if let Err(e) = check_method(method) {
            return self.finish(Decision::refuse(e), now);
        }
        let Ok(id) = KeyId::parse(key_id) else {
            return self.finish(Decision::refuse(Error::MalformedCredentials), now);
        };
        let Some(app) = self.keys.iter().find(|k| k.key_id == id) else {
            return self.finish(Decision::refuse(Error::UnknownKey).key(Some(id)), now);
        };
        if app.record_version() != version {
            return self.finish(Decision::refuse(Error::StaleKeyRecord).key(Some(id)), now);
        }
        let access = app.access;
        if !access.allows(method) {
            self.record(&id, Outcome::ReadOnly, now);
            let refused = Decision::refuse(Error::ReadOnlyKey).key(Some(id));
            return self.finish(refused.access(Some(access)), now);
        }
        self.admit_if_room(id, access, now)
    }

    pub(crate) fn invalid_time(&self) -> Decision {
        Decision::refuse(Error::InvalidTime).finish(&self.limits.realm)
    }

    /// A refusal with the quota as of `now`, for this account's realm.
    fn finish(&self, d: DecisionBuilder, now: u64) -> Decision {
        d.quota(self.quota_view(now)).finish(&self.limits.realm)
    }

    /// Concurrency, then the daily quota; admitted: count and lease.
    fn admit_if_room(&mut self, key_id: KeyId, access: Access, now: u64) -> Decision {
        let refused = |e| {
            Decision::refuse(e)
                .key(Some(key_id.clone()))
                .access(Some(access))
        };
        let ttl = self.limits.lease_ttl_ms;
        let live = self
            .leases
            .iter()
            .filter(|l| l.key_id == key_id && l.is_live(now, ttl));
        if live.clone().count() >= self.limits.max_connections as usize {
            let first = live.map(|l| l.expires_at).min().unwrap_or(now);
            let d = refused(Error::ConcurrencyLimitExceeded).retry_after(seconds_until(first, now));
            self.record(&key_id, Outcome::Concurrency, now);
            return self.finish(d, now);
        }
        let q = self.quota_view(now);
        if q.remaining == 0 {
            self.record(&key_id, Outcome::DailyLimit, now);
            return self.finish(
                refused(Error::DailyLimitExceeded).retry_after(q.reset_seconds),
                now,
            );
        }
        let lease_id = self.admit(&key_id, now);
        self.finish(Decision::admit(key_id, access).lease(lease_id), now)
    }

    fn index_of(&self, key_id: &str) -> Result<usize> {
        self.keys
            .iter()
            .position(|k| k.key_id.as_str() == key_id)
            .ok_or(Error::UnknownKey)
    }

    fn quota_view(&self, now: u64) -> QuotaView {
        let l = &self.limits;
        self.quota.view(now, l.quota_reset_offset_ms, l.daily_calls)
    }

    /// The quota window of `now` (see [`current_day`]), made the newest
    /// window of the quota and of the history, which move together.
    fn window(&mut self, now: u64) -> u64 {
        let day = self.quota.day_at(now, self.limits.quota_reset_offset_ms);
        if self.quota.day != day {
            self.quota = Quota { day, calls: 0 };
        }
        self.history.align(day);
        day
    }

    /// Counts an authenticated call's outcome in the history: O(1).
    fn record(&mut self, key_id: &KeyId, outcome: Outcome, now: u64) {
        let day = self.window(now);
        self.history.record(key_id, day, outcome);
    }

    /// Counts an admitted call and takes its lease.
    fn admit(&mut self, key_id: &KeyId, now: u64) -> String {
        self.record(key_id, Outcome::Admitted, now);
        self.quota.calls = self.quota.calls.saturating_add(1);
        let l = &self.limits;
        let offset = l.call_count_reset_offset_ms;
        for app in &mut self.keys {
            // Every key's window follows the same clock rule as the quota's,
            // so a wrong clock's far-future windows go all at once.
            let day = current_day(app.call_count_day, now, offset);
            if app.call_count_day != day {
                app.call_count_day = day;
                app.call_count = 0;
            }
            if &app.key_id == key_id {
                app.call_count = app.call_count.saturating_add(1).min(MAX_CALL_COUNT);
                app.last_call_at = Some(match app.last_call_at {
                    Some(t) if t <= now + DAY_MS => t.max(now),
                    _ => now,
                });
            }
        }
        let ttl = l.lease_ttl_ms;
        self.leases.retain(|lease| lease.is_live(now, ttl));
        let id = format!("lease-{}", self.next_lease);
        self.next_lease += 1;
        self.leases.push(Lease {
            id: id.clone(),
            key_id: key_id.clone(),
            expires_at: now + ttl,
            admitted_at: now,
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
        let day = current_day(k.call_count_day, now, offset);
        let ttl = self.limits.lease_ttl_ms;
        KeyView {
            name: k.name.clone(),
            description: k.description.clone(),
            key_id: k.key_id.clone(),
            access: k.access,
            call_count: count_in(k.call_count, k.call_count_day, day),
            call_count_resets_at: window_end(day, offset),
            last_call_at: k.last_call_at,
            created_at: k.created_at,
            secret_set_at: k.secret_set_at,
            active_connections: self
                .leases
                .iter()
                .filter(|l| l.key_id == k.key_id && l.is_live(now, ttl))
                .count() as u32,
        }
    }
}
