//! PHC parsing and `verify_secret` on arbitrary strings. The input is
//! `secret "\n" phc` (without a newline: a fixed secret and the whole input as
//! the PHC string); an input starting with `!` hashes the secret under a tiny
//! profile first and checks that exactly that secret verifies.
#![no_main]

use apikeys::hashing::{
    argon2_runs, hash_secret, validate_hash, MAX_ITERATIONS, MAX_MEMORY_KIB, MAX_PARALLELISM,
    MAX_PHC_LEN,
};
use apikeys::{needs_rehash, verify_secret, Error, Profile};
use apikeys_fuzz::{known_secret, CHEAP_COST, TINY};
use argon2::{PasswordHash, PasswordVerifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(secret) = text.strip_prefix('!') {
        let phc = hash_secret(secret, TINY).expect("the tiny profile is valid");
        assert_eq!(validate_hash(&phc), Ok(()));
        assert_eq!(verify_secret(secret, &phc), Ok(true));
        let other = format!("{secret}x");
        assert_eq!(verify_secret(&other, &phc), Ok(false));
        assert_eq!(needs_rehash(&phc, TINY), Ok(false));
        assert_eq!(needs_rehash(&phc, Profile::DEFAULT), Ok(true));
        return;
    }
    let fixed = known_secret(0);
    let (secret, phc) = match text.split_once('\n') {
        Some((s, p)) => (s, p),
        None => (fixed.as_str(), text),
    };

    let before = argon2_runs();
    let valid = validate_hash(phc);
    assert_eq!(argon2_runs(), before, "validation must not hash");
    assert_eq!(needs_rehash(phc, Profile::DEFAULT).is_ok(), valid.is_ok());

    match valid {
        Err(e) => {
            assert_eq!(e, Error::MalformedHash);
            assert_eq!(verify_secret(secret, phc), Err(Error::MalformedHash));
            assert_eq!(
                argon2_runs(),
                before,
                "a malformed hash must cost no argon2 run"
            );
        }
        Ok(()) => {
            // What was accepted is within the documented bounds.
            assert!(phc.len() <= MAX_PHC_LEN);
            let hash = PasswordHash::new(phc).expect("accepted, so it parses");
            let params = argon2::Params::try_from(&hash).expect("accepted, so params parse");
            assert!(params.m_cost() <= MAX_MEMORY_KIB);
            assert!(params.t_cost() <= MAX_ITERATIONS);
            assert!(params.p_cost() <= MAX_PARALLELISM);
            let cost = u64::from(params.m_cost()) * u64::from(params.t_cost());
            if cost <= CHEAP_COST {
                let got = verify_secret(secret, phc);
                assert_eq!(
                    argon2_runs(),
                    before + 1,
                    "exactly one argon2 run per verify"
                );
                // The argon2 crate's own verifier is the reference. A string
                // without `v=` is version 0x10 (as the reference implementation
                // wrote it), which that verifier reads as 0x13: give it `v=16`.
                let explicit = match hash.version {
                    Some(_) => phc.to_owned(),
                    None => {
                        let ident = format!("${}$", hash.algorithm);
                        phc.replacen(&ident, &format!("{ident}v=16$"), 1)
                    }
                };
                let reference = PasswordHash::new(&explicit).expect("still parses");
                let expected = argon2::Argon2::default()
                    .verify_password(secret.as_bytes(), &reference)
                    .is_ok();
                assert_eq!(got, Ok(expected), "{phc}");
            }
        }
    }
});
