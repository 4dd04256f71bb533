//! The product's rules R1–R13 (../shared/DESIGN.md), one or more tests each.
//! Runs natively and under wasm (Node and Chromium).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use apikeys::window::{DAY_MS, MAX_TIME_MS};
use apikeys::{
    encode_basic, is_key_id, verify, verify_secret, Access, Account, Actor, Decision, Error,
    KeyRecord, Limits, NewKey, Profile,
};

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const HOUR: u64 = 3_600_000;
const MIN: u64 = 60_000;

fn new_key(name: &str) -> NewKey {
    NewKey {
        name: name.into(),
        ..NewKey::default()
    }
}

/// Creates a key; returns its ID and a ready `Authorization` header.
fn create(a: &mut Account, name: &str, read_only: bool, now: u64) -> (String, String) {
    let (issued, _) = a
        .create_key(
            Actor::Admin,
            NewKey {
                name: name.into(),
                description: String::new(),
                read_only,
            },
            now,
        )
        .unwrap();
    let header = encode_basic(issued.key_id.as_str(), issued.secret.expose()).unwrap();
    (issued.key_id.as_str().to_owned(), header)
}

/// The state without its history: what an authenticated refusal must leave
/// as it was (it changes only its counter in the history).
fn all_but_history(a: &Account) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    v.as_object_mut().unwrap().remove("history");
    v
}

/// The account's refusals today by code, from `usage`.
fn refused_today(a: &Account, now: u64) -> [u32; 3] {
    let u = a.usage(Actor::Admin, 1, now).unwrap();
    let r = u.days[0].keys.iter().map(|k| k.refused);
    r.fold([0; 3], |s, c| {
        [
            s[0] + c.read_only,
            s[1] + c.daily_limit,
            s[2] + c.concurrency,
        ]
    })
}

fn call(a: &mut Account, header: &str, now: u64) -> Decision {
    let d = a.authorize(header, "GET", now);
    if let Some(l) = &d.lease_id {
        a.release(l, now).unwrap();
    }
    d
}

// R1: name (required), description (optional), access full (default) or read-only.
#[test]
fn r1_application_fields() {
    let mut a = Account::default();
    let (issued, view) = a
        .create_key(
            Actor::Admin,
            NewKey {
                name: "  Salesforce Integration ".into(),
                description: " Nightly sync ".into(),
                read_only: false,
            },
            T0,
        )
        .unwrap();
    assert_eq!(view.name, "Salesforce Integration");
    assert_eq!(view.description, "Nightly sync");
    assert_eq!(view.access, Access::Full);
    assert_eq!(view.created_at, T0);
    assert_eq!(view.key_id, issued.key_id);
    let (_, ro) = a
        .create_key(
            Actor::Admin,
            NewKey {
                name: "Custom Reporting App".into(),
                description: String::new(),
                read_only: true,
            },
            T0,
        )
        .unwrap();
    assert_eq!(ro.access, Access::ReadOnly);
    assert_eq!(ro.description, "");
}

#[test]
fn r1_name_and_description_are_checked() {
    let mut a = Account::default();
    for bad in [
        "",
        "   ",
        "\t\n",
        "bad\u{0}name",
        "tab\tname",
        &"x".repeat(101),
    ] {
        assert_eq!(
            a.create_key(Actor::Admin, new_key(bad), T0).map(|_| ()),
            Err(Error::InvalidName),
            "{bad:?}"
        );
    }
    let long_desc = NewKey {
        name: "ok".into(),
        description: "d".repeat(501),
        read_only: false,
    };
    assert_eq!(
        a.create_key(Actor::Admin, long_desc, T0).map(|_| ()),
        Err(Error::InvalidDescription)
    );
    let bell = NewKey {
        name: "ok".into(),
        description: "ring\u{7}".into(),
        read_only: false,
    };
    assert_eq!(
        a.create_key(Actor::Admin, bell, T0).map(|_| ()),
        Err(Error::InvalidDescription)
    );
    assert!(a.applications().is_empty(), "refused creates add nothing");
    assert!(a
        .create_key(Actor::Admin, new_key(&"é".repeat(100)), T0)
        .is_ok());
    let multi = NewKey {
        name: "ok".into(),
        description: "line one\nline two\twith tab".into(),
        read_only: false,
    };
    assert!(a.create_key(Actor::Admin, multi, T0).is_ok());
}

// R2: at most 3 applications; the 4th is refused; deleting frees the slot.
#[test]
fn r2_three_applications_then_delete_frees_a_slot() {
    let mut a = Account::default();
    let ids: Vec<String> = (0..3)
        .map(|i| create(&mut a, &format!("app {i}"), false, T0).0)
        .collect();
    let before = a.to_json();
    let err = a
        .create_key(Actor::Admin, new_key("fourth"), T0)
        .unwrap_err();
    assert_eq!(err, Error::ApplicationLimitReached);
    assert!(err
        .to_string()
        .contains("delete an existing application first"));
    assert_eq!(a.to_json(), before, "a refused create changes nothing");
    a.delete_key(Actor::Admin, &ids[1], T0).unwrap();
    assert!(a.create_key(Actor::Admin, new_key("fourth"), T0).is_ok());
    assert_eq!(a.applications().len(), 3);
}

#[test]
fn r2_limit_is_configurable() {
    let mut a = Account::new(Limits {
        max_applications: 1,
        ..Limits::default()
    })
    .unwrap();
    create(&mut a, "only", false, T0);
    assert_eq!(
        a.create_key(Actor::Admin, new_key("second"), T0)
            .map(|_| ()),
        Err(Error::ApplicationLimitReached)
    );
}

// R3: only an admin may create, list/view, reset or delete.
#[test]
fn r3_admin_only() {
    let mut a = Account::default();
    let (id, _) = create(&mut a, "app", false, T0);
    let before = a.to_json();
    let user = Actor::from_role("user");
    assert_eq!(Actor::from_role("Admin"), Actor::User, "roles are exact");
    assert_eq!(
        a.create_key(user, new_key("x"), T0).map(|_| ()),
        Err(Error::NotAdmin)
    );
    assert_eq!(a.list_keys(user, T0).map(|_| ()), Err(Error::NotAdmin));
    assert_eq!(
        a.reset_secret(user, &id, T0).map(|_| ()),
        Err(Error::NotAdmin)
    );
    assert_eq!(a.delete_key(user, &id, T0), Err(Error::NotAdmin));
    assert_eq!(a.to_json(), before);
    assert!(a.list_keys(Actor::from_role("admin"), T0).is_ok());
}

// R4: the key ID's format.
#[test]
fn r4_created_key_ids_have_the_pfk_format() {
    let mut a = Account::default();
    for i in 0..3 {
        let (id, _) = create(&mut a, &format!("k{i}"), false, T0);
        assert!(is_key_id(&id), "{id}");
    }
}

// R5: the secret is shown once; only a salted argon2id PHC hash is kept.
#[test]
fn r5_only_a_hash_is_stored() {
    let mut a = Account::default();
    let (issued, _) = a.create_key(Actor::Admin, new_key("app"), T0).unwrap();
    let secret = issued.secret.expose().to_owned();
    let state = a.to_json();
    assert!(!state.contains(&secret[4..]), "secret in state");
    let list = format!("{:?}", a.list_keys(Actor::Admin, T0).unwrap());
    assert!(!list.contains(&secret[4..]), "secret in list");
    let app = &a.applications()[0];
    assert!(app.secret_hash.starts_with("$argon2id$v=19$"));
    assert_eq!(verify_secret(&secret, &app.secret_hash), Ok(true));
    assert!(
        !format!("{issued:?}").contains(&secret[4..]),
        "Debug must redact"
    );
}

// R6: reset keeps the ID and invalidates the old secret at once.
#[test]
fn r6_reset_invalidates_the_old_secret_immediately() {
    let mut a = Account::default();
    let (id, old) = create(&mut a, "app", false, T0);
    assert!(call(&mut a, &old, T0).ok());
    let issued = a.reset_secret(Actor::Admin, &id, T0 + 1).unwrap();
    assert_eq!(issued.key_id.as_str(), id);
    let d = call(&mut a, &old, T0 + 2);
    assert_eq!((d.status(), d.code()), (401, "INVALID_SECRET"));
    let new = encode_basic(&id, issued.secret.expose()).unwrap();
    assert!(call(&mut a, &new, T0 + 3).ok());
    assert_eq!(
        a.reset_secret(Actor::Admin, "PFK-nope", T0).map(|_| ()),
        Err(Error::UnknownKey)
    );
}

// R7: HTTP Basic with ID and secret encoded together.
#[test]
fn r7_basic_credentials_encoded_together() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut a = Account::default();
    let (issued, _) = a.create_key(Actor::Admin, new_key("app"), T0).unwrap();
    let (id, secret) = (issued.key_id.as_str(), issued.secret.expose());
    let together = format!("basic   {}", b64(&format!("{id}:{secret}")));
    assert!(call(&mut a, &together, T0).ok());
    let separately = format!("Basic {}:{}", b64(id), b64(secret));
    assert_eq!(
        call(&mut a, &separately, T0).code(),
        "MALFORMED_CREDENTIALS"
    );
    let bearer = format!("Bearer {secret}");
    assert_eq!(call(&mut a, &bearer, T0).code(), "UNSUPPORTED_SCHEME");
    assert_eq!(call(&mut a, "", T0).code(), "MISSING_CREDENTIALS");
}

// R8: read-only keys retrieve only.
#[test]
fn r8_read_only_keys_use_safe_methods_only() {
    let mut a = Account::default();
    let (_, ro) = create(&mut a, "reader", true, T0);
    let (_, full) = create(&mut a, "writer", false, T0);
    for m in ["GET", "HEAD", "OPTIONS", "get"] {
        let d = a.authorize(&ro, m, T0);
        assert!(d.ok(), "{m}: {}", d.code());
        a.release(d.lease_id.as_deref().unwrap(), T0).unwrap();
    }
    let before = all_but_history(&a);
    for m in ["POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"] {
        let d = a.authorize(&ro, m, T0);
        assert_eq!((d.status(), d.code()), (403, "READ_ONLY_KEY"), "{m}");
        assert_eq!(d.access, Some(Access::ReadOnly));
        assert!(
            d.header("RateLimit").is_some(),
            "authenticated: RateLimit headers"
        );
    }
    assert_eq!(all_but_history(&a), before, "403s consume nothing");
    assert_eq!(refused_today(&a, T0), [6, 0, 0], "and are counted");
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        let d = a.authorize(&full, m, T0);
        assert!(d.ok(), "{m}");
        a.release(d.lease_id.as_deref().unwrap(), T0).unwrap();
    }
    for m in ["", "GE T", "GET\r\n", "GÉT", &"X".repeat(33)] {
        let d = a.authorize(&full, m, T0);
        assert_eq!((d.status(), d.code()), (400, "INVALID_METHOD"), "{m:?}");
    }
}

// R9: 2,500 calls per account per UTC day, shared by all keys, reset at 00:00 UTC.
#[test]
fn r9_the_2500th_call_passes_and_the_2501st_is_refused() {
    let mut a = Account::default();
    let keys: Vec<String> = (0..3)
        .map(|i| create(&mut a, &format!("k{i}"), false, T0).1)
        .collect();
    let mut t = T0 + 9 * HOUR;
    for i in 0..2500 {
        let d = call(&mut a, &keys[i % 3], t);
        assert!(d.ok(), "call {} refused: {}", i + 1, d.code());
        assert_eq!(d.quota.unwrap().remaining, 2500 - 1 - i as u32);
        t += 1;
    }
    let before = all_but_history(&a);
    for k in &keys {
        let d = call(&mut a, k, t);
        assert_eq!((d.status(), d.code()), (429, "DAILY_LIMIT_EXCEEDED"));
        let next_midnight = T0 + DAY_MS;
        assert_eq!(d.quota.unwrap().resets_at, next_midnight);
        let wait = (next_midnight - t).div_ceil(1000);
        assert_eq!(d.retry_after, Some(wait));
        assert_eq!(d.header("Retry-After"), Some(wait.to_string().as_str()));
        assert_eq!(
            d.header("RateLimit"),
            Some(format!("\"daily\";r=0;t={wait}").as_str())
        );
    }
    assert_eq!(all_but_history(&a), before, "429s consume nothing");
    assert_eq!(refused_today(&a, t), [0, 3, 0], "and are counted");
    let list = a.list_keys(Actor::Admin, t).unwrap();
    assert_eq!((list.calls_today, list.remaining_today), (2500, 0));
    assert_eq!(list.keys.iter().map(|k| k.call_count).sum::<u32>(), 2500);
    // One millisecond before midnight: still refused. At 00:00 UTC: a new day.
    assert_eq!(
        call(&mut a, &keys[0], T0 + DAY_MS - 1).code(),
        "DAILY_LIMIT_EXCEEDED"
    );
    let d = call(&mut a, &keys[0], T0 + DAY_MS);
    assert!(d.ok());
    assert_eq!(d.quota.unwrap().remaining, 2499);
}

#[test]
fn r9_quota_reset_time_is_configurable_and_never_moves_backwards() {
    let mut a = Account::new(Limits {
        daily_calls: 2,
        quota_reset_offset_ms: 6 * HOUR,
        ..Limits::default()
    })
    .unwrap();
    let (_, k) = create(&mut a, "k", false, T0);
    assert!(call(&mut a, &k, T0 + 5 * HOUR).ok());
    assert!(call(&mut a, &k, T0 + 5 * HOUR + 1).ok());
    assert_eq!(
        call(&mut a, &k, T0 + 6 * HOUR - 1).code(),
        "DAILY_LIMIT_EXCEEDED"
    );
    assert!(
        call(&mut a, &k, T0 + 6 * HOUR).ok(),
        "window starts at 06:00 UTC"
    );
    assert!(call(&mut a, &k, T0 + 7 * HOUR).ok());
    // A clock that steps back into the previous window cannot refill the quota.
    assert_eq!(
        call(&mut a, &k, T0 + 5 * HOUR).code(),
        "DAILY_LIMIT_EXCEEDED"
    );
}

// R10: each key's call count resets at 00:30 UTC.
#[test]
fn r10_call_count_resets_at_0030_utc() {
    let mut a = Account::default();
    let (id, k) = create(&mut a, "k", false, T0);
    let count = |a: &Account, now| {
        let l = a.list_keys(Actor::Admin, now).unwrap();
        (
            l.calls_today,
            l.keys
                .iter()
                .find(|v| v.key_id.as_str() == id)
                .unwrap()
                .call_count,
        )
    };
    assert!(call(&mut a, &k, T0 + 23 * HOUR).ok()); // day 1, 23:00
    assert_eq!(count(&a, T0 + 23 * HOUR), (1, 1));
    assert!(call(&mut a, &k, T0 + DAY_MS + 10 * MIN).ok()); // day 2, 00:10
                                                            // The account's day reset at 00:00; the key's count runs to 00:30.
    assert_eq!(count(&a, T0 + DAY_MS + 10 * MIN), (1, 2));
    assert_eq!(count(&a, T0 + DAY_MS + 30 * MIN - 1), (1, 2));
    assert_eq!(count(&a, T0 + DAY_MS + 30 * MIN), (1, 0));
    let l = a.list_keys(Actor::Admin, T0 + DAY_MS + 10 * MIN).unwrap();
    assert_eq!(l.keys[0].call_count_resets_at, T0 + DAY_MS + 30 * MIN);
    assert!(call(&mut a, &k, T0 + DAY_MS + 31 * MIN).ok());
    assert_eq!(count(&a, T0 + DAY_MS + 31 * MIN), (2, 1));
}

// R11: last call timestamp.
#[test]
fn r11_last_call_timestamp_moves_only_on_admitted_calls() {
    let mut a = Account::default();
    let (id, k) = create(&mut a, "k", true, T0);
    let last = |a: &Account| a.list_keys(Actor::Admin, T0 + DAY_MS).unwrap().keys[0].last_call_at;
    assert_eq!(last(&a), None);
    assert!(call(&mut a, &k, T0 + 5_000).ok());
    assert_eq!(last(&a), Some(T0 + 5_000));
    assert_eq!(a.authorize(&k, "POST", T0 + 6_000).code(), "READ_ONLY_KEY");
    let wrong = encode_basic(&id, apikeys::Secret::generate().unwrap().expose()).unwrap();
    assert_eq!(
        a.authorize(&wrong, "GET", T0 + 7_000).code(),
        "INVALID_SECRET"
    );
    assert_eq!(last(&a), Some(T0 + 5_000));
    assert!(call(&mut a, &k, T0 + 8_000).ok());
    assert_eq!(last(&a), Some(T0 + 8_000));
}

// R12: at most 3 concurrent connections per application; leases expire.
#[test]
fn r12_three_leases_per_application() {
    let mut a = Account::default();
    let (_, k1) = create(&mut a, "one", false, T0);
    let (_, k2) = create(&mut a, "two", false, T0);
    let leases: Vec<String> = (0..3)
        .map(|_| a.authorize(&k1, "GET", T0).lease_id.unwrap())
        .collect();
    let before = all_but_history(&a);
    let d = a.authorize(&k1, "GET", T0 + 1_000);
    assert_eq!((d.status(), d.code()), (429, "CONCURRENCY_LIMIT_EXCEEDED"));
    assert_eq!(
        d.retry_after,
        Some(59),
        "seconds to the earliest lease expiry"
    );
    assert_eq!(all_but_history(&a), before, "a refused call takes nothing");
    assert_eq!(refused_today(&a, T0), [0, 0, 1], "and is counted");
    assert_eq!(
        a.list_keys(Actor::Admin, T0).unwrap().keys[0].active_connections,
        3
    );
    // Another application is not affected.
    assert!(a.authorize(&k2, "GET", T0 + 1_000).ok());
    // Releasing one frees one slot, once.
    assert_eq!(a.release(&leases[0], T0 + 2_000), Ok(true));
    assert_eq!(a.release(&leases[0], T0 + 2_000), Ok(false));
    assert_eq!(a.release("lease-999", T0 + 2_000), Ok(false));
    assert!(a.authorize(&k1, "GET", T0 + 2_000).ok());
    assert_eq!(
        a.authorize(&k1, "GET", T0 + 2_001).code(),
        "CONCURRENCY_LIMIT_EXCEEDED"
    );
}

#[test]
fn r12_a_crashed_caller_frees_its_slot_when_the_lease_expires() {
    let mut a = Account::new(Limits {
        lease_ttl_ms: 30_000,
        ..Limits::default()
    })
    .unwrap();
    let (_, k) = create(&mut a, "k", false, T0);
    for i in 0..3 {
        assert!(a.authorize(&k, "GET", T0 + i).ok()); // never released
    }
    assert_eq!(
        a.authorize(&k, "GET", T0 + 29_999).code(),
        "CONCURRENCY_LIMIT_EXCEEDED"
    );
    let d = a.authorize(&k, "GET", T0 + 30_000);
    assert!(d.ok(), "the first lease expired at T0+30s: {}", d.code());
    assert_eq!(
        a.authorize(&k, "GET", T0 + 30_000).code(),
        "CONCURRENCY_LIMIT_EXCEEDED"
    );
    assert!(a.authorize(&k, "GET", T0 + 30_002).ok());
}

// R13: the keys page: totals, balance and the table's columns.
#[test]
fn r13_keys_page_shows_totals_and_each_key() {
    let mut a = Account::default();
    let (id1, k1) = create(&mut a, "Salesforce Integration", false, T0);
    let (_, k2) = create(&mut a, "Custom Reporting App", true, T0 + 1);
    for _ in 0..5 {
        assert!(call(&mut a, &k1, T0 + HOUR).ok());
    }
    assert!(call(&mut a, &k2, T0 + 2 * HOUR).ok());
    let l = a.list_keys(Actor::Admin, T0 + 3 * HOUR).unwrap();
    assert_eq!(
        (l.calls_today, l.remaining_today, l.daily_limit),
        (6, 2494, 2500)
    );
    assert_eq!(l.resets_at, T0 + DAY_MS);
    assert_eq!((l.application_limit, l.connection_limit), (3, 3));
    assert_eq!(l.keys.len(), 2);
    let first = &l.keys[0];
    assert_eq!(first.name, "Salesforce Integration");
    assert_eq!(first.key_id.as_str(), id1);
    assert_eq!(first.call_count, 5);
    assert_eq!(first.last_call_at, Some(T0 + HOUR));
    assert_eq!(l.keys[1].access, Access::ReadOnly);
    assert_eq!(l.keys[1].call_count, 1);
    // The next day the totals read as of `now`.
    let next = a.list_keys(Actor::Admin, T0 + DAY_MS + HOUR).unwrap();
    assert_eq!((next.calls_today, next.remaining_today), (0, 2500));
    assert_eq!(next.keys[0].call_count, 0);
    assert_eq!(next.keys[0].last_call_at, Some(T0 + HOUR));
}

#[test]
fn deleted_keys_are_unknown_and_lose_their_leases() {
    let mut a = Account::default();
    let (id, k) = create(&mut a, "k", false, T0);
    let lease = a.authorize(&k, "GET", T0).lease_id.unwrap();
    a.delete_key(Actor::Admin, &id, T0).unwrap();
    let d = a.authorize(&k, "GET", T0);
    assert_eq!((d.status(), d.code()), (401, "UNKNOWN_KEY"));
    assert_eq!(a.release(&lease, T0), Ok(false));
    assert!(a.leases().is_empty());
    assert_eq!(a.delete_key(Actor::Admin, &id, T0), Err(Error::UnknownKey));
}

#[test]
fn unknown_key_and_wrong_secret_look_the_same_to_the_client() {
    let mut a = Account::default();
    let (id, _) = create(&mut a, "k", false, T0);
    let secret = apikeys::Secret::generate().unwrap();
    let wrong = a.authorize(&encode_basic(&id, secret.expose()).unwrap(), "GET", T0);
    let other_id = apikeys::KeyId::generate().unwrap();
    let unknown = a.authorize(
        &encode_basic(other_id.as_str(), secret.expose()).unwrap(),
        "GET",
        T0,
    );
    assert_eq!(
        (wrong.code(), unknown.code()),
        ("INVALID_SECRET", "UNKNOWN_KEY")
    );
    assert_eq!(wrong.status(), unknown.status());
    assert_eq!(wrong.headers, unknown.headers);
    assert_eq!(
        wrong.header("www-authenticate"),
        Some("Basic realm=\"apikeys\", charset=\"UTF-8\"")
    );
    assert!(
        wrong.header("RateLimit").is_none(),
        "nothing about the quota before authentication"
    );
}

#[test]
fn admitted_decision_carries_lease_quota_and_ratelimit_headers() {
    let mut a = Account::default();
    let (id, k) = create(&mut a, "k", false, T0);
    let d = a.authorize(&k, "GET", T0 + HOUR);
    assert!(d.ok());
    assert_eq!((d.status(), d.code()), (200, "OK"));
    assert_eq!(d.key_id.as_ref().map(|k| k.as_str()), Some(id.as_str()));
    assert_eq!(d.access, Some(Access::Full));
    assert!(d.lease_id.is_some());
    assert_eq!(d.retry_after, None);
    assert_eq!(
        d.header("RateLimit-Policy"),
        Some("\"daily\";q=2500;w=86400")
    );
    assert_eq!(d.header("RateLimit"), Some("\"daily\";r=2499;t=82800"));
    assert!(d.header("WWW-Authenticate").is_none());
}

#[test]
fn invalid_time_is_refused_without_change() {
    let mut a = Account::default();
    let (id, k) = create(&mut a, "k", false, T0);
    let before = a.to_json();
    let d = a.authorize(&k, "GET", MAX_TIME_MS + 1);
    assert_eq!((d.status(), d.code()), (500, "INVALID_TIME"));
    assert_eq!(a.to_json(), before);
    assert_eq!(
        a.list_keys(Actor::Admin, u64::MAX).map(|_| ()),
        Err(Error::InvalidTime)
    );
    assert_eq!(
        a.delete_key(Actor::Admin, &id, u64::MAX),
        Err(Error::InvalidTime)
    );
    assert!(a.authorize(&k, "GET", MAX_TIME_MS).ok());
}

#[test]
fn stateless_verify_uses_the_same_codes_and_headers() {
    let mut a = Account::default();
    let (issued, _) = a.create_key(Actor::Admin, new_key("k"), T0).unwrap();
    let header = encode_basic(issued.key_id.as_str(), issued.secret.expose()).unwrap();
    let record = KeyRecord {
        key_id: issued.key_id.clone(),
        secret_hash: a.applications()[0].secret_hash.clone(),
        access: Access::ReadOnly,
    };
    let ok = verify(&header, "GET", Some(&record));
    assert!(ok.ok() && ok.lease_id.is_none() && ok.quota.is_none());
    assert_eq!(
        verify(&header, "POST", Some(&record)).code(),
        "READ_ONLY_KEY"
    );
    assert_eq!(verify(&header, "GET", None).code(), "UNKNOWN_KEY");
    let other = KeyRecord {
        key_id: apikeys::KeyId::generate().unwrap(),
        ..record.clone()
    };
    assert_eq!(
        verify(&header, "GET", Some(&other)).code(),
        "UNKNOWN_KEY",
        "record of another key"
    );
    let wrong = encode_basic(
        issued.key_id.as_str(),
        apikeys::Secret::generate().unwrap().expose(),
    )
    .unwrap();
    let d = verify(&wrong, "GET", Some(&record));
    assert_eq!(d.code(), "INVALID_SECRET");
    assert!(d.header("WWW-Authenticate").is_some());
    assert_eq!(
        verify("Basic !!", "GET", Some(&record)).code(),
        "MALFORMED_CREDENTIALS"
    );
}

#[test]
fn outdated_hashes_migrate_on_the_next_admitted_call() {
    let cheap = Profile {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };
    let mut a = Account::new(Limits {
        hash_profile: cheap,
        ..Limits::default()
    })
    .unwrap();
    let (_, k) = create(&mut a, "k", false, T0);
    assert!(a.applications()[0].secret_hash.contains("m=8,t=1,p=1"));
    // The operator raises the profile: the stored state is edited and reloaded.
    let state = a.to_json().replace(
        "\"hashProfile\":{\"memoryKiB\":8,",
        "\"hashProfile\":{\"memoryKiB\":64,",
    );
    let mut b = Account::from_json(&state).unwrap();
    assert!(call(&mut b, &k, T0).ok());
    assert!(
        b.applications()[0].secret_hash.contains("m=64,t=1,p=1"),
        "rehashed"
    );
    assert!(call(&mut b, &k, T0 + 1).ok(), "the same secret still works");
}

#[test]
fn state_round_trips_exactly() {
    let mut a = Account::default();
    let (_, k1) = create(&mut a, "one", false, T0);
    let (_, k2) = create(&mut a, "two", true, T0);
    assert!(call(&mut a, &k1, T0 + HOUR).ok());
    let held = a.authorize(&k2, "GET", T0 + HOUR).lease_id.unwrap();
    let json = a.to_json();
    assert!(json.starts_with("{\"version\":2,"));
    let mut b = Account::from_json(&json).unwrap();
    assert_eq!(a, b);
    assert_eq!(b.to_json(), json);
    // The restored account behaves the same: its lease and its counts.
    assert_eq!(b.release(&held, T0 + HOUR), Ok(true));
    assert_eq!(
        a.authorize(&k1, "GET", T0 + 2 * HOUR).quota,
        b.authorize(&k1, "GET", T0 + 2 * HOUR).quota
    );
}

#[test]
fn from_json_refuses_bad_state() {
    let mut a = Account::new(Limits {
        daily_calls: 10,
        ..Limits::default()
    })
    .unwrap();
    let (_, k) = create(&mut a, "one", false, T0);
    create(&mut a, "two", false, T0);
    create(&mut a, "three", false, T0);
    let held = a.authorize(&k, "GET", T0).lease_id.unwrap();
    assert_eq!(held, "lease-0");
    let good = a.to_json();
    let v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        f(&mut v);
        serde_json::to_string(&v).unwrap()
    };
    let cases = [
        ("not json", "{".to_owned()),
        ("array", "[]".to_owned()),
        ("null", "null".to_owned()),
        ("version 3", edit(&|v| v["version"] = 3.into())),
        (
            "version 1 with a history",
            edit(&|v| v["version"] = 1.into()),
        ),
        (
            "no version",
            edit(&|v| {
                v.as_object_mut().unwrap().remove("version");
            }),
        ),
        ("unknown field", edit(&|v| v["secret"] = "x".into())),
        // Limits may be lowered below what is in use (`set_limits`): counts,
        // keys and leases are bounded by what any limits allow.
        (
            "calls over any limit",
            edit(&|v| v["quota"]["calls"] = 100_000_001.into()),
        ),
        (
            "negative calls",
            edit(&|v| v["quota"]["calls"] = (-1).into()),
        ),
        (
            "fractional calls",
            edit(&|v| v["quota"]["calls"] = 1.5.into()),
        ),
        (
            "101st application",
            edit(&|v| {
                let k = v["keys"][0].clone();
                for n in 0..99 {
                    let mut k = k.clone();
                    k["keyId"] = format!("PFK-1b4e28ba-2fa1-41d2-883f-0016d3cc{n:04}").into();
                    v["keys"].as_array_mut().unwrap().push(k);
                }
            }),
        ),
        (
            "duplicate key",
            edit(&|v| v["keys"][1]["keyId"] = v["keys"][0]["keyId"].clone()),
        ),
        (
            "bad key id",
            edit(&|v| v["keys"][0]["keyId"] = "PFK-nope".into()),
        ),
        (
            "malformed hash",
            edit(&|v| v["keys"][0]["secretHash"] = "$argon2id$v=19$m=64".into()),
        ),
        (
            "huge hash memory",
            edit(&|v| {
                let h = v["keys"][0]["secretHash"]
                    .as_str()
                    .unwrap()
                    .replace("m=64", "m=4194304");
                v["keys"][0]["secretHash"] = h.into();
            }),
        ),
        (
            "plain secret",
            edit(&|v| v["keys"][0]["secretHash"] = "pfs_plaintext".into()),
        ),
        ("blank name", edit(&|v| v["keys"][0]["name"] = " ".into())),
        (
            "untrimmed name",
            edit(&|v| v["keys"][0]["name"] = " one".into()),
        ),
        (
            "bad access",
            edit(&|v| v["keys"][0]["access"] = "admin".into()),
        ),
        (
            "count without call",
            edit(&|v| v["keys"][1]["callCount"] = 3.into()),
        ),
        (
            "impossible count",
            edit(&|v| {
                v["keys"][0]["callCount"] = 200_000_001.into();
            }),
        ),
        (
            "time past Date",
            edit(&|v| v["keys"][0]["createdAt"] = (MAX_TIME_MS + 1).into()),
        ),
        (
            "lease of unknown key",
            edit(&|v| v["leases"][0]["keyId"] = "PFK-1b4e28ba-2fa1-41d2-883f-0016d3cca427".into()),
        ),
        ("lease id ahead", edit(&|v| v["nextLease"] = 0.into())),
        ("bad lease id", edit(&|v| v["leases"][0]["id"] = "x".into())),
        (
            "too many leases",
            edit(&|v| {
                let l = v["leases"][0].clone();
                for n in 1..1001 {
                    let mut l = l.clone();
                    l["id"] = format!("lease-{n}").into();
                    v["leases"].as_array_mut().unwrap().push(l);
                }
                v["nextLease"] = 2000.into();
            }),
        ),
        (
            "zero limit",
            edit(&|v| v["limits"]["dailyCalls"] = 0.into()),
        ),
        ("bad realm", edit(&|v| v["limits"]["realm"] = "a\"b".into())),
    ];
    for (what, text) in &cases {
        assert_eq!(Account::from_json(text), Err(Error::InvalidState), "{what}");
    }
    assert!(Account::from_json(&good).is_ok());
    // Deep nesting is refused, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(Account::from_json(&deep), Err(Error::InvalidState));
}

#[test]
fn limits_are_validated() {
    let bad = [
        Limits {
            daily_calls: 0,
            ..Limits::default()
        },
        Limits {
            max_applications: 0,
            ..Limits::default()
        },
        Limits {
            max_connections: 0,
            ..Limits::default()
        },
        Limits {
            quota_reset_offset_ms: DAY_MS,
            ..Limits::default()
        },
        Limits {
            call_count_reset_offset_ms: DAY_MS,
            ..Limits::default()
        },
        Limits {
            lease_ttl_ms: 999,
            ..Limits::default()
        },
        Limits {
            realm: String::new(),
            ..Limits::default()
        },
        Limits {
            realm: "new\nline".into(),
            ..Limits::default()
        },
        Limits {
            hash_profile: Profile {
                memory_kib: 1,
                iterations: 1,
                parallelism: 1,
            },
            ..Limits::default()
        },
    ];
    for l in bad {
        assert_eq!(
            Account::new(l.clone()).map(|_| ()),
            Err(Error::InvalidLimits),
            "{l:?}"
        );
    }
    let d = Limits::default();
    assert_eq!(
        (
            d.daily_calls,
            d.max_applications,
            d.max_connections,
            d.quota_reset_offset_ms,
            d.call_count_reset_offset_ms
        ),
        (2500, 3, 3, 0, 30 * MIN)
    );
}
