//! The JS binding layer: the only module that knows of wasm-bindgen. It
//! converts arguments and results, and turns every [`Error`] into a JS `Error`
//! named `ApiKeyError` with a stable `code`. Nothing here panics on any input.
#![allow(unsafe_code)] // wasm-bindgen's generated glue

use js_sys::{Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroizing;

use crate::account::{self, Account, Actor, KeyRecord, Limits, NewKey, MAX_TIME_MS};
use crate::decision::Decision;
use crate::error::Error;
use crate::hashing::{self, Profile};
use crate::{credentials, key_id, secret};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A stable error code: `err.code` of an ApiKeyError, `decision.code` of a refusal. */
export type ErrorCode =
  | "MISSING_CREDENTIALS" | "UNSUPPORTED_SCHEME" | "MALFORMED_CREDENTIALS"
  | "UNKNOWN_KEY" | "INVALID_SECRET" | "READ_ONLY_KEY"
  | "DAILY_LIMIT_EXCEEDED" | "CONCURRENCY_LIMIT_EXCEEDED"
  | "INVALID_METHOD" | "INVALID_TIME" | "NOT_ADMIN" | "APPLICATION_LIMIT_REACHED"
  | "INVALID_NAME" | "INVALID_DESCRIPTION" | "INVALID_STATE" | "INVALID_LIMITS"
  | "INVALID_USER_ID" | "INVALID_PASSWORD" | "INVALID_INPUT" | "MALFORMED_HASH"
  | "INVALID_PROFILE" | "RANDOM_UNAVAILABLE";

/** What every function and method of this package throws: a JS `Error` with a stable `code`. */
export interface ApiKeyError extends Error {
  name: "ApiKeyError";
  code: ErrorCode;
}

/** Full access (every method) or read-only (GET, HEAD, OPTIONS). */
export type Access = "full" | "read-only";

/** Who calls a management operation; only `"admin"` may. */
export interface Actor { role: "admin" | "user" | string }

/** argon2 cost parameters. */
export interface HashParams { memoryKiB: number; iterations: number; parallelism: number }

/** `"default"` (cheap: m=64 KiB, t=1, p=1, for 256-bit secrets), `"strong"` (OWASP: m=19456, t=2, p=1), or explicit parameters. */
export type Profile = "default" | "strong" | HashParams;

/** The two halves of Basic credentials. */
export interface Credentials { keyId: string; secret: string }

/** An account's limits; every field is optional and defaults to the seed's numbers. */
export interface Limits {
  /** Calls per account per quota window (2500). */
  dailyCalls?: number;
  /** Applications per account (3). */
  maxApplications?: number;
  /** Concurrent connections (live leases) per application (3). */
  maxConnections?: number;
  /** Quota window start, ms after 00:00 UTC (0). */
  quotaResetOffsetMs?: number;
  /** Each key's call-count window start, ms after 00:00 UTC (1800000: 00:30). */
  callCountResetOffsetMs?: number;
  /** Lease time-to-live in ms (60000). */
  leaseTtlMs?: number;
  /** Realm in `WWW-Authenticate` ("apikeys"). */
  realm?: string;
  /** Profile of new hashes; older hashes migrate on their next admitted call (default). */
  hashProfile?: HashParams;
}

/** What an admin fills in to create a key. */
export interface NewKey { name: string; description?: string | null; readOnly?: boolean | null }

/** The result of `createKey`: the only time `secret` is visible. */
export interface CreatedKey {
  keyId: string; secret: string; name: string; description: string; access: Access; createdAt: number;
}

/** The result of `resetSecret`: the new secret, visible this once. */
export interface ResetKey { keyId: string; secret: string }

/** One row of the keys page. */
export interface KeyView {
  name: string; description: string; keyId: string; access: Access;
  /** Calls admitted in the key's current window (resets at 00:30 UTC by default). */
  callCount: number;
  /** When the call count next resets, epoch ms. */
  callCountResetsAt: number;
  /** The most recent admitted call, epoch ms, or null. */
  lastCallAt: number | null;
  createdAt: number;
  /** When the secret was last set (create or reset), epoch ms. */
  secretSetAt: number;
  /** Live leases (in-flight calls). */
  activeConnections: number;
}

/** What the keys page shows. */
export interface KeyList {
  callsToday: number; remainingToday: number; dailyLimit: number;
  /** When the quota window resets, epoch ms. */
  resetsAt: number;
  applicationLimit: number; connectionLimit: number;
  keys: KeyView[];
}

/** A stored key record, the input of the stateless `verify`. */
export interface KeyRecord { keyId: string; secretHash: string; access?: Access }

/** The answer to one request. */
export interface Decision {
  ok: boolean;
  /** 200, 401, 403, 429; 400 for an invalid method; 500 for an invalid `now`. */
  status: number;
  code: "OK" | ErrorCode;
  /** The presented key ID, when well-formed. */
  keyId?: string;
  /** The key's access, once its secret verified. */
  access?: Access;
  /** Present when admitted: give it back with `account.release`. */
  leaseId?: string;
  /** Calls the account has left in this window (absent from `verify`). */
  remainingToday?: number;
  /** When the quota window resets, epoch ms (absent from `verify`). */
  resetsAt?: number;
  /** Seconds to wait, on 429. */
  retryAfter?: number;
  /** Headers to send: WWW-Authenticate (401), Retry-After (429), RateLimit-Policy and RateLimit (authenticated). */
  headers: Record<string, string>;
}

/** A decision of `account.authorize`: it always reports the quota (but for INVALID_TIME). */
export interface AccountDecision extends Decision { remainingToday: number; resetsAt: number }

/** The versioned state of an account, as `toJSON` writes it: plain data, no secret. */
export interface AccountState {
  version: 1;
  limits: Required<Limits>;
  quota: { day: number; calls: number };
  nextLease: number;
  keys: Array<{
    keyId: string; name: string; description: string; access: Access; secretHash: string;
    createdAt: number; secretSetAt: number; callCount: number; callCountDay: number; lastCallAt: number | null;
  }>;
  leases: Array<{ id: string; keyId: string; expiresAt: number }>;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "Credentials")]
    /// A JS value typed for TypeScript as named above.
    pub type JsCredentials;
    #[wasm_bindgen(typescript_type = "Profile")]
    /// A JS value typed for TypeScript as named above.
    pub type JsProfile;
    #[wasm_bindgen(typescript_type = "Decision")]
    /// A JS value typed for TypeScript as named above.
    pub type JsDecision;
    #[wasm_bindgen(typescript_type = "AccountDecision")]
    /// A JS value typed for TypeScript as named above.
    pub type JsAccountDecision;
    #[wasm_bindgen(typescript_type = "KeyRecord | null | undefined")]
    /// A JS value typed for TypeScript as named above.
    pub type JsKeyRecord;
    #[wasm_bindgen(typescript_type = "Limits")]
    /// A JS value typed for TypeScript as named above.
    pub type JsLimits;
    #[wasm_bindgen(typescript_type = "AccountState | string")]
    /// A JS value typed for TypeScript as named above.
    pub type JsStateInput;
    #[wasm_bindgen(typescript_type = "AccountState")]
    /// A JS value typed for TypeScript as named above.
    pub type JsState;
    #[wasm_bindgen(typescript_type = "Actor")]
    /// A JS value typed for TypeScript as named above.
    pub type JsActor;
    #[wasm_bindgen(typescript_type = "NewKey")]
    /// A JS value typed for TypeScript as named above.
    pub type JsNewKey;
    #[wasm_bindgen(typescript_type = "CreatedKey")]
    /// A JS value typed for TypeScript as named above.
    pub type JsCreatedKey;
    #[wasm_bindgen(typescript_type = "ResetKey")]
    /// A JS value typed for TypeScript as named above.
    pub type JsResetKey;
    #[wasm_bindgen(typescript_type = "KeyList")]
    /// A JS value typed for TypeScript as named above.
    pub type JsKeyList;
    #[wasm_bindgen(typescript_type = "string | null | undefined")]
    /// A JS value typed for TypeScript as named above.
    pub type JsHeader;
}

/// Turns an [`Error`] into a JS `Error` named `ApiKeyError` with `code`.
pub fn to_js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("ApiKeyError");
    let _ = Reflect::set(
        &err,
        &JsValue::from_str("code"),
        &JsValue::from_str(e.code()),
    );
    err.into()
}

type JsResult<T> = Result<T, JsValue>;

fn fail<T>(e: Error) -> JsResult<T> {
    Err(to_js_error(e))
}

/// JS numbers for epoch ms: finite, non-negative, within a JS `Date`; fractions
/// are floored. Anything but a number (a BigInt, a Date, a string) is refused
/// here rather than coerced by the glue, where it could throw without a code.
fn time(now: &JsValue) -> Result<u64, Error> {
    let now = now.as_f64().ok_or(Error::InvalidTime)?;
    if now.is_finite() && now >= 0.0 && now <= MAX_TIME_MS as f64 {
        Ok(now.floor() as u64)
    } else {
        Err(Error::InvalidTime)
    }
}

/// The header's text, in a buffer wiped on drop (it holds the secret's base64).
fn header_text(v: &JsValue) -> Result<Zeroizing<String>, Error> {
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
fn text_arg(v: &JsValue, e: Error) -> Result<Zeroizing<String>, Error> {
    v.as_string().map(Zeroizing::new).ok_or(e)
}

/// Reads a JS value as JSON (through `JSON.stringify`, then serde_json), so
/// that every field is checked, unknown fields are refused where the type
/// says so, and cycles, proxies or getters that throw are plain refusals.
fn from_js<T: serde::de::DeserializeOwned>(v: &JsValue) -> Option<T> {
    let text = js_sys::JSON::stringify(v).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

fn profile_of(v: Option<JsProfile>) -> Result<Profile, Error> {
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

fn actor_of(v: &JsValue) -> Actor {
    if !v.is_object() {
        return Actor::User;
    }
    match Reflect::get(v, &JsValue::from_str("role"))
        .ok()
        .and_then(|r| r.as_string())
    {
        Some(role) => Actor::from_role(&role),
        None => Actor::User,
    }
}

/// Reads `createKey`'s input through JSON (no JS call that can throw midway,
/// so a hostile Proxy cannot leave the account borrowed).
fn new_key_of(v: &JsValue) -> Result<NewKey, Error> {
    use serde_json::Value;
    let Some(Value::Object(map)) = from_js::<Value>(v) else {
        return Err(Error::InvalidInput);
    };
    if map
        .keys()
        .any(|k| !matches!(k.as_str(), "name" | "description" | "readOnly"))
    {
        return Err(Error::InvalidInput);
    }
    let name = match map.get("name") {
        Some(Value::String(n)) => n.clone(),
        _ => return Err(Error::InvalidName),
    };
    let description = match map.get("description") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(d)) => d.clone(),
        _ => return Err(Error::InvalidDescription),
    };
    let read_only = match map.get("readOnly") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        _ => return Err(Error::InvalidInput),
    };
    Ok(NewKey {
        name,
        description,
        read_only,
    })
}

fn key_id_of(v: &JsValue) -> Result<String, Error> {
    v.as_string().ok_or(Error::UnknownKey)
}

/// JSON-compatible conversion: maps become plain objects, `None` becomes `null`.
fn to_plain<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| to_js_error(Error::InvalidState))
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
fn fixed(text: &'static str) -> JsValue {
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

fn decision_to_js(d: &Decision) -> JsValue {
    let obj: PlainObject = Object::new().unchecked_into();
    let put = |k: &'static str, v: &JsValue| obj.set(&fixed(k), v);
    put("ok", &JsValue::from_bool(d.ok()));
    put("status", &JsValue::from_f64(d.status().into()));
    put("code", &fixed(d.code()));
    if let Some(id) = &d.key_id {
        put("keyId", &JsValue::from_str(id.as_str()));
    }
    if let Some(access) = d.access {
        put("access", &fixed(access.as_str()));
    }
    if let Some(lease) = &d.lease_id {
        put("leaseId", &JsValue::from_str(lease));
    }
    if let Some(q) = d.quota {
        put("remainingToday", &JsValue::from_f64(q.remaining.into()));
        put("resetsAt", &JsValue::from_f64(q.resets_at as f64));
    }
    if let Some(s) = d.retry_after {
        put("retryAfter", &JsValue::from_f64(s as f64));
    }
    let headers: PlainObject = Object::new().unchecked_into();
    for (name, value) in &d.headers {
        headers.set(&fixed(name), &JsValue::from_str(value));
    }
    put("headers", &headers);
    obj.into()
}

/// `"Basic " + base64(userId + ":" + password)` (RFC 7617, UTF-8). Throws
/// INVALID_USER_ID for a colon or control character in `userId`, INVALID_PASSWORD
/// for a control character in `password`.
#[wasm_bindgen(js_name = encodeBasic)]
pub fn encode_basic(
    #[wasm_bindgen(unchecked_param_type = "string")] user_id: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] password: &JsValue,
) -> JsResult<String> {
    let user_id = text_arg(user_id, Error::InvalidUserId).map_err(to_js_error)?;
    let password = text_arg(password, Error::InvalidPassword).map_err(to_js_error)?;
    credentials::encode_basic(&user_id, &password).map_err(to_js_error)
}

/// Parses an `Authorization` header value (`null` counts as missing) into
/// `{ keyId, secret }`, split at the first colon. Throws MISSING_CREDENTIALS,
/// UNSUPPORTED_SCHEME or MALFORMED_CREDENTIALS. It checks RFC 7617 syntax only:
/// `isKeyId` and `isSecret` check the product's formats.
#[wasm_bindgen(js_name = parseBasic)]
pub fn parse_basic(header: &JsHeader) -> JsResult<JsCredentials> {
    let text = header_text(header).map_err(to_js_error)?;
    let c = credentials::parse_basic(&text).map_err(to_js_error)?;
    // Every string made at the boundary is a TextDecoder call, the bulk of
    // the cost here (see bench/README.md): both halves cross as one string,
    // cut with `slice` in JS, and the property names are made once per instance.
    let mut both = zeroize::Zeroizing::new(String::with_capacity(
        c.user_id.len() + 1 + c.password.len(),
    ));
    both.push_str(&c.user_id);
    both.push(':');
    both.push_str(&c.password);
    let both = js_sys::JsString::from(both.as_str());
    // `slice` counts UTF-16 units.
    let colon = c.user_id.encode_utf16().count() as u32;
    let obj: PlainObject = Object::new().unchecked_into();
    obj.set(&fixed("keyId"), &both.slice(0, colon));
    obj.set(&fixed("secret"), &both.slice(colon + 1, u32::MAX));
    Ok(obj.unchecked_into())
}

/// A new API Key ID, `PFK-` + a random UUID v4 in lowercase hex.
#[wasm_bindgen(js_name = generateKeyId)]
pub fn generate_key_id() -> JsResult<String> {
    key_id::KeyId::generate()
        .map(|k| k.as_str().to_owned())
        .map_err(to_js_error)
}

/// Whether `text` is a well-formed API Key ID.
#[wasm_bindgen(js_name = isKeyId)]
pub fn is_key_id(text: &JsValue) -> bool {
    text.as_string().is_some_and(|t| key_id::is_key_id(&t))
}

/// A new API Key Secret: `pfs_` + 43 base62 characters (256 random bits) + a 6-character checksum.
#[wasm_bindgen(js_name = generateSecret)]
pub fn generate_secret() -> JsResult<String> {
    secret::Secret::generate()
        .map(|s| s.expose().to_owned())
        .map_err(to_js_error)
}

/// Whether `text` has the secret format and a correct checksum (no hashing).
#[wasm_bindgen(js_name = isSecret)]
pub fn is_secret(text: &JsValue) -> bool {
    text.as_string().is_some_and(|t| secret::is_secret(&t))
}

/// The argon2id PHC string of `secret` with a fresh salt, under `profile`
/// ("default" when absent). Throws INVALID_PROFILE.
#[wasm_bindgen(js_name = hashSecret)]
pub fn hash_secret(
    #[wasm_bindgen(unchecked_param_type = "string")] secret: &JsValue,
    profile: Option<JsProfile>,
) -> JsResult<String> {
    let secret = text_arg(secret, Error::InvalidInput).map_err(to_js_error)?;
    let p = profile_of(profile).map_err(to_js_error)?;
    hashing::hash_secret(&secret, p).map_err(to_js_error)
}

/// Whether `secret` matches the argon2 PHC string `phc` (constant-time
/// comparison). Throws MALFORMED_HASH for a string that is not one.
#[wasm_bindgen(js_name = verifySecret)]
pub fn verify_secret(
    #[wasm_bindgen(unchecked_param_type = "string")] secret: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] phc: &JsValue,
) -> JsResult<bool> {
    let secret = text_arg(secret, Error::InvalidInput).map_err(to_js_error)?;
    let phc = text_arg(phc, Error::MalformedHash).map_err(to_js_error)?;
    hashing::verify_secret(&secret, &phc).map_err(to_js_error)
}

/// Whether `phc` should be rehashed to match `profile` ("default" when absent).
#[wasm_bindgen(js_name = needsRehash)]
pub fn needs_rehash(
    #[wasm_bindgen(unchecked_param_type = "string")] phc: &JsValue,
    profile: Option<JsProfile>,
) -> JsResult<bool> {
    let phc = text_arg(phc, Error::MalformedHash).map_err(to_js_error)?;
    let p = profile_of(profile).map_err(to_js_error)?;
    hashing::needs_rehash(&phc, p).map_err(to_js_error)
}

/// The stateless check for an edge worker with its own key store: `key` is the
/// stored record of the presented key ID (`null` when there is none). Same
/// codes and headers as `account.authorize`, without quota, counts or lease.
/// Throws INVALID_STATE only for a malformed `key` record.
#[wasm_bindgen]
pub fn verify(header: &JsHeader, method: &JsValue, key: &JsKeyRecord) -> JsResult<JsDecision> {
    let record = if key.is_null() || key.is_undefined() {
        None
    } else {
        let r: KeyRecord = from_js(key).ok_or_else(|| to_js_error(Error::InvalidState))?;
        hashing::validate_hash(&r.secret_hash).map_err(to_js_error)?;
        Some(r)
    };
    let text = header_text(header).unwrap_or_else(|_| Zeroizing::new("\u{0}".to_owned()));
    let method = method.as_string().unwrap_or_default();
    Ok(decision_to_js(&account::verify(&text, &method, record.as_ref())).unchecked_into())
}

/// An account: up to three API key applications sharing a daily quota.
#[wasm_bindgen(js_name = Account)]
pub struct JsAccount {
    inner: Account,
}

#[wasm_bindgen(js_class = Account)]
impl JsAccount {
    /// A new account with no keys; `limits` defaults to the seed's numbers.
    /// Throws INVALID_LIMITS.
    #[wasm_bindgen(constructor)]
    pub fn new(limits: Option<JsLimits>) -> JsResult<JsAccount> {
        let limits = match limits.map(JsValue::from) {
            None => Limits::default(),
            Some(v) if v.is_null() || v.is_undefined() => Limits::default(),
            Some(v) => from_js::<Limits>(&v).ok_or_else(|| to_js_error(Error::InvalidLimits))?,
        };
        Account::new(limits)
            .map(|inner| JsAccount { inner })
            .map_err(to_js_error)
    }

    /// Restores an account from `toJSON`'s object (or its JSON text),
    /// validating everything. Throws INVALID_STATE.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(state: &JsStateInput) -> JsResult<JsAccount> {
        let inner = if let Some(text) = state.as_string() {
            Account::from_json(&text)
        } else if state.is_object() {
            from_js::<Account>(state).ok_or(Error::InvalidState)
        } else {
            Err(Error::InvalidState)
        };
        inner.map(|inner| JsAccount { inner }).map_err(to_js_error)
    }

    /// The state as a plain, versioned object holding no secret (so
    /// `JSON.stringify(account)` works too).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> JsResult<JsState> {
        to_plain(&self.inner).map(JsCast::unchecked_into)
    }

    /// Creates an application and its key (admin only). The result holds the
    /// secret: the only time it is visible. Throws NOT_ADMIN,
    /// APPLICATION_LIMIT_REACHED, INVALID_NAME, INVALID_DESCRIPTION, INVALID_INPUT, INVALID_TIME.
    #[wasm_bindgen(js_name = createKey)]
    pub fn create_key(
        &mut self,
        actor: &JsActor,
        input: &JsNewKey,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<JsCreatedKey> {
        let actor = actor_of(actor);
        if actor != Actor::Admin {
            return fail(Error::NotAdmin);
        }
        let new = new_key_of(input).map_err(to_js_error)?;
        let now = time(now).map_err(to_js_error)?;
        let (issued, view) = self
            .inner
            .create_key(actor, new, now)
            .map_err(to_js_error)?;
        let obj = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&obj, &JsValue::from_str(k), &v);
        };
        set("keyId", JsValue::from_str(issued.key_id.as_str()));
        set("secret", JsValue::from_str(issued.secret.expose()));
        set("name", JsValue::from_str(&view.name));
        set("description", JsValue::from_str(&view.description));
        set("access", JsValue::from_str(view.access.as_str()));
        set("createdAt", JsValue::from_f64(view.created_at as f64));
        Ok(obj.unchecked_into())
    }

    /// The keys page as of `now` (admin only): calls today, remaining balance,
    /// reset time, and each key's call count and last call. Throws NOT_ADMIN, INVALID_TIME.
    #[wasm_bindgen(js_name = listKeys)]
    pub fn list_keys(
        &self,
        actor: &JsActor,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<JsKeyList> {
        let actor = actor_of(actor);
        let now = time(now).map_err(to_js_error)?;
        let list = self.inner.list_keys(actor, now).map_err(to_js_error)?;
        to_plain(&list).map(JsCast::unchecked_into)
    }

    /// Replaces a key's secret (admin only); the old one fails from the next
    /// call. Returns `{ keyId, secret }`: the only time the new secret is
    /// visible. Throws NOT_ADMIN, UNKNOWN_KEY, INVALID_TIME.
    #[wasm_bindgen(js_name = resetSecret)]
    pub fn reset_secret(
        &mut self,
        actor: &JsActor,
        key_id: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<JsResetKey> {
        let actor = actor_of(actor);
        if actor != Actor::Admin {
            return fail(Error::NotAdmin);
        }
        let id = key_id_of(key_id).map_err(to_js_error)?;
        let now = time(now).map_err(to_js_error)?;
        let issued = self
            .inner
            .reset_secret(actor, &id, now)
            .map_err(to_js_error)?;
        let obj = Object::new();
        let _ = Reflect::set(
            &obj,
            &"keyId".into(),
            &JsValue::from_str(issued.key_id.as_str()),
        );
        let _ = Reflect::set(
            &obj,
            &"secret".into(),
            &JsValue::from_str(issued.secret.expose()),
        );
        Ok(obj.unchecked_into())
    }

    /// Deletes an application (admin only) and frees its slot. Throws
    /// NOT_ADMIN, UNKNOWN_KEY, INVALID_TIME.
    #[wasm_bindgen(js_name = deleteKey)]
    pub fn delete_key(
        &mut self,
        actor: &JsActor,
        key_id: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<()> {
        let actor = actor_of(actor);
        if actor != Actor::Admin {
            return fail(Error::NotAdmin);
        }
        let id = key_id_of(key_id).map_err(to_js_error)?;
        let now = time(now).map_err(to_js_error)?;
        self.inner.delete_key(actor, &id, now).map_err(to_js_error)
    }

    /// Checks one request's `Authorization` header (`null` when absent) and
    /// method at `now` (epoch ms). Admitted: counts the call, takes a lease.
    /// Never throws: every refusal is a decision with its status and code.
    pub fn authorize(
        &mut self,
        header: &JsHeader,
        method: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsAccountDecision {
        let d = match time(now) {
            Ok(now) => {
                let text =
                    header_text(header).unwrap_or_else(|_| Zeroizing::new("\u{0}".to_owned()));
                let method = method.as_string().unwrap_or_default();
                self.inner.authorize(&text, &method, now)
            }
            Err(_) => self.inner.authorize("", "GET", u64::MAX),
        };
        decision_to_js(&d).unchecked_into()
    }

    /// Gives back an admitted call's lease. Returns whether a live lease was
    /// held under that ID; unknown or expired IDs are harmless. Throws INVALID_TIME.
    pub fn release(
        &mut self,
        lease_id: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<bool> {
        let now = time(now).map_err(to_js_error)?;
        match lease_id.as_string() {
            Some(id) => self.inner.release(&id, now).map_err(to_js_error),
            None => Ok(false),
        }
    }
}
