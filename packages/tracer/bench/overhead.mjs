#!/usr/bin/env node
// Overhead of tracing: each workload runs untraced, traced (supervisor + shim) and traced without the shim
// (supervisor only), round-robin with the order reversed every round so slow stretches of a noisy VM hit all
// variants alike. Prints median wall-time ratios, and median CPU-time ratios (the task tree's user+system time
// measured by /usr/bin/time, plus the supervisor's own CPU), which are far less sensitive to other load on the
// machine. Needs `pnpm --filter @vt/tracer build` first.
//
//   node packages/tracer/bench/overhead.mjs [--runs N] [--only name,name]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beginTrace, traceSupport } from '../dist/index.js';
import {
  esbuildWorkload,
  requireWorkload,
  shellWorkload,
  staticWorkload,
  tscWorkload,
  workloadEnv,
} from '../test/support/workloads.mjs';

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const runs = Number(opt('--runs', '11'));
const only = opt('--only', '')?.split(',').filter(Boolean);

function spawnAndWait(file, args, cwd, env) {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}: ${err}`))));
  });
}

async function once(w, variant) {
  const env = workloadEnv();
  w.reset();
  // /usr/bin/time reports the CPU of the workload and every descendant it waited for.
  const timeOut = join(root, 'time.txt');
  const program = '/usr/bin/time';
  const args = ['-f', '%U %S', '-o', timeOut, w.program, ...w.args];
  const cpuOf = () => {
    const [u, sy] = readFileSync(timeOut, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return (u + sy) * 1000;
  };
  const t0 = performance.now();
  if (variant === 'untraced') {
    await spawnAndWait(program, args, w.cwd, env);
    return { ms: performance.now() - t0, cpu: cpuOf() };
  }
  const s = beginTrace({ program, args, cwd: w.cwd, env, noShim: variant === 'supervisor' });
  try {
    await spawnAndWait(s.file, s.args, w.cwd, s.env);
  } catch (e) {
    s.dispose();
    throw e;
  }
  const r = await s.finish();
  const ms = performance.now() - t0;
  if (!r.complete) throw new Error(`${w.name}/${variant}: incomplete trace (${r.reason}: ${r.detail})`);
  return { ms, cpu: cpuOf() + r.stats.supervisorCpuMs, stats: r.stats, paths: r.accesses.size };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const root = mkdtempSync(join(tmpdir(), 'vt-tracer-bench-'));
try {
  console.log(`trace support: ${JSON.stringify(traceSupport())}; ${runs} runs per variant after one warm-up round`);
  const all = [
    () => requireWorkload(join(root, 'require'), 1000),
    () => shellWorkload(join(root, 'shell'), 100, 200),
    () => staticWorkload(join(root, 'static')),
    () => esbuildWorkload(join(root, 'esbuild'), 200),
    () => {
      const w = esbuildWorkload(join(root, 'esbuild-direct'), 200);
      // esbuild's Go binary run directly (no node in front of it): the static-binary worst case.
      const bin = require.resolve('@esbuild/linux-x64/bin/esbuild', { paths: [require.resolve('esbuild')] });
      return { ...w, name: 'esbuild-go', program: bin, args: [join(w.cwd, 'src/entry.js'), '--bundle', '--minify', '--sourcemap', `--outfile=${join(w.cwd, 'dist/out.js')}`, '--log-level=silent'] };
    },
    () => tscWorkload(join(root, 'tsc'), 100),
  ];
  const variants = ['untraced', 'traced', 'supervisor'];
  const rows = [];
  for (const make of all) {
    const w = make();
    if (only?.length && !only.includes(w.name)) continue;
    const times = Object.fromEntries(variants.map((v) => [v, []]));
    const cpus = Object.fromEntries(variants.map((v) => [v, []]));
    let stats = {};
    for (let round = -1; round < runs; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) {
        const r = await once(w, v);
        if (round >= 0) times[v].push(r.ms);
        if (round >= 0) cpus[v].push(r.cpu);
        if (v !== 'untraced') stats[v] = { ...r.stats, paths: r.paths };
      }
    }
    const base = median(times.untraced);
    const cpuBase = median(cpus.untraced);
    const row = {
      workload: w.name,
      'untraced ms': base.toFixed(1),
      'wall traced ×': (median(times.traced) / base).toFixed(3),
      'wall sup-only ×': (median(times.supervisor) / base).toFixed(3),
      'cpu traced ×': (median(cpus.traced) / cpuBase).toFixed(3),
      'cpu sup-only ×': (median(cpus.supervisor) / cpuBase).toFixed(3),
      paths: stats.traced.paths,
      'stops (traced)': stats.traced.notifications,
      'shim events': stats.traced.shimEvents,
      'stops (sup-only)': stats.supervisor.notifications,
      'wall µs/stop (sup-only)': (((median(times.supervisor) - base) * 1000) / Math.max(1, stats.supervisor.notifications)).toFixed(1),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  console.table(rows);
} finally {
  rmSync(root, { recursive: true, force: true });
}
