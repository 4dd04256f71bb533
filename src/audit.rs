//! The audit trail: the last [`AUDIT_EVENTS`] management events of an
//! account (key created, secret reset, key deleted, key edited, limits
//! changed), each with its time, who acted, the key and what changed.
//!
//! An event never holds a secret or a hash. Its size is bounded so that a
//! full trail fits the state's budget: names are kept to
//! [`AUDIT_TEXT_BYTES`] bytes of JSON (longer ones are cut and end in `…`),
//! descriptions and the realm are not copied (a change shows as `{}`).

use serde::{Deserialize, Serialize};

use crate::access::Access;
use crate::actor::{Actor, ActorId, Role};
use crate::hashing::Profile;
use crate::key_id::KeyId;
use crate::Limits;

/// How many events the trail keeps; older ones fall out.
pub const AUDIT_EVENTS: usize = 200;
/// The most bytes a name takes in an event, as JSON text (escapes counted).
pub const AUDIT_TEXT_BYTES: usize = 64;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// `key.created`
    #[serde(rename = "key.created")]
    KeyCreated,
    /// `secret.reset`
    #[serde(rename = "secret.reset")]
    SecretReset,
    /// `key.deleted`
    #[serde(rename = "key.deleted")]
    KeyDeleted,
    /// `key.updated`: name, description or access edited.
    #[serde(rename = "key.updated")]
    KeyUpdated,
    /// `limits.changed`
    #[serde(rename = "limits.changed")]
    LimitsChanged,
}

/// Who acted: the actor's role and, when the caller named it, its ID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Who {
    /// The role.
    pub role: Role,
    /// The actor's ID (e.g. an admin token's subject), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl From<&Actor> for Who {
    fn from(a: &Actor) -> Who {
        Who {
            role: a.role,
            id: a.id.map(|id| id.as_str().to_owned()),
        }
    }
}

/// Whether `id` is an actor ID as [`ActorId::new`] keeps it (trimmed, at most
/// [`crate::actor::MAX_ACTOR_ID_BYTES`], no control character, `"` or `\`):
/// stored whole, never mistaken for another.
pub fn is_actor_id(id: &str) -> bool {
    matches!(ActorId::new(id), Ok(Some(a)) if a.as_str() == id)
}

/// A field's value before and after. Both absent: the field changed but its
/// text is not kept (descriptions, the realm).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change<T> {
    /// The value before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<T>,
    /// The value after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<T>,
}

impl<T> Change<T> {
    fn of(from: T, to: T) -> Option<Change<T>> {
        Some(Change {
            from: Some(from),
            to: Some(to),
        })
    }

    fn values(&self) -> impl Iterator<Item = &T> {
        self.from.iter().chain(self.to.iter())
    }
}

/// What changed, field by field (only the fields that did).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(missing_docs)] // each field is the key's or the limits' field of that name
pub struct Changes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Change<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Change<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Change<Access>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_calls: Option<Change<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_applications: Option<Change<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<Change<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota_reset_offset_ms: Option<Change<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_count_reset_offset_ms: Option<Change<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_ttl_ms: Option<Change<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<Change<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_profile: Option<Change<ProfileText>>,
}

fn unkept<T>(changed: bool) -> Option<Change<T>> {
    changed.then_some(Change {
        from: None,
        to: None,
    })
}

fn number<T: PartialEq + Into<u64>>(from: T, to: T) -> Option<Change<u64>> {
    if from == to {
        None
    } else {
        Change::of(from.into(), to.into())
    }
}

impl Changes {
    /// A new key's access.
    pub fn created(access: Access) -> Option<Changes> {
        Some(Changes {
            access: Some(Change {
                from: None,
                to: Some(access),
            }),
            ..Changes::default()
        })
    }

    /// The edits of a key: names (cut to [`AUDIT_TEXT_BYTES`]), whether the
    /// description changed, access. `None` when nothing changed.
    pub fn key(
        name: (&str, &str),
        description: (&str, &str),
        access: (Access, Access),
    ) -> Option<Changes> {
        let c = Changes {
            name: (name.0 != name.1).then(|| Change {
                from: Some(clip(name.0)),
                to: Some(clip(name.1)),
            }),
            description: unkept(description.0 != description.1),
            access: if access.0 == access.1 {
                None
            } else {
                Change::of(access.0, access.1)
            },
            ..Changes::default()
        };
        (c != Changes::default()).then_some(c)
    }

    /// The differences between two sets of limits; `None` when there are none.
    pub fn limits(from: &Limits, to: &Limits) -> Option<Changes> {
        let c = Changes {
            daily_calls: number(from.daily_calls, to.daily_calls),
            max_applications: number(from.max_applications, to.max_applications),
            max_connections: number(from.max_connections, to.max_connections),
            quota_reset_offset_ms: number(from.quota_reset_offset_ms, to.quota_reset_offset_ms),
            call_count_reset_offset_ms: number(
                from.call_count_reset_offset_ms,
                to.call_count_reset_offset_ms,
            ),
            lease_ttl_ms: number(from.lease_ttl_ms, to.lease_ttl_ms),
            realm: unkept(from.realm != to.realm),
            hash_profile: if from.hash_profile == to.hash_profile {
                None
            } else {
                Change::of(ProfileText(from.hash_profile), ProfileText(to.hash_profile))
            },
            ..Changes::default()
        };
        (c != Changes::default()).then_some(c)
    }

    fn valid(&self) -> bool {
        const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
        let numbers = [
            &self.daily_calls,
            &self.max_applications,
            &self.max_connections,
            &self.quota_reset_offset_ms,
            &self.call_count_reset_offset_ms,
            &self.lease_ttl_ms,
        ];
        let unkept_ok =
            |c: &Option<Change<String>>| c.as_ref().is_none_or(|c| c.values().next().is_none());
        self.name
            .iter()
            .flat_map(Change::values)
            .all(|n| is_clipped_name(n))
            && unkept_ok(&self.description)
            && unkept_ok(&self.realm)
            && numbers
                .into_iter()
                .flatten()
                .flat_map(Change::values)
                .all(|n| *n <= MAX_SAFE_INTEGER)
            && self
                .hash_profile
                .iter()
                .flat_map(Change::values)
                .all(|p| p.0.validate().is_ok())
    }

    /// Whether only key fields are set (no limits).
    fn is_key_change(&self) -> bool {
        Changes {
            name: None,
            description: None,
            access: None,
            ..self.clone()
        } == Changes::default()
    }
}

/// A hash profile as its PHC parameters, `m=65536,t=2,p=1`: a third of the
/// size of the object form, which an event at its longest cannot afford.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProfileText(pub Profile);

impl Serialize for ProfileText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let text = format!("m={},t={},p={}", p.memory_kib, p.iterations, p.parallelism);
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for ProfileText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let mut parts = text.split(',');
        let mut field = |name: &str| {
            parts
                .next()
                .and_then(|p| p.strip_prefix(name))
                .and_then(|n| n.parse::<u32>().ok())
        };
        match (field("m="), field("t="), field("p="), parts.next()) {
            (Some(m), Some(t), Some(p), None) => Ok(ProfileText(Profile {
                memory_kib: m,
                iterations: t,
                parallelism: p,
            })),
            _ => Err(serde::de::Error::custom("not m=…,t=…,p=…")),
        }
    }
}

/// One management event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Event {
    /// When, epoch ms.
    pub at: u64,
    /// Who acted.
    pub actor: Who,
    /// What happened.
    pub action: Action,
    /// The key it happened to (absent for `limits.changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<KeyId>,
    /// The key's name after the event (cut to [`AUDIT_TEXT_BYTES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What changed (`key.created`: the access; `key.updated`, `limits.changed`: from and to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

impl Event {
    /// An event about a key; `name` is cut to [`AUDIT_TEXT_BYTES`].
    pub fn key(
        at: u64,
        actor: Who,
        action: Action,
        key_id: &KeyId,
        name: &str,
        changes: Option<Changes>,
    ) -> Event {
        Event {
            at,
            actor,
            action,
            key_id: Some(key_id.clone()),
            name: Some(clip(name)),
            changes,
        }
    }

    fn valid(&self, max_time: u64) -> bool {
        let key_event = self.action != Action::LimitsChanged;
        self.at <= max_time
            && self.actor.id.as_deref().is_none_or(is_actor_id)
            && self.key_id.is_some() == key_event
            && self.name.is_some() == key_event
            && self.name.as_deref().is_none_or(is_clipped_name)
            && self
                .changes
                .as_ref()
                .is_none_or(|c| c.valid() && c.is_key_change() == key_event)
    }
}

/// The bytes `c` takes inside a JSON string as serde_json writes it.
fn json_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\t' | '\r' | '\u{8}' | '\u{c}' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// `text` whole if it fits [`AUDIT_TEXT_BYTES`] as JSON, else its longest
/// head that fits with a final `…`.
pub fn clip(text: &str) -> String {
    if text.chars().map(json_len).sum::<usize>() <= AUDIT_TEXT_BYTES {
        return text.to_owned();
    }
    let mut used = '…'.len_utf8();
    let mut out = String::new();
    for c in text.chars() {
        used += json_len(c);
        if used > AUDIT_TEXT_BYTES {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn is_clipped_name(text: &str) -> bool {
    text.chars().map(json_len).sum::<usize>() <= AUDIT_TEXT_BYTES
        && !text.chars().any(char::is_control)
}

/// The trail, oldest first, at most [`AUDIT_EVENTS`] long.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditLog {
    events: Vec<Event>,
}

impl AuditLog {
    /// Appends an event; the oldest falls out past [`AUDIT_EVENTS`].
    pub fn push(&mut self, event: Event) {
        if self.events.len() >= AUDIT_EVENTS {
            let extra = self.events.len() + 1 - AUDIT_EVENTS;
            self.events.drain(..extra);
        }
        self.events.push(event);
    }

    /// The events, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().rev()
    }

    /// How many events are kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Checks a trail read from outside: at most [`AUDIT_EVENTS`] events,
    /// times up to `max_time`, actor IDs and names within bounds, changes that
    /// fit their action.
    pub fn validate(&self, max_time: u64) -> bool {
        self.events.len() <= AUDIT_EVENTS && self.events.iter().all(|e| e.valid(max_time))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin(id: &str) -> Who {
        Who {
            role: Role::Admin,
            id: Some(id.to_owned()),
        }
    }

    fn key_id() -> KeyId {
        KeyId::parse("PFK-00000001-0000-4000-8000-000000000000").unwrap()
    }

    #[test]
    fn keeps_the_last_200_events_newest_first() {
        let mut log = AuditLog::default();
        for at in 0..250u64 {
            log.push(Event::key(
                at,
                admin("a"),
                Action::SecretReset,
                &key_id(),
                "n",
                None,
            ));
        }
        assert_eq!(log.len(), AUDIT_EVENTS);
        let ats: Vec<u64> = log.newest_first().map(|e| e.at).collect();
        assert_eq!((ats[0], ats[199]), (249, 50));
        assert!(log.validate(249));
        assert!(!log.validate(248), "a time past the maximum");
        let mut over = log.clone();
        over.events.push(over.events[0].clone());
        assert!(!over.validate(u64::MAX), "201 events");
    }

    #[test]
    fn names_are_cut_to_their_byte_budget() {
        assert_eq!(clip("Salesforce"), "Salesforce");
        let ascii = "x".repeat(AUDIT_TEXT_BYTES);
        assert_eq!(clip(&ascii), ascii);
        let long = "x".repeat(100);
        let cut = clip(&long);
        assert_eq!(cut.chars().count(), AUDIT_TEXT_BYTES - 2);
        assert!(cut.ends_with('…') && is_clipped_name(&cut));
        for text in ["\"".repeat(100), "😀".repeat(100), "日本".repeat(50)] {
            let cut = clip(&text);
            let json = serde_json::to_string(&cut).unwrap();
            assert!(json.len() <= AUDIT_TEXT_BYTES + 2, "{} {json}", json.len());
            assert!(is_clipped_name(&cut));
        }
    }

    #[test]
    fn actor_ids_are_kept_whole_within_64_bytes() {
        assert!(is_actor_id("operator"));
        assert!(is_actor_id("auth0|5f7c8ec7c33c6c004bbafe82"));
        assert!(is_actor_id("josé@example.com"));
        assert!(is_actor_id(&"a".repeat(64)));
        let too_long = "a".repeat(65);
        for bad in ["", " a", "a\"b", "a\\b", "tab\t", &too_long] {
            assert!(!is_actor_id(bad), "{bad:?}");
        }
        let who = Who::from(&Actor::Admin.with_id(" alice ").unwrap());
        assert_eq!(
            serde_json::to_string(&who).unwrap(),
            r#"{"role":"admin","id":"alice"}"#
        );
        let anonymous = Who::from(&Actor::Admin);
        assert_eq!(
            serde_json::to_string(&anonymous).unwrap(),
            r#"{"role":"admin"}"#
        );
    }

    #[test]
    fn key_changes_name_only_the_fields_that_changed() {
        use Access::{Full, ReadOnly};
        assert_eq!(Changes::key(("a", "a"), ("d", "d"), (Full, Full)), None);
        let c = Changes::key(("a", "b"), ("d", "e"), (Full, ReadOnly)).unwrap();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"name":{"from":"a","to":"b"},"description":{},"access":{"from":"full","to":"read-only"}}"#
        );
        let c = Changes::key(("a", "a"), ("", "secret plans"), (Full, Full)).unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            !json.contains("secret plans"),
            "descriptions are not copied"
        );
    }

    #[test]
    fn limit_changes_from_and_to() {
        let from = Limits::default();
        assert_eq!(Changes::limits(&from, &from), None);
        let to = Limits {
            daily_calls: 5000,
            realm: "other".into(),
            ..Limits::default()
        };
        let c = Changes::limits(&from, &to).unwrap();
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"dailyCalls":{"from":2500,"to":5000},"realm":{}}"#
        );
    }

    #[test]
    fn validation_refuses_what_the_library_never_writes() {
        let good = Event::key(1, admin("a"), Action::KeyCreated, &key_id(), "n", None);
        let ok = |e: &Event| {
            let mut log = AuditLog::default();
            log.push(e.clone());
            log.validate(10)
        };
        assert!(ok(&good));
        let mut e = good.clone();
        e.actor.id = Some("x".repeat(65));
        assert!(!ok(&e));
        let mut e = good.clone();
        e.name = Some("x".repeat(65));
        assert!(!ok(&e));
        let mut e = good.clone();
        e.name = None;
        assert!(!ok(&e), "a key event without its name");
        let mut e = good.clone();
        e.action = Action::LimitsChanged;
        assert!(!ok(&e), "limits.changed about a key");
        let mut e = good.clone();
        e.changes = Some(Changes {
            description: Some(Change {
                from: Some("kept".into()),
                to: None,
            }),
            ..Changes::default()
        });
        assert!(!ok(&e), "a description's text");
        let mut e = good.clone();
        e.changes = Changes::limits(
            &Limits::default(),
            &Limits {
                daily_calls: 1,
                ..Limits::default()
            },
        );
        assert!(!ok(&e), "limits on a key event");
        let mut e = good;
        e.changes = Some(Changes {
            lease_ttl_ms: Change::of(1, 1 << 53),
            ..Changes::default()
        });
        assert!(!ok(&e));
        assert!(serde_json::from_str::<AuditLog>(
            r#"[{"at":1,"actor":{"role":"admin"},"action":"key.exploded"}]"#
        )
        .is_err());
        assert!(serde_json::from_str::<AuditLog>(
            r#"[{"at":1,"actor":{"role":"admin","hash":"x"},"action":"limits.changed"}]"#
        )
        .is_err());
    }

    /// What 200 events may take of the 128 KiB budget beside the rest of a
    /// full state (about 23 KiB: three keys at their longest, 90 full days).
    const MAX_EVENT_JSON: usize = 520;

    #[test]
    fn profiles_as_text() {
        let p = ProfileText(Profile::STRONG);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, r#""m=19456,t=2,p=1""#);
        assert_eq!(serde_json::from_str::<ProfileText>(&json).unwrap(), p);
        for bad in [
            r#""m=1,t=2""#,
            r#""m=1,t=2,p=3,x=4""#,
            r#""t=1,m=2,p=3""#,
            r#""m=-1,t=2,p=3""#,
            "3",
        ] {
            assert!(serde_json::from_str::<ProfileText>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_longest_events_stay_within_their_budget() {
        let long_name = "\"".repeat(100);
        let who = admin(&"a".repeat(crate::actor::MAX_ACTOR_ID_BYTES));
        let updated = Event::key(
            crate::window::MAX_TIME_MS,
            who.clone(),
            Action::KeyUpdated,
            &key_id(),
            &long_name,
            Changes::key(
                (&"😀".repeat(100), &long_name),
                ("a", "b"),
                (Access::ReadOnly, Access::Full),
            ),
        );
        let weird = Profile {
            memory_kib: 65_536,
            iterations: 16,
            parallelism: 16,
        };
        let to = Limits {
            daily_calls: 100_000_000,
            max_applications: 100,
            max_connections: 1000,
            quota_reset_offset_ms: 86_399_999,
            call_count_reset_offset_ms: 86_399_998,
            lease_ttl_ms: 86_400_000,
            realm: "r".repeat(64),
            hash_profile: weird,
        };
        let from = Limits {
            daily_calls: 99_999_999,
            max_applications: 99,
            max_connections: 999,
            quota_reset_offset_ms: 86_399_998,
            call_count_reset_offset_ms: 86_399_999,
            lease_ttl_ms: 86_399_999,
            realm: "s".repeat(64),
            hash_profile: Profile {
                memory_kib: 65_535,
                iterations: 15,
                parallelism: 15,
            },
        };
        let limits = Event {
            at: crate::window::MAX_TIME_MS,
            actor: who,
            action: Action::LimitsChanged,
            key_id: None,
            name: None,
            changes: Changes::limits(&from, &to),
        };
        for e in [updated, limits] {
            let json = serde_json::to_string(&e).unwrap();
            assert!(json.len() <= MAX_EVENT_JSON, "{} bytes: {json}", json.len());
            let back: Event = serde_json::from_str(&json).unwrap();
            assert_eq!(back, e);
        }
    }
}
