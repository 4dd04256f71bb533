#!/usr/bin/env bash
# The benchmark (a few minutes; separate from scripts/test.sh): the package's
# wasm in Node beside the same Rust built natively, hash-wasm and
# @node-rs/argon2, in one run. Prints a table and writes bench/results.json.
# BENCH_QUICK=1 runs a short smoke version (written to bench/results.quick.json);
# BENCH_PROTOTYPE=0 skips the unshipped simd128 prototype (bench/simd128);
# BENCH_RUNS=3 runs the whole bench three times and records every run;
# BASELINE_PKG=/path/to/pkg measures another build of the package beside ours
# (bench/baseline.sh builds one from a commit; see bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The native peer: its own crate and target dir (bench/native/target).
cargo build --release --quiet --manifest-path bench/native/Cargo.toml
# The size floor: only argon2, base64, getrandom and wasm-bindgen, built alike.
bench/floor/build.sh
# What would reach the OWASP target: argon2 with a wasm SIMD compression function.
if [ "${BENCH_PROTOTYPE:-1}" != 0 ]; then bench/simd128/build.sh; fi
node bench/bench.mjs "$@"
