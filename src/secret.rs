//! API Key Secrets: `pfs_` + 43 random base62 characters (256 bits from the
//! platform CSPRNG) + a 6-character base62 CRC-32 of everything before it.
//!
//! Base62 keeps the text whole through copy, paste and a double click (no
//! `+ / = -`); the prefix lets people and secret scanners recognise a leaked
//! secret; the checksum refuses a typo or garbage before any hashing work.

use core::fmt;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::random;

/// The text every secret starts with.
pub const SECRET_PREFIX: &str = "pfs_";
/// Random base62 characters in a secret: 43 × log2(62) ≈ 256.03 bits.
pub const SECRET_RANDOM_CHARS: usize = 43;
/// Base62 characters of checksum at the end of a secret.
pub const SECRET_CHECKSUM_CHARS: usize = 6;
/// The length of a secret in bytes (all ASCII).
pub const SECRET_LEN: usize = SECRET_PREFIX.len() + SECRET_RANDOM_CHARS + SECRET_CHECKSUM_CHARS;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A secret in memory: wiped when dropped, and `Debug` prints `[REDACTED]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// A new secret from the platform CSPRNG.
    pub fn generate() -> Result<Secret> {
        let mut text = Zeroizing::new(String::with_capacity(SECRET_LEN));
        text.push_str(SECRET_PREFIX);
        let mut pool = Zeroizing::new([0u8; 64]);
        while text.len() < SECRET_PREFIX.len() + SECRET_RANDOM_CHARS {
            random::fill(&mut pool[..])?;
            for &b in pool.iter() {
                // 248 = 4 × 62: rejecting the rest keeps every character uniform.
                if b < 248 && text.len() < SECRET_PREFIX.len() + SECRET_RANDOM_CHARS {
                    text.push(BASE62[(b % 62) as usize] as char);
                }
            }
        }
        let sum = checksum(text.as_bytes());
        text.push_str(core::str::from_utf8(&sum).unwrap_or_default());
        Ok(Secret(text))
    }

    /// Checks the format and the checksum of `text` and keeps a copy.
    pub fn parse(text: &str) -> Result<Secret> {
        if is_secret(text) {
            Ok(Secret(Zeroizing::new(text.to_owned())))
        } else {
            Err(Error::MalformedCredentials)
        }
    }

    /// The secret text. Show it once to the admin; never log or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

/// Whether `text` has the secret format and a correct checksum. No hashing is
/// done; the checksum is compared in constant time.
pub fn is_secret(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != SECRET_LEN || !text.starts_with(SECRET_PREFIX) {
        return false;
    }
    if !b[SECRET_PREFIX.len()..]
        .iter()
        .all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let (body, sum) = b.split_at(SECRET_LEN - SECRET_CHECKSUM_CHARS);
    checksum(body).ct_eq(sum).into()
}

/// CRC-32 (IEEE) of `data`, as 6 base62 digits, most significant first.
fn checksum(data: &[u8]) -> [u8; SECRET_CHECKSUM_CHARS] {
    let mut n = crc32(data) as u64;
    let mut out = [b'0'; SECRET_CHECKSUM_CHARS];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// CRC-32 as in zlib, PNG and GitHub's token checksums, bit by bit: a
/// secret is 40 bytes, and a 1 KiB table would cost more in the `.wasm`
/// than the loop costs in time.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = (c >> 1) ^ (0xEDB8_8320 & (c & 1).wrapping_neg());
        }
    }
    c ^ 0xFFFF_FFFF
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_answer() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
