#!/usr/bin/env bash
# The README's first command: sets up what is missing (tools, the wasm
# package in pkg/, npm dependencies; quick when nothing is), then serves:
#
#   scripts/serve.sh          the IndexedDB demo portal on http://127.0.0.1:${PORT:-8080}/
#   scripts/serve.sh --edge   the real thing: the edge worker in local workerd
#                             (wrangler dev) on 127.0.0.1:${API_PORT:-8787}, a small
#                             example REST API behind it, and the portal connected
#                             to the worker on http://127.0.0.1:${PORT:-8080}/_apikeys/portal/
#
# Both run until Ctrl+C or SIGTERM, which stop everything they started.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "") mode=indexeddb ;;
  --edge) mode=edge ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: scripts/serve.sh [--edge]" >&2; exit 2 ;;
esac
scripts/setup.sh
if [ "$mode" = edge ]; then
  exec node www/dev/serve-edge.mjs
fi
exec node www/serve.mjs
