//! The secret format and its CRC-32 checksum, against an independent model:
//! arbitrary text, valid secrets built from the input, and single-character
//! changes and adjacent swaps of those (a CRC-32 detects every one).
#![no_main]

use apikeys::hashing::argon2_runs;
use apikeys::{is_secret, Error, Secret};
use apikeys_fuzz::{make_secret, ref_is_secret};
use libfuzzer_sys::fuzz_target;

fn check(text: &str) -> bool {
    let ok = is_secret(text);
    assert_eq!(ok, ref_is_secret(text), "{text:?}");
    match Secret::parse(text) {
        Ok(s) => {
            assert!(ok);
            assert_eq!(s.expose(), text);
            assert_eq!(format!("{s:?}"), "Secret([REDACTED])");
        }
        Err(e) => {
            assert!(!ok);
            assert_eq!(e, Error::MalformedCredentials);
        }
    }
    ok
}

fuzz_target!(|data: &[u8]| {
    let runs = argon2_runs();
    if let Ok(text) = std::str::from_utf8(data) {
        check(text);
    }
    if data.len() >= 43 {
        let secret = make_secret(&data[..43]);
        assert!(check(&secret), "{secret}");
        let rest = &data[43..];
        if let (Some(&pos), Some(&byte)) = (rest.first(), rest.get(1)) {
            let pos = usize::from(pos) % secret.len();
            let mut changed = secret.clone().into_bytes();
            if changed[pos] != byte {
                changed[pos] = byte;
                if let Ok(changed) = String::from_utf8(changed) {
                    assert!(
                        !check(&changed),
                        "one changed character accepted: {changed}"
                    );
                }
            }
            // Two neighbours swapped.
            let mut swapped = secret.clone().into_bytes();
            let pos = pos.min(secret.len() - 2);
            if swapped[pos] != swapped[pos + 1] {
                swapped.swap(pos, pos + 1);
                let swapped = String::from_utf8(swapped).expect("ASCII");
                assert!(!check(&swapped), "a swap accepted: {swapped}");
            }
        }
    }
    assert_eq!(argon2_runs(), runs, "format checks must never hash");
});
