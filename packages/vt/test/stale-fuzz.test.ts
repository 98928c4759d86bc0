/**
 * A fuzzer hunting stale hits. A two-package workspace (`app` reads `lib`'s output) is mutated at random
 * between real `vt run -r build` runs: same-size edits made within the same clock tick as the previous run,
 * edits whose mtime is put back, files added, deleted and renamed, contents reverted to an older state,
 * symlinks and their targets, a probed file appearing, declared env, env asked for over the IPC and command
 * changes, outputs deleted or damaged, edits landing while a task runs, interrupted runs, two runs at once,
 * and damaged stored logs and archives. After
 * every run the outputs on disk and the replayed logs must be exactly what the build computes from the
 * current tree: any hit that restores or replays something else is a stale hit and fails with the seed and
 * the mutation history that produced it.
 *
 * Both input modes run: globs declared in the config, and the tracer's inferred inputs (`{auto: true}`).
 * `VT_FUZZ_STEPS` and `VT_FUZZ_SEEDS` (comma-separated) lengthen a run on demand; CI runs a few fixed seeds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree, runVt, VT_BIN } from './helpers.js';

/**
 * What the build writes and prints for one package: a digest of every file under `src` (path and bytes,
 * in sorted order), `lib`'s output when building `app`, the command's salt and the declared env value.
 * The workspace's build script is this very function's source, so the oracle cannot drift from the task.
 */
function buildDigest(
  fsm: typeof fs,
  cr: typeof crypto,
  pkgDir: string,
  name: string,
  salt: string,
  mode: string | undefined,
  tool: unknown,
): { digest: string; files: string[] } {
  const files: string[] = [];
  const walk = (rel: string): void => {
    const entries = fsm.readdirSync(`${pkgDir}/${rel}`, { withFileTypes: true }).map((e) => e.name).sort();
    for (const e of entries) {
      const sub = `${rel}/${e}`;
      if (fsm.statSync(`${pkgDir}/${sub}`).isDirectory()) walk(sub);
      else files.push(sub);
    }
  };
  if (fsm.existsSync(`${pkgDir}/src`)) walk('src');
  const h = cr.createHash('sha256');
  h.update(JSON.stringify([name, salt, mode ?? null, tool]));
  for (const f of files) h.update(`\0${f}\0`).update(fsm.readFileSync(`${pkgDir}/${f}`));
  if (name === 'app') h.update('\0lib\0').update(fsm.readFileSync(`${pkgDir}/../lib/dist/lib.txt`));
  // A probe for a file that may not exist: its appearance must change the result too.
  h.update(fsm.existsSync(`${pkgDir}/optional.txt`) ? '\0optional' : '\0none');
  return { digest: h.digest('hex').slice(0, 16), files };
}

/** tools/build.mjs: runs {@link buildDigest}, holds a moment (edits can land mid-run), writes dist, prints. */
const BUILD_SCRIPT = `import fs from 'node:fs';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
const buildDigest = ${buildDigest.toString()};
const [name, salt] = process.argv.slice(2);
// Env the tool asks vt for over the IPC (tracked), as Vite does for NODE_ENV and VITE_*: not in the task's env.
const clientPath = process.env.VP_RUN_NODE_CLIENT_PATH;
const client = clientPath ? createRequire(import.meta.url)(clientPath).load() : null;
const tool = client ? [client.getEnv('FUZZ_TOOL', { tracked: true }) ?? null, client.getEnvs({ prefix: 'FUZZ_P_' }, { tracked: true })] : 'no client';
const { digest, files } = buildDigest(fs, crypto, process.cwd(), name, salt, process.env.FUZZ_MODE, tool);
await new Promise((r) => setTimeout(r, 40));
fs.mkdirSync('dist/more', { recursive: true });
fs.writeFileSync(\`dist/\${name}.txt\`, digest + '\\n');
fs.writeFileSync('dist/more/files.txt', files.join('\\n'));
console.log(\`\${name}:\${digest}\`);
`;

type Mode = 'declared' | 'traced';

/** Deterministic PRNG (mulberry32), so a failing seed replays the same mutations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Fuzz {
  readonly root: string;
  readonly history: string[] = [];
  private readonly salts: Record<string, string> = { lib: '0', app: '0' };
  private mode: string | undefined;
  /** Variables only the build's IPC requests see (FUZZ_TOOL, FUZZ_P_*). */
  private readonly toolEnv: Record<string, string | undefined> = {};
  private readonly seen: string[] = [];
  hits = 0;
  /** A stored log or archive was damaged since the last checked run. */
  private cacheDamaged = false;
  misses = 0;
  private counter = 0;

  constructor(
    private readonly ioMode: Mode,
    private readonly rand: () => number,
  ) {
    this.root = makeTree({
      'package.json': { name: 'fz', private: true },
      'pnpm-workspace.yaml': 'packages:\n  - packages/*\n',
      'tools/build.mjs': BUILD_SCRIPT,
      'packages/lib/package.json': { name: 'lib' },
      'packages/lib/src/a.txt': 'alpha',
      'packages/lib/src/b.txt': 'bravo',
      'packages/lib/src/deep/c.txt': 'charlie',
      'packages/app/package.json': { name: 'app', dependencies: { lib: 'workspace:*' } },
      'packages/app/src/main.txt': 'main',
      'packages/app/src/util.txt': 'util',
      // Targets of symlinks placed under src/ (never deleted: a dangling link would fail the build itself).
      'shared/one.txt': 'one',
      'shared/two.txt': 'two',
      'shared/dir/three.txt': 'three',
    });
    this.writeConfig('lib');
    this.writeConfig('app');
  }

  private writeConfig(name: 'lib' | 'app'): void {
    const io =
      this.ioMode === 'traced'
        ? {}
        : {
            input: ['src/**', 'optional.txt', ...(name === 'app' ? [{ pattern: 'packages/lib/dist/lib.txt', base: 'workspace' }] : [])],
            output: ['dist/**'],
          };
    const task = {
      command: `node ../../tools/build.mjs ${name} ${this.salts[name]}`,
      env: ['FUZZ_MODE'],
      ...(name === 'app' ? { dependsOn: ['lib#build'] } : {}),
      ...io,
    };
    fs.writeFileSync(path.join(this.root, 'packages', name, 'vite-task.json'), JSON.stringify({ tasks: { build: task } }));
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  /** Files under both src dirs, file symlinks included; symlinked dirs are not entered (their targets stay). */
  private sourceFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const abs = path.join(dir, e.name);
        if (e.isDirectory()) walk(abs);
        else if (e.isFile() || (e.isSymbolicLink() && fs.statSync(abs).isFile())) out.push(abs);
      }
    };
    for (const pkg of ['lib', 'app']) {
      const src = path.join(this.root, 'packages', pkg, 'src');
      if (fs.existsSync(src)) walk(src);
    }
    return out;
  }

  private content(): string {
    const big = this.rand() < 0.1;
    const len = big ? 64 * 1024 + Math.floor(this.rand() * 1024) : 1 + Math.floor(this.rand() * 40);
    return crypto.randomBytes(len).toString('base64').slice(0, len);
  }

  private log(what: string, file?: string): void {
    this.history.push(file ? `${what} ${path.relative(this.root, file)}` : what);
  }

  /** One random change to the workspace (or none). */
  mutate(): void {
    const files = this.sourceFiles();
    const file = files.length > 0 ? this.pick(files) : undefined;
    const op = this.pick([
      'same-size', 'same-size', 'mtime-back', 'add', 'delete', 'rename', 'nested', 'touch', 'rewrite-same',
      'revert', 'env', 'salt', 'rm-dist', 'damage-dist', 'link', 'edit-shared', 'optional', 'tool-env', 'none', 'none',
    ] as const);
    switch (op) {
      case 'same-size':
      case 'mtime-back': {
        if (!file) return this.mutateAdd();
        const old = fs.readFileSync(file, 'utf8');
        const st = fs.statSync(file);
        this.remember(old);
        const next = [...old].map((c) => (c === 'x' ? 'y' : 'x')).join('');
        fs.writeFileSync(file, next);
        if (op === 'mtime-back') fs.utimesSync(file, st.atime, st.mtime);
        return this.log(op, file);
      }
      case 'add':
        return this.mutateAdd();
      case 'nested': {
        const pkg = this.pick(['lib', 'app']);
        const f = path.join(this.root, 'packages', pkg, 'src', `d${this.counter++}`, 'n.txt');
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, this.content());
        return this.log(op, f);
      }
      case 'delete':
        if (!file || files.length < 2) return this.mutateAdd();
        this.remember(fs.readFileSync(file, 'utf8'));
        fs.rmSync(file);
        return this.log(op, file);
      case 'rename': {
        if (!file) return this.mutateAdd();
        const to = path.join(path.dirname(file), `r${this.counter++}.txt`);
        fs.renameSync(file, to);
        return this.log(`${op} → ${path.basename(to)}`, file);
      }
      case 'touch':
        if (!file) return;
        fs.utimesSync(file, new Date(), new Date());
        return this.log(op, file);
      case 'rewrite-same':
        if (!file) return;
        fs.writeFileSync(file, fs.readFileSync(file));
        return this.log(op, file);
      case 'revert': {
        // Back to content seen before: an older entry may rightly hit, and must restore its own outputs.
        if (!file || this.seen.length === 0) return;
        const old = this.pick(this.seen);
        fs.writeFileSync(file, old);
        return this.log(`revert to ${old.length} bytes`, file);
      }
      case 'link': {
        // A file symlink is hashed through its target (tracing.md §6); a directory symlink only in traced
        // mode, as declared globs do not follow them.
        const pkg = this.pick(['lib', 'app']);
        const toDir = this.ioMode === 'traced' && this.rand() < 0.3;
        const target = toDir ? '../../../shared/dir' : `../../../shared/${this.pick(['one', 'two'])}.txt`;
        const link = path.join(this.root, 'packages', pkg, 'src', `l${this.counter++}${toDir ? '' : '.txt'}`);
        fs.symlinkSync(target, link);
        return this.log(`link → ${target}`, link);
      }
      case 'edit-shared': {
        const f = path.join(this.root, 'shared', this.pick(['one.txt', 'two.txt', 'dir/three.txt']));
        fs.writeFileSync(f, this.rand() < 0.5 ? this.content() : [...fs.readFileSync(f, 'utf8')].reverse().join(''));
        return this.log('edit', f);
      }
      case 'optional': {
        const f = path.join(this.root, 'packages', this.pick(['lib', 'app']), 'optional.txt');
        if (fs.existsSync(f)) fs.rmSync(f);
        else fs.writeFileSync(f, '');
        return this.log('toggle', f);
      }
      case 'env':
        this.mode = this.pick([undefined, 'a', 'b']);
        return this.log(`FUZZ_MODE=${this.mode ?? '(unset)'}`);
      case 'tool-env': {
        const name = this.pick(['FUZZ_TOOL', 'FUZZ_P_A', 'FUZZ_P_B']);
        this.toolEnv[name] = this.pick([undefined, 'one', 'two']);
        return this.log(`${name}=${this.toolEnv[name] ?? '(unset)'} (asked for over the IPC)`);
      }
      case 'salt': {
        const pkg = this.pick(['lib', 'app'] as const);
        this.salts[pkg] = this.pick(['0', '1', '2']);
        this.writeConfig(pkg);
        return this.log(`salt ${pkg}=${this.salts[pkg]}`);
      }
      case 'rm-dist': {
        const pkg = this.pick(['lib', 'app']);
        fs.rmSync(path.join(this.root, 'packages', pkg, 'dist'), { recursive: true, force: true });
        return this.log(`rm ${pkg}/dist`);
      }
      case 'damage-dist': {
        const pkg = this.pick(['lib', 'app']);
        const f = path.join(this.root, 'packages', pkg, 'dist', this.pick([`${pkg}.txt`, 'more/files.txt']));
        if (!fs.existsSync(f)) return;
        fs.writeFileSync(f, 'damaged');
        return this.log('damage', f);
      }
      case 'none':
        return this.log('none');
    }
  }

  private mutateAdd(): void {
    const pkg = this.pick(['lib', 'app']);
    const f = path.join(this.root, 'packages', pkg, 'src', `n${this.counter++}.txt`);
    fs.writeFileSync(f, this.content());
    this.log('add', f);
  }

  private remember(s: string): void {
    if (this.seen.length < 20) this.seen.push(s);
  }

  private env(): Record<string, string | undefined> {
    return { FUZZ_MODE: this.mode, FUZZ_TOOL: undefined, FUZZ_P_A: undefined, FUZZ_P_B: undefined, ...this.toolEnv };
  }

  /** What the build's IPC requests answer: getEnv, then getEnvs by prefix (sorted names, set ones only). */
  private toolAnswer(): unknown {
    const prefixed = Object.fromEntries(
      (['FUZZ_P_A', 'FUZZ_P_B'] as const).filter((n) => this.toolEnv[n] !== undefined).map((n) => [n, this.toolEnv[n]]),
    );
    return [this.toolEnv.FUZZ_TOOL ?? null, prefixed];
  }

  /** Runs vt and checks every output and replayed line against the build of the current tree. */
  runAndCheck(): void {
    const res = runVt(this.root, ['run', '-r', 'build'], this.env());
    const where = `\nhistory:\n  ${this.history.join('\n  ')}\nstdout:\n${res.stdout}\nstderr:\n${res.stderr}`;
    // A damaged log is a lookup error (cache.md §6 item 4): the task runs, and vt exits 1 for it.
    const lookupErrors = res.stderr.split('\n').filter((l) => l.startsWith('✗ Cache lookup failed: the cached log is unreadable: '));
    const excused = this.cacheDamaged && lookupErrors.length > 0 && res.stderr.split('\n').filter((l) => l.startsWith('✗')).length === lookupErrors.length;
    if (res.status !== 0 && !(res.status === 1 && excused)) throw new Error(`vt exited ${res.status}${where}`);
    this.cacheDamaged = false;
    // Fast-fail (cli.md §6): after a lookup error, dependents of that item never start; what did start is checked.
    const started = ['lib', 'app'].filter((name) => res.stdout.includes(`build.mjs ${name} `));
    if (res.status === 0 && started.length !== 2) throw new Error(`a successful run did not show both tasks${where}`);
    if (res.status === 0) {
      const hits = res.stdout.split('◉ cache hit').length - 1;
      this.hits += hits;
      this.misses += 2 - hits;
    }
    for (const name of started) {
      const pkgDir = path.join(this.root, 'packages', name);
      const { digest, files } = buildDigest(fs, crypto, pkgDir, name, this.salts[name]!, this.mode, this.toolAnswer());
      const actual = fs.readFileSync(path.join(pkgDir, 'dist', `${name}.txt`), 'utf8');
      if (actual !== `${digest}\n`) throw new Error(`stale output: ${name}/dist/${name}.txt is ${actual.trim()}, the build gives ${digest}${where}`);
      const listed = fs.readFileSync(path.join(pkgDir, 'dist', 'more', 'files.txt'), 'utf8');
      if (listed !== files.join('\n')) throw new Error(`stale output: ${name}/dist/more/files.txt${where}`);
      if (!res.stdout.includes(`${name}:${digest}\n`)) throw new Error(`stale log: ${name} did not print ${name}:${digest}${where}`);
    }
    this.history.push(res.status === 0 ? '— run checked' : `— run failed on a damaged log, as it must; checked ${started.join(', ')}`);
  }

  /** A vt run in the background; its result is not checked (the next checked run must be right). */
  private startVt(): { child: ChildProcess; done: Promise<void> } {
    const child = spawn(VT_BIN, ['run', '-r', 'build'], {
      cwd: this.root, env: { ...process.env, NO_COLOR: '1', ...this.env() }, stdio: 'ignore',
    });
    return { child, done: new Promise((resolve) => child.on('exit', () => resolve())) };
  }

  private sleep(min: number, spread: number): Promise<void> {
    return new Promise((r) => setTimeout(r, min + Math.floor(this.rand() * spread)));
  }

  /** Interrupts a run (Ctrl-C) at a random moment: before, during or after its tasks and stores. */
  async interruptRun(): Promise<void> {
    const { child, done } = this.startVt();
    const ms = 20 + Math.floor(this.rand() * 400);
    await new Promise((r) => setTimeout(r, ms));
    child.kill('SIGINT');
    this.log(`SIGINT to a run after ${ms} ms`);
    await done;
  }

  /** Two runs at once: the same tasks, outputs and cache entries written by both. */
  async concurrentRuns(): Promise<void> {
    const a = this.startVt();
    await this.sleep(0, 100);
    const b = this.startVt();
    this.log('two runs at once');
    await Promise.all([a.done, b.done]);
  }

  /** Truncates or flips a byte of a stored log or archive: a hit must never replay or restore it as it is. */
  damageCache(): void {
    const dir = path.join(this.root, 'node_modules/.vite/task-cache/v1001');
    const files = ['logs', 'outputs'].flatMap((sub) =>
      fs.existsSync(path.join(dir, sub)) ? fs.readdirSync(path.join(dir, sub)).map((f) => path.join(dir, sub, f)) : [],
    );
    if (files.length === 0) return;
    const f = this.pick(files);
    const bytes = fs.readFileSync(f);
    if (bytes.length === 0) return;
    this.cacheDamaged = true;
    if (this.rand() < 0.5) {
      fs.writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 2)));
      this.log('truncate', f);
    } else {
      const i = Math.floor(this.rand() * bytes.length);
      bytes[i] = bytes[i]! ^ 0x20;
      fs.writeFileSync(f, bytes);
      this.log(`flip byte ${i} of`, f);
    }
  }

  /**
   * Starts vt, edits, deletes or adds a source file while its tasks run, and waits; that run is not checked, the
   * next is (a deleted file stays deleted, so a run stored with it "missing" would hit there).
   */
  async mutateDuringRun(): Promise<void> {
    const { done } = this.startVt();
    await this.sleep(60, 250);
    const files = this.sourceFiles();
    const kind = this.pick(['edit', 'edit', 'delete', 'add'] as const);
    if (kind === 'add' || files.length === 0) {
      const file = path.join(this.root, 'packages', this.pick(['lib', 'app']), 'src', `mid${this.counter++}.txt`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'added');
      this.log('add during a run', file);
    } else if (kind === 'delete') {
      const file = this.pick(files);
      fs.rmSync(file);
      this.log('delete during a run', file);
    } else {
      const file = this.pick(files);
      fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}!`);
      this.log('edit during a run', file);
    }
    await done;
  }
}

const STEPS = Number(process.env.VT_FUZZ_STEPS ?? 40);
const SEEDS = (process.env.VT_FUZZ_SEEDS ?? '1,2').split(',').map(Number);

describe('stale-hit fuzzer: after any sequence of changes, every hit gives what a fresh build gives', () => {
  for (const ioMode of ['declared', 'traced'] as const) {
    for (const seed of SEEDS) {
      it(`${ioMode} inputs, seed ${seed}, ${STEPS} steps`, async () => {
        const rand = prng(seed * 7919 + (ioMode === 'traced' ? 1 : 0));
        const fz = new Fuzz(ioMode, rand);
        fz.runAndCheck();
        for (let step = 0; step < STEPS; step++) {
          const background = rand();
          if (background < 0.08) await fz.mutateDuringRun();
          else if (background < 0.13) await fz.interruptRun();
          else if (background < 0.18) await fz.concurrentRuns();
          else if (background < 0.23) fz.damageCache();
          const changes = 1 + Math.floor(rand() * 2);
          for (let c = 0; c < changes; c++) fz.mutate();
          // Half the runs start within the same clock tick as the changes (racy stamps); the rest a moment later.
          if (rand() < 0.5) await new Promise((r) => setTimeout(r, 5 + Math.floor(rand() * 30)));
          fz.runAndCheck();
        }
        // The fuzzer is only worth something if both paths were taken many times.
        expect(fz.hits).toBeGreaterThan(STEPS / 4);
        expect(fz.misses).toBeGreaterThan(STEPS / 4);
        fs.rmSync(fz.root, { recursive: true, force: true });
      }, 300_000);
    }
  }
});
