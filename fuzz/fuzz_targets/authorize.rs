//! `Account::authorize` over arbitrary headers, methods and times against an
//! account seeded with three keys (full, read-only, full) under a tiny hash
//! profile, driven by a line script so that the seeds are real headers:
//!
//! ```text
//! METHOD  <TAB> NOW <TAB> HEADER   authorize
//! !release <TAB> NOW <TAB> LEASE
//! !reset  <TAB> NOW <TAB> N        reset key N's secret
//! !delete <TAB> NOW <TAB> N
//! !create <TAB> NOW <TAB> NAME     (a name starting "ro" makes it read-only)
//! !list   <TAB> NOW
//! !json                            persist and reload the state
//! ```
//!
//! NOW is epoch ms, or `+N` for N ms after the previous line's time. In
//! HEADER and LEASE, `{idN}`, `{secretN}`, `{oldN}` (key N's secret before its
//! last reset), `{basicN}` (key N's whole valid header) and `{lease}` (the
//! last lease taken) are replaced, then `{b64:TEXT}` by the base64 of TEXT.
//!
//! Checked after each step: the decision agrees with itself; a request is
//! admitted only with a current key ID and its current secret; unknown and
//! malformed credentials cost no argon2 run; a refusal before the secret is
//! proven changes nothing, an authenticated one only its counter; no
//! part of any secret appears in a decision.
#![no_main]

use std::sync::OnceLock;

use apikeys::access::{check_method, is_safe_method};
use apikeys::hashing::argon2_runs;
use apikeys::window::MAX_TIME_MS;
use apikeys::{
    encode_basic, is_key_id, is_secret, parse_basic, Account, Actor, Error, Limits, NewKey,
};
use apikeys_fuzz::{check_decision, windows, TINY};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use libfuzzer_sys::fuzz_target;

/// Just before 2026-01-01T00:00:00Z, so short scripts cross midnight.
const START: u64 = 1_767_225_000_000;

#[derive(Clone)]
struct Slot {
    id: String,
    secret: String,
    old: String,
    read_only: bool,
    alive: bool,
}

fn seeded() -> &'static (Account, Vec<Slot>) {
    static BASE: OnceLock<(Account, Vec<Slot>)> = OnceLock::new();
    BASE.get_or_init(|| {
        let limits = Limits {
            daily_calls: 20,
            max_connections: 2,
            lease_ttl_ms: 5_000,
            hash_profile: TINY,
            ..Limits::default()
        };
        let mut account = Account::new(limits).expect("valid limits");
        let mut slots = Vec::new();
        for (name, read_only) in [("full", false), ("reader", true), ("other", false)] {
            let new = NewKey {
                name: name.into(),
                description: String::new(),
                read_only,
            };
            let (issued, _) = account
                .create_key(Actor::Admin, new, START - 86_400_000)
                .expect("create");
            slots.push(Slot {
                id: issued.key_id.to_string(),
                secret: issued.secret.expose().to_owned(),
                old: String::new(),
                read_only,
                alive: true,
            });
        }
        // Raise the profile so that each key's first admitted call migrates its hash.
        let mut state: serde_json::Value =
            serde_json::from_str(&account.to_json()).expect("state is JSON");
        state["limits"]["hashProfile"]["memoryKiB"] = 16.into();
        let account = Account::from_json(&state.to_string()).expect("raised profile");
        (account, slots)
    })
}

/// The state but its history, with the quota as it reads (a refusal may
/// write a new window's number with 0 calls): what an authenticated refusal
/// leaves as it was.
fn all_but_history(account: &Account, now: u64) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&account.to_json()).expect("state is JSON");
    let o = v.as_object_mut().expect("an object");
    o.remove("history");
    o.remove("quota");
    let list = account.list_keys(Actor::Admin, now).expect("valid time");
    format!("{v} {} {}", list.calls_today, list.resets_at)
}

/// Authenticated refusals counted in the current window, all keys.
fn refusals_today(account: &Account, now: u64) -> u64 {
    let usage = account.usage(Actor::Admin, 1, now).expect("valid time");
    let keys = usage.days[0].keys.iter();
    keys.map(|k| {
        let r = k.refused;
        u64::from(r.read_only) + u64::from(r.daily_limit) + u64::from(r.concurrency)
    })
    .sum()
}

fn substitute(text: &str, slots: &[Slot], lease: &str) -> String {
    let mut out = text.replace("{lease}", lease);
    for (i, s) in slots.iter().enumerate() {
        out = out
            .replace(&format!("{{id{i}}}"), &s.id)
            .replace(&format!("{{secret{i}}}"), &s.secret)
            .replace(&format!("{{old{i}}}"), &s.old);
        if out.contains(&format!("{{basic{i}}}")) {
            let basic = encode_basic(&s.id, &s.secret).expect("valid credentials");
            out = out.replace(&format!("{{basic{i}}}"), &basic);
        }
    }
    while let Some(start) = out.find("{b64:") {
        let Some(len) = out[start..].find('}') else {
            break;
        };
        let inner = &out[start + 5..start + len];
        let encoded = STANDARD.encode(inner.as_bytes());
        out.replace_range(start..=start + len, &encoded);
    }
    out
}

/// `FUZZ_TRACE=1` prints every step's decision (to read a crash or a seed).
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some())
}

fn slot_index(arg: &str, slots: &[Slot]) -> usize {
    arg.trim().parse::<usize>().unwrap_or(0) % slots.len()
}

fn no_secret_in(text: &str, slots: &[Slot]) {
    for s in slots {
        for secret in [&s.secret, &s.old] {
            for w in windows(secret, 8) {
                assert!(!text.contains(w), "part of a secret in {text}");
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (base, base_slots) = seeded();
    let mut account = base.clone();
    let mut slots = base_slots.clone();
    let mut now = START;
    let mut lease = String::new();
    let script = String::from_utf8_lossy(data);

    for line in script.lines().take(64) {
        let mut fields = line.splitn(3, '\t');
        let op = fields.next().unwrap_or_default();
        let time = fields.next().unwrap_or_default();
        let arg = fields.next().unwrap_or_default();
        now = match time.strip_prefix('+') {
            Some(delta) => now.saturating_add(delta.parse().unwrap_or(0)),
            None => time.parse().unwrap_or(now),
        };
        let time_ok = now <= MAX_TIME_MS;
        let before = account.to_json();

        match op {
            "!json" => {
                let again =
                    Account::from_json(&before).expect("the library's own state reads back");
                assert_eq!(again, account);
            }
            "!list" => match account.list_keys(Actor::Admin, now) {
                Ok(list) => {
                    assert!(time_ok);
                    assert_eq!(list.keys.len(), slots.iter().filter(|s| s.alive).count());
                    no_secret_in(&format!("{list:?}"), &slots);
                }
                Err(e) => assert_eq!((e, time_ok), (Error::InvalidTime, false)),
            },
            "!release" => {
                let id = substitute(arg, &slots, &lease);
                match account.release(&id, now) {
                    Ok(_) => assert!(time_ok),
                    Err(e) => assert_eq!((e, time_ok), (Error::InvalidTime, false)),
                }
            }
            "!reset" | "!delete" => {
                let i = slot_index(arg, &slots);
                let id = slots[i].id.clone();
                let result = if op == "!reset" {
                    account.reset_secret(Actor::Admin, &id, now).map(Some)
                } else {
                    account.delete_key(Actor::Admin, &id, now).map(|()| None)
                };
                match result {
                    Ok(issued) => {
                        assert!(time_ok && slots[i].alive);
                        match issued {
                            Some(k) => {
                                assert_eq!(k.key_id.as_str(), id);
                                assert_ne!(k.secret.expose(), slots[i].secret);
                                slots[i].old = std::mem::replace(
                                    &mut slots[i].secret,
                                    k.secret.expose().into(),
                                );
                            }
                            None => slots[i].alive = false,
                        }
                    }
                    Err(e) => {
                        let expected = if time_ok {
                            Error::UnknownKey
                        } else {
                            Error::InvalidTime
                        };
                        assert_eq!(e, expected);
                        assert!(!(time_ok && slots[i].alive));
                        assert_eq!(account.to_json(), before, "a failed {op} changed the state");
                    }
                }
            }
            "!create" => {
                let new = NewKey {
                    name: arg.to_owned(),
                    description: String::new(),
                    read_only: arg.starts_with("ro"),
                };
                match account.create_key(Actor::Admin, new, now) {
                    Ok((issued, view)) => {
                        assert!(time_ok);
                        assert!(is_key_id(issued.key_id.as_str()));
                        assert!(is_secret(issued.secret.expose()));
                        assert_eq!(view.name, arg.trim());
                        slots.push(Slot {
                            id: issued.key_id.to_string(),
                            secret: issued.secret.expose().into(),
                            old: String::new(),
                            read_only: arg.starts_with("ro"),
                            alive: true,
                        });
                    }
                    Err(e) => {
                        assert!(
                            matches!(
                                e,
                                Error::ApplicationLimitReached
                                    | Error::InvalidName
                                    | Error::InvalidTime
                            ),
                            "{e:?}"
                        );
                        assert_eq!(
                            account.to_json(),
                            before,
                            "a failed create changed the state"
                        );
                    }
                }
            }
            method => {
                let header = substitute(arg, &slots, &lease);
                let rest = time_ok.then(|| {
                    (
                        all_but_history(&account, now),
                        refusals_today(&account, now),
                    )
                });
                let runs = argon2_runs();
                let d = account.authorize(&header, method, now);
                let runs = argon2_runs() - runs;
                if trace() {
                    eprintln!("{method} {now} {header:?} -> {} ({runs} argon2)", d.code());
                }
                check_decision(&d);
                no_secret_in(&format!("{d:?}"), &slots);

                // The reference: what did the request present?
                let creds = parse_basic(&header).ok();
                let presented = creds
                    .as_ref()
                    .filter(|_| time_ok && check_method(method).is_ok())
                    .filter(|c| is_key_id(&c.user_id) && is_secret(&c.password));
                let slot =
                    presented.and_then(|c| slots.iter().find(|s| s.alive && s.id == c.user_id));
                let right = slot
                    .zip(presented)
                    .is_some_and(|(s, c)| *c.password == s.secret);

                if !time_ok {
                    assert_eq!(d.code(), "INVALID_TIME");
                } else if check_method(method).is_err() {
                    assert_eq!(d.code(), "INVALID_METHOD");
                }
                match (presented, slot) {
                    (None, _) => assert_eq!(runs, 0, "refused before lookup, yet hashed"),
                    (Some(_), None) => {
                        assert_eq!(d.code(), "UNKNOWN_KEY");
                        assert_eq!(runs, 0, "an unknown key ID cost argon2 work");
                    }
                    (Some(_), Some(s)) => {
                        assert!((1..=2).contains(&runs), "{runs} argon2 runs");
                        assert!(runs == 1 || d.ok(), "a rehash without admission");
                        if !right {
                            assert_eq!(d.code(), "INVALID_SECRET");
                        } else if s.read_only && !is_safe_method(method) {
                            assert_eq!(d.code(), "READ_ONLY_KEY");
                        } else {
                            assert!(
                                matches!(
                                    d.code(),
                                    "OK" | "DAILY_LIMIT_EXCEEDED" | "CONCURRENCY_LIMIT_EXCEEDED"
                                ),
                                "{d:?}"
                            );
                        }
                    }
                }
                if d.ok() {
                    assert!(right, "admitted without the current secret: {header:?}");
                    let id = d.lease_id.clone().expect("admitted calls hold a lease");
                    assert!(account.leases().iter().any(|l| l.id == id));
                    let list = account.list_keys(Actor::Admin, now).expect("valid time");
                    assert_eq!(Some(list.remaining_today), d.quota.map(|q| q.remaining));
                    lease = id;
                } else if matches!(d.status(), 403 | 429) {
                    // Authenticated: only its counter in the history changes.
                    let (rest, refusals) = rest.expect("a valid time");
                    assert_eq!(
                        all_but_history(&account, now),
                        rest,
                        "{} changed the state",
                        d.code()
                    );
                    assert_eq!(
                        refusals_today(&account, now),
                        refusals + 1,
                        "{} not counted",
                        d.code()
                    );
                } else {
                    assert_eq!(
                        account.to_json(),
                        before,
                        "a refused call changed the state"
                    );
                }
            }
        }
    }
});
