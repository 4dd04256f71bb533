//! `parse_basic` on arbitrary header text, and `encode_basic` → `parse_basic`
//! round trips on arbitrary user-id / password pairs.
#![no_main]

use apikeys::credentials::MAX_CREDENTIALS_BYTES;
use apikeys::hashing::argon2_runs;
use apikeys::{encode_basic, parse_basic, Credentials, Error};
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let runs = argon2_runs();

    match parse_basic(text) {
        Ok(c) => {
            // The scheme really was Basic (any case), after optional white space.
            let t = text.trim_start_matches([' ', '\t']);
            assert!(t.get(..5).is_some_and(|s| s.eq_ignore_ascii_case("basic")));
            assert!(!c.user_id.contains(':'));
            assert!(!c.user_id.chars().any(char::is_control));
            assert!(!c.password.chars().any(char::is_control));
            // Parsed credentials encode and parse back to themselves.
            let again = encode_basic(&c.user_id, &c.password).expect("parsed credentials encode");
            assert_eq!(parse_basic(&again).as_ref(), Ok(&c));
            // Debug does not depend on the password at all.
            let blank = Credentials {
                user_id: c.user_id.clone(),
                password: Zeroizing::new(String::new()),
            };
            assert_eq!(format!("{c:?}"), format!("{blank:?}"));
        }
        Err(e) => assert!(
            matches!(
                e,
                Error::MissingCredentials | Error::UnsupportedScheme | Error::MalformedCredentials
            ),
            "{e:?}"
        ),
    }

    // The other direction: the input split at its first colon is a user-id
    // and a password; encoding them must give a header that parses back.
    if let Some((user, password)) = text.split_once(':') {
        match encode_basic(user, password) {
            Ok(header) => {
                let bytes = user.len() + 1 + password.len();
                match parse_basic(&header) {
                    Ok(c) => {
                        assert_eq!(c.user_id, user);
                        assert_eq!(c.password.as_str(), password);
                        assert!(bytes <= MAX_CREDENTIALS_BYTES, "{bytes} bytes accepted");
                    }
                    Err(e) => {
                        assert_eq!(e, Error::MalformedCredentials);
                        assert!(bytes > MAX_CREDENTIALS_BYTES, "{bytes} bytes refused");
                    }
                }
            }
            Err(Error::InvalidUserId) => assert!(user.chars().any(char::is_control)),
            Err(Error::InvalidPassword) => assert!(password.chars().any(char::is_control)),
            Err(e) => panic!("encode_basic: unexpected {e:?}"),
        }
    }

    assert_eq!(argon2_runs(), runs, "parsing must never hash");
});
