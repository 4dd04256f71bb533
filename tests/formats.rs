//! Key IDs, secrets, Basic credentials and hashing: formats, round trips and
//! the bad-input table. Runs natively and under wasm (Node and Chromium).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use apikeys::credentials::MAX_CREDENTIALS_BYTES;
use apikeys::{
    encode_basic, hash_secret, is_key_id, is_secret, needs_rehash, parse_basic, verify_secret,
    Error, KeyId, Profile, Secret,
};

#[test]
fn key_ids_are_pfk_uuid_v4_lowercase() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let id = KeyId::generate().unwrap();
        let s = id.as_str();
        assert!(is_key_id(s), "{s}");
        assert_eq!(s.len(), 40);
        assert!(s.starts_with("PFK-"));
        let parts: Vec<&str> = s[4..].split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "version nibble: {s}");
        assert!("89ab".contains(&parts[3][..1]), "variant: {s}");
        assert!(s[4..]
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
        assert!(seen.insert(s.to_owned()), "duplicate {s}");
    }
}

#[test]
fn key_id_parse_is_strict() {
    let good = "PFK-1b4e28ba-2fa1-41d2-883f-0016d3cca427";
    assert!(KeyId::parse(good).is_ok());
    for bad in [
        "",
        "PFK-",
        "pfk-1b4e28ba-2fa1-41d2-883f-0016d3cca427", // prefix case
        "PFK-1B4E28BA-2FA1-41D2-883F-0016D3CCA427", // upper-case hex
        "PFK-1b4e28ba-2fa1-11d2-883f-0016d3cca427", // version 1
        "PFK-1b4e28ba-2fa1-41d2-c83f-0016d3cca427", // variant
        "PFK-1b4e28ba2fa1-41d2-883f-0016d3cca4271", // hyphen misplaced
        "PFK-1b4e28ba-2fa1-41d2-883f-0016d3cca42",  // short
        "PFK-1b4e28ba-2fa1-41d2-883f-0016d3cca4277", // long
        "PFK-1b4e28ba-2fa1-41d2-883f-0016d3cca42g", // not hex
        " PFK-1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        "PFK-1b4e28ba-2fa1-41d2-883f-0016d3cca4é",
    ] {
        assert_eq!(
            KeyId::parse(bad),
            Err(Error::MalformedCredentials),
            "{bad:?}"
        );
        assert!(!is_key_id(bad));
    }
}

#[test]
fn secrets_are_prefixed_base62_with_checksum() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let s = Secret::generate().unwrap();
        let t = s.expose();
        assert_eq!(t.len(), 53);
        assert!(t.starts_with("pfs_"));
        assert!(t[4..].chars().all(|c| c.is_ascii_alphanumeric()), "{t}");
        assert!(is_secret(t));
        assert!(Secret::parse(t).is_ok());
        assert!(seen.insert(t.to_owned()));
    }
}

#[test]
fn secret_characters_are_spread_over_base62() {
    // 43 random characters × 300 secrets: every one of the 62 symbols shows up.
    let mut counts = [0u32; 128];
    for _ in 0..300 {
        let s = Secret::generate().unwrap();
        for b in s.expose()[4..47].bytes() {
            counts[b as usize] += 1;
        }
    }
    let used = counts.iter().filter(|&&c| c > 0).count();
    assert_eq!(used, 62);
    let max = *counts.iter().max().unwrap();
    assert!(max < 2 * 300 * 43 / 62, "skewed: max {max}");
}

#[test]
fn checksum_refuses_every_single_character_typo() {
    let s = Secret::generate().unwrap();
    let t = s.expose().as_bytes().to_vec();
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for i in 4..t.len() {
        for &c in alphabet.iter().step_by(7) {
            if c == t[i] {
                continue;
            }
            let mut typo = t.clone();
            typo[i] = c;
            let typo = String::from_utf8(typo).unwrap();
            assert!(!is_secret(&typo), "typo at {i} accepted");
        }
    }
    // Swapping two neighbouring different characters is caught too.
    for i in 4..t.len() - 1 {
        if t[i] != t[i + 1] {
            let mut swapped = t.clone();
            swapped.swap(i, i + 1);
            assert!(!is_secret(std::str::from_utf8(&swapped).unwrap()));
        }
    }
}

#[test]
fn secret_format_refusals() {
    let good = Secret::generate().unwrap().expose().to_owned();
    let cases = [
        String::new(),
        good[..52].to_owned(),
        format!("{good}A"),
        good.replacen("pfs_", "pfx_", 1),
        good.replacen("pfs_", "PFS_", 1),
        format!("{}-{}", &good[..20], &good[21..]),
        format!("{}é{}", &good[..20], &good[22..]),
    ];
    for bad in cases {
        assert_eq!(
            Secret::parse(&bad),
            Err(Error::MalformedCredentials),
            "{bad:?}"
        );
    }
}

#[test]
fn secret_debug_is_redacted() {
    let s = Secret::generate().unwrap();
    let shown = format!("{s:?}");
    assert!(shown.contains("REDACTED"));
    assert!(!shown.contains(&s.expose()[4..20]));
    let c = parse_basic(&encode_basic("id", s.expose()).unwrap()).unwrap();
    assert!(!format!("{c:?}").contains(&s.expose()[4..20]));
}

#[test]
fn basic_round_trips_utf8_and_colons() {
    let cases = [
        ("PFK-1b4e28ba-2fa1-41d2-883f-0016d3cca427", "pfs_abc"),
        ("user", "pass:with:colons"),
        ("", ""),
        ("ünïcødé", "пароль:密码:🔑"),
        ("a b", " leading and trailing "),
    ];
    for (user, pass) in cases {
        let header = encode_basic(user, pass).unwrap();
        assert!(header.starts_with("Basic "));
        let c = parse_basic(&header).unwrap();
        assert_eq!(c.user_id, user);
        assert_eq!(c.password.as_str(), pass);
    }
}

#[test]
fn basic_parse_accepts_scheme_case_and_white_space() {
    let token = "QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
    for header in [
        format!("Basic {token}"),
        format!("basic {token}"),
        format!("BASIC {token}"),
        format!("bAsIc     {token}"),
        format!("Basic\t{token}"),
        format!("  Basic {token}  "),
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ".to_owned(), // unpadded
    ] {
        let c = parse_basic(&header).unwrap_or_else(|e| panic!("{header:?}: {e:?}"));
        assert_eq!(c.user_id, "Aladdin");
        assert_eq!(c.password.as_str(), "open sesame");
    }
}

#[test]
fn basic_parse_bad_input_table() {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let big = format!("Basic {}", b64(&vec![b'a'; MAX_CREDENTIALS_BYTES + 1]));
    let huge = format!("Basic {}", "A".repeat(1 << 20));
    let cases: Vec<(String, Error)> = vec![
        (String::new(), Error::MissingCredentials),
        ("   ".into(), Error::MissingCredentials),
        ("Basic".into(), Error::MissingCredentials),
        ("Basic    ".into(), Error::MissingCredentials),
        ("Bearer abc".into(), Error::UnsupportedScheme),
        ("Digest username=x".into(), Error::UnsupportedScheme),
        ("Basicx QWxh".into(), Error::UnsupportedScheme),
        (
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ==".into(),
            Error::UnsupportedScheme,
        ),
        ("Basic !!!!".into(), Error::MalformedCredentials),
        ("Basic QWxh ZGRp".into(), Error::MalformedCredentials),
        (
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ===".into(),
            Error::MalformedCredentials,
        ),
        (
            format!("Basic {}", b64(b"no colon here")),
            Error::MalformedCredentials,
        ),
        (
            format!("Basic {}", b64(b"bad\xff\xfeutf8:x")),
            Error::MalformedCredentials,
        ),
        (
            format!("Basic {}", b64(b"nul\0:x")),
            Error::MalformedCredentials,
        ),
        (
            format!("Basic {}", b64(b"id:new\nline")),
            Error::MalformedCredentials,
        ),
        (big, Error::MalformedCredentials),
        (huge, Error::MalformedCredentials),
        // ID and secret encoded separately, against RFC 7617 and the seed.
        (
            format!("Basic {}:{}", b64(b"PFK-x"), b64(b"pfs_y")),
            Error::MalformedCredentials,
        ),
    ];
    for (header, expected) in cases {
        let shown: String = header.chars().take(60).collect();
        assert_eq!(parse_basic(&header).map(|_| ()), Err(expected), "{shown:?}");
    }
    // Exactly at the cap is fine.
    let at_cap = format!(
        "Basic {}",
        b64(&[b"id:".as_slice(), &vec![b'p'; MAX_CREDENTIALS_BYTES - 3]].concat())
    );
    assert!(parse_basic(&at_cap).is_ok());
    // One or two bytes over the cap fit in the same base64 length: refused too.
    for over in [1, 2] {
        let creds = [
            b"id:".as_slice(),
            &vec![b'p'; MAX_CREDENTIALS_BYTES - 3 + over],
        ]
        .concat();
        let header = format!("Basic {}", b64(&creds));
        assert_eq!(
            parse_basic(&header).map(|_| ()),
            Err(Error::MalformedCredentials),
            "+{over}"
        );
    }
}

#[test]
fn basic_encode_refusals() {
    assert_eq!(encode_basic("a:b", "x"), Err(Error::InvalidUserId));
    assert_eq!(encode_basic("a\u{1}", "x"), Err(Error::InvalidUserId));
    assert_eq!(encode_basic("a", "x\ny"), Err(Error::InvalidPassword));
    assert_eq!(encode_basic("a", "x\u{7f}"), Err(Error::InvalidPassword));
}

#[test]
fn hash_verify_round_trip_with_fresh_salts() {
    let s = Secret::generate().unwrap();
    let a = hash_secret(s.expose(), Profile::DEFAULT).unwrap();
    let b = hash_secret(s.expose(), Profile::DEFAULT).unwrap();
    assert!(a.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{a}");
    assert_ne!(a, b, "salt must differ");
    assert!(!a.contains(s.expose()));
    assert_eq!(verify_secret(s.expose(), &a), Ok(true));
    assert_eq!(verify_secret(s.expose(), &b), Ok(true));
    let other = Secret::generate().unwrap();
    assert_eq!(verify_secret(other.expose(), &a), Ok(false));
    assert_eq!(needs_rehash(&a, Profile::DEFAULT), Ok(false));
    assert_eq!(needs_rehash(&a, Profile::STRONG), Ok(true));
}

#[test]
fn strong_profile_is_owasp() {
    assert_eq!(
        (
            Profile::STRONG.memory_kib,
            Profile::STRONG.iterations,
            Profile::STRONG.parallelism
        ),
        (19_456, 2, 1)
    );
    let h = hash_secret("x", Profile::STRONG).unwrap();
    assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
    assert_eq!(verify_secret("x", &h), Ok(true));
    assert_eq!(Profile::named("strong"), Ok(Profile::STRONG));
    assert_eq!(Profile::named("default"), Ok(Profile::DEFAULT));
    assert_eq!(Profile::named("weak"), Err(Error::InvalidProfile));
}

#[test]
fn profile_bounds() {
    let p = |m, t, p| Profile {
        memory_kib: m,
        iterations: t,
        parallelism: p,
    };
    for bad in [
        p(7, 1, 1),
        p(15, 1, 2),
        p(65_537, 1, 1),
        p(64, 0, 1),
        p(64, 17, 1),
        p(64, 1, 0),
        p(256, 1, 17),
    ] {
        assert_eq!(hash_secret("x", bad), Err(Error::InvalidProfile), "{bad:?}");
        assert_eq!(needs_rehash("$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHR2YWx1ZQ$zRSPeFmdv9wdz6GK+/jyCYQKKF9tNugprVLTBlDjoOc", bad), Err(Error::InvalidProfile));
    }
    assert!(hash_secret("x", p(8, 1, 1)).is_ok());
}

#[test]
fn malformed_hash_table() {
    let good = "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHR2YWx1ZQ$zRSPeFmdv9wdz6GK+/jyCYQKKF9tNugprVLTBlDjoOc";
    let cases = [
        "".to_owned(),
        "not a hash".to_owned(),
        "$argon2id$".to_owned(),
        good.replace("argon2id", "scrypt"),
        good.replace("argon2id", "pbkdf2-sha256"),
        good.replace("v=19", "v=20"),
        good.replace("m=64", "m=4194304"), // 4 GiB: refused, not allocated
        good.replace("t=1", "t=1000"),
        good.replace("p=1", "p=255"),
        good.replace("$c29tZXNhbHR2YWx1ZQ$", "$c29t$"), // 3-byte salt
        good.replace("$zRSPeFmdv9wdz6GK+/jyCYQKKF9tNugprVLTBlDjoOc", ""), // no hash
        format!("{good}{}", "A".repeat(300)),
        good.replace("zRSP", "zR!P"),
        // Fuzz (phc_verify): a salt that is not canonical B64 cannot be
        // decoded by argon2; refused up front, with no argon2 run.
        "$argon2d$m=8,p=8,t=1,p=1$c58tZ429495XN$aGF10aGhhc2fnYXNoaGzaA".to_owned(),
    ];
    for bad in &cases {
        assert_eq!(verify_secret("x", bad), Err(Error::MalformedHash), "{bad}");
        assert_eq!(
            needs_rehash(bad, Profile::DEFAULT),
            Err(Error::MalformedHash),
            "{bad}"
        );
    }
}

#[test]
fn error_codes_are_stable_and_distinct() {
    let codes: std::collections::HashSet<_> = Error::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), Error::ALL.len());
    for e in Error::ALL {
        assert!(e
            .code()
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b'_'));
        assert!(!e.to_string().is_empty());
    }
    assert_eq!(Error::UnknownKey.status(), 401);
    assert_eq!(Error::InvalidSecret.status(), 401);
    assert_eq!(Error::ReadOnlyKey.status(), 403);
    assert_eq!(Error::DailyLimitExceeded.status(), 429);
    assert_eq!(Error::ConcurrencyLimitExceeded.status(), 429);
}
