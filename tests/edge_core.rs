//! What the edge in production needs of the core (issue 11): leases renewed
//! while a call streams, refunds of calls the edge could not deliver, limits
//! changed on a live account, versioned key records and the verified path,
//! who acted, and a wrong clock that cannot poison an account.
//! Runs natively and under wasm (Node, Chromium, Firefox).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use apikeys::window::DAY_MS;
use apikeys::{encode_basic, Account, Actor, Error, Limits, LimitsPatch, NewKey, Profile, Role};

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const SEC: u64 = 1000;
const HOUR: u64 = 3_600_000;

fn account(limits: Limits) -> Account {
    Account::new(limits).unwrap()
}

fn create(a: &mut Account, name: &str, read_only: bool, now: u64) -> (String, String) {
    let new = NewKey {
        name: name.into(),
        read_only,
        ..NewKey::default()
    };
    let (issued, _) = a.create_key(Actor::Admin, new, now).unwrap();
    let header = encode_basic(issued.key_id.as_str(), issued.secret.expose()).unwrap();
    (issued.key_id.as_str().to_owned(), header)
}

fn used(a: &Account, now: u64) -> (u32, u32) {
    let list = a.list_keys(Actor::Admin, now).unwrap();
    (list.calls_today, list.keys[0].call_count)
}

// A. A lease lasts as long as its call: renewed, it keeps its slot past the TTL.
#[test]
fn renew_keeps_a_long_call_in_its_slot() {
    let mut a = account(Limits {
        max_connections: 1,
        lease_ttl_ms: 2 * SEC,
        ..Limits::default()
    });
    let (_, h) = create(&mut a, "one", false, T0);
    let lease = a.authorize(&h, "GET", T0).lease_id.unwrap();
    // Renewed every second for 8 s: the slot stays taken the whole time.
    for s in 1..=8 {
        let now = T0 + s * SEC;
        assert_eq!(a.renew(&lease, now), Ok(true), "renew at {s} s");
        let d = a.authorize(&h, "GET", now + SEC / 2);
        assert_eq!(d.code(), "CONCURRENCY_LIMIT_EXCEEDED", "at {s}.5 s");
    }
    // The expiry is now + TTL, never more: renewing twice does not stack.
    assert_eq!(a.renew(&lease, T0 + 8 * SEC), Ok(true));
    assert_eq!(a.leases()[0].expires_at, T0 + 10 * SEC);
    // Not renewed, it expires: the slot frees itself and renew says so.
    assert_eq!(a.renew(&lease, T0 + 10 * SEC), Ok(false));
    assert!(a.authorize(&h, "GET", T0 + 10 * SEC).ok());
    assert_eq!(a.renew("lease-99", T0), Ok(false));
    assert_eq!(a.renew(&lease, u64::MAX), Err(Error::InvalidTime));
}

// F. A call the edge could not deliver is given back, once, never below zero.
#[test]
fn refund_gives_back_the_call_once() {
    let mut a = account(Limits::default());
    let (_, h) = create(&mut a, "one", false, T0);
    let kept = a.authorize(&h, "GET", T0).lease_id.unwrap();
    let lost = a.authorize(&h, "GET", T0 + SEC).lease_id.unwrap();
    assert_eq!(used(&a, T0 + SEC), (2, 2));
    assert_eq!(a.release_with(&lost, T0 + 2 * SEC, true), Ok(true));
    assert_eq!(used(&a, T0 + 2 * SEC), (1, 1));
    // Once per lease: the lease is gone after its refund.
    assert_eq!(a.release_with(&lost, T0 + 2 * SEC, true), Ok(false));
    assert_eq!(used(&a, T0 + 2 * SEC), (1, 1));
    // A plain release gives back the slot, not the call.
    assert_eq!(a.release(&kept, T0 + 3 * SEC), Ok(true));
    assert_eq!(used(&a, T0 + 3 * SEC), (1, 1));
}

#[test]
fn refund_only_in_the_windows_the_call_was_counted_in() {
    let mut a = account(Limits::default());
    let (_, h) = create(&mut a, "one", false, T0);
    // Admitted just before midnight, refunded just after: today's new
    // window is not touched (and it holds no call to take back).
    let before = T0 + DAY_MS - SEC;
    let late = a.authorize(&h, "GET", before).lease_id.unwrap();
    let today = a.authorize(&h, "GET", T0 + DAY_MS + SEC).lease_id.unwrap();
    assert_eq!(a.release_with(&late, T0 + DAY_MS + 2 * SEC, true), Ok(true));
    assert_eq!(
        a.list_keys(Actor::Admin, T0 + DAY_MS + 2 * SEC)
            .unwrap()
            .calls_today,
        1
    );
    assert_eq!(
        a.release_with(&today, T0 + DAY_MS + 3 * SEC, true),
        Ok(true)
    );
    assert_eq!(
        a.list_keys(Actor::Admin, T0 + DAY_MS + 3 * SEC)
            .unwrap()
            .calls_today,
        0
    );
}

// D. Limits change on a live account; limits below what is in use drain.
#[test]
fn set_limits_merges_and_checks() {
    let mut a = account(Limits::default());
    let patch = LimitsPatch {
        daily_calls: Some(10),
        ..LimitsPatch::default()
    };
    assert_eq!(
        a.set_limits(Actor::User, patch.clone(), T0),
        Err(Error::NotAdmin)
    );
    let l = a.set_limits(Actor::Admin, patch, T0).unwrap();
    assert_eq!((l.daily_calls, l.max_applications), (10, 3));
    let bad = LimitsPatch {
        lease_ttl_ms: Some(1),
        ..LimitsPatch::default()
    };
    assert_eq!(
        a.set_limits(Actor::Admin, bad, T0),
        Err(Error::InvalidLimits)
    );
    assert_eq!(a.limits().daily_calls, 10);
    assert_eq!(a.limits().lease_ttl_ms, 60_000);
}

#[test]
fn limits_below_use_drain_and_the_state_still_loads() {
    let mut a = account(Limits::default());
    let (id1, h1) = create(&mut a, "one", false, T0);
    let (id2, _) = create(&mut a, "two", false, T0);
    create(&mut a, "three", false, T0);
    let held: Vec<_> = (0..3)
        .map(|i| a.authorize(&h1, "GET", T0 + i).lease_id.unwrap())
        .collect();
    let lower = LimitsPatch {
        max_applications: Some(2),
        max_connections: Some(1),
        daily_calls: Some(2),
        ..LimitsPatch::default()
    };
    a.set_limits(Actor::Admin, lower, T0 + 10).unwrap();
    // The state loads as it is, and behaves the same.
    let mut b = Account::from_json(&a.to_json()).unwrap();
    assert_eq!(a, b);
    let more = NewKey {
        name: "four".into(),
        ..NewKey::default()
    };
    assert_eq!(
        b.create_key(Actor::Admin, more.clone(), T0 + 20)
            .map(|_| ()),
        Err(Error::ApplicationLimitReached)
    );
    assert_eq!(
        b.authorize(&h1, "GET", T0 + 20).code(),
        "CONCURRENCY_LIMIT_EXCEEDED"
    );
    for l in &held {
        b.release(l, T0 + 30).unwrap();
    }
    // 3 calls were made under the old limit of 2,500: none is left of 2.
    assert_eq!(
        b.authorize(&h1, "GET", T0 + 40).code(),
        "DAILY_LIMIT_EXCEEDED"
    );
    assert_eq!(
        b.list_keys(Actor::Admin, T0 + 40).unwrap().remaining_today,
        0
    );
    // Deleting down to the limit is not enough to create; below it is.
    b.delete_key(Actor::Admin, &id2, T0 + 50).unwrap();
    assert!(b.create_key(Actor::Admin, more.clone(), T0 + 50).is_err());
    b.delete_key(Actor::Admin, &id1, T0 + 50).unwrap();
    assert!(b.create_key(Actor::Admin, more, T0 + 50).is_ok());
    assert!(Account::from_json(&b.to_json()).is_ok());
}

// C. Versioned key records and the verified path.
#[test]
fn key_record_version_changes_with_the_record() {
    let mut a = account(Limits::default());
    let (id, _) = create(&mut a, "one", false, T0);
    let first = a.key_record(&id).unwrap();
    assert_eq!(first.record.key_id.as_str(), id);
    assert!(!first.rehash);
    assert!(first.version < 1 << 53, "fits a JS number");
    // Unchanged record, same version (state round trips keep it).
    let b = Account::from_json(&a.to_json()).unwrap();
    assert_eq!(b.key_record(&id).unwrap().version, first.version);
    a.reset_secret(Actor::Admin, &id, T0 + 1).unwrap();
    let second = a.key_record(&id).unwrap();
    assert_ne!(second.version, first.version);
    assert_ne!(second.record.secret_hash, first.record.secret_hash);
    // A new profile: the record asks for a rehash.
    let patch = LimitsPatch {
        hash_profile: Some(Profile {
            memory_kib: 128,
            iterations: 1,
            parallelism: 1,
        }),
        ..LimitsPatch::default()
    };
    a.set_limits(Actor::Admin, patch, T0 + 2).unwrap();
    assert!(a.key_record(&id).unwrap().rehash);
    a.delete_key(Actor::Admin, &id, T0 + 3).unwrap();
    assert!(a.key_record(&id).is_none());
    assert!(a.key_record("nope").is_none());
}

#[test]
fn authorize_verified_does_all_but_the_secret() {
    let mut a = account(Limits {
        daily_calls: 3,
        max_connections: 1,
        ..Limits::default()
    });
    let (id, _) = create(&mut a, "full", false, T0);
    let (ro, _) = create(&mut a, "read", true, T0);
    let v = a.key_record(&id).unwrap().version;
    let vro = a.key_record(&ro).unwrap().version;

    let d = a.authorize_verified(&id, v, "POST", T0);
    assert_eq!((d.status(), d.code()), (200, "OK"));
    assert!(d.header("RateLimit").is_some());
    let lease = d.lease_id.unwrap();
    assert_eq!(used(&a, T0), (1, 1));
    let before = a.clone();
    let refusals = [
        (
            a.authorize_verified(&id, v, "GET", T0),
            "CONCURRENCY_LIMIT_EXCEEDED",
        ),
        (
            a.authorize_verified(&id, v + 1, "GET", T0),
            "STALE_KEY_RECORD",
        ),
        (
            a.authorize_verified(&ro, vro, "DELETE", T0),
            "READ_ONLY_KEY",
        ),
        (
            a.authorize_verified("PFK-nope", v, "GET", T0),
            "MALFORMED_CREDENTIALS",
        ),
        (a.authorize_verified(&id, v, "G T", T0), "INVALID_METHOD"),
        (
            a.authorize_verified(&id, v, "GET", u64::MAX),
            "INVALID_TIME",
        ),
    ];
    for (d, code) in &refusals {
        assert_eq!(d.code(), *code);
    }
    assert_eq!(refusals[1].0.status(), 409);
    // A read-only key's write is refused with its RateLimit headers.
    assert!(refusals[2].0.header("RateLimit").is_some());
    // Refusals change nothing but, after the secret (here: the record's
    // version) is proven, their counter in the history (issue 12).
    assert_eq!(
        a.list_keys(Actor::Admin, T0),
        before.list_keys(Actor::Admin, T0)
    );
    assert_eq!(a.leases(), before.leases());
    let refused: Vec<_> = a.usage(Actor::Admin, 1, T0).unwrap().days[0]
        .keys
        .iter()
        .map(|k| (k.refused.concurrency, k.refused.read_only))
        .collect();
    assert_eq!(refused, [(1, 0), (0, 1)]);
    a.release(&lease, T0).unwrap();
    // A reset makes the cached version stale; a delete makes the key unknown.
    a.reset_secret(Actor::Admin, &id, T0).unwrap();
    assert_eq!(
        a.authorize_verified(&id, v, "GET", T0).code(),
        "STALE_KEY_RECORD"
    );
    let v2 = a.key_record(&id).unwrap().version;
    assert!(a.authorize_verified(&id, v2, "GET", T0).ok());
    a.delete_key(Actor::Admin, &ro, T0).unwrap();
    assert_eq!(
        a.authorize_verified(&ro, vro, "GET", T0).code(),
        "UNKNOWN_KEY"
    );
}

// G. A wrong clock cannot poison an account.
#[test]
fn a_clock_that_steps_back_less_than_a_day_reopens_nothing() {
    let mut a = account(Limits {
        daily_calls: 2,
        ..Limits::default()
    });
    let (_, h) = create(&mut a, "one", false, T0);
    let midnight = T0 + DAY_MS;
    assert!(a.authorize(&h, "GET", midnight + SEC).ok());
    assert!(a.authorize(&h, "GET", midnight + 2 * SEC).ok());
    // The clock steps back 23 hours: still the new window, still used up.
    let back = midnight + 2 * SEC - 23 * HOUR;
    assert_eq!(a.authorize(&h, "GET", back).code(), "DAILY_LIMIT_EXCEEDED");
}

#[test]
fn a_window_more_than_a_day_ahead_is_a_wrong_clock_and_is_recomputed() {
    let limits = Limits {
        daily_calls: 2,
        max_connections: 1,
        ..Limits::default()
    };
    let mut a = account(limits);
    let (_, h) = create(&mut a, "one", false, T0);
    // One call from a clock ten years ahead: its lease, its window, its time.
    let future = T0 + 3650 * DAY_MS;
    assert!(a.authorize(&h, "GET", future).ok());
    assert!(a.authorize(&h, "GET", future + SEC).code() == "CONCURRENCY_LIMIT_EXCEEDED");
    // Saved and restored (through fromJSON too), the account is not stuck in
    // that future: today's window, a free slot, a sane last call.
    let mut b = Account::from_json(&a.to_json()).unwrap();
    let list = b.list_keys(Actor::Admin, T0 + HOUR).unwrap();
    assert_eq!((list.calls_today, list.remaining_today), (0, 2));
    assert_eq!(list.keys[0].active_connections, 0);
    assert_eq!(list.keys[0].call_count, 0);
    let d = b.authorize(&h, "GET", T0 + HOUR);
    assert!(d.ok(), "{}", d.code());
    assert_eq!(d.quota.unwrap().remaining, 1);
    let list = b.list_keys(Actor::Admin, T0 + HOUR).unwrap();
    assert_eq!(list.keys[0].last_call_at, Some(T0 + HOUR));
    assert_eq!(list.keys[0].call_count, 1);
    assert!(Account::from_json(&b.to_json()).is_ok());
}

// Who acted: an optional, bounded identity on the actor.
#[test]
fn actor_ids_are_bounded_text() {
    let a = Actor::Admin.with_id("  alice@example.com ").unwrap();
    assert_eq!(a.role, Role::Admin);
    assert_eq!(a.id.unwrap().as_str(), "alice@example.com");
    assert_eq!(Actor::Admin.with_id("").unwrap().id, None);
    // 64 bytes at most, kept whole in the audit trail (issue 12).
    assert_eq!(
        Actor::Admin.with_id(&"x".repeat(65)),
        Err(Error::InvalidInput)
    );
    assert_eq!(Actor::Admin.with_id("a\nb"), Err(Error::InvalidInput));
    assert_eq!(Actor::Admin.with_id("a\"b"), Err(Error::InvalidInput));
    assert!(Actor::Admin.with_id(&"é".repeat(32)).is_ok());
    assert!(Actor::Admin.with_id(&"é".repeat(33)).is_err());
    // An id does not make a user an admin.
    let user = Actor::User.with_id("bob").unwrap();
    assert_eq!(user.require_admin(), Err(Error::NotAdmin));
}

// One table of codes: every code maps back to itself, with its status and message.
#[test]
fn the_table_of_codes_is_complete() {
    for e in Error::ALL {
        assert_eq!(Error::from_code(e.code()), Some(e));
        assert!(!e.message().is_empty());
        assert_eq!(e.to_string(), e.message());
    }
    assert_eq!(
        Error::from_code("INVALID_SECRET").map(Error::status),
        Some(401)
    );
    assert_eq!(
        Error::from_code("STALE_KEY_RECORD").map(Error::status),
        Some(409)
    );
    assert_eq!(Error::from_code("nope"), None);
}
