/**
 * vt's own work on one run, without Node's start-up and without loading the bundle: the part of the runner
 * overhead that a resident vt process (a daemon driven by a small native client) could not remove either.
 *
 * This process does ahead of time everything that does not depend on the request: Node starts, the bundle is
 * compiled from its code cache and evaluated, the builtins vt loads on first use (child_process, net, zlib) and
 * better-sqlite3's addon are loaded. Then it waits, so that start-up has settled, and runs `vt <args>` in the
 * same process, timing only that call. The result, `{"ms": …, "code": …}`, is written to $VT_BENCH_PRESTARTED_OUT.
 * It is a measurement aid for overhead.mjs ("vt pre-started"), not a way to run vt.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const out = process.env.VT_BENCH_PRESTARTED_OUT;
delete process.env.VT_BENCH_PRESTARTED_OUT;
if (!out) throw new Error('prestarted.cjs: set VT_BENCH_PRESTARTED_OUT');
const vtDir = path.join(__dirname, '..', 'packages', 'vt');
const { loadBundle } = require(path.join(vtDir, 'dist', 'bundle', 'launch.cjs'));

for (const id of ['node:child_process', 'node:net', 'node:zlib']) require(id);
require(path.join(vtDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
const { main } = loadBundle(path.join(vtDir, 'dist', 'bundle', 'vt.cjs'), { learn: false });

setTimeout(async () => {
  const t0 = performance.now();
  const code = await main(process.argv.slice(2));
  const ms = performance.now() - t0;
  fs.writeFileSync(out, JSON.stringify({ ms, code }));
  process.exitCode = code;
  setImmediate(() => process.exit());
}, 300);
