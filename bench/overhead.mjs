/**
 * Tracer and runner overhead inside vt. The workloads are the tracer package's own
 * (packages/tracer/test/support/workloads.mjs: tsc on a generated project, Node requiring 1,000 packages, esbuild
 * driven from Node, an fs-heavy shell script). Each becomes a one-package vt workspace with two tasks running the
 * same command: `traced` (default `{auto: true}` inputs/outputs, so vt attaches the tracer) and `untraced`
 * (input/output globs, so vt does not). Per round, in alternating order:
 *  - direct: the command itself, no vt;
 *  - Node floor: the command spawned by a Node process that does nothing else (node-floor.cjs, started as bin/vt
 *    starts vt): what any runner written for Node costs at least;
 *  - untraced / traced cold: outputs removed and the cache emptied, then `vt run <task>` (a miss that stores);
 *  - untraced / traced hit: `vt run <task>` again right after, outputs present.
 *  - pre-started: the untraced cold run again, but timed inside a Node process that had already started and
 *    loaded vt (prestarted.cjs): vt's own work, the part a resident vt process could not remove.
 *  - turbo cold / hit: the same command as a package.json script under turbo with the same input/output globs
 *    (turbo runs tasks through the package manager, `npm run`; it cannot spawn a command itself), the
 *    workload committed to git as turbo expects; cold = outputs and .turbo removed.
 * Ratios: traced/untraced (what tracing costs inside vt), untraced/direct (what vt costs around a command),
 * floor/direct (the part of that no Node program can avoid), pre-started/direct (what vt would still cost if it
 * were resident), turbo/direct (what the fastest peer costs).
 * The tracer's raw overhead without vt comes from the tracer's own bench (packages/tracer/bench/overhead.mjs),
 * which is called, not copied.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baseEnv, BENCH_DIR, gitCommit, median, REPO, roundOrder, timeRun, VT, writeJson } from './lib.mjs';
import { TURBO, TURBO_ENV } from './runners/turbo.mjs';

const WORKLOADS = path.join(REPO, 'packages', 'tracer', 'test', 'support', 'workloads.mjs');
const TRACER_BENCH = path.join(REPO, 'packages', 'tracer', 'bench', 'overhead.mjs');
const NODE_FLOOR = path.join(BENCH_DIR, 'node-floor.cjs');
const PRESTARTED = path.join(BENCH_DIR, 'prestarted.cjs');

/** Input/output globs that cover what each workload reads and writes (what a user would declare). */
const GLOBS = {
  tsc: { input: ['src/**', 'tsconfig.json'], output: ['out/**'] },
  require: { input: ['main.js', 'node_modules/**'], output: [] },
  esbuild: { input: ['src/**', 'build.js'], output: ['dist/**'] },
  shell: { input: ['d*/**', 'script.sh'], output: ['out/**'] },
};

/** The package.json script turbo runs (a vt task may not share a script's name). */
const TURBO_TASK = 'turbo-build';

const quote = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/**
 * @param {{ base: string, rounds: number, log: (msg: string) => void, tracerBench: boolean }} opts
 */
export async function runOverhead({ base, rounds, log, tracerBench }) {
  const w = await import(WORKLOADS);
  const makers = {
    tsc: (dir) => w.tscWorkload(dir, 100),
    require: (dir) => w.requireWorkload(dir, 1000),
    esbuild: (dir) => w.esbuildWorkload(dir, 200),
    shell: (dir) => w.shellWorkload(dir, 100, 200),
  };
  const rows = [];
  const failures = {};
  for (const [name, make] of Object.entries(makers)) {
    const dir = path.join(base, `overhead-${name}`);
    const cache = path.join(base, `overhead-${name}-cache`);
    try {
      const workload = make(dir);
      const command = [workload.program, ...workload.args].map(quote).join(' ');
      const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim();
      writeJson(path.join(dir, 'package.json'), {
        name: `overhead-${name}`, private: true, packageManager: `npm@${npmVersion}`, scripts: { [TURBO_TASK]: command },
      });
      writeJson(path.join(dir, 'vite-task.json'), {
        tasks: { traced: { command }, untraced: { command, ...GLOBS[name] } },
      });
      writeJson(path.join(dir, 'turbo.json'), { tasks: { [TURBO_TASK]: { inputs: GLOBS[name].input, outputs: GLOBS[name].output } } });
      // Only outputs and caches are ignored: node_modules is the require workload's input, for turbo too.
      gitCommit(dir, ['.turbo', 'out', 'dist']);
      const env = { ...w.workloadEnv(), VITE_CACHE_PATH: cache };
      const direct = { cmd: workload.program, args: workload.args, env };
      const vt = (task) => ({ cmd: VT, args: ['run', task], env, node: true });
      const floor = { cmd: NODE_FLOOR, args: [workload.program, ...workload.args], env };
      const turbo = { cmd: TURBO, args: ['run', TURBO_TASK, '--output-logs=errors-only'], env: { ...env, ...TURBO_ENV } };
      const times = { direct: [], floor: [], 'untraced cold': [], 'traced cold': [], 'untraced hit': [], 'traced hit': [], 'turbo cold': [], 'turbo hit': [], prestarted: [] };
      const rss = { untraced: 0, traced: 0 };
      const variants = {
        direct: () => {
          workload.reset();
          times.direct.push(timeRun(direct, dir, { extraEnv: env }).ms);
        },
        floor: () => {
          workload.reset();
          times.floor.push(timeRun(floor, dir, { extraEnv: env }).ms);
        },
        untraced: () => pair('untraced'),
        prestarted: () => {
          workload.reset();
          fs.rmSync(cache, { recursive: true, force: true });
          times.prestarted.push(prestartedRun(dir, env, ['run', 'untraced']));
        },
        traced: () => pair('traced'),
        turbo: () => {
          workload.reset();
          fs.rmSync(path.join(dir, '.turbo'), { recursive: true, force: true });
          const cold = timeRun(turbo, dir);
          if (/[1-9]\d* cached/.test(cold.stdout)) throw new Error(`turbo hit on an empty cache:\n${cold.stdout}`);
          const hit = timeRun(turbo, dir);
          if (!/1 cached, 1 total/.test(hit.stdout)) throw new Error(`turbo did not hit the second time:\n${hit.stdout}`);
          times['turbo cold'].push(cold.ms);
          times['turbo hit'].push(hit.ms);
        },
      };
      function pair(task) {
        workload.reset();
        fs.rmSync(cache, { recursive: true, force: true });
        const cold = timeRun(vt(task), dir);
        if (!/cache miss|0\/1 cache hit/.test(cold.stdout) && /cache hit/.test(cold.stdout)) throw new Error(`vt run ${task} hit on an empty cache`);
        const hit = timeRun(vt(task), dir);
        if (!/cache hit/.test(hit.stdout)) throw new Error(`vt run ${task} did not hit the second time:\n${hit.stdout}`);
        times[`${task} cold`].push(cold.ms);
        times[`${task} hit`].push(hit.ms);
        rss[task] = Math.max(rss[task], cold.rssKiB ?? 0, hit.rssKiB ?? 0);
      }
      // One untimed round first: page cache, compiled-code caches.
      for (const v of Object.values(variants)) v();
      for (const k of Object.keys(times)) times[k] = [];
      for (let r = 0; r < rounds; r++) for (const v of roundOrder(Object.keys(variants), r)) variants[v]();
      const m = Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
      rows.push({ workload: name, ...m, rss });
      log(`overhead ${name}: ${Object.entries(m).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')}`);
    } catch (e) {
      failures[name] = String(e?.message ?? e).trim();
      log(`overhead ${name}: failed: ${failures[name]}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(cache, { recursive: true, force: true });
    }
  }
  const tracer = tracerBench ? runTracerBench(rounds, log) : { skipped: 'not requested' };
  return { rows, failures, tracer };
}

/** Milliseconds `vt <args>` took inside a process that had already started and loaded vt (prestarted.cjs). */
function prestartedRun(dir, env, args) {
  const out = path.join(os.tmpdir(), `vt-bench-prestarted-${process.pid}.json`);
  fs.rmSync(out, { force: true });
  const res = spawnSync(process.execPath, [PRESTARTED, ...args], {
    cwd: dir,
    env: { ...baseEnv(), ...env, VT_BENCH_PRESTARTED_OUT: out },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0 || !fs.existsSync(out)) {
    throw new Error(`prestarted.cjs ${args.join(' ')} exited ${res.status ?? res.signal}:\n${String(res.stdout).slice(-2000)}\n${String(res.stderr).slice(-2000)}`);
  }
  const { ms } = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out, { force: true });
  if (!/cache miss|0\/1 cache hit/.test(res.stdout) && /cache hit/.test(res.stdout)) throw new Error(`prestarted vt run ${args.join(' ')} hit on an empty cache`);
  return ms;
}

/**
 * The tracer package's own overhead bench (raw tracer, no vt). Its JSON lines are collected as they are; if it
 * is missing or fails, the reason is reported instead.
 */
function runTracerBench(rounds, log) {
  if (!fs.existsSync(TRACER_BENCH)) return { skipped: `${path.relative(REPO, TRACER_BENCH)} does not exist` };
  log('tracer bench: running packages/tracer/bench/overhead.mjs');
  const res = spawnSync(process.execPath, [TRACER_BENCH, '--runs', String(rounds), '--only', 'tsc,require,esbuild,shell'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 20 * 60 * 1000,
  });
  if (res.status !== 0) return { skipped: `exited ${res.status ?? res.signal}: ${(res.stderr || res.stdout || String(res.error)).trim().split('\n').slice(-5).join(' / ')}` };
  const rows = res.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return { rows };
}
