//! The apikeys crate built natively, for the side-by-side benchmark.
//!
//! `bench/bench.mjs` starts this once and drives it line by line over stdin,
//! so native rounds alternate with the wasm and npm peers in one run:
//!
//! - `hash <m> <t> <p> <secret>` → the PHC string (one line);
//! - `verify <n> <secret> <phc>` → a JSON array of `n` per-call times in ns;
//! - `basic <n> <user-id> <password>` → `{"parseNs":…,"encodeNs":…}`, the
//!   mean time of `n` calls of `parse_basic` and of `encode_basic`;
//! - `quit`.
//!
//! `verify` times `apikeys::verify_secret`, the function the wasm build's
//! `verifySecret` runs.

use std::hint::black_box;
use std::io::{self, BufRead, Write};
use std::time::Instant;

use apikeys::{encode_basic, hash_secret, parse_basic, verify_secret, Profile};

fn main() {
    let stdin = io::stdin();
    let mut out = io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.expect("stdin");
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["hash", m, t, p, secret] => {
                let profile = Profile {
                    memory_kib: m.parse().expect("m"),
                    iterations: t.parse().expect("t"),
                    parallelism: p.parse().expect("p"),
                };
                let phc = hash_secret(secret, profile).expect("hash");
                writeln!(out, "{phc}").expect("stdout");
            }
            ["verify", n, secret, phc] => {
                let n: usize = n.parse().expect("n");
                let mut times = Vec::with_capacity(n);
                for _ in 0..n {
                    let t0 = Instant::now();
                    let ok = verify_secret(black_box(secret), black_box(phc));
                    times.push(t0.elapsed().as_nanos());
                    assert_eq!(ok, Ok(true), "native verification failed");
                }
                let list: Vec<String> = times.iter().map(u128::to_string).collect();
                writeln!(out, "[{}]", list.join(",")).expect("stdout");
            }
            ["basic", n, user_id, password] => {
                let n: u32 = n.parse().expect("n");
                let header = encode_basic(user_id, password).expect("encode");
                let t0 = Instant::now();
                for _ in 0..n {
                    let c = parse_basic(black_box(&header)).expect("parse");
                    black_box(c);
                }
                let parse = t0.elapsed().as_nanos() as f64 / f64::from(n);
                let t0 = Instant::now();
                for _ in 0..n {
                    black_box(
                        encode_basic(black_box(user_id), black_box(password)).expect("encode"),
                    );
                }
                let encode = t0.elapsed().as_nanos() as f64 / f64::from(n);
                writeln!(out, "{{\"parseNs\":{parse:.1},\"encodeNs\":{encode:.1}}}")
                    .expect("stdout");
            }
            ["quit"] | [] => break,
            _ => panic!("unknown command: {line}"),
        }
        out.flush().expect("stdout");
    }
}
