/**
 * Preloaded (`--require` in NODE_OPTIONS, see lib.mjs timeRun) into a benchmarked Node CLI (vt): at exit it
 * writes the process's own peak RSS in KiB (getrusage RUSAGE_SELF) to $VT_BENCH_RSS_FILE. It takes itself out
 * of the environment at once, so the tasks the CLI spawns are neither probed nor counted; `/usr/bin/time %M`
 * would mix in the largest child. CommonJS on purpose: an `--import`ed ES module makes Node start its ESM
 * loader, which cost the measured process ~18 ms that it would not spend otherwise.
 */
'use strict';
const fs = require('node:fs');

const file = process.env.VT_BENCH_RSS_FILE;
if (process.env.VT_BENCH_NODE_OPTIONS !== undefined) process.env.NODE_OPTIONS = process.env.VT_BENCH_NODE_OPTIONS;
else delete process.env.NODE_OPTIONS;
delete process.env.VT_BENCH_NODE_OPTIONS;
if (file) {
  delete process.env.VT_BENCH_RSS_FILE;
  process.on('exit', () => {
    fs.writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
