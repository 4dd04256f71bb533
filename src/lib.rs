#![doc = include_str!("../README.md")]
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod access;
pub mod account;
pub mod audit;
pub mod credentials;
pub mod decision;
pub mod error;
pub mod hashing;
pub mod history;
pub mod key_id;
mod random;
pub mod secret;

#[cfg(target_arch = "wasm32")]
pub mod js;

pub use access::Access;
pub use account::{
    verify, Account, Actor, Application, IssuedKey, KeyList, KeyRecord, KeyView, Lease, Limits,
    NewKey,
};
pub use credentials::{encode_basic, parse_basic, Credentials};
pub use decision::Decision;
pub use error::{Error, Result};
pub use hashing::{hash_secret, needs_rehash, verify_secret, Profile};
pub use key_id::{is_key_id, KeyId};
pub use secret::{is_secret, Secret};
