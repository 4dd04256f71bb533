//! The TypeScript types of the package, written by hand in `types.d.ts` (the
//! Rust types say more than a generator could: which fields are optional to
//! JS, which unions codes form) and checked against every export by the
//! `tsc` tests in `tests/js/types/`. The `extern` types below name them for
//! wasm-bindgen's signatures.
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("types.d.ts");

#[wasm_bindgen]
extern "C" {
    /// `Credentials`.
    #[wasm_bindgen(typescript_type = "Credentials")]
    pub type JsCredentials;
    /// `Profile`.
    #[wasm_bindgen(typescript_type = "Profile")]
    pub type JsProfile;
    /// `Decision`.
    #[wasm_bindgen(typescript_type = "Decision")]
    pub type JsDecision;
    /// `AccountDecision`.
    #[wasm_bindgen(typescript_type = "AccountDecision")]
    pub type JsAccountDecision;
    /// `KeyRecord | null | undefined`.
    #[wasm_bindgen(typescript_type = "KeyRecord | null | undefined")]
    pub type JsKeyRecord;
    /// `Limits`.
    #[wasm_bindgen(typescript_type = "Limits")]
    pub type JsLimits;
    /// `AccountState | AccountStateV1 | string`.
    #[wasm_bindgen(typescript_type = "AccountState | AccountStateV1 | string")]
    pub type JsStateInput;
    /// `AccountState`.
    #[wasm_bindgen(typescript_type = "AccountState")]
    pub type JsState;
    /// `Actor`.
    #[wasm_bindgen(typescript_type = "Actor")]
    pub type JsActor;
    /// `NewKey`.
    #[wasm_bindgen(typescript_type = "NewKey")]
    pub type JsNewKey;
    /// `CreatedKey`.
    #[wasm_bindgen(typescript_type = "CreatedKey")]
    pub type JsCreatedKey;
    /// `ResetKey`.
    #[wasm_bindgen(typescript_type = "ResetKey")]
    pub type JsResetKey;
    /// `KeyList`.
    #[wasm_bindgen(typescript_type = "KeyList")]
    pub type JsKeyList;
    /// `string | null | undefined`: an `Authorization` header value.
    #[wasm_bindgen(typescript_type = "string | null | undefined")]
    pub type JsHeader;
    /// `ErrorInfo | null`.
    #[wasm_bindgen(typescript_type = "ErrorInfo | null")]
    pub type JsErrorInfo;
    /// `ErrorCode[]`.
    #[wasm_bindgen(typescript_type = "ErrorCode[]")]
    pub type JsErrorCodes;
    /// `ReleaseOptions | null | undefined`.
    #[wasm_bindgen(typescript_type = "ReleaseOptions | null | undefined")]
    pub type JsReleaseOptions;
    /// `CachedKeyRecord | null`.
    #[wasm_bindgen(typescript_type = "CachedKeyRecord | null")]
    pub type JsCachedKeyRecord;
    /// `KeyUpdate`.
    #[wasm_bindgen(typescript_type = "KeyUpdate")]
    pub type JsKeyUpdate;
    /// `KeyView`.
    #[wasm_bindgen(typescript_type = "KeyView")]
    pub type JsKeyView;
    /// `UsageOptions | null | undefined`.
    #[wasm_bindgen(typescript_type = "UsageOptions | null | undefined")]
    pub type JsUsageOptions;
    /// `Usage`.
    #[wasm_bindgen(typescript_type = "Usage")]
    pub type JsUsage;
    /// `AuditEvent[]`.
    #[wasm_bindgen(typescript_type = "AuditEvent[]")]
    pub type JsAuditEvents;
    /// `Required<Limits>`.
    #[wasm_bindgen(typescript_type = "Required<Limits>")]
    pub type JsFullLimits;
}
