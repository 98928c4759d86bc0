import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PathAccess, TraceResult } from '../src/index.js';
import { buildHelpers, type Helpers } from './support/native-helpers.js';
import { runTraced } from './support/run-traced.js';
import { workloadEnv } from './support/workloads.mjs';

let h: Helpers;
beforeAll(() => {
  h = buildHelpers();
});
afterAll(() => rmSync(h.dir, { recursive: true, force: true }));

const none: PathAccess = { read: false, stat: false, readDir: false, write: false, writeDir: false, readBeforeWrite: false };
const access = (r: TraceResult, p: string): PathAccess => r.accesses.get(p) ?? none;

/* The same assertions through both mechanisms: the static helper is decoded by the supervisor from outside, the
 * dynamic one by the shim from inside; they share the decoder but not the memory, fd or probe plumbing. */
describe.each([
  ['unotify supervisor (static binary)', () => h.fsopStatic, false, 'unotify'],
  ['shim (dynamic binary)', () => h.fsopDynamic, true, 'unotify'],
  ['ptrace supervisor (static binary)', () => h.fsopStatic, false, 'ptrace'],
] as const)('access modes via %s', (_name, bin, viaShim, mechanism) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(h.dir, 'modes-'));
  });

  async function run(...ops: string[]): Promise<TraceResult> {
    const r = await runTraced(bin(), ops, { cwd: dir, env: workloadEnv(), mechanism });
    expect(r.code, r.stderr).toBe(0);
    expect(r.result.complete, JSON.stringify(r.result)).toBe(true);
    // Prove which path did the work, so a broken fast path cannot hide behind the supervisor or vice versa.
    expect(r.result.stats.mode).toBe(mechanism);
    if (viaShim) expect(r.result.stats.shimEvents).toBeGreaterThan(0);
    else expect(r.result.stats.shimEvents).toBe(0);
    return r.result;
  }

  it('O_RDWR on an existing file is READ + WRITE, read before write', async () => {
    const f = join(dir, 'rw.txt');
    writeFileSync(f, 'old\n');
    const a = access(await run('rdwr', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: true });
  });

  it('reading a file the task wrote first is not a read before write', async () => {
    const f = join(dir, 'own-output.txt');
    rmSync(f, { force: true });
    const a = access(await run('write', f, 'read', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: false });
  });

  it('a failed read (ENOENT) followed by creating the file is not a read before write', async () => {
    const f = join(dir, 'probe-then-create.txt');
    rmSync(f, { force: true });
    const a = access(await run('read', f, 'write', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: false });
  });

  it('reading pre-existing content and then overwriting it is a read before write', async () => {
    const f = join(dir, 'input-then-overwrite.txt');
    writeFileSync(f, 'input\n');
    const a = access(await run('read', f, 'write', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: true });
  });

  it('appending to a file the task did not write and reading it back is a read before write (it still holds the old bytes)', async () => {
    const f = join(dir, 'append-then-read.txt');
    writeFileSync(f, 'old\n');
    const a = access(await run('append', f, 'read', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: true });
  });

  it('appending to a file the task created and reading it back reads only its own bytes', async () => {
    const f = join(dir, 'write-append-read.txt');
    writeFileSync(f, 'old\n');
    const a = access(await run('write', f, 'append', f, 'read', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: false });
  });

  it('appending to a missing file creates it: reading it back reads only its own bytes', async () => {
    const f = join(dir, 'append-new.txt');
    rmSync(f, { force: true });
    const a = access(await run('append', f, 'read', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: false });
  });

  it('a chmod or a truncate to a non-zero length keeps the bytes: reading afterwards is a read before write', async () => {
    const c = join(dir, 'chmod-then-read.txt');
    const t = join(dir, 'truncate-then-read.txt');
    writeFileSync(c, 'old\n');
    writeFileSync(t, 'old\n');
    const r = await run('chmod', c, 'read', c, 'truncate', t, 'read', t);
    expect(access(r, c)).toMatchObject({ read: true, write: true, readBeforeWrite: true });
    expect(access(r, t)).toMatchObject({ read: true, write: true, readBeforeWrite: true });
  });

  it('a truncate to zero length replaces the bytes: reading afterwards reads only the tree\'s own', async () => {
    const f = join(dir, 'truncate0-then-read.txt');
    writeFileSync(f, 'old\n');
    const a = access(await run('truncate0', f, 'read', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: false });
  });

  it('mkdir is WRITE_DIR; mkdir of an existing directory is only a STAT', async () => {
    const fresh = join(dir, 'newdir');
    const existing = join(dir, 'existing');
    rmSync(fresh, { recursive: true, force: true });
    mkdirSync(existing, { recursive: true });
    const r = await run('mkdir', fresh, 'mkdir', existing);
    expect(access(r, fresh)).toMatchObject({ writeDir: true });
    expect(access(r, existing)).toMatchObject({ writeDir: false, stat: true });
  });

  it('renaming a directory is WRITE_DIR on both names', async () => {
    const from = join(dir, 'ren-from');
    const to = join(dir, 'ren-to');
    rmSync(to, { recursive: true, force: true });
    mkdirSync(from, { recursive: true });
    writeFileSync(join(from, 'inside.txt'), 'x');
    const r = await run('rename', from, to);
    expect(access(r, from)).toMatchObject({ writeDir: true, write: false });
    expect(access(r, to)).toMatchObject({ writeDir: true, write: false });
  });

  it('renaming a file is WRITE on both names', async () => {
    const from = join(dir, 'file-from.txt');
    const to = join(dir, 'file-to.txt');
    writeFileSync(from, 'x');
    const r = await run('rename', from, to);
    expect(access(r, from)).toMatchObject({ write: true, writeDir: false });
    expect(access(r, to)).toMatchObject({ write: true, writeDir: false });
  });

  it('a file renamed away and back still holds workspace content: reading it is a read before write', async () => {
    const f = join(dir, 'round-trip.txt');
    const g = join(dir, 'round-trip-away.txt');
    writeFileSync(f, 'one\n');
    rmSync(g, { force: true });
    const a = access(await run('rename', f, g, 'rename', g, f, 'read', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: true });
  });

  it('the atomic-write pattern (write a temp file, rename it over the target, read it) reads only its own content', async () => {
    const tmp = join(dir, 'atomic.tmp');
    const f = join(dir, 'atomic.txt');
    writeFileSync(f, 'old\n');
    const a = access(await run('write', tmp, 'rename', tmp, f, 'read', f), f);
    expect(a).toMatchObject({ read: true, write: true, readBeforeWrite: false });
  });

  it('below a directory renamed away and back, a read sees workspace content', async () => {
    const d = join(dir, 'dir-round-trip');
    const away = join(dir, 'dir-round-trip-away');
    rmSync(away, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'a.txt'), 'one\n');
    const r = await run('rename', d, away, 'rename', away, d, 'read', join(d, 'a.txt'));
    expect(access(r, join(d, 'a.txt'))).toMatchObject({ read: true, write: false, readBeforeWrite: true });
  });

  it('below a directory the task filled and then renamed, a read sees the tree\'s own content', async () => {
    const staging = join(dir, 'staging');
    const out = join(dir, 'staged-out');
    rmSync(staging, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    const r = await run('mkdir', staging, 'write', join(staging, 'f.txt'), 'rename', staging, out, 'read', join(out, 'f.txt'));
    expect(access(r, join(out, 'f.txt'))).toMatchObject({ read: true, readBeforeWrite: false });
  });

  it('a file moved out of a directory that was moved keeps its workspace origin', async () => {
    const d = join(dir, 'nested-src');
    const moved = join(dir, 'nested-moved');
    const f = join(dir, 'nested-file.txt');
    rmSync(moved, { recursive: true, force: true });
    rmSync(f, { force: true });
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'a.txt'), 'one\n');
    const r = await run('rename', d, moved, 'rename', join(moved, 'a.txt'), f, 'read', f);
    expect(access(r, f)).toMatchObject({ read: true, write: true, readBeforeWrite: true });
  });

  it('a failed read below a directory the task creates afterwards saw nothing: no read before write', async () => {
    const d = join(dir, 'created-later');
    rmSync(d, { recursive: true, force: true });
    const r = await run('read', join(d, 'probe.txt'), 'mkdir', d, 'write', join(d, 'other.txt'));
    expect(access(r, join(d, 'probe.txt'))).toMatchObject({ read: true, readBeforeWrite: false });
  });

  it('opening a directory read-only (without O_DIRECTORY) is a STAT, not a content read', async () => {
    const d = join(dir, 'opened-dir');
    mkdirSync(d, { recursive: true });
    expect(access(await run('read', d), d)).toMatchObject({ stat: true, read: false });
  });

  it('listing a directory is READ_DIR', async () => {
    const d = join(dir, 'listed');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'a'), '');
    expect(access(await run('list', d), d)).toMatchObject({ readDir: true });
  });

  it('stat of a missing path is recorded as STAT', async () => {
    const missing = join(dir, 'does-not-exist.json');
    expect(access(await run('stat', missing), missing)).toMatchObject({ stat: true, read: false, write: false });
  });

  it('failed writes are not writes: unlink of a missing file, rmdir of a missing dir', async () => {
    const f = join(dir, 'never-there.txt');
    const d = join(dir, 'never-there-dir');
    const r = await run('unlink', f, 'rmdir', d);
    expect(access(r, f)).toMatchObject({ stat: true, write: false });
    expect(access(r, d)).toMatchObject({ stat: true, writeDir: false });
  });

  it('a vfork child changing its cwd does not change how the parent resolves relative paths', async () => {
    mkdirSync(join(dir, 'vf'), { recursive: true });
    const r = await run('stat', 'before.txt', 'vforkchdir', 'vf', 'stat', 'after.txt');
    expect(access(r, join(dir, 'before.txt'))).toMatchObject({ stat: true });
    expect(access(r, join(dir, 'vf', 'in-vfork-child'))).toMatchObject({ stat: true });
    expect(access(r, join(dir, 'after.txt'))).toMatchObject({ stat: true });
    expect(r.accesses.has(join(dir, 'vf', 'after.txt'))).toBe(false);
  });

  it('cwd changes made inside glibc (nftw with FTW_CHDIR) are followed', async () => {
    mkdirSync(join(dir, 'walk', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'walk', 'deeper', 'leaf.txt'), 'x');
    const r = await run('stat', 'pre-walk.txt', 'nftw', 'walk', 'stat', 'post-walk.txt');
    expect(access(r, join(dir, 'walk', 'deeper', 'leaf.txt'))).toMatchObject({ stat: true });
    expect(access(r, join(dir, 'post-walk.txt'))).toMatchObject({ stat: true });
  });

  it('paths through /proc/self/fd/N/ are recorded as the real path', async () => {
    mkdirSync(join(dir, 'via-fd'), { recursive: true });
    writeFileSync(join(dir, 'via-fd', 'target.txt'), 'x');
    const r = await run('procfd', join(dir, 'via-fd'), 'target.txt');
    expect(access(r, join(dir, 'via-fd', 'target.txt'))).toMatchObject({ read: true });
  });

  it('paths through /dev/fd/N/ (a symlink to /proc/self/fd) are recorded as the real path', async () => {
    mkdirSync(join(dir, 'via-dev-fd'), { recursive: true });
    writeFileSync(join(dir, 'via-dev-fd', 'target.txt'), 'x');
    const r = await run('devfd', join(dir, 'via-dev-fd'), 'target.txt');
    expect(access(r, join(dir, 'via-dev-fd', 'target.txt'))).toMatchObject({ read: true });
  });

  it('relative paths resolve against the cwd at the time of the call', async () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'rel.txt'), 'x');
    const r = await run('read', 'sub/rel.txt', 'chdir', 'sub', 'stat', './../sub//rel2.txt');
    expect(access(r, join(dir, 'sub', 'rel.txt'))).toMatchObject({ read: true });
    expect(access(r, join(dir, 'sub', 'rel2.txt'))).toMatchObject({ stat: true });
  });
});
