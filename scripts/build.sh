#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (target web), Debian's wasm-opt,
# the Node and workerd entries, and package.json `exports` conditions.
set -euo pipefail
cd "$(dirname "$0")/.."

wasm-pack build --release --target web --out-dir pkg --out-name apikeys --no-pack >&2 || \
  wasm-pack build --release --target web --out-dir pkg --out-name apikeys >&2

# wasm-opt. binaryen 132 from npm (scripts/package.json; its build runs on
# Node) optimises the module wasm-bindgen wrote, for size (-Os --converge,
# 0.7% smaller gzipped than -Oz here, and no slower), dropping the name,
# producers and target_features sections (metadata no engine reads). Debian bookworm's binaryen (108) cannot read what
# wasm-bindgen 0.2.130 writes (`table.fill`): when the npm one is missing, it
# optimises cargo's module with -O3 instead and wasm-bindgen runs again on the
# result. Should both fail, the package keeps wasm-pack's output.
features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue"
npm_opt=scripts/node_modules/binaryen/bin/wasm-opt
if [ ! -f "$npm_opt" ] && command -v npm >/dev/null; then
  (cd scripts && npm ci --no-audit --no-fund --loglevel=error) >&2 || true
fi
raw="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/apikeys.wasm"
# shellcheck disable=SC2086
if [ -f "$npm_opt" ] && node "$npm_opt" -Os --converge $features --strip-debug --strip-producers --strip-target-features \
    pkg/apikeys_bg.wasm -o pkg/apikeys_bg.opt.wasm; then
  mv pkg/apikeys_bg.opt.wasm pkg/apikeys_bg.wasm
  echo "wasm-opt -Os: $(node "$npm_opt" --version)" >&2
elif command -v wasm-opt >/dev/null && command -v wasm-bindgen >/dev/null && [ -f "$raw" ]; then
  rm -f pkg/apikeys_bg.opt.wasm
  # shellcheck disable=SC2086
  if wasm-opt -O3 $features "$raw" -o "${raw%.wasm}.opt.wasm" && \
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
