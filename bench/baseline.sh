#!/usr/bin/env bash
# Builds the package as it was at another commit (default 1593280, where issue
# 10 started), for BASELINE_PKG:
#
#   BASELINE_PKG=$(bench/baseline.sh) scripts/bench.sh
#   BASELINE_PKG=$(bench/baseline.sh <commit> [dir]) scripts/bench.sh
#
# `git archive` of the commit into a scratch directory (default
# /tmp/apikeys-baseline-<commit>), then its own scripts/build.sh with its own
# CARGO_TARGET_DIR there; nothing in this worktree changes. Prints the pkg/
# path (with a COMMIT file); a second call with the same commit reuses it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sha=$(git -C "$root" rev-parse --short "${1:-1593280}^{commit}")
dir=${2:-/tmp/apikeys-baseline-$sha}
if [ "$(cat "$dir/pkg/COMMIT" 2>/dev/null)" != "$sha" ] || [ ! -f "$dir/pkg/node.js" ]; then
  echo "bench/baseline.sh: building the package of $sha in $dir (a release build)" >&2
  rm -rf "$dir/tree" "$dir/pkg"
  mkdir -p "$dir/tree"
  git -C "$root" archive "$sha" | tar -x -C "$dir/tree"
  (cd "$dir/tree" && CARGO_TARGET_DIR="$dir/target" scripts/build.sh)
  mv "$dir/tree/pkg" "$dir/pkg"
  echo "$sha" > "$dir/pkg/COMMIT"
fi
echo "$dir/pkg"
