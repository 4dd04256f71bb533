//! argon2id hashes of secrets, as PHC strings
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), with a salt from the CSPRNG.
//!
//! Verification accepts any argon2 PHC string (argon2id, argon2i or argon2d,
//! version 0x10 or 0x13) whose parameters are within [`Profile::validate`]'s
//! bounds, so hashes made by the reference implementation verify, while a
//! hostile record cannot make one call allocate gigabytes. The computed hash
//! is compared with the stored one in constant time.
//!
//! The PHC string is read by the small parser below, not by the
//! `password-hash` crate: it accepts exactly the strings that
//! `password-hash` 0.5 and argon2 0.5's `Params` accepted here before
//! (`tests/phc_oracle.rs` checks the two against each other), at a fraction
//! of the code size in the `.wasm`.

use core::sync::atomic::{AtomicU64, Ordering};

use argon2::{Algorithm, Argon2, AssociatedData, Block, KeyId, Params, ParamsBuilder, Version};
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use base64::Engine;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::json::{push_decimal, text_with};
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

/// Runs argon2 into `out`, with the memory allocated here (argon2's own
/// allocating variant needs its `alloc` feature, which pulls in `password-hash`).
fn run_argon2(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    secret: &str,
    salt: &[u8],
    out: &mut [u8],
) -> core::result::Result<(), argon2::Error> {
    let mut blocks = vec![Block::default(); params.block_count()];
    ARGON2_RUNS.fetch_add(1, Ordering::Relaxed);
    Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        secret.as_bytes(),
        salt,
        out,
        &mut blocks,
    )
}

/// Hashes `secret` with argon2id under `profile` and a fresh 16-byte salt.
pub fn hash_secret(secret: &str, profile: Profile) -> Result<String> {
    let params = profile.params()?;
    let mut salt = [0u8; SALT_BYTES];
    random::fill(&mut salt)?;
    let mut out = [0u8; OUTPUT_BYTES];
    run_argon2(
        Algorithm::Argon2id,
        Version::V0x13,
        params,
        secret,
        &salt,
        &mut out,
    )
    .map_err(|_| Error::InvalidProfile)?;
    let mut phc = text_with("$argon2id$v=19$m=", profile.memory_kib.into(), ",t=");
    push_decimal(&mut phc, profile.iterations.into());
    phc.push_str(",p=");
    push_decimal(&mut phc, profile.parallelism.into());
    phc.push('$');
    push_b64(&salt, &mut phc);
    phc.push('$');
    push_b64(&out, &mut phc);
    Ok(phc)
}

/// Appends `bytes` (at most 48) as B64. Through a buffer: base64's
/// `encode_string` would bring its `expect` and the Debug code it formats
/// with into the `.wasm`.
fn push_b64(bytes: &[u8], out: &mut String) {
    let mut buf = [0u8; 64];
    let n = B64.encode_slice(bytes, &mut buf).unwrap_or_default();
    out.push_str(core::str::from_utf8(buf.get(..n).unwrap_or_default()).unwrap_or_default());
}

/// A PHC string that parsed, with parameters within bounds.
struct Phc {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    /// The decoded salt: `salt[..salt_len]` (8 to 48 bytes).
    salt: [u8; 48],
    salt_len: usize,
    /// The decoded hash: `hash[..hash_len]` (16 to 64 bytes).
    hash: [u8; 64],
    hash_len: usize,
}

/// Decodes canonical B64 (the standard alphabet, no padding, no stray bits)
/// into `buf`: `None` when the text is not that or does not fit.
fn b64_decode(text: &str, buf: &mut [u8]) -> Option<usize> {
    B64.decode_slice(text, buf).ok()
}

/// A PHC decimal: digits without a leading zero, within `u32`.
fn decimal(text: &str) -> Option<u32> {
    if text.is_empty() || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    text.bytes().try_fold(0u32, |n, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        n.checked_mul(10)?.checked_add(u32::from(digit))
    })
}

/// Parses `$alg[$v=N][$param=value,…]$salt$hash`, the subset of the PHC
/// string format that argon2 uses:
/// - `alg` is `argon2d`, `argon2i` or `argon2id`; `v` is 16 or 19 (0x10,
///   0x13), and a string without it is 0x10, as the reference implementation
///   wrote it before it added the field;
/// - the parameters are `m`, `t`, `p` (PHC decimals, at most 127 characters in
///   all; an absent one takes argon2's default, a repeated one its last value)
///   and the rarely used `keyid` and `data` (B64, up to 8 and 32 bytes);
/// - the salt decodes to 8 to 48 bytes, the hash to 16 to 64.
///
/// Then [`Profile::validate`]'s bounds apply. `None` for anything else.
fn parse(phc: &str) -> Option<Phc> {
    if phc.len() > MAX_PHC_LEN {
        return None;
    }
    let mut fields = phc.split('$');
    if !fields.next()?.is_empty() {
        return None;
    }
    let algorithm = match fields.next()? {
        "argon2d" => Algorithm::Argon2d,
        "argon2i" => Algorithm::Argon2i,
        "argon2id" => Algorithm::Argon2id,
        _ => return None,
    };
    let mut field = fields.next();
    let mut version = Version::V0x10;
    if let Some(v) = field
        .and_then(|f| f.strip_prefix("v="))
        .filter(|v| !v.contains(','))
    {
        version = match v {
            "16" => Version::V0x10,
            "19" => Version::V0x13,
            _ => return None,
        };
        field = fields.next();
    }
    let mut builder = ParamsBuilder::new();
    if let Some(list) = field.filter(|f| f.contains('=')) {
        if list.len() > 127 {
            return None;
        }
        for pair in list.split(',') {
            let mut parts = pair.split('=');
            let (name, value) = (parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            match name {
                "m" => builder.m_cost(decimal(value)?),
                "t" => builder.t_cost(decimal(value)?),
                // argon2 0.5 computes `8 * p` unchecked: every `p` is
                // bounded here, before it gets there.
                "p" => builder.p_cost(decimal(value).filter(|p| *p <= MAX_PARALLELISM)?),
                "keyid" => {
                    let mut buf = [0u8; KeyId::MAX_LEN];
                    let len = b64_decode(value, &mut buf)?;
                    builder.keyid(KeyId::new(&buf[..len]).ok()?)
                }
                "data" => {
                    let mut buf = [0u8; AssociatedData::MAX_LEN];
                    let len = b64_decode(value, &mut buf)?;
                    builder.data(AssociatedData::new(&buf[..len]).ok()?)
                }
                _ => return None,
            };
        }
        field = fields.next();
    }
    let salt_text = field?;
    let hash_text = fields.next()?;
    if fields.next().is_some() || salt_text.len() > 64 {
        return None;
    }
    let mut salt = [0u8; 48];
    let salt_len = b64_decode(salt_text, &mut salt)?;
    let mut hash = [0u8; 64];
    let hash_len = b64_decode(hash_text, &mut hash)?;
    if salt_len < 8 || hash_len < 16 {
        return None;
    }
    let params = builder.output_len(hash_len).build().ok()?;
    Profile {
        memory_kib: params.m_cost(),
        iterations: params.t_cost(),
        parallelism: params.p_cost(),
    }
    .validate()
    .ok()?;
    Some(Phc {
        algorithm,
        version,
        params,
        salt,
        salt_len,
        hash,
        hash_len,
    })
}

fn check(phc: &str) -> Result<Phc> {
    parse(phc).ok_or(Error::MalformedHash)
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
    let expected = &c.hash[..c.hash_len];
    let mut computed = Zeroizing::new([0u8; 64]);
    let computed = &mut computed[..c.hash_len];
    run_argon2(
        c.algorithm,
        c.version,
        c.params,
        secret,
        &c.salt[..c.salt_len],
        computed,
    )
    .map_err(|_| Error::MalformedHash)?;
    Ok(computed.ct_eq(expected).into())
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
        || c.hash_len != OUTPUT_BYTES)
}
