#!/usr/bin/env node
/**
 * CPU profile of vt's cache-hit paths on the generated workspace (30 packages by default):
 *
 *   node bench/profile.mjs [--packages 30] [--files 36] [--runs 5] [--top 25] [--keep DIR]
 *
 * Builds once, then runs `node --cpu-prof packages/vt/bin/vt run -r build` for a warm full hit and for a hit
 * after deleting every dist/, `--runs` times each, and prints per scenario: wall vs CPU time (user+sys, from
 * getrusage of the child), the profile's idle share, and the functions with the most self time summed over
 * the runs. `--keep DIR` keeps the .cpuprofile files (open them in Chrome DevTools → Performance).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { baseEnv, generate, gitCommit, median, parseArgs, readPackages, REPO, table, VT } from './lib.mjs';
import vt from './runners/vt.mjs';

/** Parsed bundle source maps by file (null: none). */
const sourceMaps = new Map();
const opts = parseArgs(process.argv.slice(2));
const packages = Number(opts.packages ?? 30);
const files = Number(opts.files ?? 36);
const runs = Number(opts.runs ?? 5);
const top = Number(opts.top ?? 25);
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-profile-'));
const keep = opts.keep ? path.resolve(String(opts.keep)) : undefined;
const ws = path.join(base, 'ws');

generate(ws, packages, files);
vt.setup(ws, readPackages(ws), {});
gitCommit(ws);
const args = ['run', '-r', '--concurrency-limit', String(os.availableParallelism()), 'build'];
run(ws, []);
// vt memoises input hashes only for files older than its 2 s racy window; let the generated sources age,
// then fill the memo with one untimed hit, so that every profiled run sees the steady state.
await new Promise((r) => setTimeout(r, 2500));
run(ws, []);

const removeOutputs = () => {
  for (const p of fs.readdirSync(path.join(ws, 'packages'))) fs.rmSync(path.join(ws, 'packages', p, 'dist'), { recursive: true, force: true });
};
const scenarios = { 'warm full hit': () => {}, 'restore after delete': removeOutputs };
for (const [name, prepare] of Object.entries(scenarios)) {
  const dir = path.join(keep ?? base, name.replaceAll(' ', '-'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const walls = [];
  const cpus = [];
  for (let i = 0; i < runs; i++) {
    prepare();
    const r = run(ws, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200']);
    walls.push(r.wall);
    cpus.push(r.cpu);
  }
  const profiles = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  const agg = aggregate(profiles);
  console.log(`\n## ${name} (${packages} packages, ${runs} runs)\n`);
  console.log(`wall ${median(walls).toFixed(0)} ms, CPU (user+sys) ${median(cpus).toFixed(0)} ms (medians); profile: ${(agg.idle / agg.total * 100).toFixed(0)} % idle, ${(agg.gc / agg.total * 100).toFixed(0)} % GC, ${(agg.program / agg.total * 100).toFixed(0)} % (program)\n`);
  console.log('Self time (time spent in the function itself):\n');
  console.log(
    table(
      ['self ms / run', 'self %', 'function', 'where'],
      agg.functions.slice(0, top).map((f) => [(f.self / runs).toFixed(1), ((f.self / agg.total) * 100).toFixed(1), f.name, f.where]),
    ),
  );
  console.log('\nInclusive time of vt\'s own functions (itself + callees, recursion counted once):\n');
  console.log(
    table(
      ['total ms / run', 'total %', 'function', 'where'],
      agg.inclusive.slice(0, top).map((f) => [(f.total / runs).toFixed(1), ((f.total / agg.total) * 100).toFixed(1), f.name, f.where]),
    ),
  );
}
if (keep) console.log(`\nprofiles kept in ${keep}`);
fs.rmSync(base, { recursive: true, force: true });

/** Runs vt under node with extra node flags; wall and CPU time (user+sys) of the child in ms. */
function run(cwd, nodeFlags) {
  const cpu0 = childCpuMs();
  const t0 = process.hrtime.bigint();
  const res = spawnSync(process.execPath, [...nodeFlags, VT, ...args], { cwd, env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0) throw new Error(`vt failed: ${res.stdout}\n${res.stderr}`);
  return { wall, cpu: childCpuMs() - cpu0 };
}

/**
 * CPU time of all waited-for children so far: fields cutime + cstime of /proc/self/stat, in clock ticks
 * (USER_HZ, 100 on Linux). Node exposes only its own rusage, not RUSAGE_CHILDREN.
 */
function childCpuMs() {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Maps a bundle location back to packages/vt/src through the bundle's source map, when there is one. */
function where(cf) {
  if (!cf.url) return '';
  const file = cf.url.replace(/^file:\/\//, '');
  let map = sourceMaps.get(file);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(file + '.map', 'utf8')));
    } catch {
      map = null;
    }
    sourceMaps.set(file, map);
  }
  const e = map?.findEntry(cf.lineNumber, cf.columnNumber);
  if (e?.originalSource) {
    const src = e.originalSource.replace(/^file:\/\//, '');
    return `${path.relative(REPO, path.resolve(path.dirname(file), src))}:${e.originalLine + 1}`;
  }
  return `${path.relative(REPO, file).startsWith('..') ? file : path.relative(REPO, file)}:${cf.lineNumber + 1}`;
}

/**
 * Sums self time per function over several profiles (keyed by name + location), and inclusive time for
 * functions of packages/vt (each sample counted once per function on its stack).
 */
function aggregate(profiles) {
  const fns = new Map();
  const incl = new Map();
  let total = 0;
  let idle = 0;
  let gc = 0;
  let program = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const dt = new Map();
    for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + p.timeDeltas[i] / 1000);
    for (const [id, ms] of dt) {
      const n = byId.get(id);
      const cf = n.callFrame;
      total += ms;
      if (cf.functionName === '(idle)') idle += ms;
      if (cf.functionName === '(garbage collector)') gc += ms;
      if (cf.functionName === '(program)') program += ms;
      const w = where(cf);
      const key = `${cf.functionName || '(anonymous)'} ${w}`;
      const f = fns.get(key) ?? { name: cf.functionName || '(anonymous)', where: w, self: 0 };
      f.self += ms;
      fns.set(key, f);
      const seen = new Set();
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const c = byId.get(cur).callFrame;
        if (!c.url.includes('/packages/vt/')) continue;
        const cw = where(c);
        const k = `${c.functionName || '(anonymous)'} ${cw}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const e = incl.get(k) ?? { name: c.functionName || '(anonymous)', where: cw, total: 0 };
        e.total += ms;
        incl.set(k, e);
      }
    }
  }
  return {
    total,
    idle,
    gc,
    program,
    functions: [...fns.values()].sort((a, b) => b.self - a.self),
    inclusive: [...incl.values()].sort((a, b) => b.total - a.total),
  };
}
