//! The stateless half of checking a request, cheapest refusal first: method
//! syntax (R8), the Basic header (R7), key ID (R4) and secret format with its
//! checksum (R5), key lookup, one argon2 verification, access by method
//! (R8). A malformed header or an unknown key ID never costs a hash.
//! [`crate::Account::authorize`] goes on to the quota and the lease;
//! [`verify`] stops here, for an edge worker with its own key store.

use serde::{Deserialize, Serialize};

use crate::access::{check_method, Access};
use crate::credentials::parse_basic;
use crate::decision::{Decision, DEFAULT_REALM};
use crate::error::Error;
use crate::hashing::verify_secret;
use crate::key_id::KeyId;
use crate::secret::Secret;

/// A key record as an edge worker with its own key store keeps it: the input
/// of the stateless [`verify`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRecord {
    /// The API Key ID.
    pub key_id: KeyId,
    /// PHC string of the secret's argon2 hash.
    pub secret_hash: String,
    /// Full or read-only (`"full"` when absent).
    #[serde(default)]
    pub access: Access,
}

/// Why [`authenticate`] refused: the error, and the key ID and access learnt so far.
pub(crate) type Refusal = (Error, Option<KeyId>, Option<Access>);

impl From<Refusal> for Decision {
    fn from((error, key_id, access): Refusal) -> Decision {
        Decision::refuse(error)
            .key(key_id)
            .access(access)
            .finish(DEFAULT_REALM)
    }
}

/// The header as the caller has it: its text, or why there is none to read
/// (a JS value that is not a string is malformed credentials).
pub(crate) type Header<'h> = core::result::Result<&'h str, Error>;

/// Cheap refusals, then one argon2 verification, then access by method.
/// `find` maps a well-formed key ID to its stored hash and access.
pub(crate) fn authenticate<'a>(
    header: Header<'_>,
    method: &str,
    find: impl FnOnce(&KeyId) -> Option<(&'a str, Access)>,
) -> core::result::Result<(KeyId, Access, Secret), Refusal> {
    let early = |e| (e, None, None);
    check_method(method).map_err(early)?;
    let creds = parse_basic(header.map_err(early)?).map_err(early)?;
    let key_id = KeyId::parse(&creds.user_id).map_err(early)?;
    let secret = Secret::parse(&creds.password).map_err(early)?;
    let Some((hash, access)) = find(&key_id) else {
        return Err((Error::UnknownKey, Some(key_id), None));
    };
    if verify_secret(secret.expose(), hash) != Ok(true) {
        return Err((Error::InvalidSecret, Some(key_id), None));
    }
    if !access.allows(method) {
        return Err((Error::ReadOnlyKey, Some(key_id), Some(access)));
    }
    Ok((key_id, access, secret))
}

/// The stateless check for an edge worker that keeps key records in a store
/// of its own: the same codes and headers as [`crate::Account::authorize`],
/// but no quota, counts or lease. `key` is the stored record of the presented
/// key ID, or `None` when the store has none.
pub fn verify(header: &str, method: &str, key: Option<&KeyRecord>) -> Decision {
    verify_header(Ok(header), method, key)
}

pub(crate) fn verify_header(header: Header<'_>, method: &str, key: Option<&KeyRecord>) -> Decision {
    let found = authenticate(header, method, |id| {
        key.filter(|k| &k.key_id == id)
            .map(|k| (k.secret_hash.as_str(), k.access))
    });
    match found {
        Ok((key_id, access, _)) => Decision::admit(key_id, access).finish(DEFAULT_REALM),
        Err(refusal) => refusal.into(),
    }
}
