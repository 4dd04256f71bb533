#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (target web), Debian's wasm-opt,
# the Node and workerd entries, and package.json `exports` conditions.
set -euo pipefail
cd "$(dirname "$0")/.."

wasm-pack build --release --target web --out-dir pkg --out-name apikeys --no-pack >&2 || \
  wasm-pack build --release --target web --out-dir pkg --out-name apikeys >&2

# Optional: an old wasm-opt (Debian bookworm ships binaryen 108) cannot read
# every instruction rustc emits; the package then keeps rustc's own -O3 output.
if command -v wasm-opt >/dev/null; then
  if wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    pkg/apikeys_bg.wasm -o pkg/apikeys_bg.opt.wasm 2>/dev/null; then
    mv pkg/apikeys_bg.opt.wasm pkg/apikeys_bg.wasm
  else
    rm -f pkg/apikeys_bg.opt.wasm
    echo "note: $(wasm-opt --version) could not optimise the module; kept it as rustc built it" >&2
  fi
fi

cp js/node.js js/workerd.js pkg/
cp js/entry.d.ts pkg/node.d.ts
cp js/entry.d.ts pkg/workerd.d.ts
cp README.md pkg/README.md
node scripts/package-json.mjs
echo "built pkg/ ($(wc -c < pkg/apikeys_bg.wasm) bytes of wasm)" >&2
