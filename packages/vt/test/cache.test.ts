import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { pack } from 'msgpackr/pack';
import { unpack } from 'msgpackr/unpack';
import { describe, expect, it } from 'vitest';
import { GENERATOR, makeTree, runVt, VT_BIN } from './helpers.js';

/** A one-package workspace whose task `t` has glob-only inputs (no tracer needed). */
function workspace(task: object, extra: Record<string, string | object> = {}): string {
  return makeTree({
    'package.json': { name: 'ws' },
    'vite-task.json': { tasks: { t: { input: ['src/**'], output: [], ...task } } },
    'src/a.txt': 'a',
    'sub/keep.txt': '',
    ...extra,
  });
}

function setTask(root: string, task: object): void {
  fs.writeFileSync(path.join(root, 'vite-task.json'), JSON.stringify({ tasks: { t: { input: ['src/**'], output: [], ...task } } }));
}

const firstLine = (out: string): string => out.split('\n')[0]!;

describe('cache keys: every field that can change the result misses', () => {
  const base = { command: 'node -e "console.log(1)"' };

  it.each([
    ['args', { command: 'node -e "console.log(2)"' }, '○ cache miss: args changed, executing'],
    ['program', { command: 'sh -c "echo 1"' }, '○ cache miss: program changed, executing'],
    ['cwd', { ...base, cwd: 'sub' }, '○ cache miss: working directory changed, executing'],
    ['untracked env config', { ...base, untrackedEnv: ['X_UNTRACKED'] }, '○ cache miss: untracked env config changed, executing'],
    ['input config', { ...base, input: ['src/**', 'sub/**'] }, '○ cache miss: input configuration changed, executing'],
    ['output config', { ...base, output: ['dist/**'] }, '○ cache miss: output configuration changed, executing'],
    ['declared env', { ...base, env: ['PATH_TO_NOTHING_SET'] }, undefined],
  ])('%s', (_name, changed, reason) => {
    const root = workspace(base);
    expect(runVt(root, ['run', 't']).stdout).not.toContain('cache hit');
    expect(runVt(root, ['run', 't']).stdout).toContain('◉ cache hit, replaying');
    setTask(root, changed);
    const after = runVt(root, ['run', 't']);
    if (reason) expect(firstLine(after.stdout)).toContain(reason);
    else expect(firstLine(after.stdout)).toContain('◉ cache hit'); // a pattern matching nothing adds nothing
  });

  it('declared env values: changed, restored, several at once', () => {
    const root = workspace({ ...base, env: ['MY_A', 'MY_B'] });
    expect(firstLine(runVt(root, ['run', 't'], { MY_A: '1' }).stdout)).not.toContain('cache');
    expect(firstLine(runVt(root, ['run', 't'], { MY_A: '2' }).stdout)).toContain("○ cache miss: env 'MY_A' changed, executing");
    expect(firstLine(runVt(root, ['run', 't'], { MY_A: '1' }).stdout)).toContain('◉ cache hit');
    const both = runVt(root, ['run', '-v', 't'], { MY_A: '3', MY_B: 'x' });
    expect(firstLine(both.stdout)).toContain("○ cache miss: envs 'MY_A', 'MY_B' changed, executing");
    expect(both.stdout).toContain("→ Cache miss: env 'MY_A' changed; env 'MY_B' added");
    // Values never reach the summary file.
    const summary = fs.readFileSync(path.join(root, 'node_modules/.vite/task-cache/v1001/last-summary.json'), 'utf8');
    expect(summary).not.toContain('"3"');
  });

  it('prefix assignments are fingerprinted; untracked values are not', () => {
    const root = workspace({ command: 'FOO=1 node -e "console.log(process.env.FOO)"', untrackedEnv: ['CI_LIKE'] });
    runVt(root, ['run', 't'], { CI_LIKE: 'a' });
    expect(firstLine(runVt(root, ['run', 't'], { CI_LIKE: 'b' }).stdout)).toContain('◉ cache hit');
    setTask(root, { command: 'FOO=2 node -e "console.log(process.env.FOO)"', untrackedEnv: ['CI_LIKE'] });
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain("○ cache miss: env 'FOO' changed, executing");
  });

  it('glob inputs: modified, added, removed, with the spec texts', () => {
    const root = workspace({ ...base }, { 'src/deep/b.txt': 'b' });
    runVt(root, ['run', 't']);
    fs.writeFileSync(path.join(root, 'src/a.txt'), 'changed');
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain("○ cache miss: 'src/a.txt' modified, executing");
    fs.writeFileSync(path.join(root, 'src/deep/new.txt'), 'n');
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain("○ cache miss: 'new.txt' added in 'src/deep', executing");
    fs.rmSync(path.join(root, 'src/deep/b.txt'));
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain("○ cache miss: 'b.txt' removed from 'src/deep', executing");
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain('◉ cache hit');
  });

  it('a same-size rewrite within the timestamp granularity is still detected (stat memo)', () => {
    const root = workspace({ ...base });
    runVt(root, ['run', 't']);
    runVt(root, ['run', 't']);
    const file = path.join(root, 'src/a.txt');
    const st = fs.statSync(file);
    fs.writeFileSync(file, 'b'); // same size
    fs.utimesSync(file, st.atime, st.mtime); // same mtime too: only ctime/content differ
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain("'src/a.txt' modified");
  });

  it('identical commands share one entry', () => {
    // No file inputs, so that the test is about keys only.
    const same = { command: 'node -e "console.log(42)"', input: [], output: [] };
    const root = makeTree({ 'package.json': { name: 'ws' }, 'vite-task.json': { tasks: { a: same, b: same } } });
    expect(firstLine(runVt(root, ['run', 'a']).stdout)).not.toContain('cache');
    const b = runVt(root, ['run', 'b']);
    expect(firstLine(b.stdout)).toContain('◉ cache hit, replaying');
    expect(b.stdout).toContain('42\n');
  });

  it('failed runs are not stored', () => {
    const root = workspace({ command: 'node -e "process.exit(5)"' });
    expect(runVt(root, ['run', 't']).status).toBe(5);
    const again = runVt(root, ['run', 't']);
    expect(again.status).toBe(5);
    expect(firstLine(again.stdout)).not.toContain('cache');
  });
});

describe('cache store robustness', () => {
  it('four concurrent vt processes on one workspace all succeed and leave a consistent cache', async () => {
    const root = makeTree({});
    const gen = spawnSync(process.execPath, [GENERATOR, '--packages', '15', '--files', '3', '--explicit-io', '--out', root]);
    expect(gen.status).toBe(0);
    const runs = await Promise.all([0, 1, 2, 3].map(() => runAsync(root, ['run', '-r', 'build'])));
    for (const r of runs) expect(r.status, r.stderr).toBe(0);
    const after = runVt(root, ['run', '-r', 'build']);
    expect(after.status).toBe(0);
    expect(after.stdout).toContain('vt run: 15/15 cache hit (100%)');
    for (const name of fs.readdirSync(path.join(root, 'packages'))) {
      expect(fs.readFileSync(path.join(root, 'packages', name, 'dist/index.js'), 'utf8')).toContain('// m00.js');
    }
  }, 120_000);

  it('SIGKILL while storing leaves no entry that replays garbage', async () => {
    // The task writes a 64 MiB output, so archiving it takes long enough to be interrupted.
    const root = makeTree({
      'package.json': { name: 'ws' },
      'vite-task.json': { tasks: { big: { command: 'node big.mjs', input: ['big.mjs'], output: ['dist/**'] } } },
      'big.mjs': "import fs from 'node:fs'; import crypto from 'node:crypto'; fs.mkdirSync('dist', {recursive: true}); fs.writeFileSync('dist/big.bin', crypto.randomBytes(64 << 20)); console.log('wrote');",
    });
    const cache = path.join(root, 'node_modules/.vite/task-cache/v1001');
    const child = spawn(VT_BIN, ['run', 'big'], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore' });
    const killed = await new Promise<boolean>((resolve) => {
      const poll = setInterval(() => {
        const outputs = path.join(cache, 'outputs');
        const tmp = fs.existsSync(outputs) && fs.readdirSync(outputs).some((f) => f.endsWith('.tmp'));
        if (tmp) {
          child.kill('SIGKILL');
          clearInterval(poll);
          resolve(true);
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(poll);
        resolve(false);
      });
    });
    expect(killed, 'vt was killed while writing the archive').toBe(true);
    fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
    const next = runVt(root, ['run', 'big']);
    expect(next.status).toBe(0);
    expect(firstLine(next.stdout)).not.toContain('cache hit');
    expect(next.stdout).toContain('wrote');
    expect(fs.statSync(path.join(root, 'dist/big.bin')).size).toBe(64 << 20);
    const hit = runVt(root, ['run', 'big']);
    expect(firstLine(hit.stdout)).toContain('◉ cache hit');
  }, 120_000);
});

function runAsync(cwd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(VT_BIN, args, { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('a failed lookup', () => {
  it('runs the task, reports the failure, and still stores the real inputs', () => {
    const root = workspace({ command: 'node -e "console.log(7)"' });
    expect(firstLine(runVt(root, ['run', 't']).stdout)).not.toContain('cache');
    const db = new Database(path.join(root, 'node_modules/.vite/task-cache/v1001/cache.db'));
    db.exec("UPDATE entries SET value = X'c1'"); // 0xc1 is never valid MessagePack
    db.close();
    const failed = runVt(root, ['run', 't']);
    expect(failed.status).toBe(1); // an infrastructure error (cache.md §6.4, cli.md §7)
    expect(failed.stdout).toContain('7\n');
    expect(failed.stderr + failed.stdout).toContain('✗ Cache lookup failed');
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain('◉ cache hit');
    // The entry written after the failed lookup lists src/a.txt: without it, no hit.
    fs.rmSync(path.join(root, 'src/a.txt'));
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain("○ cache miss: 'a.txt' removed from 'src', executing");
  });
});

describe('an unusable cache is never fatal', () => {
  it('a cache dir that cannot be created (under /proc) is reported, not hung on', () => {
    const root = workspace({ command: 'node -e "console.log(7)"' });
    const res = spawnSync(VT_BIN, ['run', 't'], {
      cwd: root, env: { ...process.env, NO_COLOR: '1', VITE_CACHE_PATH: '/proc/vt-no-such-dir' }, encoding: 'utf8', timeout: 30_000,
    });
    expect(res.signal).toBeNull();
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('7\n');
    expect(res.stderr).toContain("✗ The cache at /proc/vt-no-such-dir/v1001 cannot be used (ENOENT");
  });

  it.each([
    ['VITE_CACHE_PATH below a regular file', (root: string) => ({ VITE_CACHE_PATH: path.join(root, 'src/a.txt/sub') })],
    [
      'a regular file at node_modules/.vite',
      (root: string) => {
        fs.mkdirSync(path.join(root, 'node_modules'));
        fs.writeFileSync(path.join(root, 'node_modules/.vite'), 'x');
        return {};
      },
    ],
  ])('%s: warns once, runs uncached, exits with the task’s code; cache clean and --last-details cope', (_name, spoil) => {
    const root = workspace({ command: 'node -e "console.log(7); process.exit(3)"' });
    const env = spoil(root);
    const res = runVt(root, ['run', 't'], env);
    expect(res.stderr).not.toContain('    at ');
    expect(res.status).toBe(3);
    expect(res.stdout).toContain('7\n');
    expect(res.stderr).toContain('cannot be used (ENOTDIR');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    // Nothing exists at such a cache root: nothing to delete, no previous run.
    expect(runVt(root, ['cache', 'clean'], env)).toMatchObject({ status: 0, stderr: '' });
    expect(runVt(root, ['run', '--last-details'], env)).toMatchObject({
      status: 1,
      stdout: 'No previous run summary found. Run a task first to generate a summary.\n',
    });
  });

  it.each([
    ['not a database', (db: string) => fs.writeFileSync(db, 'garbage'), 'file is not a database'],
    [
      'written by a newer vt',
      (db: string) => {
        const conn = new Database(db);
        conn.pragma('user_version = 999');
        conn.close();
      },
      'written by a newer vt',
    ],
  ])('%s: says so once, runs every task, exits with the tasks’ result', (_name, spoil, reason) => {
    const root = workspace({ command: 'node -e "console.log(7)"' });
    runVt(root, ['run', 't']);
    const dir = path.join(root, 'node_modules/.vite/task-cache/v1001');
    for (const f of fs.readdirSync(dir)) if (f.startsWith('cache.db')) fs.rmSync(path.join(dir, f));
    spoil(path.join(dir, 'cache.db'));
    const res = runVt(root, ['run', '-v', 't']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('7\n');
    expect(res.stderr).toContain(reason);
    expect(res.stderr.match(/cannot be used/g)).toHaveLength(1);
    expect(runVt(root, ['cache', 'clean']).status).toBe(0);
    runVt(root, ['run', 't']);
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain('◉ cache hit');
  });
});

describe('a damaged entry', () => {
  it('whose stored inferred inputs do not decode: the lookup fails clearly, the task runs, a good entry replaces it', () => {
    // A lookup error is an infrastructure error (cache.md §6 item 4): the task still runs, vt exits 1.
    const root = workspace({ command: 'node -e "require(\'fs\').readFileSync(\'src/a.txt\'); console.log(7)"', input: [{ auto: true }] });
    expect(runVt(root, ['run', 't']).status).toBe(0);
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain('◉ cache hit');
    const conn = new Database(path.join(root, 'node_modules/.vite/task-cache/v1001/cache.db'));
    const rows = conn.prepare('SELECT key, variant, value FROM entries').all() as { key: string; variant: string; value: Buffer }[];
    expect(rows).toHaveLength(1);
    const value = unpack(rows[0]!.value) as { inferred: string };
    expect(value.inferred.split('\0')).toContain('src/a.txt'); // stored as path, code, payload
    value.inferred = 'src/a.txt\0f';
    conn.prepare('UPDATE entries SET value = ? WHERE key = ? AND variant = ?').run(pack(value), rows[0]!.key, rows[0]!.variant);
    conn.close();
    const res = runVt(root, ['run', 't']);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('7\n');
    expect(res.stderr).toContain('✗ Cache lookup failed: the stored inferred inputs are malformed');
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain('◉ cache hit');
  });
});

describe('a damaged log is never replayed', () => {
  it.each([
    ['a flipped byte inside a record', (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace('seven', 'SEVEN'), 'latin1')],
    ['a truncated file', (b: Buffer): Buffer => b.subarray(0, b.length - 3)],
  ])('%s: the lookup fails clearly, the task runs, a good entry replaces it', (_name, damage) => {
    const root = workspace({ command: 'node -e "console.log(\'seven\')"' });
    expect(runVt(root, ['run', 't']).status).toBe(0);
    const logs = path.join(root, 'node_modules/.vite/task-cache/v1001/logs');
    const [log] = fs.readdirSync(logs);
    const file = path.join(logs, log!);
    const damaged = damage(fs.readFileSync(file));
    expect(damaged.equals(fs.readFileSync(file))).toBe(false);
    fs.writeFileSync(file, damaged);
    const res = runVt(root, ['run', 't']);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('seven\n');
    expect(res.stdout).not.toContain('SEVEN');
    expect(firstLine(res.stdout)).not.toContain('cache hit');
    expect(res.stderr).toMatch(/^✗ Cache lookup failed: the cached log is unreadable: (log \S+ is damaged \(its CRC-32 does not match the stored one\)|truncated log \S+)$/m);
    const next = runVt(root, ['run', 't']);
    expect(firstLine(next.stdout)).toContain('◉ cache hit');
    expect(next.stdout).toContain('seven\n');
  });
});

describe('a cache written by an older vt', () => {
  it('is recreated once: the run misses, stores, and the next run hits', () => {
    const root = workspace({ command: 'node -e "console.log(7)"' });
    expect(runVt(root, ['run', 't']).status).toBe(0);
    const db = path.join(root, 'node_modules/.vite/task-cache/v1001/cache.db');
    const conn = new Database(db);
    conn.pragma('user_version = 1'); // any layout before this vt's
    conn.close();
    const res = runVt(root, ['run', 't']);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('7\n');
    expect(firstLine(res.stdout)).not.toContain('cache hit');
    expect(res.stderr).toBe('');
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain('◉ cache hit');
  });
});

describe('inputs changed while the task runs', () => {
  /**
   * Runs `vt run {flags} build` and, once the task has read its inputs (it writes `ready`), makes `edit`
   * (by default: `src/a.txt` becomes 'new'); resolves with vt's stdout when vt exits.
   */
  async function runEditingInput(
    root: string,
    flags: readonly string[],
    edit: () => void = () => fs.writeFileSync(path.join(root, 'src/a.txt'), 'new'),
  ): Promise<string> {
    const child = spawn(VT_BIN, ['run', ...flags, 'build'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (fs.existsSync(path.join(root, 'ready'))) {
          clearInterval(poll);
          edit();
          resolve();
        }
      }, 10);
    });
    await new Promise((resolve) => child.on('close', resolve));
    return stdout;
  }

  /** Lets the files age past the 2 s racy window, so a cold run takes their hashes while the task runs. */
  const age = (): Promise<void> => new Promise((r) => setTimeout(r, 2100));

  it('a cold run hashes globbed inputs while the task runs and stores exactly what they held', async () => {
    const root = workspace({ command: 'node -e "console.log(1)"' }, { 'src/b.txt': 'b' });
    await age();
    expect(firstLine(runVt(root, ['run', 't']).stdout)).not.toContain('cache');
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain('◉ cache hit');
    fs.writeFileSync(path.join(root, 'src/b.txt'), 'B');
    expect(firstLine(runVt(root, ['run', 't']).stdout)).toContain("○ cache miss: 'src/b.txt' modified, executing");
  });

  it('a globbed input modified during a cold run: the entry keeps its content at the start', async () => {
    const root = makeTree({
      'package.json': { name: 'race' },
      'vite-task.json': { tasks: { build: { command: 'node build.js', input: ['src/**', 'build.js'], output: ['dist/**'] } } },
      'build.js': "const fs = require('fs'); const v = fs.readFileSync('src/a.txt', 'utf8'); fs.writeFileSync('ready', ''); setTimeout(() => { fs.mkdirSync('dist', { recursive: true }); fs.writeFileSync('dist/out.txt', v); }, 1500);",
      'src/a.txt': 'old',
    });
    await age();
    await runEditingInput(root, []);
    expect(fs.readFileSync(path.join(root, 'dist/out.txt'), 'utf8')).toBe('old');
    const next = runVt(root, ['run', 'build']);
    expect(firstLine(next.stdout)).toContain("○ cache miss: 'src/a.txt' modified, executing");
    expect(fs.readFileSync(path.join(root, 'dist/out.txt'), 'utf8')).toBe('new');
    expect(firstLine(runVt(root, ['run', 'build']).stdout)).toContain('◉ cache hit');
  }, 60_000);

  it('an inferred input modified during the run is not stored, so no stale hit is possible', async () => {
    const root = makeTree({
      'package.json': { name: 'race', scripts: { build: 'node build.js' } },
      'vite-task.json': { cache: true },
      'build.js': "const fs = require('fs'); const v = fs.readFileSync('src/a.txt', 'utf8'); fs.writeFileSync('ready', ''); setTimeout(() => { fs.mkdirSync('dist', { recursive: true }); fs.writeFileSync('dist/out.txt', v); }, 1500);",
      'src/a.txt': 'old',
    });
    const stdout = await runEditingInput(root, ['-v']);
    expect(stdout).toContain("→ Not cached: 'src/a.txt' changed while the task was running");
    expect(fs.readFileSync(path.join(root, 'dist/out.txt'), 'utf8')).toBe('old');
    const next = runVt(root, ['run', 'build']);
    expect(firstLine(next.stdout)).not.toContain('cache hit');
    expect(fs.readFileSync(path.join(root, 'dist/out.txt'), 'utf8')).toBe('new');
  }, 60_000);

  /** A traced task that runs `probe` (JS, its value is the output), signals `ready`, and writes it 1.5 s later. */
  const probing = (probe: string, files: Record<string, string> = {}): string =>
    makeTree({
      'package.json': { name: 'race', scripts: { build: 'node build.js' } },
      'vite-task.json': { cache: true },
      'build.js': `const fs = require('fs'); const v = ${probe}; fs.writeFileSync('ready', ''); setTimeout(() => { fs.mkdirSync('dist', { recursive: true }); fs.writeFileSync('dist/out.txt', v); }, 1500);`,
      ...files,
    });

  it('a listed directory that gains an entry during the run is not stored', async () => {
    const root = probing("fs.readdirSync('src').join(',')", { 'src/a.txt': 'a' });
    const stdout = await runEditingInput(root, ['-v'], () => fs.writeFileSync(path.join(root, 'src/b.txt'), 'b'));
    expect(stdout).toContain("→ Not cached: 'src' changed while the task was running");
    expect(fs.readFileSync(path.join(root, 'dist/out.txt'), 'utf8')).toBe('a.txt');
    // Stored, the listing taken after the run (a.txt, b.txt) would have matched now: a hit replaying 'a.txt'.
    expect(firstLine(runVt(root, ['run', 'build']).stdout)).not.toContain('cache hit');
    expect(fs.readFileSync(path.join(root, 'dist/out.txt'), 'utf8')).toBe('a.txt,b.txt');
    expect(firstLine(runVt(root, ['run', 'build']).stdout)).toContain('◉ cache hit');
  }, 60_000);

  it('a directory that was missing when the task checked and is created during the run is not stored', async () => {
    const root = probing("String(fs.existsSync('plugins'))");
    const stdout = await runEditingInput(root, ['-v'], () => fs.mkdirSync(path.join(root, 'plugins')));
    expect(stdout).toContain("→ Not cached: 'plugins' changed while the task was running");
    expect(fs.readFileSync(path.join(root, 'dist/out.txt'), 'utf8')).toBe('false');
    expect(firstLine(runVt(root, ['run', 'build']).stdout)).not.toContain('cache hit');
    expect(fs.readFileSync(path.join(root, 'dist/out.txt'), 'utf8')).toBe('true');
  }, 60_000);

  it('a task that lists and writes into the same directory, right after the task that generated its input, is stored', () => {
    const root = makeTree({
      'package.json': { name: 'chain' },
      'vite-task.json': {
        cache: true,
        tasks: {
          gen: { command: "node -e \"require('fs').writeFileSync('src/gen.txt', 'g')\"", cache: false },
          build: { command: 'node build.js', dependsOn: ['gen'] },
        },
      },
      'build.js': "const fs = require('fs'); const v = fs.readdirSync('src').sort().join(',') + ':' + fs.readFileSync('src/gen.txt', 'utf8'); fs.writeFileSync('src/out.txt', v);",
      'src/a.txt': 'a',
    });
    const first = runVt(root, ['run', '-v', 'build']);
    expect(first.stdout).not.toContain('Not cached');
    expect(fs.readFileSync(path.join(root, 'src/out.txt'), 'utf8')).toBe('a.txt,gen.txt:g');
    const second = runVt(root, ['run', 'build']);
    expect(second.stdout).toContain('$ node build.js ◉ cache hit');
  }, 60_000);
});
