#!/usr/bin/env bash
# The benchmark (a few minutes; separate from scripts/test.sh): the package's
# wasm in Node beside the same Rust built natively, hash-wasm and
# @node-rs/argon2, in one run. Prints a table and writes bench/results.json.
# BENCH_QUICK=1 runs a short smoke version (written to bench/results.quick.json);
# BENCH_PROTOTYPE=0 skips the unshipped simd128 prototype (bench/simd128).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The native peer: its own crate and target dir (bench/native/target).
cargo build --release --quiet --manifest-path bench/native/Cargo.toml
# What would reach the OWASP target: argon2 with a wasm SIMD compression function.
if [ "${BENCH_PROTOTYPE:-1}" != 0 ]; then bench/simd128/build.sh; fi
node bench/bench.mjs "$@"
