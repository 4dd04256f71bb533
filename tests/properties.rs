//! Property tests over random sequences of operations and times: the
//! invariants hold whatever the order. A call refused before its secret is
//! proven changes nothing; an authenticated refusal changes only its counter
//! in the history; the history's totals are the calls admitted per window. Natively proptest generates and
//! shrinks the sequences; under wasm (where proptest's configuration reads
//! environment variables, which panics there) the same `run` checks the same
//! invariants over sequences from a seeded generator.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::HashMap;

use apikeys::window::{day_index, DAY_MS};
use apikeys::{encode_basic, Account, Actor, KeyUpdate, Limits, NewKey, Profile};
use proptest::prelude::*;
#[cfg(not(target_arch = "wasm32"))]
use proptest::test_runner::{Config, TestRunner};

#[derive(Clone, Debug)]
enum Op {
    Create(bool),
    Delete(usize),
    Update(usize, bool),
    Reset(usize),
    Call {
        key: usize,
        method: usize,
        good: bool,
    },
    Release(usize),
    Advance(u64),
    Restore,
}

#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => any::<bool>().prop_map(Op::Create),
        1 => (0..4usize).prop_map(Op::Delete),
        1 => (0..4usize).prop_map(Op::Reset),
        1 => (0..4usize, any::<bool>()).prop_map(|(i, ro)| Op::Update(i, ro)),
        12 => (0..4usize, 0..5usize, prop::bool::weighted(0.9))
            .prop_map(|(key, method, good)| Op::Call { key, method, good }),
        4 => (0..8usize).prop_map(Op::Release),
        4 => prop_oneof![0..2_000u64, 0..(2 * DAY_MS)].prop_map(Op::Advance),
        1 => Just(Op::Restore),
    ]
}

const METHODS: [&str; 5] = ["GET", "POST", "HEAD", "DELETE", "OPTIONS"];

/// Today's counts per key from `usage`: (key ID, [calls, read-only,
/// daily-limit, concurrency refusals]), and the deleted keys' calls.
fn today(a: &Account, now: u64) -> (Vec<(String, [u32; 4])>, u32) {
    let u = a.usage(Actor::Admin, 1, now).unwrap();
    let day = &u.days[0];
    let keys = day.keys.iter().map(|k| {
        let r = k.refused;
        let counts = [k.calls, r.read_only, r.daily_limit, r.concurrency];
        (k.key_id.as_str().to_owned(), counts)
    });
    (keys.collect(), day.deleted_calls)
}

/// The state but its history, with the quota as it reads (a refusal may
/// write the number of a new window, with 0 calls).
fn all_but_history(a: &Account, now: u64) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("history");
    o.remove("quota");
    let list = a.list_keys(Actor::Admin, now).unwrap();
    format!("{v} {} {}", list.calls_today, list.resets_at)
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let limits = Limits {
        daily_calls: 25,
        lease_ttl_ms: 5_000,
        hash_profile: Profile {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        },
        ..Limits::default()
    };
    let mut a = Account::new(limits.clone()).unwrap();
    let mut now = 1_767_225_600_000u64;
    // Headers of live keys (and stale headers of reset keys).
    let mut keys: Vec<(String, String, String)> = Vec::new(); // (id, good header, stale header)
    let mut leases: Vec<String> = Vec::new();
    // Admitted calls per quota window, counted by the test itself.
    let mut admitted: HashMap<u64, u32> = HashMap::new();
    for op in ops {
        match op {
            Op::Create(ro) => {
                let new = NewKey {
                    name: "app".into(),
                    description: String::new(),
                    read_only: ro,
                };
                match a.create_key(Actor::Admin, new, now) {
                    Ok((k, _)) => {
                        let h = encode_basic(k.key_id.as_str(), k.secret.expose()).unwrap();
                        keys.push((k.key_id.as_str().to_owned(), h.clone(), h));
                    }
                    Err(e) => prop_assert_eq!(keys.len(), 3, "create refused: {:?}", e),
                }
            }
            Op::Delete(i) if i < keys.len() => {
                a.delete_key(Actor::Admin, &keys[i].0, now).unwrap();
                keys.remove(i);
            }
            Op::Reset(i) if i < keys.len() => {
                let k = a.reset_secret(Actor::Admin, &keys[i].0, now).unwrap();
                let h = encode_basic(k.key_id.as_str(), k.secret.expose()).unwrap();
                keys[i].2 = std::mem::replace(&mut keys[i].1, h);
            }
            Op::Update(i, ro) if i < keys.len() => {
                let update = KeyUpdate {
                    read_only: Some(ro),
                    ..KeyUpdate::default()
                };
                a.update_key(Actor::Admin, &keys[i].0, update, now).unwrap();
            }
            Op::Call { key, method, good } if key < keys.len() => {
                let header = if good { &keys[key].1 } else { &keys[key].2 };
                let before = a.to_json();
                let before_rest = all_but_history(&a, now);
                let (mut expected, deleted) = today(&a, now);
                let d = a.authorize(header, METHODS[method], now);
                if d.ok() {
                    prop_assert!(good || keys[key].1 == keys[key].2, "stale secret admitted");
                    *admitted.entry(day_index(now, 0)).or_default() += 1;
                    leases.push(d.lease_id.clone().unwrap());
                } else if d.status() == 401 {
                    prop_assert_eq!(
                        a.to_json(),
                        before,
                        "unauthenticated refusal {} changed state",
                        d.code()
                    );
                } else {
                    // Authenticated: only its counter, for this key and code.
                    prop_assert_eq!(all_but_history(&a, now), before_rest, "{}", d.code());
                    let code = [
                        "READ_ONLY_KEY",
                        "DAILY_LIMIT_EXCEEDED",
                        "CONCURRENCY_LIMIT_EXCEEDED",
                    ]
                    .iter()
                    .position(|c| *c == d.code());
                    prop_assert!(code.is_some(), "refused with {}", d.code());
                    let row = expected.iter_mut().find(|(id, _)| id == &keys[key].0);
                    row.unwrap().1[1 + code.unwrap()] += 1;
                    prop_assert_eq!(today(&a, now), (expected, deleted));
                }
            }
            Op::Release(i) if i < leases.len() => {
                let l = leases.remove(i);
                a.release(&l, now).unwrap();
            }
            Op::Advance(ms) => now += ms,
            Op::Restore => {
                let json = a.to_json();
                let b = Account::from_json(&json).unwrap();
                prop_assert_eq!(&b, &a);
                a = b;
            }
            _ => {}
        }
        // Invariants after every step.
        for (_, n) in admitted.iter() {
            prop_assert!(*n <= limits.daily_calls, "{} admitted in one window", n);
        }
        let list = a.list_keys(Actor::Admin, now).unwrap();
        prop_assert!(list.keys.len() <= 3);
        prop_assert_eq!(list.calls_today + list.remaining_today, limits.daily_calls);
        for k in &list.keys {
            prop_assert!(
                k.active_connections <= 3,
                "{} live leases",
                k.active_connections
            );
        }
        let live = a.leases().iter().filter(|l| l.expires_at > now).count();
        prop_assert!(live <= 3 * list.keys.len());
        // The history's totals are the calls admitted in each window, and
        // the keys' calls with the deleted keys' add up to them.
        let usage = a.usage(Actor::Admin, 90, now).unwrap();
        for day in &usage.days {
            let w = day_index(day.start, 0);
            let sum: u64 = day.keys.iter().map(|k| u64::from(k.calls)).sum();
            prop_assert_eq!(sum + u64::from(day.deleted_calls), day.total);
            let counted = admitted.get(&w).copied().unwrap_or(0);
            prop_assert_eq!(day.total, u64::from(counted), "window {}", w);
        }
        prop_assert_eq!(usage.days[89].total, u64::from(list.calls_today));
    }
    Ok(())
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn invariants_hold_over_random_operation_sequences() {
    let mut runner = TestRunner::new(Config::with_cases(64));
    runner
        .run(&prop::collection::vec(op(), 1..120), run)
        .unwrap();
}

/// xorshift64*: a seeded generator for the wasm run.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }

    fn op(&mut self) -> Op {
        match self.below(25) {
            24 => Op::Update(self.below(4) as usize, self.below(2) == 0),
            0 => Op::Create(self.below(2) == 0),
            1 => Op::Delete(self.below(4) as usize),
            2 => Op::Reset(self.below(4) as usize),
            3..=14 => Op::Call {
                key: self.below(4) as usize,
                method: self.below(5) as usize,
                good: self.below(10) != 0,
            },
            15..=18 => Op::Release(self.below(8) as usize),
            19..=20 => Op::Advance(self.below(2_000)),
            21..=22 => Op::Advance(self.below(2 * DAY_MS)),
            _ => Op::Restore,
        }
    }
}

#[test]
fn invariants_hold_over_seeded_operation_sequences() {
    for seed in 1..=48u64 {
        let mut g = Seeded(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let len = 1 + g.below(150) as usize;
        let ops: Vec<Op> = (0..len).map(|_| g.op()).collect();
        if let Err(e) = run(ops.clone()) {
            panic!("seed {seed}: {e}\n{ops:?}");
        }
    }
}
