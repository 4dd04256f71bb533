//! The JS binding layer: the only module that knows of wasm-bindgen. It
//! converts arguments and results, and turns every [`crate::Error`] into a JS `Error`
//! named `ApiKeyError` with a stable `code`. Nothing here panics on any input.
//!
//! - [`types`]: the TypeScript types of every argument and result;
//! - [`convert`]: JS values in and out, and errors;
//! - [`free`]: the stateless functions (`encodeBasic`, `verify`, `errorInfo`, …);
//! - [`account`]: the `Account` class;
//! - [`history`]: its history, audit trail and editing (`usage`, `auditLog`, `updateKey`).
#![allow(unsafe_code)] // wasm-bindgen's generated glue

pub mod account;
pub mod convert;
pub mod free;
pub mod history;
pub mod types;

pub use account::JsAccount;
pub use convert::to_js_error;
pub use free::*;

// The platform CSPRNG for `getrandom` (its "custom" feature):
// `crypto.getRandomValues` of the global scope, which browsers, workers,
// workerd and Node (19 and later) all have. Without it, RANDOM_UNAVAILABLE.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<(), wasm_bindgen::JsValue>;
}

fn js_random(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    // At most 65,536 bytes per call (Web Crypto's limit).
    for chunk in buf.chunks_mut(65_536) {
        get_random_values(chunk).map_err(|_| getrandom::Error::WEB_GET_RANDOM_VALUES)?;
    }
    Ok(())
}

getrandom::register_custom_getrandom!(js_random);
