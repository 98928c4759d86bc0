import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { beginTrace, detectTraceMode, traceSupport } from '../src/index.js';
import { buildHelpers, type Helpers } from './support/native-helpers.js';
import { runTraced } from './support/run-traced.js';
import { workloadEnv } from './support/workloads.mjs';

let h: Helpers;
let dir: string;
beforeAll(() => {
  h = buildHelpers();
  dir = mkdtempSync(join(h.dir, 'session-'));
});
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

const env = () => workloadEnv();

describe('mode detection', () => {
  it('finds seccomp user notification with sync wake-up on this kernel', () => {
    expect(detectTraceMode()).toBe('unotify');
    expect(traceSupport().syncWakeUp).toBe(true);
  });
});

describe('the launcher is transparent to the task', () => {
  it('passes arguments, stdout, stderr and the exit code through', async () => {
    const r = await runTraced('/bin/sh', ['-c', 'printf "%s|" "$@"; echo err >&2; exit 7', 'sh', 'a b', '', 'c'], {
      cwd: dir,
      env: env(),
    });
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('a b||c|');
    expect(r.stderr).toBe('err\n');
    expect(r.result.complete).toBe(true);
  });

  it('reports a program it cannot exec as an exec error with its errno, never as an exit status', async () => {
    const r = await runTraced(join(dir, 'no-such-program'), [], { cwd: dir, env: env() });
    expect(r.result.execError).toEqual({ code: 'ENOENT', errno: 2 });
    expect(r.stderr).toBe('');
  });

  it('reports a missing #! interpreter and a missing execute permission the way a spawn would (ENOENT, EACCES)', async () => {
    const noInterp = join(dir, 'no-interp.sh');
    writeFileSync(noInterp, '#!/nonexistent/interp\n', { mode: 0o755 });
    const notExecutable = join(dir, 'not-executable.sh');
    writeFileSync(notExecutable, 'echo hi\n', { mode: 0o644 });
    expect((await runTraced(noInterp, [], { cwd: dir, env: env() })).result.execError?.code).toBe('ENOENT');
    expect((await runTraced(notExecutable, [], { cwd: dir, env: env() })).result.execError?.code).toBe('EACCES');
    const untraced = await runTraced(noInterp, [], { cwd: dir, env: env(), simulate: 'fail' });
    expect(untraced.result.execError?.code).toBe('ENOENT');
  });

  it('a task exiting 127 itself is no exec error', async () => {
    const r = await runTraced('/bin/sh', ['-c', 'exit 127'], { cwd: dir, env: env() });
    expect(r.code).toBe(127);
    expect(r.result.execError).toBeUndefined();
  });

  it('runs an executable script without #! with /bin/sh, as Node spawn (execvp) does', async () => {
    const script = join(dir, 'no-shebang.sh');
    writeFileSync(script, 'echo "ran $1"\n', { mode: 0o755 });
    const r = await runTraced(script, ['arg'], { cwd: dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('ran arg\n');
    expect(r.result.execError).toBeUndefined();
    expect(r.result.accesses.get(script)?.read).toBe(true);
  });

  it("keeps the user's LD_PRELOAD first and still records what it forwards", async () => {
    const marker = join(dir, 'user-preload-marker.txt');
    writeFileSync(marker, 'x');
    const r = await runTraced(h.fsopDynamic, ['env', 'LD_PRELOAD', 'read', marker], {
      cwd: dir,
      env: { ...env(), LD_PRELOAD: h.userPreload },
    });
    expect(r.code, r.stderr).toBe(0);
    const preload = /^LD_PRELOAD=(.*)$/m.exec(r.stdout)?.[1] ?? '';
    expect(preload.split(':')[0]).toBe(h.userPreload);
    expect(preload.split(':')).toHaveLength(2);
    expect(r.stderr).toContain('user-open'); // the user's interposer ran
    expect(r.result.accesses.get(marker)?.read).toBe(true); // and the access was still recorded
  });

  it('blocks io_uring_setup with ENOSYS so nothing bypasses the filter', async () => {
    const untraced = spawnSync(h.fsopStatic, ['uring'], { encoding: 'utf8' });
    expect(untraced.stdout).not.toContain('ENOSYS');
    for (const bin of [h.fsopStatic, h.fsopDynamic]) {
      const r = await runTraced(bin, ['uring'], { cwd: dir, env: env() });
      expect(r.stdout).toBe('io_uring_setup: ENOSYS\n');
    }
  });

  it('traces children that run with a cleaned environment (no shim) through the supervisor', async () => {
    const f = join(dir, 'env-i.txt');
    writeFileSync(f, 'x');
    const r = await runTraced('/bin/sh', ['-c', `env -i /bin/cat ${f} > /dev/null`], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    expect(r.result.accesses.get(f)?.read).toBe(true);
  });
});

describe('concurrent sessions', () => {
  it('keep their accesses apart', async () => {
    const files = [0, 1, 2, 3].map((i) => join(dir, `concurrent-${i}.txt`));
    for (const f of files) writeFileSync(f, 'x');
    const runs = await Promise.all(
      files.map((f, i) =>
        runTraced(i % 2 ? h.fsopStatic : h.fsopDynamic, ['read', f, 'sleep', '50', 'read', f], { cwd: dir, env: env() }),
      ),
    );
    runs.forEach((r, i) => {
      expect(r.result.complete).toBe(true);
      expect(r.result.accesses.get(files[i]!)?.read).toBe(true);
      for (const [j, other] of files.entries()) if (j !== i) expect(r.result.accesses.has(other)).toBe(false);
    });
  });
});

describe('incomplete traces are reported, never silent', () => {
  it('exceeding the path limit gives reason "capacity"', async () => {
    const r = await runTraced('/bin/cat', ['/etc/hostname'], { cwd: dir, env: env(), limit: 3 });
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({ complete: false, reason: 'capacity' });
    expect(r.result.accesses.size).toBe(3);
  });

  it('a full trace buffer gives reason "capacity" and the task still succeeds', async () => {
    const script = 'for i in $(seq 1 3000); do [ -e "/nonexistent/$i" ]; done; echo done';
    const r = await runTraced('/bin/bash', ['-c', script], { cwd: dir, env: env(), ringBytes: 64 * 1024 });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('done\n');
    expect(r.result).toMatchObject({ complete: false, reason: 'capacity' });
  });

  it('vt inside a traced task finds its tracer unavailable (not unsupported), while the outer trace stays complete', async () => {
    const { launcherPath } = await import('../src/native.js');
    const r = await runTraced(launcherPath, ['--probe'], { cwd: dir, env: env() });
    expect(r.stdout).toMatch(/^unavailable .*another seccomp supervisor/);
    expect(r.result.complete).toBe(true);
  });

  it('under the ptrace fallback, a task installing its own seccomp listener is reported untraceable', async () => {
    const { launcherPath } = await import('../src/native.js');
    const r = await runTraced(launcherPath, ['--probe'], { cwd: dir, env: env(), mechanism: 'ptrace' });
    expect(r.stdout).toMatch(/^unotify/);
    expect(r.result).toMatchObject({ complete: false, reason: 'untraceable' });
  });

  it('a generous limit keeps the trace complete', async () => {
    const r = await runTraced('/bin/cat', ['/etc/hostname'], { cwd: dir, env: env(), limit: 10_000 });
    expect(r.result.complete).toBe(true);
  });

  it('simulate "unsupported" runs the program itself and reports unsupported', async () => {
    const s = beginTrace({ program: '/bin/true', args: [], env: env(), cwd: dir, simulate: 'unsupported' });
    expect(s.file).toBe('/bin/true');
    const r = await runTraced('/bin/sh', ['-c', 'exit 3'], { cwd: dir, env: env(), simulate: 'unsupported' });
    expect(r.code).toBe(3);
    expect(r.result).toMatchObject({ complete: false, reason: 'unsupported' });
    s.dispose();
  });

  it('simulate "fail" runs the task untraced with its original environment and reports untraceable', async () => {
    const r = await runTraced(h.fsopDynamic, ['env', 'LD_PRELOAD', 'env', 'VT_TRACER_RING'], {
      cwd: dir,
      env: env(),
      simulate: 'fail',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('LD_PRELOAD=(unset)\nVT_TRACER_RING=(unset)\n');
    expect(r.result).toMatchObject({ complete: false, reason: 'untraceable' });
    if (!r.result.complete) expect(r.result.detail).toContain('simulated');
  });

  it('a syscall through the i386 ABI makes the trace untraceable', async () => {
    const probe = spawnSync(h.fsopStatic, ['int80'], { encoding: 'utf8' });
    if (probe.status !== 0 || !/^int80: \d+/.test(probe.stdout)) return; // no IA32 emulation in this kernel
    const r = await runTraced(h.fsopStatic, ['int80'], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^int80: \d+/);
    expect(r.result).toMatchObject({ complete: false, reason: 'untraceable' });
  });
});

describe.each(['unotify', 'ptrace'] as const)('descendants and the grace period (%s)', (mechanism) => {
  it('waits for a detached descendant that exits within the grace period and records its accesses', async () => {
    const out = join(dir, `late-but-in-time-${mechanism}.txt`);
    rmSync(out, { force: true });
    // A generous grace so a loaded CI machine cannot turn this into the "outlived the grace period" case.
    const r = await runTraced('/bin/sh', ['-c', `(sleep 0.2; echo late > ${out}) > /dev/null 2>&1 & exit 0`], {
      cwd: dir,
      env: env(),
      mechanism,
      graceMs: 5000,
    });
    expect(r.result.complete).toBe(true);
    expect(r.result.accesses.get(out)?.write).toBe(true);
  });

  it('marks the trace incomplete when a descendant outlives the grace period, and that descendant keeps working', async () => {
    const out = join(dir, `after-grace-${mechanism}.txt`);
    rmSync(out, { force: true });
    const started = Date.now();
    const r = await runTraced(
      '/bin/sh',
      ['-c', `(sleep 3; cat /etc/hostname > ${out}.tmp && mv ${out}.tmp ${out}) > /dev/null 2>&1 & exit 0`],
      { cwd: dir, env: env(), graceMs: 200, mechanism },
    );
    expect(Date.now() - started).toBeLessThan(2500); // did not wait for the 3 s descendant
    expect(r.result).toMatchObject({ complete: false, reason: 'untraceable' });
    // The supervisor outlives the session: the leftover's file syscalls still work.
    for (let i = 0; i < 200 && !existsSync(out); i++) await new Promise((res) => setTimeout(res, 50));
    expect(readFileSync(out, 'utf8').length).toBeGreaterThan(0);
  });
});

describe('housekeeping', () => {
  it('removes session directories of vt processes that died without finishing', async () => {
    const dead = spawnSync('/bin/true').pid!; // a pid that has exited
    const stale = mkdtempSync(join('/dev/shm', `vt-tracer-${dead}-`));
    writeFileSync(join(stale, 'ring'), 'x');
    const { sweepStaleForTests } = await import('../src/session.js');
    sweepStaleForTests('/dev/shm');
    expect(existsSync(stale)).toBe(false);
  });
});

describe('input validation', () => {
  it('rejects a relative program, a relative cwd and a bad limit with clear errors', () => {
    const base = { program: '/bin/true', args: [], env: {}, cwd: '/' };
    expect(() => beginTrace({ ...base, program: 'true' })).toThrow(/program must be an absolute path/);
    expect(() => beginTrace({ ...base, cwd: 'rel' })).toThrow(/cwd must be an absolute path/);
    expect(() => beginTrace({ ...base, limit: 0 })).toThrow(/limit must be a positive integer/);
    expect(() => beginTrace({ ...base, simulate: 'nope' as 'fail' })).toThrow(/simulate must be/);
  });
});
