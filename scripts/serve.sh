#!/usr/bin/env bash
# The README's first command: sets up what is missing (tools, the wasm
# package in pkg/, npm dependencies; quick when nothing is), then serves the
# demo portal on http://127.0.0.1:${PORT:-8080}/ until interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec node www/serve.mjs
