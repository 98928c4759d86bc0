#!/usr/bin/env node
// Builds the native parts of the package it is run in (`pnpm build` runs it in packages/tracer and
// packages/file-stamps) with node-gyp against the running Node's own headers, so the build never tries to
// download them (machines here have no internet beyond package registries). Honours an explicit
// npm_config_nodedir (scripts/pnpm.sh exports one).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const pkg = process.cwd();
const { name } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
if (process.platform !== 'linux') {
  console.log(`${name}: no native build for this platform; skipping it`);
  process.exit(0);
}
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
}
const nodeGyp = createRequire(join(pkg, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
const r = spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: pkg, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
