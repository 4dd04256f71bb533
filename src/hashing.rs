//! argon2id hashes of secrets, as PHC strings
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), with a salt from the CSPRNG.
//!
//! Verification accepts any argon2 PHC string (argon2id, argon2i or argon2d,
//! version 0x10 or 0x13) whose parameters are within [`Profile::validate`]'s
//! bounds, so hashes made by the reference implementation verify, while a
//! hostile record cannot make one call allocate gigabytes. The computed hash
//! is compared with the stored one in constant time.

use core::sync::atomic::{AtomicU64, Ordering};

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::random;

/// argon2 cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Profile {
    /// Memory in KiB (`m`).
    #[serde(rename = "memoryKiB")]
    pub memory_kib: u32,
    /// Passes over memory (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
}

/// Bytes of salt in new hashes.
pub const SALT_BYTES: usize = 16;
/// Bytes of hash output in new hashes.
pub const OUTPUT_BYTES: usize = 32;
/// The most memory a hash may ask for, in KiB (64 MiB): more would risk the
/// memory limit of an edge worker.
pub const MAX_MEMORY_KIB: u32 = 65_536;
/// The most passes a hash may ask for.
pub const MAX_ITERATIONS: u32 = 16;
/// The most lanes a hash may ask for.
pub const MAX_PARALLELISM: u32 = 16;
/// The longest PHC string accepted.
pub const MAX_PHC_LEN: usize = 256;

impl Profile {
    /// For the library's own secrets, which carry 256 random bits: the hash
    /// only has to be one-way and salted, so it is made cheap (m=64 KiB, t=1,
    /// p=1) to keep verification at the edge far under a millisecond.
    pub const DEFAULT: Profile = Profile {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
    /// OWASP's argon2id recommendation for passwords: m=19456 KiB, t=2, p=1.
    pub const STRONG: Profile = Profile {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    /// A profile by name: `"default"` or `"strong"`.
    pub fn named(name: &str) -> Result<Profile> {
        match name {
            "default" => Ok(Profile::DEFAULT),
            "strong" => Ok(Profile::STRONG),
            _ => Err(Error::InvalidProfile),
        }
    }

    /// Checks the bounds: 1 ≤ p ≤ 16, 8·p ≤ m ≤ 65536, 1 ≤ t ≤ 16.
    pub fn validate(self) -> Result<Profile> {
        let ok = (1..=MAX_PARALLELISM).contains(&self.parallelism)
            && (8 * self.parallelism..=MAX_MEMORY_KIB).contains(&self.memory_kib)
            && (1..=MAX_ITERATIONS).contains(&self.iterations);
        if ok {
            Ok(self)
        } else {
            Err(Error::InvalidProfile)
        }
    }

    fn params(self) -> Result<Params> {
        self.validate()?;
        Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(OUTPUT_BYTES),
        )
        .map_err(|_| Error::InvalidProfile)
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::DEFAULT
    }
}

static ARGON2_RUNS: AtomicU64 = AtomicU64::new(0);

/// How many argon2 computations this process (or wasm instance) has run:
/// lets tests show that refused garbage costs no hashing.
pub fn argon2_runs() -> u64 {
    ARGON2_RUNS.load(Ordering::Relaxed)
}

/// Hashes `secret` with argon2id under `profile` and a fresh 16-byte salt.
pub fn hash_secret(secret: &str, profile: Profile) -> Result<String> {
    let params = profile.params()?;
    let mut salt = [0u8; SALT_BYTES];
    random::fill(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| Error::InvalidProfile)?;
    ARGON2_RUNS.fetch_add(1, Ordering::Relaxed);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| Error::InvalidProfile)
}

/// A parsed PHC string whose parameters are within bounds.
struct Checked<'a> {
    hash: PasswordHash<'a>,
    algorithm: Algorithm,
    version: Version,
    params: Params,
    /// The decoded salt: `salt_buf[..salt_len]`.
    salt_buf: [u8; 64],
    salt_len: usize,
}

fn check(phc: &str) -> Result<Checked<'_>> {
    if phc.len() > MAX_PHC_LEN {
        return Err(Error::MalformedHash);
    }
    let hash = PasswordHash::new(phc).map_err(|_| Error::MalformedHash)?;
    let algorithm = Algorithm::try_from(hash.algorithm).map_err(|_| Error::MalformedHash)?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).map_err(|_| Error::MalformedHash)?,
        None => Version::V0x10,
    };
    // argon2 0.5's `Params::new` computes `p * 8` unchecked (a panic in debug
    // builds, so a wasm trap): refuse a large `p` before it gets there. Every
    // `p` is checked: with `p=1,p=863499995` the last one wins in argon2.
    let p_ok = hash.params.iter().all(|(name, value)| {
        name.as_str() != "p" || value.decimal().is_ok_and(|p| p <= MAX_PARALLELISM)
    });
    if !p_ok {
        return Err(Error::MalformedHash);
    }
    let params = Params::try_from(&hash).map_err(|_| Error::MalformedHash)?;
    Profile {
        memory_kib: params.m_cost(),
        iterations: params.t_cost(),
        parallelism: params.p_cost(),
    }
    .validate()
    .map_err(|_| Error::MalformedHash)?;
    // The salt must decode (canonical B64) to at least 8 bytes, as argon2 needs.
    let mut salt_buf = [0u8; 64];
    let salt_len = hash
        .salt
        .and_then(|s| s.decode_b64(&mut salt_buf).ok().map(<[u8]>::len))
        .unwrap_or(0);
    let output_ok = hash.hash.is_some_and(|h| (16..=64).contains(&h.len()));
    if salt_len < 8 || !output_ok {
        return Err(Error::MalformedHash);
    }
    Ok(Checked {
        hash,
        algorithm,
        version,
        params,
        salt_buf,
        salt_len,
    })
}

/// Checks that `phc` is an argon2 PHC string this library would verify.
pub fn validate_hash(phc: &str) -> Result<()> {
    check(phc).map(|_| ())
}

/// Whether `secret` matches `phc`. The comparison is constant-time.
/// Errors only for a malformed hash ([`Error::MalformedHash`]).
///
/// The hash is recomputed with the algorithm, version and parameters the PHC
/// string names (a string without `v=` is version 0x10, as the reference
/// implementation wrote it) and compared with `subtle`'s constant-time `ct_eq`.
pub fn verify_secret(secret: &str, phc: &str) -> Result<bool> {
    let c = check(phc)?;
    let salt = &c.salt_buf[..c.salt_len];
    let expected = c.hash.hash.ok_or(Error::MalformedHash)?;
    let mut computed = Zeroizing::new(vec![0u8; expected.len()]);
    ARGON2_RUNS.fetch_add(1, Ordering::Relaxed);
    Argon2::new(c.algorithm, c.version, c.params)
        .hash_password_into(secret.as_bytes(), salt, &mut computed)
        .map_err(|_| Error::MalformedHash)?;
    Ok(computed.ct_eq(expected.as_bytes()).into())
}

/// Whether `phc` should be replaced by a hash under `profile`: another
/// algorithm or version, other parameters, or another output length.
pub fn needs_rehash(phc: &str, profile: Profile) -> Result<bool> {
    let profile = profile.validate()?;
    let c = check(phc)?;
    Ok(c.algorithm != Algorithm::Argon2id
        || c.version != Version::V0x13
        || c.params.m_cost() != profile.memory_kib
        || c.params.t_cost() != profile.iterations
        || c.params.p_cost() != profile.parallelism
        || c.hash.hash.map(|h| h.len()) != Some(OUTPUT_BYTES))
}
