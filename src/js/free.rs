//! The stateless exports: Basic credentials, key IDs, secrets, hashes, the
//! stateless `verify`, and the table of error codes.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::pipeline::{verify_header, KeyRecord};
use crate::{credentials, hashing, key_id, secret};

use super::convert::{
    decision_to_js, fixed, from_js, header_text, profile_of, text_arg, to_js_error, JsResult, Obj,
};
use super::types::{
    JsCredentials, JsDecision, JsErrorCodes, JsErrorInfo, JsHeader, JsKeyRecord, JsProfile,
};

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
    // cut with `slice` in JS.
    let mut both = Zeroizing::new(String::with_capacity(
        c.user_id.len() + 1 + c.password.len(),
    ));
    both.push_str(&c.user_id);
    both.push(':');
    both.push_str(&c.password);
    let both = js_sys::JsString::from(both.as_str());
    // `slice` counts UTF-16 units.
    let colon = c.user_id.encode_utf16().count() as u32;
    let obj = Obj::default();
    obj.put("keyId", &both.slice(0, colon))
        .put("secret", &both.slice(colon + 1, u32::MAX));
    Ok(obj.into_js())
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
    let text = header_text(header);
    let method = method.as_string().unwrap_or_default();
    let header = text.as_ref().map(|t| t.as_str()).map_err(|e| *e);
    Ok(decision_to_js(&verify_header(header, &method, record.as_ref())).unchecked_into())
}

/// The package's table of codes: `{ code, status, message }` for a code it
/// has, else `null`. `status` is the code's status as a decision
/// (INVALID_SECRET: 401) and `message` the operator's text. Servers and
/// pages take both from here rather than writing them again.
#[wasm_bindgen(js_name = errorInfo)]
pub fn error_info(code: &JsValue) -> JsErrorInfo {
    match code.as_string().and_then(|c| Error::from_code(&c)) {
        Some(e) => {
            let obj = Obj::default();
            obj.word("code", e.code())
                .num("status", e.status().into())
                .word("message", e.message());
            obj.into_js()
        }
        None => JsValue::NULL.unchecked_into(),
    }
}

/// Every code the package can give, in a stable order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> JsErrorCodes {
    Error::ALL
        .iter()
        .map(|e| fixed(e.code()))
        .collect::<js_sys::Array>()
        .unchecked_into()
}
