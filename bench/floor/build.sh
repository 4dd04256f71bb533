#!/usr/bin/env bash
# Builds the size floor (lib.rs: only argon2, base64, getrandom and
# wasm-bindgen) exactly as scripts/build.sh builds the package: the crate's
# release profile and Cargo.lock, wasm-opt -O3 with the same flags, then
# wasm-bindgen --target web. Output: bench/floor/target/pkg/floor_bg.wasm.
# bench.mjs reports its size beside the package's.
set -euo pipefail
cd "$(dirname "$0")"
out=$(pwd)/target

# The crate's lock, so argon2, base64, getrandom and wasm-bindgen resolve to
# the versions the package ships (cargo drops the entries the floor does not use).
cp ../../Cargo.lock Cargo.lock
CARGO_TARGET_DIR="$out" cargo build --lib --release --target wasm32-unknown-unknown --quiet
raw="$out/wasm32-unknown-unknown/release/apikeys_floor.wasm"
wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$raw" -o "$out/floor.opt.wasm"
wasm-bindgen --target web --out-dir "$out/pkg" --out-name floor "$out/floor.opt.wasm"
echo "bench/floor: $(wc -c < "$out/pkg/floor_bg.wasm") bytes of wasm" >&2
