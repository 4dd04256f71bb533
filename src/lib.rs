#![doc = include_str!("../README.md")]
#![deny(unsafe_code)]
#![warn(missing_docs)]

// The product's rules, one module each (R-numbers: ../shared/DESIGN.md).
pub mod access; // R8: read-only keys and HTTP methods
pub mod account; // the account's rules
pub mod actor; // R3: only admins manage keys
pub mod application; // R1, R13: applications and the keys page
pub mod audit; // issue 12: the trail of management events
pub mod credentials; // R7: HTTP Basic
pub mod decision; // a request's answer and headers
pub mod error; // the codes
pub mod hashing; // R5: argon2id hashes, never the secret
pub mod history; // issue 12: calls and refusals per key over 90 days
pub mod key_id; // R4: PFK- key IDs
pub mod lease; // R12: concurrent connections as leases
pub mod limits; // R2, R9, R10, R12: the numbers
pub mod pipeline; // the stateless check of a request
pub mod quota; // R9: the shared daily quota
mod random;
pub mod secret; // R5: secrets with a checksum, shown once
pub mod state; // the versioned state and its validation
pub mod window; // R9, R10: daily windows and `now`

#[cfg(target_arch = "wasm32")]
pub mod js;

pub use access::Access;
pub use account::{Account, CachedKey};
pub use actor::{Actor, Role};
pub use application::{Application, IssuedKey, KeyList, KeyUpdate, KeyView, NewKey};
pub use audit::{AuditLog, Event};
pub use credentials::{encode_basic, parse_basic, Credentials};
pub use decision::Decision;
pub use error::{Error, Result};
pub use hashing::{hash_secret, needs_rehash, verify_secret, Profile};
pub use history::{History, Outcome, Usage};
pub use key_id::{is_key_id, KeyId};
pub use lease::Lease;
pub use limits::{Limits, LimitsPatch};
pub use pipeline::{verify, KeyRecord};
pub use secret::{is_secret, Secret};
