//! Issue 12: usage history, the audit trail, editing keys and state version 2.
//! Runs natively and under wasm (Node and Chromium).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use apikeys::audit::{Action, Change, AUDIT_EVENTS};
use apikeys::history::HISTORY_DAYS;
use apikeys::window::{DAY_MS, MAX_TIME_MS};
use apikeys::{
    encode_basic, Access, Account, Actor, Error, KeyUpdate, Limits, LimitsPatch, NewKey, Profile,
    Usage,
};

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const HOUR: u64 = 3_600_000;

fn limits(daily_calls: u32) -> Limits {
    Limits {
        daily_calls,
        hash_profile: Profile {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        },
        ..Limits::default()
    }
}

fn admin(id: &str) -> Actor {
    Actor::Admin.with_id(id).unwrap()
}

/// Creates a key; returns its ID and a ready `Authorization` header.
fn create(a: &mut Account, name: &str, read_only: bool, now: u64) -> (String, String) {
    let new = NewKey {
        name: name.into(),
        description: String::new(),
        read_only,
    };
    let (issued, _) = a.create_key(Actor::Admin, new, now).unwrap();
    let header = encode_basic(issued.key_id.as_str(), issued.secret.expose()).unwrap();
    (issued.key_id.as_str().to_owned(), header)
}

/// One call, its lease released at once.
fn call(a: &mut Account, header: &str, method: &str, now: u64) -> &'static str {
    let d = a.authorize(header, method, now);
    if let Some(l) = &d.lease_id {
        a.release(l, now).unwrap();
    }
    d.code()
}

fn usage(a: &Account, days: u32, now: u64) -> Usage {
    a.usage(Actor::Admin, days, now).unwrap()
}

/// (calls, [read-only, daily-limit, concurrency]) of key `i` in the last window.
fn today_of(a: &Account, i: usize, now: u64) -> (u32, [u32; 3]) {
    let u = usage(a, 1, now);
    let k = &u.days[0].keys[i];
    let r = k.refused;
    (k.calls, [r.read_only, r.daily_limit, r.concurrency])
}

#[test]
fn authorize_writes_admitted_calls_and_authenticated_refusals_by_code() {
    let mut a = Account::new(Limits {
        max_connections: 1,
        ..limits(3)
    })
    .unwrap();
    let (id, full) = create(&mut a, "full", false, T0);
    let (_, ro) = create(&mut a, "reader", true, T0);
    assert_eq!(call(&mut a, &full, "POST", T0), "OK");
    assert_eq!(call(&mut a, &ro, "GET", T0), "OK");
    assert_eq!(call(&mut a, &ro, "DELETE", T0), "READ_ONLY_KEY");
    let held = a.authorize(&full, "GET", T0).lease_id.unwrap();
    assert_eq!(call(&mut a, &full, "GET", T0), "CONCURRENCY_LIMIT_EXCEEDED");
    a.release(&held, T0).unwrap();
    assert_eq!(call(&mut a, &ro, "GET", T0), "DAILY_LIMIT_EXCEEDED");
    assert_eq!(today_of(&a, 0, T0), (2, [0, 0, 1]));
    assert_eq!(today_of(&a, 1, T0), (1, [1, 1, 0]));

    // Refusals before the secret is proven are never written: anyone could
    // send them.
    let before = a.to_json();
    let wrong = encode_basic(&id, apikeys::Secret::generate().unwrap().expose()).unwrap();
    let unknown = encode_basic(
        "PFK-00000000-0000-4000-8000-000000000000",
        apikeys::Secret::generate().unwrap().expose(),
    )
    .unwrap();
    for (header, method, code) in [
        (wrong.as_str(), "GET", "INVALID_SECRET"),
        (unknown.as_str(), "GET", "UNKNOWN_KEY"),
        ("Basic !!!", "GET", "MALFORMED_CREDENTIALS"),
        ("", "GET", "MISSING_CREDENTIALS"),
        (full.as_str(), "G E T", "INVALID_METHOD"),
    ] {
        assert_eq!(call(&mut a, header, method, T0 + HOUR), code);
    }
    assert_eq!(
        a.authorize(&full, "GET", MAX_TIME_MS + 1).code(),
        "INVALID_TIME"
    );
    assert_eq!(a.to_json(), before, "401s and 400s write nothing");
}

#[test]
fn authorize_verified_writes_the_same_history() {
    let mut a = Account::new(limits(10)).unwrap();
    let (id, _) = create(&mut a, "reader", true, T0);
    let version = a.key_record(&id).unwrap().version;
    let d = a.authorize_verified(&id, version, "GET", T0);
    assert!(d.ok());
    let refused = a.authorize_verified(&id, version, "PUT", T0);
    assert_eq!(refused.code(), "READ_ONLY_KEY");
    assert_eq!(today_of(&a, 0, T0), (1, [1, 0, 0]));
    let before = a.to_json();
    let stale = a.authorize_verified(&id, version + 1, "GET", T0);
    assert_eq!(stale.code(), "STALE_KEY_RECORD");
    let gone = "PFK-00000000-0000-4000-8000-000000000000";
    assert_eq!(
        a.authorize_verified(gone, 0, "GET", T0).code(),
        "UNKNOWN_KEY"
    );
    assert_eq!(a.to_json(), before, "no record, no write");
}

#[test]
fn keys_and_deleted_keys_add_up_to_the_total_and_the_quota() {
    let mut a = Account::new(limits(100)).unwrap();
    let (gone, h1) = create(&mut a, "one", false, T0);
    let (_, h2) = create(&mut a, "two", false, T0);
    for i in 0..5 {
        call(&mut a, &h1, "GET", T0 + i);
    }
    call(&mut a, &h1, "GET", T0 + DAY_MS + 1);
    for i in 0..3 {
        call(&mut a, &h2, "GET", T0 + DAY_MS + i);
    }
    a.delete_key(Actor::Admin, &gone, T0 + DAY_MS + 10).unwrap();
    let now = T0 + DAY_MS + 20;
    let u = usage(&a, 2, now);
    let rows: Vec<_> = u
        .days
        .iter()
        .map(|d| (d.total, d.deleted_calls, d.keys.len(), d.keys[0].calls))
        .collect();
    assert_eq!(rows, [(5, 5, 1, 0), (4, 1, 1, 3)]);
    assert_eq!(u.days[1].keys[0].name, "two");
    assert_eq!(
        u.days[1].total,
        u64::from(a.list_keys(Actor::Admin, now).unwrap().calls_today)
    );
    assert_eq!(u.daily_limit, 100);
}

#[test]
fn usage_covers_the_last_90_quota_windows_oldest_first() {
    let mut a = Account::new(limits(10)).unwrap();
    let (_, h) = create(&mut a, "one", false, T0);
    for day in 0..100 {
        for _ in 0..=(day % 3) {
            call(&mut a, &h, "GET", T0 + day * DAY_MS + HOUR);
        }
    }
    let now = T0 + 99 * DAY_MS + 2 * HOUR;
    let u = usage(&a, 90, now);
    assert_eq!(u.days.len(), HISTORY_DAYS);
    for (i, d) in u.days.iter().enumerate() {
        let day = 10 + i as u64;
        assert_eq!(
            (d.start, d.end),
            (T0 + day * DAY_MS, T0 + (day + 1) * DAY_MS)
        );
        assert_eq!(d.total, day % 3 + 1, "window {day}");
    }
    assert_eq!(usage(&a, 1, now).days[0], u.days[89]);
    for bad in [0, 91, u32::MAX] {
        assert_eq!(a.usage(Actor::Admin, bad, now), Err(Error::InvalidInput));
    }
    assert_eq!(a.usage(Actor::User, 1, now), Err(Error::NotAdmin));
    assert_eq!(
        a.usage(Actor::Admin, 1, MAX_TIME_MS + 1),
        Err(Error::InvalidTime)
    );
    // Past 90 windows nothing is kept: the state stays bounded.
    let json = a.to_json();
    assert!(json.len() < 2_000, "{}", json.len());
}

#[test]
fn history_windows_are_the_quota_windows() {
    let mut a = Account::new(Limits {
        quota_reset_offset_ms: 6 * HOUR,
        ..limits(10)
    })
    .unwrap();
    let (_, h) = create(&mut a, "one", false, T0);
    call(&mut a, &h, "GET", T0 + 5 * HOUR); // before 06:00: the window of 31 December
    call(&mut a, &h, "GET", T0 + 7 * HOUR);
    let u = usage(&a, 2, T0 + 7 * HOUR);
    let windows: Vec<_> = u.days.iter().map(|d| (d.start, d.end, d.total)).collect();
    assert_eq!(
        windows,
        [
            (T0 - DAY_MS + 6 * HOUR, T0 + 6 * HOUR, 1),
            (T0 + 6 * HOUR, T0 + DAY_MS + 6 * HOUR, 1)
        ]
    );
    // The key's own Call Count keeps its 00:30 UTC window.
    assert_eq!(
        a.list_keys(Actor::Admin, T0 + 7 * HOUR).unwrap().keys[0].call_count,
        2
    );
}

#[test]
fn history_windows_only_move_forward() {
    let mut a = Account::new(limits(10)).unwrap();
    let (_, h) = create(&mut a, "one", false, T0);
    call(&mut a, &h, "GET", T0 + DAY_MS + HOUR);
    // The clock steps back across midnight, by less than a day: the call
    // counts in the newer window, as the quota does.
    call(&mut a, &h, "GET", T0 + 23 * HOUR);
    let u = usage(&a, 2, T0 + 23 * HOUR);
    assert_eq!(u.days.iter().map(|d| d.total).collect::<Vec<_>>(), [0, 2]);
    assert_eq!(u.days[1].start, T0 + DAY_MS);
    let list = a.list_keys(Actor::Admin, T0 + 23 * HOUR).unwrap();
    assert_eq!(list.calls_today, 2);
}

#[test]
fn a_window_more_than_a_day_ahead_is_a_wrong_clock_and_is_dropped() {
    let mut a = Account::new(limits(3)).unwrap();
    let (_, h) = create(&mut a, "one", false, T0);
    call(&mut a, &h, "GET", T0 + HOUR);
    // A clock ten days ahead uses up the quota of its window.
    for _ in 0..3 {
        assert_eq!(call(&mut a, &h, "GET", T0 + 10 * DAY_MS), "OK");
    }
    assert_eq!(
        call(&mut a, &h, "GET", T0 + 10 * DAY_MS),
        "DAILY_LIMIT_EXCEEDED"
    );
    // Back to the right time: those windows are dropped and recomputed.
    assert_eq!(call(&mut a, &h, "GET", T0 + 2 * HOUR), "OK");
    let u = usage(&a, 90, T0 + 2 * HOUR);
    assert_eq!(u.days[89].start, T0);
    assert_eq!(u.days[89].total, 2, "the earlier call of the day is kept");
    assert_eq!(u.days[89].keys[0].refused.daily_limit, 0);
    let list = a.list_keys(Actor::Admin, T0 + 2 * HOUR).unwrap();
    assert_eq!(list.calls_today, 1, "the quota recomputed its window too");
    let total: u64 = u.days.iter().map(|d| d.total).sum();
    assert_eq!(total, 2);
    let later = usage(&a, 90, T0 + 10 * DAY_MS);
    assert!(later
        .days
        .iter()
        .all(|d| d.keys[0].refused.daily_limit == 0));
}

#[test]
fn a_refund_takes_the_call_back_from_the_history() {
    let mut a = Account::new(limits(10)).unwrap();
    let (_, h) = create(&mut a, "one", false, T0);
    let d = a.authorize(&h, "GET", T0);
    assert_eq!(call(&mut a, &h, "GET", T0), "OK");
    assert_eq!(today_of(&a, 0, T0).0, 2);
    assert_eq!(
        a.release_with(d.lease_id.as_deref().unwrap(), T0 + 1, true),
        Ok(true)
    );
    assert_eq!(today_of(&a, 0, T0).0, 1);
    assert_eq!(usage(&a, 1, T0).days[0].total, 1);
    let late = T0 + DAY_MS - 10;
    let d2 = a.authorize(&h, "GET", late);
    // Not once its window has passed: that window's count stays.
    let next_day = T0 + DAY_MS + 10;
    assert_eq!(call(&mut a, &h, "GET", next_day), "OK");
    let lease = d2.lease_id.as_deref().unwrap();
    assert_eq!(a.release_with(lease, next_day, true), Ok(true));
    let days: Vec<_> = usage(&a, 2, next_day)
        .days
        .iter()
        .map(|d| d.total)
        .collect();
    assert_eq!(days, [2, 1]);
}

#[test]
fn update_key_edits_name_description_and_access() {
    let mut a = Account::new(limits(10)).unwrap();
    let (id, h) = create(&mut a, "one", false, T0);
    let version = a.key_record(&id).unwrap().version;
    let held = a.authorize(&h, "POST", T0).lease_id.unwrap();
    let update = KeyUpdate {
        name: Some("  Renamed ".into()),
        description: Some(" what it does ".into()),
        read_only: Some(true),
    };
    let row = a.update_key(admin("alice"), &id, update, T0 + 1).unwrap();
    assert_eq!(
        (row.name.as_str(), row.description.as_str(), row.access),
        ("Renamed", "what it does", Access::ReadOnly)
    );
    assert_eq!((row.call_count, row.active_connections), (1, 1));
    assert_eq!(row, a.list_keys(Actor::Admin, T0 + 1).unwrap().keys[0]);
    // From the next call; the call in flight keeps its lease.
    assert_eq!(call(&mut a, &h, "POST", T0 + 2), "READ_ONLY_KEY");
    assert_eq!(call(&mut a, &h, "GET", T0 + 2), "OK");
    assert_eq!(a.release(&held, T0 + 3), Ok(true));
    // The edge's cached record is stale.
    assert_ne!(a.key_record(&id).unwrap().version, version);
    assert_eq!(
        a.authorize_verified(&id, version, "GET", T0 + 3).code(),
        "STALE_KEY_RECORD"
    );
    // Absent fields are kept.
    let keep = a
        .update_key(Actor::Admin, &id, KeyUpdate::default(), T0 + 4)
        .unwrap();
    assert_eq!(keep, a.list_keys(Actor::Admin, T0 + 4).unwrap().keys[0]);
    let back = KeyUpdate {
        read_only: Some(false),
        ..KeyUpdate::default()
    };
    a.update_key(Actor::Admin, &id, back, T0 + 5).unwrap();
    assert_eq!(call(&mut a, &h, "POST", T0 + 6), "OK");
}

#[test]
fn update_key_is_checked_like_create_key() {
    let mut a = Account::new(limits(10)).unwrap();
    let (id, _) = create(&mut a, "one", false, T0);
    let before = a.to_json();
    let name = |n: &str| KeyUpdate {
        name: Some(n.into()),
        ..KeyUpdate::default()
    };
    let description = |d: &str| KeyUpdate {
        description: Some(d.into()),
        ..KeyUpdate::default()
    };
    let k = id.as_str();
    let cases = [
        (Actor::User, k, name("x"), T0, Error::NotAdmin),
        (Actor::Admin, "PFK-nope", name("x"), T0, Error::UnknownKey),
        (
            Actor::Admin,
            k,
            name("x"),
            MAX_TIME_MS + 1,
            Error::InvalidTime,
        ),
        (Actor::Admin, k, name("   "), T0, Error::InvalidName),
        (
            Actor::Admin,
            k,
            name(&"n".repeat(101)),
            T0,
            Error::InvalidName,
        ),
        (Actor::Admin, k, name("a\u{7}b"), T0, Error::InvalidName),
        (
            Actor::Admin,
            k,
            description(&"d".repeat(501)),
            T0,
            Error::InvalidDescription,
        ),
        (
            Actor::Admin,
            k,
            description("a\u{0}b"),
            T0,
            Error::InvalidDescription,
        ),
    ];
    for (actor, key, update, now, e) in cases {
        assert_eq!(a.update_key(actor, key, update, now), Err(e));
    }
    assert_eq!(a.to_json(), before, "a refused edit changes nothing");
    let ok = a.update_key(Actor::Admin, &id, name(&"n".repeat(100)), T0);
    assert!(ok.is_ok());
}

#[test]
fn the_audit_trail_records_who_did_what_newest_first() {
    let mut a = Account::new(limits(10)).unwrap();
    let alice = admin("alice@example.com");
    let operator = admin("operator");
    let new = NewKey {
        name: "Salesforce".into(),
        description: "CRM".into(),
        read_only: true,
    };
    let (issued, _) = a.create_key(alice, new, T0).unwrap();
    let id = issued.key_id.as_str().to_owned();
    let reset = a.reset_secret(alice, &id, T0 + 1).unwrap();
    let edit = KeyUpdate {
        name: Some("Salesforce CRM".into()),
        description: Some("sync".into()),
        read_only: Some(false),
    };
    a.update_key(alice, &id, edit.clone(), T0 + 2).unwrap();
    a.update_key(alice, &id, edit, T0 + 3).unwrap(); // no change: no event
    let patch = LimitsPatch {
        daily_calls: Some(5000),
        ..LimitsPatch::default()
    };
    a.set_limits(operator, patch.clone(), T0 + 4).unwrap();
    a.set_limits(operator, patch, T0 + 5).unwrap(); // no change: no event
    a.delete_key(Actor::Admin, &id, T0 + 6).unwrap();
    // Refused operations are not events.
    assert!(a.delete_key(alice, &id, T0 + 7).is_err());
    assert!(a
        .create_key(Actor::User, NewKey::default(), T0 + 7)
        .is_err());

    let log = a.audit_log(Actor::Admin, T0 + 8).unwrap();
    let summary: Vec<_> = log
        .iter()
        .map(|e| (e.at, e.action, e.actor.id.as_deref(), e.name.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (T0 + 6, Action::KeyDeleted, None, Some("Salesforce CRM")),
            (T0 + 4, Action::LimitsChanged, Some("operator"), None),
            (
                T0 + 2,
                Action::KeyUpdated,
                Some("alice@example.com"),
                Some("Salesforce CRM")
            ),
            (
                T0 + 1,
                Action::SecretReset,
                Some("alice@example.com"),
                Some("Salesforce")
            ),
            (
                T0,
                Action::KeyCreated,
                Some("alice@example.com"),
                Some("Salesforce")
            ),
        ]
    );
    assert_eq!(log[4].key_id.as_ref().unwrap().as_str(), id);
    let updated = log[2].changes.as_ref().unwrap();
    assert_eq!(
        updated.name,
        Some(Change {
            from: Some("Salesforce".into()),
            to: Some("Salesforce CRM".into())
        })
    );
    assert_eq!(
        updated.description,
        Some(Change {
            from: None,
            to: None
        })
    );
    assert_eq!(
        updated.access,
        Some(Change {
            from: Some(Access::ReadOnly),
            to: Some(Access::Full)
        })
    );
    let limits = log[1].changes.as_ref().unwrap();
    assert_eq!(
        limits.daily_calls,
        Some(Change {
            from: Some(10),
            to: Some(5000)
        })
    );
    assert_eq!(a.audit_log(Actor::User, T0), Err(Error::NotAdmin));
    // Never a secret or a hash.
    let json = a.to_json();
    let audit = &json[json.find("\"audit\"").unwrap()..];
    for s in [issued.secret.expose(), reset.secret.expose()] {
        assert!(!audit.contains(&s[4..20]));
    }
    assert!(!audit.contains("$argon2"));
}

#[test]
fn the_audit_trail_keeps_the_last_200_events() {
    let mut a = Account::new(limits(10)).unwrap();
    let (id, _) = create(&mut a, "app", false, T0);
    for i in 1..=250u64 {
        let rename = KeyUpdate {
            name: Some(format!("app {i}")),
            ..KeyUpdate::default()
        };
        a.update_key(Actor::Admin, &id, rename, T0 + i).unwrap();
    }
    let log = a.audit_log(Actor::Admin, T0).unwrap();
    assert_eq!(log.len(), AUDIT_EVENTS);
    assert_eq!((log[0].at, log[199].at), (T0 + 250, T0 + 51));
    let b = Account::from_json(&a.to_json()).unwrap();
    assert_eq!(b, a);
}

#[test]
fn actor_ids_are_kept_whole_or_refused() {
    assert!(Actor::Admin.with_id(&"a".repeat(64)).is_ok());
    for bad in ["a".repeat(65), "a\"b".into(), "a\\b".into(), "a\nb".into()] {
        assert_eq!(
            Actor::Admin.with_id(&bad),
            Err(Error::InvalidInput),
            "{bad:?}"
        );
    }
    let mut a = Account::new(limits(10)).unwrap();
    let long = "é".repeat(32);
    let new = NewKey {
        name: "x".into(),
        ..NewKey::default()
    };
    a.create_key(admin(&long), new, T0).unwrap();
    let log = a.audit_log(Actor::Admin, T0).unwrap();
    assert_eq!(log[0].actor.id.as_deref(), Some(long.as_str()));
}

#[test]
fn state_version_2_round_trips_with_history_and_audit() {
    let mut a = Account::new(limits(10)).unwrap();
    let (_, h) = create(&mut a, "one", true, T0);
    call(&mut a, &h, "GET", T0);
    call(&mut a, &h, "POST", T0);
    let json = a.to_json();
    assert!(json.starts_with("{\"version\":2,"), "{json}");
    assert!(json.contains("\"history\":{\"day\":20455,\"keys\":[{\"keyId\":"));
    assert!(json.contains("\"calls\":[1],\"readOnly\":[1]}]}"));
    let b = Account::from_json(&json).unwrap();
    assert_eq!(b, a);
    assert_eq!(b.to_json(), json);
}

const FIXTURE_V1: &str = include_str!("fixtures/state-v1.json");
const FIXTURE_V1_LEASES: &str = include_str!("fixtures/state-v1-leases-admitted.json");

#[test]
fn version_1_states_still_load() {
    // tests/fixtures/state-v1.json, written by the version-1 code.
    let mut a = Account::from_json(FIXTURE_V1).unwrap();
    let now = T0 + 29 * HOUR + 1000;
    let list = a.list_keys(Actor::Admin, now).unwrap();
    let keys: Vec<_> = list
        .keys
        .iter()
        .map(|k| (k.name.as_str(), k.call_count, k.active_connections))
        .collect();
    assert_eq!(
        keys,
        [
            ("Salesforce Integration", 1, 1),
            ("Custom Reporting App", 3, 0)
        ]
    );
    assert_eq!(list.calls_today, 6);
    assert_eq!(a.limits().realm, "fixture");
    // No history or trail before version 2; from now on there is.
    assert!(a.audit_log(Actor::Admin, now).unwrap().is_empty());
    assert!(usage(&a, 90, now).days.iter().all(|d| d.total == 0));
    let reader = "Basic UEZLLTcyZmQ5MjYxLTE4NjAtNDgxYS1iN2E5LWNlNDM0ZTY0ZmZmZjpwZnNfTG81WGc3UVpzMnZCZVYxbmhwQTN2eDk4Z0h1ZUZ4VlIzR2QwSFJQQlhVejJLYmZJUw==";
    let salesforce = "Basic UEZLLWE1YmQxZTA3LWY2MTktNDg2OC05MDcxLTc1NGJmZTAxN2IyZjpwZnNfS3JZQWU1YzhXckVZZkMzQWk4VUJkWGc0WDdwUkZrRGFSTURwNTBGQjNuVjB0UHBsag==";
    let before_reset = "Basic UEZLLWE1YmQxZTA3LWY2MTktNDg2OC05MDcxLTc1NGJmZTAxN2IyZjpwZnNfUUlDNTVwSUtrdFJwb3NQR2Fvd0RRTmdzTXlSUE4wV3dtU0FSZ2czYmIxZTAzTkx2Zg==";
    assert_eq!(call(&mut a, reader, "GET", now), "OK");
    assert_eq!(call(&mut a, reader, "PUT", now), "READ_ONLY_KEY");
    assert_eq!(call(&mut a, salesforce, "POST", now), "OK");
    assert_eq!(call(&mut a, before_reset, "POST", now), "INVALID_SECRET");
    assert_eq!(today_of(&a, 1, now), (1, [1, 0, 0]));
    assert_eq!(a.list_keys(Actor::Admin, now).unwrap().calls_today, 8);
    let v2 = a.to_json();
    assert!(v2.starts_with("{\"version\":2,"));
    assert_eq!(Account::from_json(&v2).unwrap(), a);

    // The split's version 1, with `admittedAt` on leases: a refund still works.
    let mut b = Account::from_json(FIXTURE_V1_LEASES).unwrap();
    assert_eq!(b.leases().len(), 3);
    assert_eq!(
        b.release_with("lease-1", T0 + 2 * HOUR + 10, true),
        Ok(true)
    );
    let list = b.list_keys(Actor::Admin, T0 + 2 * HOUR + 10).unwrap();
    assert_eq!((list.calls_today, list.daily_limit), (2, 1000));

    // A version-1 state with version-2 parts is neither.
    let mut v: serde_json::Value = serde_json::from_str(FIXTURE_V1).unwrap();
    v["audit"] = serde_json::json!([]);
    assert_eq!(Account::from_json(&v.to_string()), Err(Error::InvalidState));
    let mut v: serde_json::Value = serde_json::from_str(FIXTURE_V1).unwrap();
    v["version"] = 2.into();
    assert_eq!(Account::from_json(&v.to_string()), Err(Error::InvalidState));
}

#[test]
fn from_json_checks_the_history_and_the_trail() {
    let mut a = Account::new(limits(10)).unwrap();
    let (_, h) = create(&mut a, "one", false, T0);
    call(&mut a, &h, "GET", T0);
    let good: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    assert!(Account::from_json(&good.to_string()).is_ok());
    let other = "PFK-00000000-0000-4000-8000-000000000000";
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "91 windows",
            Box::new(|v| v["history"]["keys"][0]["calls"] = vec![1; 91].into()),
        ),
        (
            "deleted: 91 windows",
            Box::new(|v| v["history"]["deleted"] = vec![1; 91].into()),
        ),
        (
            "a count over u32",
            Box::new(|v| v["history"]["keys"][0]["calls"][0] = (1u64 << 32).into()),
        ),
        (
            "a key not in the account",
            Box::new(move |v| v["history"]["keys"][0]["keyId"] = other.into()),
        ),
        (
            "a key twice",
            Box::new(|v| {
                let k = v["history"]["keys"][0].clone();
                v["history"]["keys"].as_array_mut().unwrap().push(k);
            }),
        ),
        (
            "ahead of the quota",
            Box::new(|v| v["history"]["day"] = 20456.into()),
        ),
        (
            "unknown series",
            Box::new(|v| v["history"]["keys"][0]["refused"] = vec![1].into()),
        ),
        (
            "no history",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("history");
            }),
        ),
        (
            "no audit",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("audit");
            }),
        ),
        (
            "201 events",
            Box::new(|v| v["audit"] = vec![v["audit"][0].clone(); 201].into()),
        ),
        (
            "an event after Date's end",
            Box::new(|v| v["audit"][0]["at"] = (MAX_TIME_MS + 1).into()),
        ),
        (
            "a name over 64 bytes",
            Box::new(|v| v["audit"][0]["name"] = "n".repeat(65).into()),
        ),
        (
            "an actor ID over 64 bytes",
            Box::new(|v| v["audit"][0]["actor"]["id"] = "a".repeat(65).into()),
        ),
        (
            "an unknown action",
            Box::new(|v| v["audit"][0]["action"] = "key.stolen".into()),
        ),
        (
            "a hash in an event",
            Box::new(|v| v["audit"][0]["secretHash"] = "$argon2id$".into()),
        ),
        (
            "a description's text",
            Box::new(|v| {
                v["audit"][0]["changes"]["description"] = serde_json::json!({ "to": "x" })
            }),
        ),
        (
            "limits on a key event",
            Box::new(|v| v["audit"][0]["changes"]["dailyCalls"] = serde_json::json!({ "to": 1 })),
        ),
    ];
    for (what, edit) in edits {
        let mut v = good.clone();
        edit(&mut v);
        assert_eq!(
            Account::from_json(&v.to_string()),
            Err(Error::InvalidState),
            "{what}"
        );
    }
}

/// The state at its largest for three keys: names and descriptions at
/// their longest (4-byte characters), three live leases each, every history
/// counter at its maximum for all 90 windows, and deleted keys' calls too.
fn largest_state(events: bool) -> Account {
    let mut a = Account::default();
    let long_id = "a".repeat(64);
    for i in 0..3 {
        let new = NewKey {
            name: format!("{i}{}", "😀".repeat(99)),
            description: "😀".repeat(500),
            read_only: false,
        };
        let (k, _) = a
            .create_key(admin(&long_id), new, MAX_TIME_MS - DAY_MS)
            .unwrap();
        let v = a.key_record(k.key_id.as_str()).unwrap().version;
        for _ in 0..3 {
            assert!(a
                .authorize_verified(k.key_id.as_str(), v, "GET", MAX_TIME_MS - DAY_MS)
                .ok());
        }
    }
    if events {
        // limits.changed with every field at its longest, back and forth.
        let extreme = |n: u32, m: u64| LimitsPatch {
            daily_calls: Some(100_000_000 - n),
            max_applications: Some(100 - n),
            max_connections: Some(1000 - n),
            quota_reset_offset_ms: Some(DAY_MS - 1 - m),
            call_count_reset_offset_ms: Some(DAY_MS - 1 - m),
            lease_ttl_ms: Some(DAY_MS - m),
            realm: Some(format!("{n}{}", "r".repeat(63))),
            hash_profile: Some(Profile {
                memory_kib: 65_536 - n,
                iterations: 16 - n,
                parallelism: 16 - n,
            }),
        };
        for i in 0..AUDIT_EVENTS {
            let n = (i % 2) as u32;
            a.set_limits(admin(&long_id), extreme(n, u64::from(n)), MAX_TIME_MS)
                .unwrap();
        }
        let back = LimitsPatch {
            max_connections: Some(3),
            max_applications: Some(3),
            ..extreme(0, 0)
        };
        a.set_limits(admin(&long_id), back, MAX_TIME_MS).unwrap();
    }
    let mut v: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    let full = vec![u32::MAX; HISTORY_DAYS];
    let keys: Vec<_> = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let id = k["keyId"].clone();
            serde_json::json!({ "keyId": id, "calls": full, "readOnly": full,
                                "dailyLimit": full, "concurrency": full })
        })
        .collect();
    let day = v["quota"]["day"].clone();
    v["history"] = serde_json::json!({ "day": day, "deleted": full, "keys": keys });
    Account::from_json(&v.to_string()).unwrap()
}

#[test]
fn three_keys_and_90_full_days_stay_under_32_kib() {
    let a = largest_state(false);
    let json = a.to_json();
    assert_eq!(a.leases().len(), 9);
    assert_eq!(usage(&a, 90, MAX_TIME_MS).days[0].keys[2].calls, u32::MAX);
    println!(
        "largest state without a full audit trail: {} bytes",
        json.len()
    );
    assert!(json.len() < 32 * 1024, "{} bytes", json.len());
}

#[test]
fn with_a_full_audit_trail_of_the_longest_events_under_128_kib() {
    let a = largest_state(true);
    let json = a.to_json();
    assert_eq!(
        a.audit_log(Actor::Admin, MAX_TIME_MS).unwrap().len(),
        AUDIT_EVENTS
    );
    println!(
        "largest state with a full audit trail: {} bytes",
        json.len()
    );
    assert!(json.len() < 128 * 1024, "{} bytes", json.len());
    // UTF-16 (what a JS string holds) never takes more units than UTF-8 bytes.
    assert!(json.encode_utf16().count() <= json.len());
}
