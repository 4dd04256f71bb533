//! Helpers shared by the fuzz targets: independent reference models of the
//! key ID and secret formats (written differently from the library on
//! purpose, so the targets compare two implementations), fixed credentials
//! that the seed state records are hashed from, and checks of a
//! [`Decision`]'s own consistency.

use apikeys::hashing::Profile;
use apikeys::Decision;

/// The cheapest profile the library accepts (m=8 KiB, t=1, p=1): seeded
/// accounts use it so that a fuzz run spends its time in the library's logic,
/// not in argon2.
pub const TINY: Profile = Profile {
    memory_kib: 8,
    iterations: 1,
    parallelism: 1,
};

/// Hash cost (KiB × passes) above which a target skips an argon2 computation
/// that a fuzzed record asks for: the bound of the library itself (64 MiB ×
/// 16) is measured in `tests/hostile.rs`; here it would only slow the search.
pub const CHEAP_COST: u64 = 4096;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// CRC-32 (IEEE, reflected, polynomial 0xEDB88320), bit by bit: the textbook
/// form, not the library's table.
pub fn ref_crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// Six base62 digits of the CRC-32 of `body`, most significant first.
pub fn ref_checksum(body: &[u8]) -> String {
    let mut n = u64::from(ref_crc32(body));
    let mut digits = Vec::with_capacity(6);
    for _ in 0..6 {
        digits.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    digits.reverse();
    String::from_utf8(digits).expect("base62 is ASCII")
}

/// The secret format as documented: `pfs_`, 43 base62 characters, then the
/// six-character checksum of everything before it.
pub fn ref_is_secret(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("pfs_") else {
        return false;
    };
    if rest.len() != 49 || !rest.bytes().all(|b| BASE62.contains(&b)) {
        return false;
    }
    let (body, sum) = text.split_at(text.len() - 6);
    ref_checksum(body.as_bytes()) == sum
}

/// A valid secret whose 43 random characters are taken from `seed` (each
/// byte mapped onto base62; shorter seeds repeat).
pub fn make_secret(seed: &[u8]) -> String {
    let mut s = String::from("pfs_");
    for i in 0..43 {
        let b = if seed.is_empty() {
            i as u8
        } else {
            seed[i % seed.len()]
        };
        s.push(BASE62[usize::from(b) % 62] as char);
    }
    let sum = ref_checksum(s.as_bytes());
    s.push_str(&sum);
    s
}

/// The key ID format as documented: `PFK-` and a lowercase UUID v4.
pub fn ref_is_key_id(text: &str) -> bool {
    let Some(uuid) = text.strip_prefix("PFK-") else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if lens != [8, 4, 4, 4, 12] {
        return false;
    }
    let lower_hex = |g: &&str| g.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    groups.iter().all(lower_hex)
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

/// A valid key ID built from 16 bytes (the version and variant bits forced).
pub fn make_key_id(bytes: [u8; 16]) -> String {
    let mut b = bytes;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "PFK-{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Fixed key IDs of the seed state records (`fuzz/seeds/from_json`).
pub const KNOWN_IDS: [&str; 3] = [
    "PFK-00000000-0000-4000-8000-000000000000",
    "PFK-11111111-1111-4111-9111-111111111111",
    "PFK-22222222-2222-4222-a222-222222222222",
];

/// The secret of `KNOWN_IDS[i]` in the seed state records.
pub fn known_secret(i: usize) -> String {
    make_secret(format!("fuzz-known-secret-{i}").as_bytes())
}

/// Every window of `len` bytes of `secret` (to look for any part of it).
pub fn windows(secret: &str, len: usize) -> impl Iterator<Item = &str> {
    (0..(secret.len() + 1).saturating_sub(len)).map(move |i| &secret[i..i + len])
}

/// The argon2 cost (KiB × passes) of a PHC string, if it parses.
pub fn phc_cost(phc: &str) -> Option<u64> {
    let hash = argon2::PasswordHash::new(phc).ok()?;
    let params = argon2::Params::try_from(&hash).ok()?;
    Some(u64::from(params.m_cost()) * u64::from(params.t_cost()))
}

/// Checks that a decision agrees with itself: status, code, lease and headers.
pub fn check_decision(d: &Decision) {
    assert_eq!(d.ok(), d.code() == "OK", "{d:?}");
    assert_eq!(d.ok(), d.status() == 200, "{d:?}");
    // `authorize` (which reports a quota) leases every admitted call; `verify` none.
    assert_eq!(d.lease_id.is_some(), d.ok() && d.quota.is_some(), "{d:?}");
    assert_eq!(
        d.status() == 401,
        d.header("WWW-Authenticate").is_some(),
        "{d:?}"
    );
    assert_eq!(d.status() == 429, d.retry_after.is_some(), "{d:?}");
    assert_eq!(d.retry_after.is_some(), d.header("Retry-After").is_some());
    if let Some(secs) = d.retry_after {
        assert!(secs >= 1, "{d:?}");
    }
    // Only a caller whose secret verified learns the account's quota.
    assert_eq!(
        d.header("RateLimit").is_some(),
        d.access.is_some() && d.quota.is_some(),
        "{d:?}"
    );
    if d.access.is_some() {
        assert!(d.key_id.is_some(), "{d:?}");
    }
    if let Some(q) = d.quota {
        assert!(q.remaining <= q.limit, "{d:?}");
    }
}
