//! The `Account` class, continued: usage history, the audit trail and
//! editing a key (issue 12).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::account::{or_throw, JsAccount};
use super::convert::{admin_of, key_id_of, key_update_of, time, to_plain, usage_days_of, JsResult};
use super::types::{JsActor, JsAuditEvents, JsKeyUpdate, JsKeyView, JsUsage, JsUsageOptions};

#[wasm_bindgen(js_class = Account)]
impl JsAccount {
    /// Edits a key's `name`, `description` or `readOnly` (admin only; absent
    /// fields are kept), checked as in `createKey`. An access change applies
    /// from the next call and changes the key record's version. Returns the
    /// key's row as in `listKeys`. Throws NOT_ADMIN, UNKNOWN_KEY, INVALID_NAME,
    /// INVALID_DESCRIPTION, INVALID_INPUT, INVALID_TIME.
    #[wasm_bindgen(js_name = updateKey)]
    pub fn update_key(
        &mut self,
        actor: &JsActor,
        key_id: &JsValue,
        input: &JsKeyUpdate,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<JsKeyView> {
        let actor = or_throw(admin_of(actor))?;
        let id = or_throw(key_id_of(key_id))?;
        let update = or_throw(key_update_of(input))?;
        let now = or_throw(time(now))?;
        let row = or_throw(self.inner.update_key(actor, &id, update, now))?;
        to_plain(&row).map(JsCast::unchecked_into)
    }

    /// Calls per quota window (00:00 UTC) for the last `days` (1 to 90,
    /// default 30), oldest first, the current window last (admin only): the
    /// account's total, each key's calls and refusals after its secret
    /// verified by code, and the calls of deleted keys. Per-key calls plus
    /// `deletedCalls` equal `total`. Throws NOT_ADMIN, INVALID_INPUT, INVALID_TIME.
    pub fn usage(
        &self,
        actor: &JsActor,
        options: Option<JsUsageOptions>,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<JsUsage> {
        let actor = or_throw(admin_of(actor))?;
        let days = or_throw(usage_days_of(
            &options.map_or(JsValue::UNDEFINED, Into::into),
        ))?;
        let now = or_throw(time(now))?;
        let usage = or_throw(self.inner.usage(actor, days, now))?;
        to_plain(&usage).map(JsCast::unchecked_into)
    }

    /// The audit trail, newest first (admin only): the last 200 key
    /// creations, secret resets, edits, deletions and limit changes, each
    /// with `at`, `actor`, `action`, `keyId`, `name` and `changes`. It holds
    /// no secret and no hash. Throws NOT_ADMIN, INVALID_TIME.
    #[wasm_bindgen(js_name = auditLog)]
    pub fn audit_log(
        &self,
        actor: &JsActor,
        #[wasm_bindgen(unchecked_param_type = "number")] now: &JsValue,
    ) -> JsResult<JsAuditEvents> {
        let actor = or_throw(admin_of(actor))?;
        let now = or_throw(time(now))?;
        let events = or_throw(self.inner.audit_log(actor, now))?;
        to_plain(&events).map(JsCast::unchecked_into)
    }
}
