#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (target web), Debian's wasm-opt,
# the Node and workerd entries, and package.json `exports` conditions.
set -euo pipefail
cd "$(dirname "$0")/.."

wasm-pack build --release --target web --out-dir pkg --out-name apikeys --no-pack >&2 || \
  wasm-pack build --release --target web --out-dir pkg --out-name apikeys >&2

# wasm-opt -O3. Debian bookworm's binaryen (108) cannot read what wasm-bindgen
# 0.2.130 writes (`table.fill` in its externref table code), so it optimises
# cargo's module instead, and wasm-bindgen (the same CLI wasm-pack used) runs
# again on the result, without the name and producers sections (2 KB that
# only a debugger reads). Should that fail, the package keeps wasm-pack's output.
# -O3 rather than -Oz/-Os: those save 0.1% here (bench/README.md, "Size").
raw="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/apikeys.wasm"
if command -v wasm-opt >/dev/null && command -v wasm-bindgen >/dev/null && [ -f "$raw" ]; then
  if wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$raw" -o "${raw%.wasm}.opt.wasm" && \
    wasm-bindgen --target web --remove-name-section --remove-producers-section \
      --out-dir pkg --out-name apikeys "${raw%.wasm}.opt.wasm"; then
    echo "wasm-opt -O3: $(wasm-opt --version)" >&2
  else
    echo "note: wasm-opt could not optimise the module; kept it as rustc built it" >&2
    wasm-bindgen --target web --out-dir pkg --out-name apikeys "$raw"
  fi
fi

cp js/node.js js/workerd.js pkg/
cp js/entry.d.ts pkg/node.d.ts
cp js/entry.d.ts pkg/workerd.d.ts
cp README.md pkg/README.md
node scripts/package-json.mjs
echo "built pkg/ ($(wc -c < pkg/apikeys_bg.wasm) bytes of wasm)" >&2
