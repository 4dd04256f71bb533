//! JS values in and out. Arguments are read without trusting their type;
//! results are built one of two ways: small fixed shapes (decisions,
//! credentials, issued keys) property by property with [`Obj`], and serde
//! data (the state, the key list) as JSON text that `JSON.parse` turns into
//! plain objects. Every error becomes an `ApiKeyError` with its `code`.

use js_sys::{Object, Reflect, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroizing;

use crate::actor::Actor;
use crate::application::{KeyUpdate, NewKey};
use crate::decision::Decision;
use crate::error::Error;
use crate::hashing::Profile;
use crate::window::MAX_TIME_MS;

use super::types::JsProfile;

/// What the bindings return: a value, or a JS `Error` to throw.
pub type JsResult<T> = Result<T, JsValue>;

/// Turns an [`Error`] into a JS `Error` named `ApiKeyError` with `code`.
pub fn to_js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(e.message());
    err.set_name("ApiKeyError");
    let _ = Reflect::set(&err, &fixed("code"), &fixed(e.code()));
    err.into()
}

/// JS numbers for epoch ms: finite, non-negative, within a JS `Date`; fractions
/// are floored. Anything but a number (a BigInt, a Date, a string) is refused
/// here rather than coerced by the glue, where it could throw without a code.
pub fn time(now: &JsValue) -> Result<u64, Error> {
    let now = now.as_f64().ok_or(Error::InvalidTime)?;
    if now.is_finite() && now >= 0.0 && now <= MAX_TIME_MS as f64 {
        Ok(now.floor() as u64)
    } else {
        Err(Error::InvalidTime)
    }
}

/// The header's text, in a buffer wiped on drop (it holds the secret's
/// base64); `null` and `undefined` are an empty header, any other non-string
/// is malformed credentials.
pub fn header_text(v: &JsValue) -> Result<Zeroizing<String>, Error> {
    if v.is_null() || v.is_undefined() {
        Ok(Zeroizing::new(String::new()))
    } else {
        v.as_string()
            .map(Zeroizing::new)
            .ok_or(Error::MalformedCredentials)
    }
}

/// A string argument; anything else is refused with `e` (wasm-bindgen's own
/// `&str` glue would read a non-string as garbage memory and trap).
pub fn text_arg(v: &JsValue, e: Error) -> Result<Zeroizing<String>, Error> {
    v.as_string().map(Zeroizing::new).ok_or(e)
}

/// Reads a JS value as JSON (through `JSON.stringify`, then serde_json), so
/// that every field is checked, unknown fields are refused where the type
/// says so, and cycles, proxies or getters that throw are plain refusals.
pub fn from_js<T: serde::de::DeserializeOwned>(v: &JsValue) -> Option<T> {
    let text = JSON::stringify(v).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// A plain-data copy of a JS object (`JSON.parse(JSON.stringify(v))`): its
/// properties can then be read without running any of the caller's code.
fn plain_copy(v: &JsValue) -> Option<Object> {
    if !v.is_object() {
        return None;
    }
    // `Array.isArray` throws on a revoked proxy: ask the copy, not `v`.
    let copy = JSON::parse(&JSON::stringify(v).ok()?.as_string()?).ok()?;
    if !copy.is_object() || js_sys::Array::is_array(&copy) {
        return None;
    }
    copy.dyn_into::<Object>().ok()
}

fn field(obj: &Object, name: &'static str) -> JsValue {
    Reflect::get(obj, &fixed(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Serde data as plain JS objects: maps become objects, `None` becomes `null`.
pub fn to_plain<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    let text = serde_json::to_string(value).map_err(|_| to_js_error(Error::InvalidState))?;
    JSON::parse(&text).map_err(|_| to_js_error(Error::InvalidState))
}

/// A hash profile: absent, a name, or `{ memoryKiB, iterations, parallelism }`.
pub fn profile_of(v: Option<JsProfile>) -> Result<Profile, Error> {
    let Some(v) = v.map(JsValue::from) else {
        return Ok(Profile::DEFAULT);
    };
    if v.is_null() || v.is_undefined() {
        return Ok(Profile::DEFAULT);
    }
    if let Some(name) = v.as_string() {
        return Profile::named(&name);
    }
    if !v.is_object() {
        return Err(Error::InvalidProfile);
    }
    from_js::<Profile>(&v)
        .ok_or(Error::InvalidProfile)?
        .validate()
}

/// `{ role, id? }`: `"admin"` is an admin, anything else is not; an `id`
/// that is not a string of at most 64 bytes (no control character, `"` or
/// `\`) is INVALID_INPUT.
pub fn actor_of(v: &JsValue) -> Result<Actor, Error> {
    let Some(obj) = plain_copy(v) else {
        return Ok(Actor::User);
    };
    let actor = match field(&obj, "role").as_string() {
        Some(role) => Actor::from_role(&role),
        None => Actor::User,
    };
    let id = field(&obj, "id");
    if id.is_null() || id.is_undefined() {
        return Ok(actor);
    }
    actor.with_id(&id.as_string().ok_or(Error::InvalidInput)?)
}

/// An admin actor, or NOT_ADMIN before any other argument is looked at.
pub fn admin_of(v: &JsValue) -> Result<Actor, Error> {
    let actor = actor_of(v)?;
    actor.require_admin()?;
    Ok(actor)
}

/// Reads `createKey`'s input from a plain copy (no JS call that can throw
/// midway, so a hostile Proxy cannot leave the account borrowed).
pub fn new_key_of(v: &JsValue) -> Result<NewKey, Error> {
    let obj = plain_copy(v).ok_or(Error::InvalidInput)?;
    let known = ["name", "description", "readOnly"];
    if Object::keys(&obj)
        .iter()
        .any(|k| !k.as_string().is_some_and(|k| known.contains(&k.as_str())))
    {
        return Err(Error::InvalidInput);
    }
    let name = field(&obj, "name").as_string().ok_or(Error::InvalidName)?;
    let description = optional(field(&obj, "description"), JsValue::as_string)
        .ok_or(Error::InvalidDescription)?
        .unwrap_or_default();
    let read_only = optional(field(&obj, "readOnly"), JsValue::as_bool)
        .ok_or(Error::InvalidInput)?
        .unwrap_or(false);
    Ok(NewKey {
        name,
        description,
        read_only,
    })
}

/// Reads `updateKey`'s input like `createKey`'s: only `name`, `description`
/// and `readOnly`, each optional (absent: kept). A `null` description
/// clears it; a `null` name or access is refused (never a silent default).
pub fn key_update_of(v: &JsValue) -> Result<KeyUpdate, Error> {
    let obj = plain_copy(v).ok_or(Error::InvalidInput)?;
    let known = ["name", "description", "readOnly"];
    if Object::keys(&obj)
        .iter()
        .any(|k| !k.as_string().is_some_and(|k| known.contains(&k.as_str())))
    {
        return Err(Error::InvalidInput);
    }
    let present = |v: JsValue| (!v.is_undefined()).then_some(v);
    let name = match present(field(&obj, "name")) {
        Some(n) => Some(n.as_string().ok_or(Error::InvalidName)?),
        None => None,
    };
    let description = match present(field(&obj, "description")) {
        Some(d) if d.is_null() => Some(String::new()),
        Some(d) => Some(d.as_string().ok_or(Error::InvalidDescription)?),
        None => None,
    };
    let read_only = match present(field(&obj, "readOnly")) {
        Some(r) => Some(r.as_bool().ok_or(Error::InvalidInput)?),
        None => None,
    };
    Ok(KeyUpdate {
        name,
        description,
        read_only,
    })
}

/// `usage`'s options: absent or `{ days? }` with a whole number of days from
/// 1 to 90 (30 when absent); anything else is INVALID_INPUT.
pub fn usage_days_of(v: &JsValue) -> Result<u32, Error> {
    if v.is_null() || v.is_undefined() {
        return Ok(30);
    }
    let obj = plain_copy(v).ok_or(Error::InvalidInput)?;
    if Object::keys(&obj)
        .iter()
        .any(|k| k.as_string().as_deref() != Some("days"))
    {
        return Err(Error::InvalidInput);
    }
    let days = field(&obj, "days");
    if days.is_undefined() {
        return Ok(30);
    }
    match days.as_f64() {
        Some(n) if n.fract() == 0.0 && (1.0..=90.0).contains(&n) => Ok(n as u32),
        _ => Err(Error::InvalidInput),
    }
}

/// `Some(None)` for null or undefined, `Some(Some(x))` for a value `read`
/// understands, `None` for anything else.
fn optional<T>(v: JsValue, read: impl Fn(&JsValue) -> Option<T>) -> Option<Option<T>> {
    if v.is_null() || v.is_undefined() {
        Some(None)
    } else {
        read(&v).map(Some)
    }
}

/// A key ID argument; a non-string is an unknown key.
pub fn key_id_of(v: &JsValue) -> Result<String, Error> {
    v.as_string().ok_or(Error::UnknownKey)
}

// Every string made at the boundary is a TextDecoder call, the bulk of the
// cost of small results (see bench/README.md): property names and fixed
// values (codes, access levels, header names) are made once per instance,
// and properties are set with plain `obj[k] = v` on fresh objects (which
// cannot throw), not `Reflect.set` (a catching import).
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Object)]
    type PlainObject;
    #[wasm_bindgen(method, structural, indexing_setter)]
    fn set(this: &PlainObject, key: &JsValue, value: &JsValue);
}

thread_local! {
    static MADE: core::cell::RefCell<Vec<(&'static str, JsValue)>> =
        const { core::cell::RefCell::new(Vec::new()) };
}

/// The JS string for a fixed text, made once per instance.
pub fn fixed(text: &'static str) -> JsValue {
    MADE.with(|made| {
        let mut made = made.borrow_mut();
        if let Some((_, v)) = made.iter().find(|(t, _)| *t == text) {
            return v.clone();
        }
        let v = JsValue::from_str(text);
        made.push((text, v.clone()));
        v
    })
}

/// A fresh plain object, filled property by property.
pub struct Obj(PlainObject);

impl Default for Obj {
    fn default() -> Self {
        Obj(Object::new().unchecked_into())
    }
}

impl Obj {
    /// `obj[key] = value`.
    pub fn put(&self, key: &'static str, value: &JsValue) -> &Self {
        self.0.set(&fixed(key), value);
        self
    }

    /// `obj[key] = text` for a text made at run time.
    pub fn text(&self, key: &'static str, text: &str) -> &Self {
        self.put(key, &JsValue::from_str(text))
    }

    /// `obj[key] = text` for a fixed text (a code, an access level).
    pub fn word(&self, key: &'static str, text: &'static str) -> &Self {
        self.put(key, &fixed(text))
    }

    /// `obj[key] = n`.
    pub fn num(&self, key: &'static str, n: f64) -> &Self {
        self.put(key, &JsValue::from_f64(n))
    }

    /// The object, typed as `T`.
    pub fn into_js<T: JsCast>(self) -> T {
        self.0.unchecked_into()
    }
}

/// A decision as JS sees it (the `Decision` type).
pub fn decision_to_js(d: &Decision) -> JsValue {
    let obj = Obj::default();
    obj.put("ok", &JsValue::from_bool(d.ok()))
        .num("status", d.status().into())
        .word("code", d.code());
    if let Some(id) = &d.key_id {
        obj.text("keyId", id.as_str());
    }
    if let Some(access) = d.access {
        obj.word("access", access.as_str());
    }
    if let Some(lease) = &d.lease_id {
        obj.text("leaseId", lease);
    }
    if let Some(q) = d.quota {
        obj.num("remainingToday", q.remaining.into())
            .num("resetsAt", q.resets_at as f64);
    }
    if let Some(s) = d.retry_after {
        obj.num("retryAfter", s as f64);
    }
    let headers = Obj::default();
    for (name, value) in &d.headers {
        headers.text(name, value);
    }
    obj.put("headers", &headers.into_js());
    obj.into_js()
}
