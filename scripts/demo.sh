#!/usr/bin/env bash
# Installs and builds vt, generates a 30-package pnpm workspace under bench/.work/demo, and runs
# `vt run --cache -r build` on it twice: the first run executes every package's build in dependency order,
# the second replays them from the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/pnpm.sh install --frozen-lockfile
./scripts/pnpm.sh run build
root="$PWD"
ws="$root/bench/.work/demo"
rm -rf "$ws"
node bench/generate.mjs --packages 30 --out "$ws"
cd "$ws"
"$root/node_modules/.bin/vt" run --cache -r build
"$root/node_modules/.bin/vt" run --cache -r build
