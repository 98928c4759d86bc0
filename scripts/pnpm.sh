#!/usr/bin/env bash
# Runs the pinned pnpm, installing it into .tools/ on first use. pnpm is not preinstalled on our machines and
# corepack's signature check fails offline, so we fetch it from the npm registry like any other package.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(node -p "require('$root/package.json').packageManager.split('@')[1]")"
bin="$root/.tools/node_modules/.bin/pnpm"
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "$version" ]; then
  npm install --silent --no-save --no-package-lock --prefix "$root/.tools" "pnpm@$version" >&2
fi
# Native addons (better-sqlite3, the tracer) build with node-gyp; point it at the running Node's own headers
# so it never tries to download them.
if [ -z "${npm_config_nodedir:-}" ]; then
  nodedir="$(dirname "$(dirname "$(node -p process.execPath)")")"
  if [ -f "$nodedir/include/node/node_api.h" ]; then export npm_config_nodedir="$nodedir"; fi
fi
# Scripts that call `pnpm` themselves (the root `build`) must find this same pinned version.
export PATH="$root/.tools/node_modules/.bin:$PATH"
exec "$bin" "$@"
