//! The `Account` class: the stateful rules of one account, for JS.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::account::Account;
use crate::error::Error;
use crate::limits::{Limits, LimitsPatch};

use super::convert::{
    actor_of, admin_of, decision_to_js, from_js, header_text, key_id_of, new_key_of, time,
    to_js_error, to_plain, JsResult, Obj,
};
use super::types::{
    JsAccountDecision, JsActor, JsCachedKeyRecord, JsCreatedKey, JsFullLimits, JsHeader, JsKeyList,
    JsLimits, JsNewKey, JsReleaseOptions, JsResetKey, JsState, JsStateInput,
};

/// An account: up to three API key applications sharing a daily quota.
#[wasm_bindgen(js_name = Account)]
pub struct JsAccount {
    pub(super) inner: Account,
}

/// `account.release`'s options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseOptions {
    #[serde(default)]
    refund: Option<bool>,
}

pub(super) fn or_throw<T>(r: Result<T, Error>) -> JsResult<T> {
    r.map_err(to_js_error)
}

/// A key record version: a whole number within JS's safe integers; any other
/// value matches no record.
fn version_of(v: &JsValue) -> u64 {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&n) => n as u64,
        _ => u64::MAX,
    }
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
        or_throw(Account::new(limits)).map(|inner| JsAccount { inner })
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
        or_throw(inner).map(|inner| JsAccount { inner })
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
        let actor = or_throw(admin_of(actor))?;
        let new = or_throw(new_key_of(input))?;
        let now = or_throw(time(now))?;
        let (issued, view) = or_throw(self.inner.create_key(actor, new, now))?;
        let obj = Obj::default();
        obj.text("keyId", issued.key_id.as_str())
            .text("secret", issued.secret.expose())
            .text("name", &view.name)
            .text("description", &view.description)
            .word("access", view.access.as_str())
            .num("createdAt", view.created_at as f64);
        Ok(obj.into_js())
    }

    /// The keys page as of `now` (admin only): calls today, remaining balance,
    /// reset time, and each key's call count and last call. Throws NOT_ADMIN, INVALID_TIME.
    #[wasm_bindgen(js_name = listKeys)]
    pub fn list_keys(
        &self,
        actor: &JsActor,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<JsKeyList> {
        let actor = or_throw(actor_of(actor))?;
        let now = or_throw(time(now))?;
        let list = or_throw(self.inner.list_keys(actor, now))?;
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
        let actor = or_throw(admin_of(actor))?;
        let id = or_throw(key_id_of(key_id))?;
        let now = or_throw(time(now))?;
        let issued = or_throw(self.inner.reset_secret(actor, &id, now))?;
        let obj = Obj::default();
        obj.text("keyId", issued.key_id.as_str())
            .text("secret", issued.secret.expose());
        Ok(obj.into_js())
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
        let actor = or_throw(admin_of(actor))?;
        let id = or_throw(key_id_of(key_id))?;
        let now = or_throw(time(now))?;
        or_throw(self.inner.delete_key(actor, &id, now))
    }

    /// Changes some of the limits (admin only): the fields given replace the
    /// current ones, the rest are kept. Limits below what is in use are
    /// accepted and the use drains. Returns the limits now in force. Throws
    /// NOT_ADMIN, INVALID_LIMITS, INVALID_TIME.
    #[wasm_bindgen(js_name = setLimits)]
    pub fn set_limits(
        &mut self,
        actor: &JsActor,
        limits: &JsLimits,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<JsFullLimits> {
        let actor = or_throw(admin_of(actor))?;
        let patch: LimitsPatch =
            from_js(limits).ok_or_else(|| to_js_error(Error::InvalidLimits))?;
        let now = or_throw(time(now))?;
        let limits = or_throw(self.inner.set_limits(actor, patch, now))?;
        to_plain(&limits).map(JsCast::unchecked_into)
    }

    /// What a verifying edge worker caches of a key: `{ keyId, secretHash,
    /// access, version, rehash }`, or `null` for a key the account does not have.
    #[wasm_bindgen(js_name = keyRecord)]
    pub fn key_record(&self, key_id: &JsValue) -> JsCachedKeyRecord {
        let found = key_id.as_string().and_then(|id| self.inner.key_record(&id));
        let Some(k) = found else {
            return JsValue::NULL.unchecked_into();
        };
        let obj = Obj::default();
        obj.text("keyId", k.record.key_id.as_str())
            .text("secretHash", &k.record.secret_hash)
            .word("access", k.record.access.as_str())
            .num("version", k.version as f64)
            .put("rehash", &JsValue::from_bool(k.rehash));
        obj.into_js()
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
                let text = header_text(header);
                let header = text.as_ref().map(|t| t.as_str()).map_err(|e| *e);
                let method = method.as_string().unwrap_or_default();
                self.inner.authorize_header(header, &method, now)
            }
            Err(_) => self.inner.invalid_time(),
        };
        decision_to_js(&d).unchecked_into()
    }

    /// Everything `authorize` does but the secret check, for a call whose
    /// secret an edge worker verified (with `verify`) against the key's
    /// record of `version` (`keyRecord`). A record that has changed since is
    /// refused with STALE_KEY_RECORD: refresh it and decide again. Never throws.
    #[wasm_bindgen(js_name = authorizeVerified)]
    pub fn authorize_verified(
        &mut self,
        key_id: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] version: &JsValue,
        method: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsAccountDecision {
        let d = match time(now) {
            Ok(now) => {
                let id = key_id.as_string().unwrap_or_default();
                let method = method.as_string().unwrap_or_default();
                self.inner
                    .authorize_verified(&id, version_of(version), &method, now)
            }
            Err(_) => self.inner.invalid_time(),
        };
        decision_to_js(&d).unchecked_into()
    }

    /// Gives back an admitted call's lease. Returns whether a live lease was
    /// held under that ID; unknown or expired IDs are harmless. With
    /// `{ refund: true }` the call itself is given back too (its unit of the
    /// daily quota and of the key's Call Count), for a call the edge could
    /// not deliver: once per lease, never below zero. Throws INVALID_TIME,
    /// INVALID_INPUT (bad options).
    pub fn release(
        &mut self,
        lease_id: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
        options: Option<JsReleaseOptions>,
    ) -> JsResult<bool> {
        let now = or_throw(time(now))?;
        let refund = match options.map(JsValue::from) {
            Some(o) if !o.is_null() && !o.is_undefined() => from_js::<ReleaseOptions>(&o)
                .ok_or_else(|| to_js_error(Error::InvalidInput))?
                .refund
                .unwrap_or(false),
            _ => false,
        };
        match lease_id.as_string() {
            Some(id) => or_throw(self.inner.release_with(&id, now, refund)),
            None => Ok(false),
        }
    }

    /// Extends a live lease to `now` + the lease TTL (never further), for a
    /// call still in flight: a call that outlives the TTL keeps its slot.
    /// Returns whether the lease was live. Throws INVALID_TIME.
    pub fn renew(
        &mut self,
        lease_id: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<bool> {
        let now = or_throw(time(now))?;
        match lease_id.as_string() {
            Some(id) => or_throw(self.inner.renew(&id, now)),
            None => Ok(false),
        }
    }
}
