//! Known-answer vectors, each with its source.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use apikeys::{encode_basic, needs_rehash, parse_basic, verify_secret, Profile};

/// RFC 7617 §2: user-id "Aladdin", password "open sesame".
#[test]
fn rfc7617_section2_aladdin() {
    let header = encode_basic("Aladdin", "open sesame").unwrap();
    assert_eq!(header, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    let c = parse_basic("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==").unwrap();
    assert_eq!(c.user_id, "Aladdin");
    assert_eq!(c.password.as_str(), "open sesame");
}

/// RFC 7617 §2.1: user-id "test", password "123£" with charset="UTF-8".
#[test]
fn rfc7617_section2_1_utf8() {
    assert_eq!(
        encode_basic("test", "123£").unwrap(),
        "Basic dGVzdDoxMjPCow=="
    );
    let c = parse_basic("Basic dGVzdDoxMjPCow==").unwrap();
    assert_eq!((c.user_id.as_str(), c.password.as_str()), ("test", "123£"));
}

/// Recorded from the reference implementation (phc-winner-argon2, Debian's
/// `argon2` 0~20190702 CLI): `echo -n PASSWORD | argon2 SALT FLAGS -e`.
const REFERENCE: &[(&str, &str)] = &[
    // The example of the reference README: argon2 somesalt -t 2 -m 16 -p 4 -l 24
    (
        "password",
        "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
    ),
    // argon2 somesaltvalue -id -t 1 -m 6 -p 1 -l 32 (the default profile's parameters)
    (
        "pfs_secret",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHR2YWx1ZQ$zRSPeFmdv9wdz6GK+/jyCYQKKF9tNugprVLTBlDjoOc",
    ),
    // argon2 saltsaltsalt16b -id -t 3 -m 12 -p 1 -l 32
    (
        "open sesame:with colon",
        "$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0MTZi$RrlzxfUXGVs9LetGalXX5bPLL9HlLGLte298OHGunAQ",
    ),
    // argon2 somesaltsomesalt -d -t 1 -m 5 -p 2 -l 32
    (
        "password",
        "$argon2d$v=19$m=32,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$8y0sEkNg/+9XP5FrM4hfsPF7RyHgP72VnvXhToapbk8",
    ),
    // argon2 somesaltsomesalt -id -t 2 -m 8 -p 2 -l 16 -v 10
    (
        "password",
        "$argon2id$v=16$m=256,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$8AQTQEzFlLeAVsnBAUN6DQ",
    ),
    // argon2 saltysaltysalty -id -t 2 -k 19456 -p 1 -l 32 (OWASP's parameters), UTF-8 password
    (
        "pässwörd",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHlzYWx0eXNhbHR5$ed7Lmg3LqdbLHSgOZV36OII2oAHypjY5FBKjxYH/Lt0",
    ),
];

#[test]
fn reference_argon2_hashes_verify() {
    for (password, phc) in REFERENCE {
        assert_eq!(verify_secret(password, phc), Ok(true), "{phc}");
        assert_eq!(verify_secret("wrong", phc), Ok(false), "{phc}");
    }
}

#[test]
fn reference_hashes_with_other_parameters_need_rehash() {
    for (_, phc) in REFERENCE {
        let expected = !phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$");
        assert_eq!(needs_rehash(phc, Profile::DEFAULT), Ok(expected), "{phc}");
    }
    assert_eq!(needs_rehash(REFERENCE[5].1, Profile::STRONG), Ok(false));
}

/// A PHC string without `v=` is argon2 version 0x10: the reference
/// implementation wrote its 0x10 hashes that way before it added the field.
/// The reference CLI's `-v 10` vector above, without its `v=16` segment,
/// must verify as 0x10 (and must not as 0x13).
#[test]
fn phc_without_version_is_argon2_0x10() {
    let with_version = "$argon2id$v=16$m=256,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$8AQTQEzFlLeAVsnBAUN6DQ";
    let without = with_version.replace("$v=16", "");
    assert_eq!(verify_secret("password", &without), Ok(true));
    assert_eq!(verify_secret("wrong", &without), Ok(false));
    let as_0x13 = with_version.replace("v=16", "v=19");
    assert_eq!(verify_secret("password", &as_0x13), Ok(false));
}
