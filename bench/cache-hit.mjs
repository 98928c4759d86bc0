#!/usr/bin/env node
/**
 * Cache-hit benchmark: vt beside turbo on the same generated workspace (30 packages by default).
 *
 *   node bench/cache-hit.mjs [--packages 30] [--rounds 7]
 *
 * Scenarios, each measured per runner in alternating order per round:
 *  - warm full hit: every task cached, outputs present;
 *  - restore after delete: every dist/ removed, all hits restore them;
 *  - one file changed: one source file of a leaf package changes (1 miss, the rest hit).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, generate, median, runners, timeRun, toTurbo } from './lib.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const packages = arg('packages', 30);
const rounds = arg('rounds', 7);

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-bench-'));
const dirs = { vt: path.join(base, 'vt'), turbo: path.join(base, 'turbo') };
generate(dirs.vt, packages, ['--explicit-io']);
generate(dirs.turbo, packages, ['--explicit-io']);
toTurbo(dirs.turbo);
const leaf = `pkg-${String(packages - 1).padStart(3, '0')}`;

const scenarios = {
  'warm full hit': () => {},
  'restore after delete': (dir) => {
    for (const name of fs.readdirSync(path.join(dir, 'packages'))) fs.rmSync(path.join(dir, 'packages', name, 'dist'), { recursive: true, force: true });
  },
  'one file changed': (dir, round) => {
    fs.appendFileSync(path.join(dir, 'packages', leaf, 'src', 'm00.js'), `// change ${round}\n`);
  },
};

// Cold build once (also fills the caches).
for (const name of Object.keys(runners)) console.error(`cold ${name}: ${fmt(timeRun(runners[name], dirs[name]).ms)}`);

const results = {};
for (const [scenario, prepare] of Object.entries(scenarios)) {
  const times = Object.fromEntries(Object.keys(runners).map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? Object.keys(runners) : Object.keys(runners).reverse();
    for (const name of order) {
      prepare(dirs[name], round);
      times[name].push(timeRun(runners[name], dirs[name]).ms);
    }
  }
  results[scenario] = Object.fromEntries(Object.entries(times).map(([n, t]) => [n, median(t)]));
  console.error(`${scenario}: ${Object.entries(results[scenario]).map(([n, m]) => `${n} ${fmt(m)}`).join(', ')}`);
}

console.log(`| scenario (${packages} packages, median of ${rounds}) | vt | turbo | vt/turbo |`);
console.log('|---|---|---|---|');
for (const [scenario, r] of Object.entries(results)) {
  console.log(`| ${scenario} | ${fmt(r.vt)} | ${fmt(r.turbo)} | ${(r.vt / r.turbo).toFixed(2)} |`);
}
fs.rmSync(base, { recursive: true, force: true });
