//! The package's shapes as JSON: each struct's fields in declaration order,
//! with the serde attributes of its derives (`default`, `Option`s that may be
//! absent, unknown keys refused or, for key records, skipped).
//!
//! The history and the audit trail (state version 2) write and read
//! themselves in `history.rs` and `audit.rs`, next to the private fields
//! that keep their bounds.

use super::{FromJson, Reader, ToJson, Writer};
use crate::access::Access;
use crate::application::{Application, KeyList, KeyView};
use crate::hashing::Profile;
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
