//! The package's shapes as JSON (the state, with its history and audit
//! trail since issue 12): each struct's fields in declaration order,
//! with the serde attributes of its derives (`default`, `Option`s that may be
//! absent, unknown keys refused or, for key records, skipped).

use super::{FromJson, Reader, ToJson, Writer};
use crate::access::Access;
use crate::actor::{Actor, Role};
use crate::application::{Application, KeyList, KeyView};
use crate::audit::{actor_id, Action, AuditLog, Change, Changes, Event, Value, CHANGE_FIELDS};
use crate::hashing::Profile;
use crate::history::{DayCounts, History, KeyHistory, KeyUsage, Usage, UsageDay};
use crate::key_id::KeyId;
use crate::lease::Lease;
use crate::limits::{Limits, LimitsPatch};
use crate::pipeline::KeyRecord;
use crate::quota::Quota;

/// `"full"` or `"read-only"` (or `{"full":null}`, see [`Reader::variant`]).
impl FromJson for Access {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.variant(&["full", "read-only"])? {
            0 => Access::Full,
            _ => Access::ReadOnly,
        })
    }
}

impl ToJson for Access {
    fn write(&self, w: &mut Writer) {
        w.string(self.as_str());
    }
}

impl FromJson for KeyId {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        KeyId::parse(&r.string()?).ok()
    }
}

impl ToJson for KeyId {
    fn write(&self, w: &mut Writer) {
        w.string(self.as_str());
    }
}

impl FromJson for Profile {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut p = [0u32; 3];
        r.fields(
            &["memoryKiB", "iterations", "parallelism"],
            false,
            0,
            0,
            &mut |r, i| {
                p[i] = r.u32()?;
                Some(())
            },
        )?;
        Some(Profile {
            memory_kib: p[0],
            iterations: p[1],
            parallelism: p[2],
        })
    }
}

impl ToJson for Profile {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("memoryKiB", &self.memory_kib);
            w.field("iterations", &self.iterations);
            w.field("parallelism", &self.parallelism);
        });
    }
}

const LIMITS_FIELDS: [&str; 8] = [
    "dailyCalls",
    "maxApplications",
    "maxConnections",
    "quotaResetOffsetMs",
    "callCountResetOffsetMs",
    "leaseTtlMs",
    "realm",
    "hashProfile",
];

/// Any subset of the fields: the others keep their defaults.
impl FromJson for Limits {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut l = Limits::default();
        r.fields(&LIMITS_FIELDS, false, u32::MAX, 0, &mut |r, i| {
            match i {
                0 => l.daily_calls = r.u32()?,
                1 => l.max_applications = r.u32()?,
                2 => l.max_connections = r.u32()?,
                3 => l.quota_reset_offset_ms = r.u64()?,
                4 => l.call_count_reset_offset_ms = r.u64()?,
                5 => l.lease_ttl_ms = r.u64()?,
                6 => l.realm = r.string()?,
                _ => l.hash_profile = Profile::read(r)?,
            }
            Some(())
        })?;
        Some(l)
    }
}

impl ToJson for Limits {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field(LIMITS_FIELDS[0], &self.daily_calls);
            w.field(LIMITS_FIELDS[1], &self.max_applications);
            w.field(LIMITS_FIELDS[2], &self.max_connections);
            w.field(LIMITS_FIELDS[3], &self.quota_reset_offset_ms);
            w.field(LIMITS_FIELDS[4], &self.call_count_reset_offset_ms);
            w.field(LIMITS_FIELDS[5], &self.lease_ttl_ms);
            w.field(LIMITS_FIELDS[6], &self.realm);
            w.field(LIMITS_FIELDS[7], &self.hash_profile);
        });
    }
}

/// Every field an `Option` (`null` or absent: unchanged).
impl FromJson for LimitsPatch {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut p = LimitsPatch::default();
        r.fields(&LIMITS_FIELDS, false, 0, u32::MAX, &mut |r, i| {
            match i {
                0 => p.daily_calls = FromJson::read(r)?,
                1 => p.max_applications = FromJson::read(r)?,
                2 => p.max_connections = FromJson::read(r)?,
                3 => p.quota_reset_offset_ms = FromJson::read(r)?,
                4 => p.call_count_reset_offset_ms = FromJson::read(r)?,
                5 => p.lease_ttl_ms = FromJson::read(r)?,
                6 => p.realm = FromJson::read(r)?,
                _ => p.hash_profile = FromJson::read(r)?,
            }
            Some(())
        })?;
        Some(p)
    }
}

impl FromJson for Quota {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut q = Quota::default();
        r.fields(&["day", "calls"], false, 0, 0, &mut |r, i| {
            match i {
                0 => q.day = r.u64()?,
                _ => q.calls = r.u32()?,
            }
            Some(())
        })?;
        Some(q)
    }
}

impl ToJson for Quota {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("day", &self.day);
            w.field("calls", &self.calls);
        });
    }
}

impl FromJson for Application {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let fields = [
            "keyId",
            "name",
            "description",
            "access",
            "secretHash",
            "createdAt",
            "secretSetAt",
            "callCount",
            "callCountDay",
            "lastCallAt",
        ];
        let (mut key_id, mut texts, mut access) = (
            None,
            [String::new(), String::new(), String::new()],
            Access::Full,
        );
        let (mut times, mut call_count, mut last_call_at) = ([0u64; 3], 0, None);
        r.fields(&fields, false, 0, 1 << 9, &mut |r, i| {
            match i {
                0 => key_id = Some(KeyId::read(r)?),
                1 | 2 => texts[i - 1] = r.string()?,
                3 => access = Access::read(r)?,
                4 => texts[2] = r.string()?,
                5 | 6 => times[i - 5] = r.u64()?,
                7 => call_count = r.u32()?,
                8 => times[2] = r.u64()?,
                _ => last_call_at = r.option_u64()?,
            }
            Some(())
        })?;
        let [name, description, secret_hash] = texts;
        Some(Application {
            key_id: key_id?,
            name,
            description,
            access,
            secret_hash,
            created_at: times[0],
            secret_set_at: times[1],
            call_count,
            call_count_day: times[2],
            last_call_at,
        })
    }
}

impl ToJson for Application {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("keyId", &self.key_id);
            w.field("name", &self.name);
            w.field("description", &self.description);
            w.field("access", &self.access);
            w.field("secretHash", &self.secret_hash);
            w.field("createdAt", &self.created_at);
            w.field("secretSetAt", &self.secret_set_at);
            w.field("callCount", &self.call_count);
            w.field("callCountDay", &self.call_count_day);
            w.field("lastCallAt", &self.last_call_at);
        });
    }
}

impl FromJson for Lease {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (mut id, mut key_id, mut times) = (String::new(), None, [0u64; 2]);
        let fields = ["id", "keyId", "expiresAt", "admittedAt"];
        r.fields(&fields, false, 1 << 3, 0, &mut |r, i| {
            match i {
                0 => id = r.string()?,
                1 => key_id = Some(KeyId::read(r)?),
                _ => times[i - 2] = r.u64()?,
            }
            Some(())
        })?;
        Some(Lease {
            id,
            key_id: key_id?,
            expires_at: times[0],
            admitted_at: times[1],
        })
    }
}

impl ToJson for Lease {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("id", &self.id);
            w.field("keyId", &self.key_id);
            w.field("expiresAt", &self.expires_at);
            w.field("admittedAt", &self.admitted_at);
        });
    }
}

/// Other keys are skipped (a worker's record may carry its own).
impl FromJson for KeyRecord {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (mut key_id, mut secret_hash, mut access) = (None, String::new(), Access::Full);
        let fields = ["keyId", "secretHash", "access"];
        r.fields(&fields, true, 1 << 2, 0, &mut |r, i| {
            match i {
                0 => key_id = Some(KeyId::read(r)?),
                1 => secret_hash = r.string()?,
                _ => access = Access::read(r)?,
            }
            Some(())
        })?;
        Some(KeyRecord {
            key_id: key_id?,
            secret_hash,
            access,
        })
    }
}

impl ToJson for KeyView {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("name", &self.name);
            w.field("description", &self.description);
            w.field("keyId", &self.key_id);
            w.field("access", &self.access);
            w.field("callCount", &self.call_count);
            w.field("callCountResetsAt", &self.call_count_resets_at);
            w.field("lastCallAt", &self.last_call_at);
            w.field("createdAt", &self.created_at);
            w.field("secretSetAt", &self.secret_set_at);
            w.field("activeConnections", &self.active_connections);
        });
    }
}

impl ToJson for KeyList {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("callsToday", &self.calls_today);
            w.field("remainingToday", &self.remaining_today);
            w.field("dailyLimit", &self.daily_limit);
            w.field("resetsAt", &self.resets_at);
            w.field("applicationLimit", &self.application_limit);
            w.field("connectionLimit", &self.connection_limit);
            w.field("keys", &self.keys);
        });
    }
}

// Issue 12: the history, the audit trail and `usage`'s answer.

const KEY_HISTORY_FIELDS: [&str; 5] = ["keyId", "calls", "readOnly", "dailyLimit", "concurrency"];

/// The series are `#[serde(default)]`, and left out when empty.
impl FromJson for KeyHistory {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (mut key_id, mut series) = (None, <[Vec<u32>; 4]>::default());
        r.fields(&KEY_HISTORY_FIELDS, false, 0b11110, 0, &mut |r, i| {
            match i {
                0 => key_id = Some(KeyId::read(r)?),
                _ => *series.get_mut(i - 1)? = r.vec(Reader::u32)?,
            }
            Some(())
        })?;
        let [calls, read_only, daily_limit, concurrency] = series;
        Some(KeyHistory {
            key_id: key_id?,
            calls,
            read_only,
            daily_limit,
            concurrency,
        })
    }
}

impl ToJson for KeyHistory {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field(KEY_HISTORY_FIELDS[0], &self.key_id);
            for (name, s) in KEY_HISTORY_FIELDS[1..].iter().zip(self.series()) {
                w.list_field(name, s);
            }
        });
    }
}

/// `deleted` and `keys` are `#[serde(default)]`, and left out when empty.
impl FromJson for History {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut h = History::default();
        r.fields(&["day", "deleted", "keys"], false, 0b110, 0, &mut |r, i| {
            match i {
                0 => h.day = r.u64()?,
                1 => h.deleted = r.vec(Reader::u32)?,
                _ => h.keys = FromJson::read(r)?,
            }
            Some(())
        })?;
        Some(h)
    }
}

impl ToJson for History {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("day", &self.day);
            w.list_field("deleted", &self.deleted);
            if !self.keys.is_empty() {
                w.field("keys", &self.keys);
            }
        });
    }
}

/// A whole number or a string (serde_json's `deserialize_any`: a negative
/// or fractional number, `null`, a boolean, an array or an object is refused).
impl FromJson for Value {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        if r.peek()? == b'"' {
            r.string().map(Value::Text)
        } else {
            r.u64().map(Value::Number)
        }
    }
}

impl ToJson for Value {
    fn write(&self, w: &mut Writer) {
        match self {
            Value::Number(n) => w.u64(*n),
            Value::Text(t) => w.string(t),
        }
    }
}

/// An object of changed fields (serde's `deserialize_map`: no array form),
/// each one of [`CHANGE_FIELDS`] at most once, any order; each value an
/// object (or array) of `from` and `to`, `Option`s without `#[serde(default)]`:
/// absent from an object, not from an array; left out when `None`.
impl FromJson for Changes {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        // `fields` reads an object's keys among CHANGE_FIELDS, each once;
        // only its array form is not a map's.
        (r.peek()? == b'{').then_some(())?;
        let mut c = Changes::default();
        r.fields(&CHANGE_FIELDS, false, u32::MAX, 0, &mut |r, i| {
            let field = *CHANGE_FIELDS.get(i)?;
            let (mut from, mut to) = (None, None);
            r.fields(&["from", "to"], false, 0, 0b11, &mut |r, i| {
                let value = FromJson::read(r)?;
                match i {
                    0 => from = value,
                    _ => to = value,
                }
                Some(())
            })?;
            c.0.push(Change { field, from, to });
            Some(())
        })?;
        Some(c)
    }
}

impl ToJson for Changes {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            for c in &self.0 {
                w.key(c.field);
                w.object(|w| {
                    w.some_field("from", &c.from);
                    w.some_field("to", &c.to);
                });
            }
        });
    }
}

const ROLES: [&str; 2] = ["admin", "user"];

impl FromJson for Role {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.variant(&ROLES)? {
            0 => Role::Admin,
            _ => Role::User,
        })
    }
}

impl ToJson for Role {
    fn write(&self, w: &mut Writer) {
        w.string(self.as_str());
    }
}

/// An event's actor, `{ role, id? }` (`id` is `#[serde(default)]` and left
/// out when `None`); an ID must be one [`crate::actor::ActorId::new`] keeps
/// whole.
/// (`fields` refuses a required field's absence: the placeholders of those
/// never stay.)
impl FromJson for Actor {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let mut actor = Actor::User;
        let mut id: Option<String> = None;
        r.fields(&["role", "id"], false, 0b10, 0, &mut |r, i| {
            match i {
                0 => actor.role = Role::read(r)?,
                _ => id = FromJson::read(r)?,
            }
            Some(())
        })?;
        if let Some(id) = id {
            actor.id = Some(actor_id(&id)?);
        }
        Some(actor)
    }
}

impl ToJson for Actor {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("role", &self.role);
            if let Some(id) = &self.id {
                w.key("id");
                w.string(id.as_str());
            }
        });
    }
}

const ACTIONS: [&str; 5] = [
    "key.created",
    "secret.reset",
    "key.deleted",
    "key.updated",
    "limits.changed",
];

impl FromJson for Action {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.variant(&ACTIONS)? {
            0 => Action::KeyCreated,
            1 => Action::SecretReset,
            2 => Action::KeyDeleted,
            3 => Action::KeyUpdated,
            _ => Action::LimitsChanged,
        })
    }
}

impl ToJson for Action {
    fn write(&self, w: &mut Writer) {
        w.string(ACTIONS.get(*self as usize).copied().unwrap_or_default());
    }
}

const EVENT_FIELDS: [&str; 6] = ["at", "actor", "action", "keyId", "name", "changes"];

/// `keyId`, `name` and `changes` are `#[serde(default)]`, left out when `None`.
impl FromJson for Event {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        // (Placeholders for the required fields, as in `Who`.)
        let mut e = Event {
            at: 0,
            actor: Actor::User,
            action: Action::KeyCreated,
            key_id: None,
            name: None,
            changes: None,
        };
        r.fields(&EVENT_FIELDS, false, 0b111000, 0, &mut |r, i| {
            match i {
                0 => e.at = r.u64()?,
                1 => e.actor = Actor::read(r)?,
                2 => e.action = Action::read(r)?,
                3 => e.key_id = FromJson::read(r)?,
                4 => e.name = FromJson::read(r)?,
                _ => e.changes = FromJson::read(r)?,
            }
            Some(())
        })?;
        Some(e)
    }
}

impl ToJson for Event {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field(EVENT_FIELDS[0], &self.at);
            w.field(EVENT_FIELDS[1], &self.actor);
            w.field(EVENT_FIELDS[2], &self.action);
            w.some_field(EVENT_FIELDS[3], &self.key_id);
            w.some_field(EVENT_FIELDS[4], &self.name);
            w.some_field(EVENT_FIELDS[5], &self.changes);
        });
    }
}

/// `#[serde(transparent)]`: the list of events.
impl FromJson for AuditLog {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(AuditLog {
            events: FromJson::read(r)?,
        })
    }
}

impl ToJson for AuditLog {
    fn write(&self, w: &mut Writer) {
        self.events.write(w);
    }
}

impl ToJson for DayCounts {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("READ_ONLY_KEY", &self.read_only);
            w.field("DAILY_LIMIT_EXCEEDED", &self.daily_limit);
            w.field("CONCURRENCY_LIMIT_EXCEEDED", &self.concurrency);
        });
    }
}

impl ToJson for KeyUsage {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("keyId", &self.key_id);
            w.field("name", &self.name);
            w.field("calls", &self.calls);
            w.field("refused", &self.refused);
        });
    }
}

impl ToJson for UsageDay {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("start", &self.start);
            w.field("end", &self.end);
            w.field("total", &self.total);
            w.field("keys", &self.keys);
            w.field("deletedCalls", &self.deleted_calls);
        });
    }
}

impl ToJson for Usage {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.field("dailyLimit", &self.daily_limit);
            w.field("days", &self.days);
        });
    }
}
