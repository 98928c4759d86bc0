/**
 * Shared helpers for the benchmarks: paths, workspace generation, timing, statistics and formatting.
 * Every scenario runs all runners in the same process with the order changing each round, so that a slow
 * stretch of this shared, noisy machine hits every runner alike; results are medians and vt/peer ratios.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(BENCH_DIR, '..');
export const VT = path.join(REPO, 'packages', 'vt', 'bin', 'vt');
export const BENCH_BIN = path.join(BENCH_DIR, 'node_modules', '.bin');
/** Records the peak RSS of the vt process itself (not its children) at exit; see rss-probe.cjs. */
const RSS_PROBE = path.join(BENCH_DIR, 'rss-probe.cjs');

/**
 * Which vt build is measured: the bundle's mtime and a short content hash (the repository's HEAD can be ahead
 * of, or behind, the dist/ that others rebuild while a benchmark runs).
 */
export function vtBuild() {
  const bundle = path.join(path.dirname(VT), '..', 'dist', 'bundle', 'vt.cjs');
  const st = fs.statSync(bundle);
  const hash = createHash('sha256').update(fs.readFileSync(bundle)).digest('hex').slice(0, 12);
  return `dist/bundle/vt.cjs ${hash}, built ${st.mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Generates the shared workspace shape (bench/generate.mjs): tasks as package.json `build` scripts. */
export function generate(out, packages, files) {
  execFileSync(process.execPath, [path.join(BENCH_DIR, 'generate.mjs'), '--packages', String(packages), '--files', String(files), '--out', out], { stdio: 'ignore' });
}

/**
 * The generated packages in order, with their workspace dependencies: what each runner's config must express.
 * @returns {{ name: string, dir: string, deps: string[] }[]}
 */
export function readPackages(root) {
  const dirs = fs.readdirSync(path.join(root, 'packages')).sort();
  return dirs.map((d) => {
    const dir = path.join(root, 'packages', d);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return { name: pkg.name, dir, deps: Object.keys(pkg.dependencies ?? {}) };
  });
}

export function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** Makes an installed bench dependency resolvable from a generated workspace (nx, lage look for themselves there). */
export function linkDependency(root, name) {
  const target = path.join(BENCH_DIR, 'node_modules', name);
  const link = path.join(root, 'node_modules', name);
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(fs.realpathSync(target), link, 'dir');
}

/**
 * Commits the workspace as a real repository would have it: turbo, nx, lage and moon hash through git. `ignored`
 * is the .gitignore (what a runner hashing through git leaves out of its inputs).
 */
export function gitCommit(root, ignored = ['node_modules', 'dist', '.turbo', '.nx', '.wireit', '.moon/cache', '.lage', '.bench-builds.log']) {
  const git = (...args) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  git('init', '-q');
  fs.writeFileSync(path.join(root, '.gitignore'), [...ignored, ''].join('\n'));
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-q', '--no-gpg-sign', '-m', 'generated');
}

/** The 1-minute load average after every timed run (this benchmark's own runs are part of it). */
export const loadSamples = [];

/**
 * How to start one runner in a workspace.
 * @typedef {{ cmd: string, args: string[], env?: Record<string, string>, node?: boolean }} Invocation
 * `node: true` means `cmd` is a Node CLI: `--require rss-probe.cjs` is added to its NODE_OPTIONS so that the
 * process's own peak RSS is recorded without affecting its children, while the CLI is still started the way a
 * user starts it (as its own executable, through its launcher).
 */

/**
 * Runs an invocation to completion and returns its wall time (ms) and, for Node invocations, peak RSS (KiB).
 * Throws with the captured output if it fails: a benchmark of a failing run measures nothing.
 */
export function timeRun(inv, cwd, { stdout = 'pipe', extraEnv = {} } = {}) {
  const rssFile = path.join(os.tmpdir(), `vt-bench-rss-${process.pid}`);
  fs.rmSync(rssFile, { force: true });
  const env = { ...baseEnv(), ...inv.env, ...extraEnv };
  const cmd = inv.cmd;
  const args = inv.args;
  if (inv.node) {
    env.VT_BENCH_RSS_FILE = rssFile;
    if (env.NODE_OPTIONS !== undefined) env.VT_BENCH_NODE_OPTIONS = env.NODE_OPTIONS;
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --require "${RSS_PROBE}"`.trim();
  }
  const out = typeof stdout === 'number' ? stdout : 'pipe';
  const t0 = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', out, 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.error) throw new Error(`${inv.cmd} ${inv.args.join(' ')} could not start in ${cwd}: ${res.error.message}`);
  if (res.status !== 0) {
    throw new Error(`${inv.cmd} ${inv.args.join(' ')} exited ${res.status ?? res.signal} in ${cwd}:\n${tail(res.stdout)}\n${tail(res.stderr)}`);
  }
  loadSamples.push(os.loadavg()[0]);
  const rssKiB = inv.node && fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : undefined;
  fs.rmSync(rssFile, { force: true });
  return { ms, rssKiB, stdout: String(res.stdout ?? '') };
}

/**
 * The environment every runner starts from: ours minus what `pnpm run` adds (npm_*, pnpm_* — package-manager
 * detection in some runners reads them) and minus CI (several runners, wireit and turbo among them, change
 * behaviour in CI).
 */
export function baseEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(npm_|pnpm_|PNPM_|INIT_CWD$|CI$)/.test(k)) delete env[k];
  return env;
}

function tail(buf) {
  const s = String(buf ?? '');
  return s.length > 4000 ? '…' + s.slice(-4000) : s;
}

/** Runner order for a round: rotated by the round number, reversed every other round. */
export function roundOrder(names, round) {
  const k = round % names.length;
  const rotated = [...names.slice(k), ...names.slice(0, k)];
  return round % 2 ? rotated.reverse() : rotated;
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

export function fmtMiB(kib) {
  return Number.isFinite(kib) ? `${(kib / 1024).toFixed(0)} MiB` : '—';
}

export function fmtRatio(r) {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : '—';
}

/** A markdown table from a header row and body rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Parses `--name value` and `--flag` arguments. */
export function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [key, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) opts[key] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) opts[key] = argv[++i];
    else opts[key] = true;
  }
  return opts;
}

/** 1-minute load average (the machine is shared; results taken under load say so). */
export function load1() {
  return os.loadavg()[0];
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
