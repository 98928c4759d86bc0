/**
 * Shared helpers for the benchmarks: workspace copies per runner, timing, medians.
 * Every scenario runs all runners in the same process, alternating their order each round, so that a slow
 * stretch of this noisy machine hits every runner alike; results are medians and vt/peer ratios.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(BENCH_DIR, '..');
export const VT = path.join(REPO, 'packages', 'vt', 'bin', 'vt');
export const TURBO = path.join(BENCH_DIR, 'node_modules', '.bin', 'turbo');
const PNPM_BIN_DIR = path.join(REPO, '.tools', 'node_modules', '.bin');

export function generate(out, packages, extra = []) {
  execFileSync(process.execPath, [path.join(BENCH_DIR, 'generate.mjs'), '--packages', String(packages), '--out', out, ...extra], { stdio: 'ignore' });
}

/** Turns a generated `--explicit-io` workspace into the same workspace configured for turbo. */
export function toTurbo(dir) {
  const rootPkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  rootPkg.packageManager = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).packageManager;
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(rootPkg, null, 2));
  fs.rmSync(path.join(dir, 'vite-task.json'), { force: true });
  fs.writeFileSync(
    path.join(dir, 'turbo.json'),
    JSON.stringify({ tasks: { build: { dependsOn: ['^build'], inputs: ['src/**', 'package.json'], outputs: ['dist/**'] } } }, null, 2),
  );
  for (const name of fs.readdirSync(path.join(dir, 'packages'))) {
    const pkgDir = path.join(dir, 'packages', name);
    const task = JSON.parse(fs.readFileSync(path.join(pkgDir, 'vite-task.json'), 'utf8')).tasks.build;
    fs.rmSync(path.join(pkgDir, 'vite-task.json'));
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    pkg.scripts = { build: task.command };
    fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify(pkg, null, 2));
  }
  execFileSync('git', ['init', '-q', dir]);
}

export const runners = {
  vt: { cmd: VT, args: ['run', '-r', 'build'], env: {} },
  turbo: {
    cmd: TURBO,
    args: ['run', 'build', '--output-logs=errors-only'],
    env: { TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1', PATH: `${PNPM_BIN_DIR}:${process.env.PATH}` },
  },
};

/** Runs a command and returns wall time in ms; throws if it fails. Reports peak RSS of the tree via /usr/bin/time if present. */
export function timeRun(runner, cwd) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(runner.cmd, runner.args, { cwd, env: { ...process.env, ...runner.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0) throw new Error(`${runner.cmd} ${runner.args.join(' ')} failed in ${cwd}:\n${res.stdout}\n${res.stderr}`);
  return { ms, stdout: String(res.stdout) };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}
