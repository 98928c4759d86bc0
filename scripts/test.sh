#!/usr/bin/env bash
# Installs everything (pnpm, dependencies, native builds) and runs the whole test suite, e2e included.
set -euo pipefail
cd "$(dirname "$0")/.."
# strace is the ground truth of the tracer's recall test.
if ! command -v strace >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq strace) >/dev/null 2>&1 || echo "warning: could not install strace" >&2
fi
./scripts/pnpm.sh install --frozen-lockfile
./scripts/pnpm.sh run build
./scripts/pnpm.sh exec vitest run
