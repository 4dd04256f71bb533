//! Key ID parsing against an independent model of the format, on arbitrary
//! text and on valid IDs built from the input.
#![no_main]

use apikeys::hashing::argon2_runs;
use apikeys::{is_key_id, Error, KeyId};
use apikeys_fuzz::{make_key_id, ref_is_key_id};
use libfuzzer_sys::fuzz_target;

fn check(text: &str) -> bool {
    let ok = is_key_id(text);
    assert_eq!(ok, ref_is_key_id(text), "{text:?}");
    match KeyId::parse(text) {
        Ok(id) => {
            assert!(ok);
            assert_eq!(id.as_str(), text);
            assert_eq!(id.to_string(), text);
        }
        Err(e) => {
            assert!(!ok);
            assert_eq!(e, Error::MalformedCredentials);
        }
    }
    // The serde path (state records) agrees with the parser.
    let json = serde_json::to_string(text).expect("a string serializes");
    let de = serde_json::from_str::<KeyId>(&json);
    assert_eq!(de.is_ok(), ok, "{text:?}");
    ok
}

fuzz_target!(|data: &[u8]| {
    let runs = argon2_runs();
    if let Ok(text) = std::str::from_utf8(data) {
        check(text);
    }
    if let Some(bytes) = data.get(..16) {
        let id = make_key_id(bytes.try_into().expect("16 bytes"));
        assert!(check(&id), "{id}");
        // Any change of one character of a valid ID makes it invalid, unless
        // the new character is another digit the format allows there.
        if let (Some(&pos), Some(&byte)) = (data.get(16), data.get(17)) {
            let pos = usize::from(pos) % id.len();
            let mut changed = id.clone().into_bytes();
            changed[pos] = byte;
            if let Ok(changed) = String::from_utf8(changed) {
                check(&changed);
            }
        }
    }
    assert_eq!(argon2_runs(), runs);
});
