#!/usr/bin/env bash
# Runs every test: set-up, lints, native Rust tests, the same tests under wasm
# in Node, headless Chromium and headless Firefox, the JS API tests of the npm
# package, and the edge (workerd via miniflare) and portal (headless Chromium)
# suites.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || { echo "setup failed"; exit 1; }

passed=0; failed=0; failures=()
suite() {
  local name=$1; shift
  printf '\n=== %s\n' "$name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

export CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
export GECKODRIVER=${GECKODRIVER:-$(command -v geckodriver || true)}
suite "cargo fmt" cargo fmt --all -- --check
suite "clippy (native)" cargo clippy --all-targets -- -D warnings
suite "clippy (wasm32)" cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
suite "cargo test (native)" cargo test
suite "wasm-pack test --node" wasm-pack test --node
suite "wasm-pack test --headless --chrome" env WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome
suite "wasm-pack test --headless --firefox" env WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --firefox
suite "JS API (node --test)" node --test tests/js/
for dir in edge www; do
  if [ -f "$dir/package.json" ]; then
    suite "$dir (npm test)" bash -c "cd $dir && npm test"
  fi
done
if [ -x scripts/fuzz-smoke.sh ]; then
  suite "fuzz smoke" scripts/fuzz-smoke.sh
fi

echo
[ ${#failures[@]} -eq 0 ] || printf 'failed suite: %s\n' "${failures[@]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
