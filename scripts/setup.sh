#!/usr/bin/env bash
# Idempotent set-up for a fresh machine of this kind (Debian, rustup, Node, root):
# installs what is missing and is quick when nothing is. Then builds pkg/ and
# installs the npm dependencies of every folder with a package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[setup] %s\n' "$*" >&2; }

# Rust: the wasm target and the lint tools.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown
fi
for c in clippy rustfmt; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done

# wasm-pack, and the wasm-bindgen CLI of the version in Cargo.lock (wasm-pack
# cannot download it here; it uses one on PATH when the version matches).
if ! command -v wasm-pack >/dev/null; then
  say "cargo install wasm-pack (about 3 minutes)"; cargo install wasm-pack --version 0.15.1
fi
wb_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "cargo install wasm-bindgen-cli $wb_version (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# Debian: Chromium and Firefox ESR with their drivers for browser tests,
# binaryen for wasm-opt.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v firefox-esr >/dev/null || missing+=(firefox-esr)
command -v wasm-opt >/dev/null || missing+=(binaryen)
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
fi

# geckodriver (Firefox's WebDriver) is not in Debian: from crates.io.
if ! command -v geckodriver >/dev/null; then
  say "cargo install geckodriver 0.37.1 (about 2 minutes)"
  cargo install geckodriver --version 0.37.1 --locked
fi

# Python's requests for the HTTP-client interop test (the image usually has it).
python3 -c "import requests" 2>/dev/null || python3 -m pip install -q requests

# The npm package (other folders depend on it with file:../pkg).
scripts/build.sh

# npm ci wherever a package-lock.json lives; skipped when the lock is unchanged.
for lock in */package-lock.json tests/*/package-lock.json; do
  [ -f "$lock" ] || continue
  dir=$(dirname "$lock")
  stamp="$dir/node_modules/.setup-stamp"
  sum=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    say "npm ci in $dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" > "$stamp"
  fi
done
say "ready"
