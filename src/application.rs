//! R1: an API key application (name, description, access), what an admin
//! fills in to create one, and how it is shown (R10's call count, R11's last
//! call, R13's table row).

use serde::{Deserialize, Serialize};

use crate::access::Access;
use crate::error::{Error, Result};
use crate::key_id::KeyId;
use crate::secret::Secret;

/// The most characters in an application name.
pub const MAX_NAME_CHARS: usize = 100;
/// The most characters in a description.
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// What an admin fills in to create a key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewKey {
    /// Required: names the connected system, e.g. "Salesforce Integration".
    pub name: String,
    /// Optional purpose of the application.
    pub description: String,
    /// Restricts the key to GET, HEAD and OPTIONS.
    pub read_only: bool,
}

/// What an admin may edit of a key (`None`: keep it). Checked as at creation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new description (empty clears it).
    pub description: Option<String>,
    /// A new access level: read-only or full; it applies from the next call.
    pub read_only: Option<bool>,
}

/// One stored application: everything but the secret, of which only the
/// argon2id hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    /// The API Key ID.
    pub key_id: KeyId,
    /// The application's name (trimmed).
    pub name: String,
    /// The description (trimmed; may be empty).
    pub description: String,
    /// Full or read-only.
    pub access: Access,
    /// PHC string of the secret's argon2 hash.
    pub secret_hash: String,
    /// When the key was created, epoch ms.
    pub created_at: u64,
    /// When the secret was last set (created or reset), epoch ms.
    pub secret_set_at: u64,
    /// Admitted calls in the window numbered `call_count_day`.
    pub call_count: u32,
    /// Which call-count window `call_count` belongs to (see [`crate::window::day_index`]).
    pub call_count_day: u64,
    /// When the last admitted call was made, epoch ms.
    pub last_call_at: Option<u64>,
}

impl Application {
    /// The version of what a verifying edge worker caches of this key (its
    /// hash and access): a 52-bit FNV-1a digest of both, so it changes with
    /// every reset (a new salt), rehash and access change, and fits a JS number.
    pub fn record_version(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self
            .secret_hash
            .bytes()
            .chain([0])
            .chain(self.access.as_str().bytes())
        {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h >> 12
    }
}

/// A key as given once, right after create or reset: the only place its
/// secret appears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedKey {
    /// The API Key ID.
    pub key_id: KeyId,
    /// The API Key Secret: show it once, store it nowhere.
    pub secret: Secret,
}

/// One row of the keys page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    /// Application name.
    pub name: String,
    /// Description (may be empty).
    pub description: String,
    /// API Key ID.
    pub key_id: KeyId,
    /// Full or read-only.
    pub access: Access,
    /// Calls admitted in the key's current call-count window (0 after its reset).
    pub call_count: u32,
    /// When the key's call count next resets, epoch ms.
    pub call_count_resets_at: u64,
    /// The most recent admitted call, epoch ms.
    pub last_call_at: Option<u64>,
    /// When the key was created, epoch ms.
    pub created_at: u64,
    /// When the secret was last set, epoch ms.
    pub secret_set_at: u64,
    /// Live leases (in-flight calls) of the application.
    pub active_connections: u32,
}

/// What the keys page shows: the account's calls and balance, then the keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyList {
    /// Calls admitted in the current quota window.
    pub calls_today: u32,
    /// Calls left in the current quota window.
    pub remaining_today: u32,
    /// The daily limit.
    pub daily_limit: u32,
    /// When the quota window resets, epoch ms.
    pub resets_at: u64,
    /// The most applications the account may have.
    pub application_limit: u32,
    /// The most concurrent connections per application.
    pub connection_limit: u32,
    /// The applications, oldest first.
    pub keys: Vec<KeyView>,
}

/// A name as stored: trimmed, 1 to 100 characters, no control characters.
pub fn clean_name(name: &str) -> Result<String> {
    let name = name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(Error::InvalidName);
    }
    Ok(name.to_owned())
}

/// A description as stored: trimmed, at most 500 characters, no control
/// characters but newlines and tabs.
pub fn clean_description(text: &str) -> Result<String> {
    let text = text.trim();
    if text.chars().count() > MAX_DESCRIPTION_CHARS
        || text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::InvalidDescription);
    }
    Ok(text.to_owned())
}
