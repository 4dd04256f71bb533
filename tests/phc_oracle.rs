//! The PHC parser of `src/hashing.rs` against the one it replaced: the
//! `password-hash` 0.5 crate's `PasswordHash` with argon2 0.5's `Params`, plus
//! the bounds this library adds (the code as it was, in `oracle` below). Both
//! must accept the same strings and read the same algorithm, version,
//! parameters (`keyid` and `data` too), salt and hash from them. Native only:
//! the oracle's crates are dev-dependencies.
#![cfg(not(target_arch = "wasm32"))]

use apikeys::hashing::{validate_hash, MAX_PARALLELISM, MAX_PHC_LEN};
use apikeys::{needs_rehash, verify_secret, Error, Profile};
use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use base64ct::{Base64Unpadded, Encoding};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// What the old `check` accepted, and what it read.
struct Old {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Vec<u8>,
    hash: Vec<u8>,
}

/// `hashing::check` before the change, verbatim but for the types.
fn oracle(phc: &str) -> Option<Old> {
    if phc.len() > MAX_PHC_LEN {
        return None;
    }
    let hash = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::V0x10,
    };
    let p_ok = hash.params.iter().all(|(name, value)| {
        name.as_str() != "p" || value.decimal().is_ok_and(|p| p <= MAX_PARALLELISM)
    });
    if !p_ok {
        return None;
    }
    let params = Params::try_from(&hash).ok()?;
    Profile {
        memory_kib: params.m_cost(),
        iterations: params.t_cost(),
        parallelism: params.p_cost(),
    }
    .validate()
    .ok()?;
    let mut salt_buf = [0u8; 64];
    let salt = hash.salt?.decode_b64(&mut salt_buf).ok()?.to_vec();
    let out = hash.hash?;
    if salt.len() < 8 || !(16..=64).contains(&out.len()) {
        return None;
    }
    Some(Old {
        algorithm,
        version,
        params,
        salt,
        hash: out.as_bytes().to_vec(),
    })
}

/// What the old `verify_secret` computed.
fn old_verify(secret: &str, old: &Old) -> bool {
    let mut out = vec![0u8; old.hash.len()];
    Argon2::new(old.algorithm, old.version, old.params.clone())
        .hash_password_into(secret.as_bytes(), &old.salt, &mut out)
        .expect("accepted, so it runs");
    out == old.hash
}

fn old_needs_rehash(old: &Old, profile: Profile) -> bool {
    old.algorithm != Algorithm::Argon2id
        || old.version != Version::V0x13
        || old.params.m_cost() != profile.memory_kib
        || old.params.t_cost() != profile.iterations
        || old.params.p_cost() != profile.parallelism
        || old.hash.len() != 32
}

/// Compares the two on one string; verifies (cheap parameters only) with a
/// secret and with a wrong one.
fn same(phc: &str) -> Result<(), TestCaseError> {
    let old = oracle(phc);
    let new = validate_hash(phc);
    prop_assert_eq!(new.is_ok(), old.is_some(), "{}", phc);
    match old {
        None => {
            prop_assert_eq!(verify_secret("x", phc), Err(Error::MalformedHash));
            prop_assert_eq!(
                needs_rehash(phc, Profile::DEFAULT),
                Err(Error::MalformedHash)
            );
        }
        Some(old) => {
            for profile in [Profile::DEFAULT, Profile::STRONG] {
                prop_assert_eq!(
                    needs_rehash(phc, profile),
                    Ok(old_needs_rehash(&old, profile))
                );
            }
            let cost = u64::from(old.params.m_cost()) * u64::from(old.params.t_cost());
            if cost <= 1024 {
                for secret in ["pfs_secret", "password"] {
                    prop_assert_eq!(
                        verify_secret(secret, phc),
                        Ok(old_verify(secret, &old)),
                        "{}",
                        phc
                    );
                }
            }
        }
    }
    Ok(())
}

fn b64(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

/// B64 text: mostly canonical encodings of `len` bytes, sometimes with a
/// changed last character (stray bits), padding, a character outside the
/// alphabet, or one character less.
fn b64_text(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(any::<u8>(), len),
        0..32u8,
        any::<u8>(),
    )
        .prop_map(|(bytes, how, c)| {
            let mut s = b64(&bytes);
            match how {
                0 if !s.is_empty() => {
                    s.pop();
                    s.push(b"AQgh+/.-="[usize::from(c) % 9] as char);
                }
                1 => s.push('='),
                2 => s.insert(usize::from(c) % (s.len() + 1), '.'),
                3 if !s.is_empty() => {
                    s.remove(usize::from(c) % s.len());
                }
                _ => {}
            }
            s
        })
}

fn decimal_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "1", "2", "8", "16", "17", "32", "64", "256", "4096", "65536", "65537", "19456",
        ])
        .prop_map(str::to_owned),
        1 => prop::sample::select(vec![
            "0", "01", "", "-1", "+1", "4294967295", "4294967296", "1x", " 1", "08",
        ])
        .prop_map(str::to_owned),
        1 => any::<u32>().prop_map(|n| n.to_string()),
    ]
}

fn pair() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => decimal_text().prop_map(|v| format!("m={v}")),
        3 => decimal_text().prop_map(|v| format!("t={v}")),
        3 => decimal_text().prop_map(|v| format!("p={v}")),
        1 => b64_text(0..10).prop_map(|v| format!("keyid={v}")),
        1 => b64_text(0..34).prop_map(|v| format!("data={v}")),
        1 => prop::sample::select(vec!["x=1", "v=19", "=1", "m", "m=1=2", "", "M=8", "keyid=", "data="])
            .prop_map(str::to_owned),
    ]
}

fn phc_text() -> impl Strategy<Value = String> {
    let alg = prop_oneof![
        8 => prop::sample::select(vec!["argon2id", "argon2i", "argon2d"]),
        1 => prop::sample::select(vec!["argon2", "scrypt", "ARGON2ID", "", "argon2id "]),
    ];
    let version = prop::sample::select(vec![
        None,
        None,
        Some("v=19"),
        Some("v=19"),
        Some("v=19"),
        Some("v=16"),
        Some("v=16"),
        Some("v=0"),
        Some("v=019"),
        Some("v=20"),
        Some("v=19,m=8"),
        Some("v="),
        Some("v=1=9"),
    ]);
    let cheap = (
        prop::sample::select(vec![8u32, 16, 32, 64, 128]),
        1..4u32,
        1..3u32,
    )
        .prop_map(|(m, t, p)| format!("m={m},t={t},p={p}"));
    let params = prop::option::weighted(
        0.9,
        prop_oneof![
            3 => cheap,
            2 => prop::collection::vec(pair(), 1..4).prop_map(|v| v.join(",")),
        ],
    );
    let salt = prop::option::weighted(0.95, b64_text(4..52));
    let hash = prop::option::weighted(0.95, b64_text(12..68));
    let extra = prop::option::weighted(0.05, b64_text(0..20));
    (
        alg,
        version,
        params,
        salt,
        hash,
        extra,
        0..20u8,
        any::<u16>(),
        any::<u8>(),
    )
        .prop_map(|(alg, version, params, salt, hash, extra, edit, at, c)| {
            let mut fields = vec![String::new(), alg.to_owned()];
            fields.extend(version.map(str::to_owned));
            fields.extend(params);
            fields.extend(salt);
            fields.extend(hash);
            fields.extend(extra);
            let mut s = fields.join("$");
            // An occasional one-character edit anywhere.
            if edit == 0 && !s.is_empty() {
                let i = usize::from(at) % s.len();
                if s.is_char_boundary(i) {
                    s.insert(i, b"$=,0aZ+/.-"[usize::from(c) % 10] as char);
                }
            } else if edit == 1 && !s.is_empty() {
                let i = usize::from(at) % s.len();
                if s.is_char_boundary(i) && s.is_char_boundary(i + 1) {
                    s.remove(i);
                }
            }
            s
        })
}

#[test]
fn the_parser_accepts_and_reads_what_password_hash_did() {
    let mut runner = TestRunner::new(Config::with_cases(10000));
    runner.run(&phc_text(), |phc| same(&phc)).unwrap();
}

/// Hand-picked corners of the grammar, each once.
#[test]
fn the_parser_agrees_on_corner_cases() {
    let salt = "c29tZXNhbHR2YWx1ZQ";
    let out = "zRSPeFmdv9wdz6GK+/jyCYQKKF9tNugprVLTBlDjoOc";
    let max_out = b64(&[7u8; 64]);
    let too_long_out = b64(&[7u8; 65]);
    let cases = [
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}${out}"),
        format!("$argon2id$m=64,t=1,p=1${salt}${out}"),
        format!("$argon2id${salt}${out}"), // no parameters: argon2's defaults
        format!("$argon2id$v=19${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1,p=1${salt}${out}"),
        format!("$argon2id$v=19$t=1,m=64${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1,keyid=AAECAwQFBgc${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1,keyid=AAECAwQFBgcI${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1,keyid=${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1,data=c29tZSBkYXRh${salt}${out}"),
        format!(
            "$argon2id$v=19$m=64,t=1,p=1,data={}${salt}${out}",
            b64(&[1; 32])
        ),
        format!(
            "$argon2id$v=19$m=64,t=1,p=1,data={}${salt}${out}",
            b64(&[1; 33])
        ),
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}${max_out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}${too_long_out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1${}${out}", b64(&[3; 48])),
        format!("$argon2id$v=19$m=64,t=1,p=1${}${out}", b64(&[3; 49])),
        format!("$argon2id$v=19$m=64,t=1,p=1${}${out}", b64(&[3; 8])),
        format!("$argon2id$v=19$m=64,t=1,p=1${}${out}", b64(&[3; 7])),
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}${}", b64(&[3; 16])),
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}${}", b64(&[3; 15])),
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}${out}$"),
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}"),
        format!("$argon2id$v=19$m=64,t=1,p=1$${out}"),
        format!("$argon2id$$m=64,t=1,p=1${salt}${out}"),
        format!("$argon2id$v=19$v=19${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1,${salt}${out}"),
        format!("$argon2id$v=19$m=64,,t=1${salt}${out}"),
        format!(
            "$argon2id$v=19$m=64,t=1,p=1,{}=1${salt}${out}",
            "a".repeat(33)
        ),
        format!("$argon2id$v=19$m={},t=1${salt}${out}", "0".repeat(130)),
        format!("$argon2id$v=19$m=00064,t=1${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}==${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=1${salt}${out}="),
        format!("$argon2id$v=19$m=8,t=1,p=2${salt}${out}"),
        format!("$argon2id$v=19$m=16,t=1,p=2${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=0,p=1${salt}${out}"),
        format!("$argon2id$v=19$m=64,t=1,p=0${salt}${out}"),
        format!("x$argon2id$v=19$m=64,t=1,p=1${salt}${out}"),
        format!(
            "$argon2id$v=19$m=64,t=1,p=1${salt}${out}{}",
            "A".repeat(300)
        ),
        "$argon2id$v=16$m=256,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$8AQTQEzFlLeAVsnBAUN6DQ".to_owned(),
        "$argon2id$m=256,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$8AQTQEzFlLeAVsnBAUN6DQ".to_owned(),
        "$argon2d$m=8,p=8,t=1,p=1$c58tZ429495XN$aGF10aGhhc2fnYXNoaGzaA".to_owned(),
        String::new(),
        "$".to_owned(),
        "$argon2id".to_owned(),
        "$argon2id$".to_owned(),
    ];
    for phc in &cases {
        same(phc).unwrap();
    }
    // Parameter lists of 125 to 130 characters: at most 127 are accepted.
    for len in 125..=130 {
        let mut list = "p=1".to_owned();
        while list.len() + 4 + 4 < len {
            list.push_str(",t=1");
        }
        let m = ["8", "64", "128", "1024", "16384"]
            .iter()
            .find(|m| list.len() + 3 + m.len() == len)
            .unwrap();
        list.push_str(&format!(",m={m}"));
        assert_eq!(list.len(), len);
        same(&format!("$argon2id$v=19${list}${salt}${out}")).unwrap();
    }
}

/// The B64 decoding the parser relies on (the `base64` crate's standard
/// alphabet without padding) is `base64ct`'s `Base64Unpadded`, which
/// `password-hash` and argon2 used: same text accepted, same bytes, same
/// refusal when the buffer is too small.
#[test]
fn b64_decoding_is_base64ct_unpadded() {
    let text = prop_oneof![
        b64_text(0..70),
        prop::collection::vec(
            prop::sample::select(b"AB/+azQg09=.-$ \n\x80".to_vec()),
            0..100
        )
        .prop_map(|v| String::from_utf8_lossy(&v).into_owned()),
    ];
    let mut runner = TestRunner::new(Config::with_cases(5000));
    runner
        .run(&(text, 0..70usize), |(text, cap)| {
            let mut a = vec![0u8; cap];
            let mut b = vec![0u8; cap];
            let ours = STANDARD_NO_PAD
                .decode_slice(&text, &mut a)
                .ok()
                .map(|n| a[..n].to_vec());
            let theirs = Base64Unpadded::decode(&text, &mut b)
                .ok()
                .map(<[u8]>::to_vec);
            prop_assert_eq!(ours, theirs, "{:?} into {}", text, cap);
            Ok(())
        })
        .unwrap();
}
