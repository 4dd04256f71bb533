//! `Account::from_json` on arbitrary JSON text. Whatever it accepts must
//! write back to the same text, answer every operation without panicking, and
//! never be turned by the library's own operations into a state that
//! `from_json` would refuse. The seed records hold keys with the fixed
//! secrets of `apikeys_fuzz::known_secret`, so authorize gets past argon2.
#![no_main]

use apikeys::window::{DAY_MS, MAX_TIME_MS};
use apikeys::{encode_basic, Account, Actor, KeyUpdate, NewKey};
use apikeys_fuzz::{check_decision, known_secret, phc_cost, CHEAP_COST, KNOWN_IDS};
use libfuzzer_sys::fuzz_target;

/// The library's own writes must stay readable.
fn round_trip(a: &Account, what: &str) {
    let json = a.to_json();
    match Account::from_json(&json) {
        Ok(b) => assert_eq!(&b, a, "after {what}"),
        Err(e) => panic!("after {what}, from_json refuses the library's own state ({e:?}): {json}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(account) = Account::from_json(text) else {
        return;
    };
    let json = account.to_json();
    assert!(json.starts_with('{'), "{json}");
    round_trip(&account, "from_json");
    assert_eq!(
        Account::from_json(&json).expect("reads back").to_json(),
        json
    );

    let limits = account.limits().clone();
    let profile_cheap = u64::from(limits.hash_profile.memory_kib)
        * u64::from(limits.hash_profile.iterations)
        <= CHEAP_COST;

    // Times worth trying: the edges, and the ones the record talks about.
    let mut times = vec![0, 1, DAY_MS - 1, 1_767_225_600_000, MAX_TIME_MS];
    for k in account.applications() {
        times.extend([k.created_at, k.secret_set_at, k.last_call_at.unwrap_or(0)]);
        times.push(k.call_count_day.saturating_mul(DAY_MS).min(MAX_TIME_MS));
    }
    for l in account.leases() {
        times.extend([
            l.expires_at.saturating_sub(1).min(MAX_TIME_MS),
            l.expires_at.min(MAX_TIME_MS),
        ]);
    }
    times.sort_unstable();
    times.dedup();
    times.truncate(12);

    let mut a = account.clone();
    for &now in &times {
        let list = a
            .list_keys(Actor::Admin, now)
            .expect("list_keys on an accepted state");
        assert_eq!(list.keys.len(), a.applications().len());
        for view in &list.keys {
            // Limits may be lowered below what is in use (set_limits): the
            // use drains, so only the largest limit bounds it.
            assert!(view.active_connections <= apikeys::limits::MAX_CONNECTIONS);
            assert!(view.call_count_resets_at > now);
        }
        let usage = a
            .usage(Actor::Admin, 90, now)
            .expect("usage on an accepted state");
        for day in &usage.days {
            let sum: u64 = day.keys.iter().map(|k| u64::from(k.calls)).sum();
            assert_eq!(sum + u64::from(day.deleted_calls), day.total);
            assert!(day.start < day.end);
        }
        let log = a
            .audit_log(Actor::Admin, now)
            .expect("audit_log on an accepted state");
        assert!(log.len() <= 200);

        let garbage = a.authorize("Basic Zm9vOmJhcg==", "GET", now);
        check_decision(&garbage);
        assert!(!garbage.ok());

        for (i, id) in KNOWN_IDS.iter().enumerate() {
            let Some(app) = a.applications().iter().find(|k| k.key_id.as_str() == *id) else {
                continue;
            };
            if !profile_cheap || phc_cost(&app.secret_hash).is_none_or(|c| c > CHEAP_COST) {
                continue;
            }
            let header = encode_basic(id, &known_secret(i)).expect("valid credentials");
            for method in ["GET", "DELETE"] {
                let d = a.authorize(&header, method, now);
                check_decision(&d);
                round_trip(&a, "authorize");
                if d.ok() {
                    let lease = d.lease_id.clone().expect("admitted calls hold a lease");
                    assert!(a.leases().iter().any(|l| l.id == lease));
                    if now % 2 == 0 {
                        assert_eq!(a.release(&lease, now), Ok(true));
                        round_trip(&a, "release");
                    }
                }
            }
        }
    }

    let now = times[times.len() / 2];
    let leases: Vec<String> = a.leases().iter().map(|l| l.id.clone()).collect();
    for id in leases {
        a.release(&id, now).expect("release at a valid time");
        round_trip(&a, "release of a stored lease");
    }
    if let Some(id) = a.applications().last().map(|k| k.key_id.to_string()) {
        let edit = KeyUpdate {
            name: Some("fuzz edit".into()),
            description: None,
            read_only: Some(now % 2 == 0),
        };
        a.update_key(Actor::Admin, &id, edit, now)
            .expect("update of a stored key");
        round_trip(&a, "update_key");
    }
    if profile_cheap {
        if let Some(id) = a.applications().first().map(|k| k.key_id.to_string()) {
            a.reset_secret(Actor::Admin, &id, now)
                .expect("reset of a stored key");
            round_trip(&a, "reset_secret");
            a.delete_key(Actor::Admin, &id, now)
                .expect("delete of a stored key");
            round_trip(&a, "delete_key");
        }
        let new = NewKey {
            name: "fuzz".into(),
            ..NewKey::default()
        };
        if a.create_key(Actor::Admin, new, now).is_ok() {
            round_trip(&a, "create_key");
        }
    }
});
