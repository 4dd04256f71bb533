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
