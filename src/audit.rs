//! The audit trail: the last [`AUDIT_EVENTS`] management events of an
//! account (key created, secret reset, key deleted, key edited, limits
//! changed), each with its time, who acted, the key and what changed.
//!
//! An event never holds a secret or a hash. Its size is bounded so that a
//! full trail fits the state's budget: names are kept to
//! [`AUDIT_TEXT_BYTES`] bytes of JSON (longer ones are cut and end in `…`);
//! descriptions, the realm and the hash profile are not copied (a change
//! shows as `{}`).

use serde::{Deserialize, Serialize};

use crate::access::Access;
use crate::actor::{Actor, ActorId, Role};
use crate::json::{FromJson, Reader, ToJson, Writer};
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

/// Whether `id` is an actor ID as [`ActorId::new`] keeps it (trimmed, at most
/// [`crate::actor::MAX_ACTOR_ID_BYTES`], no control character, `"` or `\`):
/// stored whole, never mistaken for another.
pub fn is_actor_id(id: &str) -> bool {
    actor_id(id).is_some()
}

/// The [`ActorId`] of `id` when [`is_actor_id`].
fn actor_id(id: &str) -> Option<ActorId> {
    ActorId::new(id).ok().flatten().filter(|a| a.as_str() == id)
}

/// An event's actor as JSON: `{ "role": "admin", "id": "alice" }` (no `id`
/// when none was given).
impl Serialize for Actor {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shape<'a> {
            role: Role,
            #[serde(skip_serializing_if = "Option::is_none")]
            id: Option<&'a str>,
        }
        let id = self.id.as_ref().map(ActorId::as_str);
        Shape {
            role: self.role,
            id,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Shape {
            role: Role,
            #[serde(default)]
            id: Option<String>,
        }
        let Shape { role, id } = Shape::deserialize(d)?;
        let id = match id {
            Some(id) => Some(actor_id(&id).ok_or_else(|| serde::de::Error::custom("actor id"))?),
            None => None,
        };
        Ok(Actor { role, id })
    }
}

/// A value before or after a change: a number (a limit), or a text (a
/// name, an access level).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A limit.
    Number(u64),
    /// A name, `"full"` or `"read-only"`.
    Text(String),
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Number(n) => s.serialize_u64(*n),
            Value::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Value;
            fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
                f.write_str("a whole number or a string")
            }
            fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
                Ok(Value::Number(n))
            }
            fn visit_str<E>(self, t: &str) -> Result<Value, E> {
                Ok(Value::Text(t.to_owned()))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// One changed field: its name (one of [`CHANGE_FIELDS`]) and its value
/// before and after. Both absent: the field changed but its value is not
/// kept (descriptions, the realm, the hash profile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The field, as JSON names it.
    pub field: &'static str,
    /// The value before.
    pub from: Option<Value>,
    /// The value after.
    pub to: Option<Value>,
}

fn text(t: &str) -> Value {
    Value::Text(t.to_owned())
}

/// What changed: one entry per field that did (the library writes them in
/// [`CHANGE_FIELDS`] order).
/// As JSON, an object: `{ "name": { "from": "a", "to": "b" }, "description": {} }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes(pub Vec<Change>);

/// The fields a change may name, in order: the key's first (0 to 2), then
/// the limits'.
pub const CHANGE_FIELDS: [&str; 11] = [
    "name",
    "description",
    "access",
    "dailyCalls",
    "maxApplications",
    "maxConnections",
    "quotaResetOffsetMs",
    "callCountResetOffsetMs",
    "leaseTtlMs",
    "realm",
    "hashProfile",
];

impl Changes {
    /// The change of `field`, if it changed.
    pub fn get(&self, field: &str) -> Option<&Change> {
        self.0.iter().find(|c| c.field == field)
    }

    fn push(&mut self, field: usize, from: Option<Value>, to: Option<Value>) {
        let field = CHANGE_FIELDS[field % CHANGE_FIELDS.len()];
        self.0.push(Change { field, from, to });
    }

    fn any(self) -> Option<Changes> {
        (!self.0.is_empty()).then_some(self)
    }

    /// A new key's access.
    pub fn created(access: Access) -> Option<Changes> {
        let mut c = Changes::default();
        c.push(2, None, Some(text(access.as_str())));
        Some(c)
    }

    /// The edits of a key: names (cut to [`AUDIT_TEXT_BYTES`]), whether the
    /// description changed, access. `None` when nothing changed.
    pub fn key(
        name: (&str, &str),
        description: (&str, &str),
        access: (Access, Access),
    ) -> Option<Changes> {
        let mut c = Changes::default();
        if name.0 != name.1 {
            c.push(
                0,
                Some(Value::Text(clip(name.0))),
                Some(Value::Text(clip(name.1))),
            );
        }
        if description.0 != description.1 {
            c.push(1, None, None);
        }
        if access.0 != access.1 {
            c.push(
                2,
                Some(text(access.0.as_str())),
                Some(text(access.1.as_str())),
            );
        }
        c.any()
    }

    /// The differences between two sets of limits; `None` when there are none.
    pub fn limits(from: &Limits, to: &Limits) -> Option<Changes> {
        let numbers = |l: &Limits| {
            [
                u64::from(l.daily_calls),
                u64::from(l.max_applications),
                u64::from(l.max_connections),
                l.quota_reset_offset_ms,
                l.call_count_reset_offset_ms,
                l.lease_ttl_ms,
            ]
        };
        let mut c = Changes::default();
        for (i, (a, b)) in numbers(from).into_iter().zip(numbers(to)).enumerate() {
            if a != b {
                c.push(3 + i, Some(Value::Number(a)), Some(Value::Number(b)));
            }
        }
        if from.realm != to.realm {
            c.push(9, None, None);
        }
        if from.hash_profile != to.hash_profile {
            c.push(10, None, None);
        }
        c.any()
    }

    /// Whether every change is one the library writes: each field once,
    /// only the key's in a key event and only limits in `limits.changed`,
    /// each value of its field's kind and within bounds, no description,
    /// realm or profile value.
    fn valid(&self, key_event: bool) -> bool {
        const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
        self.0.iter().enumerate().all(|(n, c)| {
            let Some(i) = CHANGE_FIELDS.iter().position(|f| *f == c.field) else {
                return false;
            };
            let value_ok = |v: &Value| match (i, v) {
                (0, Value::Text(t)) => is_clipped_name(t),
                (2, Value::Text(t)) => t == "full" || t == "read-only",
                (3..=8, Value::Number(n)) => *n <= MAX_SAFE_INTEGER,
                _ => false,
            };
            let once = !self.0.iter().take(n).any(|o| o.field == c.field);
            once && (i < 3) == key_event && c.from.iter().chain(&c.to).all(value_ok)
        })
    }
}

impl Serialize for Changes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(Serialize)]
        struct Values<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            from: &'a Option<Value>,
            #[serde(skip_serializing_if = "Option::is_none")]
            to: &'a Option<Value>,
        }
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for c in &self.0 {
            let values = Values {
                from: &c.from,
                to: &c.to,
            };
            map.serialize_entry(c.field, &values)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Changes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Values {
            from: Option<Value>,
            to: Option<Value>,
        }
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Changes;
            fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
                f.write_str("an object of changed fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Changes, A::Error> {
                let mut c = Changes::default();
                while let Some(key) = m.next_key::<String>()? {
                    let Some(i) = CHANGE_FIELDS.iter().position(|f| *f == key) else {
                        return Err(serde::de::Error::unknown_field(&key, &CHANGE_FIELDS));
                    };
                    if c.get(&key).is_some() {
                        return Err(serde::de::Error::custom("duplicate field"));
                    }
                    let v: Values = m.next_value()?;
                    c.push(i, v.from, v.to);
                }
                Ok(c)
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// One management event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Event {
    /// When, epoch ms.
    pub at: u64,
    /// Who acted.
    pub actor: Actor,
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
        actor: Actor,
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
            && self.key_id.is_some() == key_event
            && self.name.is_some() == key_event
            && self.name.as_deref().is_none_or(is_clipped_name)
            && self.changes.as_ref().is_none_or(|c| c.valid(key_event))
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

/// The trail, newest first (as `auditLog` returns it and the state holds
/// it), at most [`AUDIT_EVENTS`] long.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditLog {
    events: Vec<Event>,
}

impl AuditLog {
    /// Adds an event in front; the oldest falls out past [`AUDIT_EVENTS`].
    pub fn push(&mut self, event: Event) {
        self.events.insert(0, event);
        self.events.truncate(AUDIT_EVENTS);
    }

    /// The events, newest first.
    pub fn events(&self) -> &[Event] {
        &self.events
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

// JSON through `crate::json`: the same text as the serde impls above
// (checked in the tests below), at a fraction of the code size.

const ACTIONS: [(Action, &str); 5] = [
    (Action::KeyCreated, "key.created"),
    (Action::SecretReset, "secret.reset"),
    (Action::KeyDeleted, "key.deleted"),
    (Action::KeyUpdated, "key.updated"),
    (Action::LimitsChanged, "limits.changed"),
];

impl ToJson for Action {
    fn write(&self, w: &mut Writer) {
        let name = ACTIONS
            .iter()
            .find(|(a, _)| a == self)
            .map_or("", |(_, n)| n);
        w.string(name);
    }
}

impl FromJson for Action {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        // The name, or serde_json's `{"name":null}` form of a unit variant.
        let i = r.variant(&ACTIONS.map(|(_, n)| n))?;
        ACTIONS.get(i).map(|(a, _)| *a)
    }
}

/// Writes `name: value` when there is a value (`skip_serializing_if = "Option::is_none"`).
fn some<T: ToJson>(w: &mut Writer, name: &str, value: &Option<T>) {
    if let Some(v) = value {
        w.field(name, v);
    }
}

impl ToJson for Actor {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.key("role");
            w.string(self.role.as_str());
            if let Some(id) = &self.id {
                w.key("id");
                w.string(id.as_str());
            }
        });
    }
}

impl FromJson for Actor {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (mut role, mut id) = (None, None);
        r.fields(&["role", "id"], false, 0b10, 0, &mut |r, i| {
            match i {
                0 => {
                    role = Some(match r.variant(&["admin", "user"])? {
                        0 => Role::Admin,
                        _ => Role::User,
                    })
                }
                _ if r.null()? => id = None,
                _ => id = Some(actor_id(&r.string()?)?),
            }
            Some(())
        })?;
        Some(Actor { role: role?, id })
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

impl FromJson for Value {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        if r.peek()? == b'"' {
            r.string().map(Value::Text)
        } else {
            r.u64().map(Value::Number)
        }
    }
}

impl ToJson for Changes {
    fn write(&self, w: &mut Writer) {
        w.object(|w| {
            for c in &self.0 {
                w.key(c.field);
                w.object(|w| {
                    some(w, "from", &c.from);
                    some(w, "to", &c.to);
                });
            }
        });
    }
}

/// An object only (as the serde impl's map).
impl FromJson for Changes {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        (r.peek()? == b'{').then_some(())?;
        let mut c = Changes::default();
        r.fields(&CHANGE_FIELDS, false, (1 << 11) - 1, 0, &mut |r, i| {
            let mut v = [None, None];
            r.fields(&["from", "to"], false, 0, 0b11, &mut |r, j| {
                v[j] = FromJson::read(r)?;
                Some(())
            })?;
            let [from, to] = v;
            c.push(i, from, to);
            Some(())
        })?;
        Some(c)
    }
}

const EVENT_FIELDS: [&str; 6] = ["at", "actor", "action", "keyId", "name", "changes"];

impl ToJson for Event {
    fn write(&self, w: &mut Writer) {
        let f = &EVENT_FIELDS;
        w.object(|w| {
            w.field(f[0], &self.at);
            w.field(f[1], &self.actor);
            w.field(f[2], &self.action);
            some(w, f[3], &self.key_id);
            some(w, f[4], &self.name);
            some(w, f[5], &self.changes);
        });
    }
}

impl FromJson for Event {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let (mut at, mut actor, mut action) = (0, None, None);
        let (mut key_id, mut name, mut changes) = (None, None, None);
        r.fields(&EVENT_FIELDS, false, 0b111000, 0, &mut |r, i| {
            match i {
                0 => at = r.u64()?,
                1 => actor = Some(Actor::read(r)?),
                2 => action = Some(Action::read(r)?),
                3 => key_id = FromJson::read(r)?,
                4 => name = FromJson::read(r)?,
                _ => changes = FromJson::read(r)?,
            }
            Some(())
        })?;
        Some(Event {
            at,
            actor: actor?,
            action: action?,
            key_id,
            name,
            changes,
        })
    }
}

impl ToJson for AuditLog {
    fn write(&self, w: &mut Writer) {
        Events(&self.events).write(w);
    }
}

impl FromJson for AuditLog {
    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(AuditLog {
            events: FromJson::read(r)?,
        })
    }
}

/// Events as a JSON array (the state's trail, `auditLog`'s result).
pub(crate) struct Events<'a>(pub &'a [Event]);

impl ToJson for Events<'_> {
    fn write(&self, w: &mut Writer) {
        w.open(b'[', |w| self.0.iter().for_each(|e| e.write(w)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::Profile;

    fn admin(id: &str) -> Actor {
        Actor::Admin.with_id(id).unwrap()
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
        let ats: Vec<u64> = log.events().iter().map(|e| e.at).collect();
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
        let who = Actor::Admin.with_id(" alice ").unwrap();
        assert_eq!(
            serde_json::to_string(&who).unwrap(),
            r#"{"role":"admin","id":"alice"}"#
        );
        assert_eq!(
            serde_json::to_string(&Actor::Admin).unwrap(),
            r#"{"role":"admin"}"#
        );
        for bad in [
            r#"{"role":"admin","id":" a"}"#,
            r#"{"role":"admin","id":""}"#,
            r#"{"role":"admin","id":"a\"b"}"#,
            r#"{"role":"root"}"#,
            r#"{"role":"admin","x":1}"#,
        ] {
            assert!(serde_json::from_str::<Actor>(bad).is_err(), "{bad}");
        }
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
        e.name = Some("x".repeat(65));
        assert!(!ok(&e));
        let mut e = good.clone();
        e.name = None;
        assert!(!ok(&e), "a key event without its name");
        let mut e = good.clone();
        e.action = Action::LimitsChanged;
        assert!(!ok(&e), "limits.changed about a key");
        let mut e = good.clone();
        let mut c = Changes::default();
        c.push(1, Some(text("kept")), None);
        e.changes = Some(c);
        assert!(!ok(&e), "a description's text");
        let mut e = good.clone();
        let mut c = Changes::default();
        c.push(2, None, Some(text("full")));
        c.push(0, None, Some(text("a")));
        e.changes = Some(c.clone());
        assert!(ok(&e), "in any order (a JSON store may sort keys)");
        c.push(2, None, Some(text("full")));
        e.changes = Some(c);
        assert!(!ok(&e), "a field twice");
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
        e.action = Action::LimitsChanged;
        e.key_id = None;
        e.name = None;
        let mut c = Changes::default();
        c.push(8, Some(Value::Number(1)), Some(Value::Number(1 << 53)));
        e.changes = Some(c);
        assert!(!ok(&e), "a number past JS's safe integers");
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
    fn the_longest_events_stay_within_their_budget() {
        let long_name = "\"".repeat(100);
        let who = admin(&"a".repeat(crate::actor::MAX_ACTOR_ID_BYTES));
        let updated = Event::key(
            crate::window::MAX_TIME_MS,
            who,
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

    #[test]
    fn json_is_the_serde_text() {
        let mut log = AuditLog::default();
        let k = key_id();
        log.push(Event::key(
            1,
            admin("a"),
            Action::KeyCreated,
            &k,
            "n\"é",
            Changes::created(Access::ReadOnly),
        ));
        log.push(Event::key(
            2,
            Actor::Admin,
            Action::SecretReset,
            &k,
            "n",
            None,
        ));
        let edit = Changes::key(("a", "b"), ("x", "y"), (Access::Full, Access::ReadOnly));
        log.push(Event::key(3, admin("b"), Action::KeyUpdated, &k, "b", edit));
        log.push(Event::key(4, admin("b"), Action::KeyDeleted, &k, "b", None));
        let to = Limits {
            daily_calls: 7,
            realm: "r".into(),
            lease_ttl_ms: 5000,
            hash_profile: Profile::STRONG,
            ..Limits::default()
        };
        log.push(Event {
            at: 5,
            actor: admin("operator"),
            action: Action::LimitsChanged,
            key_id: None,
            name: None,
            changes: Changes::limits(&Limits::default(), &to),
        });
        let text = serde_json::to_string(&log).unwrap();
        assert_eq!(ToJson::to_json(&log), text);
        assert_eq!(AuditLog::from_json(&text), Some(log.clone()));
        assert_eq!(
            ToJson::to_json(&Events(log.events())),
            serde_json::to_string(log.events()).unwrap()
        );
        for bad in [
            r#"[{"at":1,"actor":{"role":"admin"},"action":"key.exploded"}]"#,
            r#"[{"at":1,"actor":{"role":"root"},"action":"limits.changed"}]"#,
            r#"[{"at":1,"actor":{"role":"admin","hash":"x"},"action":"limits.changed"}]"#,
            r#"[{"at":1,"action":"limits.changed"}]"#,
            r#"[{"at":1,"actor":{"role":"admin"},"action":"limits.changed","changes":{"x":{}}}]"#,
            r#"[{"at":1,"actor":{"role":"admin"},"action":"limits.changed","changes":{"realm":{"by":1}}}]"#,
            r#"[{"at":1,"actor":{"role":"admin"},"action":"limits.changed","changes":{"realm":{"to":true}}}]"#,
            r#"[{"at":1,"actor":{"role":"admin"},"action":"limits.changed","changes":{"realm":{"to":-1}}}]"#,
            r#"[{"at":1,"actor":{"role":"admin"},"action":"limits.changed","changes":{"realm":{"to":1.5}}}]"#,
            r#"[{"at":1,"actor":{"role":"admin","id":" x"},"action":"limits.changed"}]"#,
            r#"[{"at":1,"actor":{"role":"admin","id":7},"action":"limits.changed"}]"#,
        ] {
            assert!(serde_json::from_str::<AuditLog>(bad).is_err(), "{bad}");
            assert_eq!(AuditLog::from_json(bad), None, "{bad}");
        }
    }
}
