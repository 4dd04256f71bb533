#!/usr/bin/env bash
# Builds the package's wasm once more, with a prototype WebAssembly SIMD
# (simd128) compression function patched into argon2 0.5.3
# (argon2-0.5.3-wasm-simd128.patch) and `-C target-feature=+simd128`, into
# bench/simd128/target/pkg. It is NOT what the package ships: bench.mjs
# measures it beside the shipped build to show what reaches the OWASP
# wasm/native target (see bench/README.md). It works on copies under
# bench/simd128/target and changes nothing else.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
out=$(pwd)/target

manifest=$(cd "$root" && cargo metadata --format-version 1 --locked | node -e '
  const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const p = m.packages.find((p) => p.name === "argon2" && p.version === "0.5.3");
  if (!p) { console.error("argon2 0.5.3 is not in Cargo.lock any more: update the patch"); process.exit(1); }
  console.log(p.manifest_path);')

rm -rf "$out/argon2" "$out/crate" "$out/pkg"
mkdir -p "$out/crate"
cp -r "$(dirname "$manifest")" "$out/argon2"
chmod -R u+w "$out/argon2"
patch -s -p1 -d "$out/argon2" < argon2-0.5.3-wasm-simd128.patch

cp -r "$root/Cargo.toml" "$root/Cargo.lock" "$root/README.md" "$root/src" "$out/crate/"
printf '\n[workspace]\n\n[patch.crates-io]\nargon2 = { path = "../argon2" }\n' >> "$out/crate/Cargo.toml"
(cd "$out/crate" && RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR="$out/cargo" \
  cargo build --lib --release --target wasm32-unknown-unknown --quiet)

# The same wasm-opt and wasm-bindgen steps as scripts/build.sh, plus SIMD.
raw="$out/cargo/wasm32-unknown-unknown/release/apikeys.wasm"
wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$raw" -o "$out/apikeys.opt.wasm"
wasm-bindgen --target web --out-dir "$out/pkg" --out-name apikeys "$out/apikeys.opt.wasm"
cp "$root/js/node.js" "$out/pkg/"
echo "bench/simd128: built the simd128 prototype ($(wc -c < "$out/pkg/apikeys_bg.wasm") bytes of wasm)" >&2
