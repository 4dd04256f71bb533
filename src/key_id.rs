//! API Key IDs: `PFK-` and a random UUID v4 in lowercase hex,
//! `PFK-xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx` (y is one of `8 9 a b`).

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::random;

/// The text every key ID starts with.
pub const KEY_ID_PREFIX: &str = "PFK-";
/// The length of a key ID in bytes: the prefix and 36 characters of UUID.
pub const KEY_ID_LEN: usize = 40;

/// A validated API Key ID. Not secret: it names the key in lists and logs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// A new key ID from 122 random bits of the platform CSPRNG.
    pub fn generate() -> Result<KeyId> {
        let mut b = [0u8; 16];
        random::fill(&mut b)?;
        b[6] = (b[6] & 0x0f) | 0x40; // version 4
        b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(KEY_ID_LEN);
        s.push_str(KEY_ID_PREFIX);
        for (i, byte) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                s.push('-');
            }
            s.push(HEX[(byte >> 4) as usize] as char);
            s.push(HEX[(byte & 0x0f) as usize] as char);
        }
        Ok(KeyId(s))
    }

    /// Parses a key ID strictly: the `PFK-` prefix (upper case), then a UUID
    /// v4 in lowercase hex with hyphens in their places.
    pub fn parse(text: &str) -> Result<KeyId> {
        if is_key_id(text) {
            Ok(KeyId(text.to_owned()))
        } else {
            Err(Error::MalformedCredentials)
        }
    }

    /// The key ID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `text` is a well-formed key ID (see [`KeyId::parse`]).
pub fn is_key_id(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != KEY_ID_LEN || !text.starts_with(KEY_ID_PREFIX) {
        return false;
    }
    let uuid = &b[KEY_ID_PREFIX.len()..];
    for (i, &c) in uuid.iter().enumerate() {
        let ok = match i {
            8 | 13 | 18 | 23 => c == b'-',
            14 => c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        };
        if !ok {
            return false;
        }
    }
    true
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

impl Serialize for KeyId {
    fn serialize<S: Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> core::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        KeyId::parse(&s).map_err(|_| serde::de::Error::custom("not a PFK- key ID"))
    }
}
