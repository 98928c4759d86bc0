import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTO_IO } from '../src/config/globs.js';
import { FileHasher } from '../src/cache/fingerprint.js';
import { batchFingerprints, encodeInferred, firstPathDiff, fingerprintPath, type PathFingerprint } from '../src/cache/path-fingerprint.js';
import { RunWindow } from '../src/cache/run-window.js';
import { classifyTrace, normaliseTracedPath, type Access, type InferredRead } from '../src/cache/trace-set.js';
import { makeTree } from './helpers.js';

const A = (m: Partial<Access>): Access => ({ read: false, stat: false, readDir: false, write: false, writeDir: false, readBeforeWrite: false, ...m });

describe('normaliseTracedPath', () => {
  it.each([
    ['/ws/src/a.ts', 'src/a.ts'],
    ['/ws', ''],
    ['/ws/src/../b.ts', 'b.ts'],
    ['/other/x', undefined],
    ['/proc/self/fd/3', undefined],
    ['/ws/.git/HEAD', undefined],
    ['/ws/pkg/.git', undefined],
    ['/ws/node_modules/.vite/task-cache/v1001/cache.db', undefined],
    ['/ws/a\0b', undefined],
    ['relative/path', undefined],
  ])('%j → %j', (abs, rel) => expect(normaliseTracedPath(abs, '/ws', 'node_modules/.vite/task-cache/v1001')).toBe(rel));

  it('takes its shortcut for clean paths without changing any answer', () => {
    // The rules as written in tracing.md §4, spelled out with path.resolve/relative for every path.
    const reference = (abs: string, root: string, cacheDirRel: string): string | undefined => {
      if (abs.includes('\0') || !path.isAbsolute(abs)) return undefined;
      const clean = path.resolve(abs);
      if (/^\/(proc|dev|sys)(\/|$)/.test(clean)) return undefined;
      const rel = path.relative(root, clean);
      if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
      if (rel.split('/').includes('.git')) return undefined;
      if (rel === cacheDirRel || rel.startsWith(`${cacheDirRel}/`)) return undefined;
      return rel;
    };
    const tails = [
      '', '/', '/a', '/a/', '//a', '/./a', '/a/.', '/a/..', '/a/../b', '/..a', '/..', '/.git', '/.gitignore', '/a/.git',
      '/a/.git/b', '/a/x.git', '/.git.d/x', '/c', '/c/d', '/c/d/e', '/c-d', '/a//b', '/a/./b', '/ünï/cødé', '/a b/c',
    ];
    for (const root of ['/ws', '/w/s']) {
      for (const abs of [...tails.map((t) => root + t), ...tails.map((t) => `${root}x${t}`), '/proc/1', '/', '/w', '/dev/null']) {
        expect([abs, normaliseTracedPath(abs, root, 'c/d')]).toEqual([abs, reference(abs, root, 'c/d')]);
      }
    }
  });
});

describe('classifyTrace', () => {
  const classify = (accesses: [string, Access][], extra: Partial<Parameters<typeof classifyTrace>[0]> = {}) =>
    classifyTrace({
      accesses: new Map(accesses), workspaceRoot: '/ws', cacheDirRel: 'node_modules/.vite/task-cache/v1001',
      input: AUTO_IO, output: AUTO_IO, ignoredInputs: [], ignoredOutputs: [], globbed: new Set(), ...extra,
    });

  it('treats what the task wrote as outputs: probes and listings of them are not inputs', () => {
    const c = classify([
      ['/ws/src/a.ts', A({ read: true })],
      ['/ws/dist', A({ stat: true, readDir: true })],
      ['/ws/dist/index.js', A({ stat: true, write: true })],
      ['/ws/out', A({ stat: true, writeDir: true })],
      ['/ws/out/x.js', A({ write: true, read: true })],
      ['/ws', A({ readDir: true })],
      ['/ws/maybe.js', A({ stat: true })],
    ]);
    expect([...c.inputs.keys()]).toEqual(['', 'dist', 'maybe.js', 'src/a.ts']);
    expect(c.inputs.get('dist')).toEqual({ listed: true, outputNames: ['index.js'], holdsOutputs: true });
    expect(c.inputs.get('')).toEqual({ listed: true, outputNames: ['dist', 'out'], holdsOutputs: true });
    expect(c.writes).toEqual(['dist/index.js', 'out', 'out/x.js']);
    expect(c.overlap).toBeUndefined();
  });

  it('reports read-modify-write of pre-existing content, unless excluded on either side', () => {
    const rmw: [string, Access][] = [['/ws/src/data.txt', A({ read: true, write: true, readBeforeWrite: true })], ['/ws/b', A({ read: true, write: true, readBeforeWrite: true })]];
    expect(classify(rmw).overlap).toBe('b');
    expect(classify(rmw, { input: { auto: true, positive: [], negative: ['b'] } }).overlap).toBe('src/data.txt');
    expect(classify(rmw, { ignoredOutputs: ['src', 'b'] }).overlap).toBeUndefined();
    expect(classify(rmw, { output: { auto: false, positive: [], negative: [] } }).overlap).toBeUndefined();
    // Written first, read back later: an output, not an overlap.
    expect(classify([['/ws/gen.txt', A({ read: true, write: true })]]).overlap).toBeUndefined();
  });

  it('reports workspace content read below a directory the task created, removed or renamed', () => {
    // `cat src/a.txt && mv src src2 && mv src2 src`: a hit would restore src/a.txt as it was read.
    const renamed: [string, Access][] = [
      ['/ws/src', A({ writeDir: true })],
      ['/ws/src2', A({ writeDir: true })],
      ['/ws/src/a.txt', A({ read: true, readBeforeWrite: true })],
    ];
    expect(classify(renamed).overlap).toBe('src/a.txt');
    expect(classify(renamed, { output: { auto: true, positive: [], negative: ['src/**'] } }).overlap).toBeUndefined();
    expect(classify(renamed, { ignoredOutputs: ['src'] }).overlap).toBeUndefined();
    // The tree's own content below a directory it made (mkdir dist, write dist/x, read it back) stays an output.
    const own = classify([['/ws/dist', A({ writeDir: true })], ['/ws/dist/x', A({ read: true })], ['/ws/dist/y', A({ read: true, write: true })]]);
    expect(own.overlap).toBeUndefined();
    expect(own.inputs.size).toBe(0);
  });

  it('applies negatives, ignore roots and globbed paths to reads', () => {
    const c = classify(
      [['/ws/dist/out.js', A({ read: true })], ['/ws/cache/state', A({ read: true })], ['/ws/src/a.ts', A({ read: true })], ['/ws/src/b.ts', A({ read: true })]],
      { input: { auto: true, positive: ['src/a.ts'], negative: ['dist/**'] }, ignoredInputs: ['cache'], globbed: new Set(['src/a.ts']) },
    );
    expect([...c.inputs.keys()]).toEqual(['src/b.ts']);
  });
});

describe('path fingerprints', () => {
  it('detects added, removed and modified paths and listing changes, and tolerates a missing output dir', async () => {
    const root = makeTree({ 'src/a.ts': 'a', 'src/b.ts': 'b', 'dist/x.js': 'x', 'lib/keep.txt': '' });
    const hasher = new FileHasher(root, undefined);
    const fp = async (rel: string, listed = false, outputNames: string[] = []) =>
      fingerprintPath(root, rel, { listed, outputNames, holdsOutputs: outputNames.length > 0 }, hasher);
    const file = await fp('src/a.ts');
    const missing = await fp('src/new.ts');
    const listing = await fp('src', true);
    const outDir = await fp('dist', true, ['x.js']);
    expect(listing).toEqual({ t: 'listing', entries: [['a.ts', 'file'], ['b.ts', 'file']] });
    expect(outDir).toEqual({ t: 'listing', entries: [], skip: ['x.js'], optional: true });
    fs.writeFileSync(path.join(root, 'src/a.ts'), 'changed');
    expect(await firstPathDiff(root, encodeInferred([['src/a.ts', file]]), hasher)).toEqual({ inline: "'src/a.ts' modified", detail: "'src/a.ts' modified" });
    fs.writeFileSync(path.join(root, 'src/new.ts'), '');
    expect((await firstPathDiff(root, encodeInferred([['src/new.ts', missing]]), hasher))?.inline).toBe("'new.ts' added in 'src'");
    expect((await firstPathDiff(root, encodeInferred([['src', listing]]), hasher))?.inline).toBe("'new.ts' added in 'src'");
    fs.rmSync(path.join(root, 'dist'), { recursive: true });
    expect(await firstPathDiff(root, encodeInferred([['dist', outDir]]), hasher)).toBeUndefined();
    fs.mkdirSync(path.join(root, 'dist'));
    fs.writeFileSync(path.join(root, 'dist/x.js'), 'restored');
    expect(await firstPathDiff(root, encodeInferred([['dist', outDir]]), hasher)).toBeUndefined();
    fs.writeFileSync(path.join(root, 'dist/foreign.js'), '');
    expect((await firstPathDiff(root, encodeInferred([['dist', outDir]]), hasher))?.inline).toBe("'foreign.js' added in 'dist'");
    fs.rmSync(path.join(root, 'lib'), { recursive: true });
    expect((await firstPathDiff(root, encodeInferred([['lib', { t: 'dir' }]]), hasher))?.inline).toBe("'lib' removed from workspace root");
  });
});

describe('batch fingerprints', () => {
  it('give, all at once or one by one, what fingerprintPath gives for each path', () => {
    const files: Record<string, string> = { 'dist/x.js': 'x', 'lib/keep.txt': '' };
    for (let i = 0; i < 600; i++) files[`src/f${i}.ts`] = `file ${i % 7}`;
    const root = makeTree(files);
    fs.symlinkSync('src/f1.ts', path.join(root, 'link'));
    fs.symlinkSync('nowhere', path.join(root, 'dangling'));
    const rels = ['src', 'dist', 'lib', 'link', 'dangling', 'missing.txt', '', '..', 'src/../lib/keep.txt', ...Object.keys(files)];
    const hows = rels.map((rel) => ({ listed: rel === 'src' || rel === 'dist', outputNames: rel === 'dist' ? ['x.js'] : [], holdsOutputs: rel === 'dist' }));
    const expected = rels.map((rel, i) => fingerprintPath(root, rel, hows[i]!, new FileHasher(root, undefined)));
    expect(batchFingerprints(root, rels, new FileHasher(root, undefined)).all(hows)).toEqual(expected);
    const one = batchFingerprints(root, rels, new FileHasher(root, undefined));
    expect(rels.map((_, i) => one.at(i, hows[i]!))).toEqual(expected);
    expect(expected.filter((f) => f.t === 'file')).toHaveLength(604);
  });

  it('say which fingerprinted paths may have changed while the task ran', async () => {
    const root = makeTree({ 'old.txt': 'a', 'edited.txt': 'b', 'listed/x': '', 'grown/x': '', 'out/x': '' });
    await new Promise((r) => setTimeout(r, 30)); // past the clock tick of the writes above
    const run = RunWindow.open();
    fs.writeFileSync(path.join(root, 'edited.txt'), 'B');
    fs.writeFileSync(path.join(root, 'grown/y'), '');
    fs.writeFileSync(path.join(root, 'out/y'), '');
    fs.mkdirSync(path.join(root, 'made'));
    run.close();
    const plain = { listed: false, outputNames: [], holdsOutputs: false };
    const cases: [string, InferredRead, boolean][] = [
      ['old.txt', plain, false],
      ['edited.txt', plain, true],
      ['listed', { ...plain, listed: true }, false],
      ['grown', { ...plain, listed: true }, true],
      ['out', { listed: true, outputNames: ['y'], holdsOutputs: true }, false], // the task's own output dir
      ['made', plain, true], // a directory created during the run
      ['listed', plain, false],
      ['old.txt/below', plain, false], // missing, and root (nearest directory) changed by the task itself: see below
    ];
    const rels = cases.map(([rel]) => rel);
    const fps = batchFingerprints(root, rels, new FileHasher(root, undefined));
    const all = fps.all(cases.map(([, how]) => how));
    const wroteInto = new Set(['']);
    expect(cases.map(([rel], i) => [rel, fps.changedDuring(i, all[i]!, run, wroteInto)])).toEqual(cases.map(([rel, , changed]) => [rel, changed]));
  });

  it('say that a missing path may have been deleted while the task ran when the directory above it changed then', async () => {
    const root = makeTree({ 'kept/a.txt': 'a', 'gone/b.txt': 'b', 'whole/sub/c.txt': 'c', 'own/d.txt': 'd', 'quiet/e.txt': 'e' });
    await new Promise((r) => setTimeout(r, 30)); // past the clock tick of the writes above
    const run = RunWindow.open();
    fs.rmSync(path.join(root, 'gone/b.txt'));
    fs.rmSync(path.join(root, 'whole/sub'), { recursive: true });
    fs.rmSync(path.join(root, 'own/d.txt'));
    run.close();
    const cases: [string, boolean][] = [
      ['gone/b.txt', true], // deleted by someone else during the run
      ['whole/sub/c.txt', true], // its directory deleted: the nearest one left ('whole') changed
      ['own/d.txt', false], // deleted too, but the task wrote into 'own' itself (its ctime is the task's)
      ['quiet/never.txt', false], // never there, and nothing changed around it
      ['kept/a.txt/x', false], // below a file (ENOTDIR): the nearest existing path above it is that file, unchanged
    ];
    const rels = cases.map(([rel]) => rel);
    const plain = { listed: false, outputNames: [], holdsOutputs: false };
    const fps = batchFingerprints(root, rels, new FileHasher(root, undefined));
    const all = fps.all(rels.map(() => plain));
    expect(all.every((fp) => fp.t === 'missing')).toBe(true);
    const wroteInto = new Set(['own']);
    expect(cases.map(([rel], i) => [rel, fps.changedDuring(i, all[i]!, run, wroteInto)])).toEqual(cases);
  });
});

describe('stored inferred inputs', () => {
  it('encoded as one string, compare against the tree exactly as the fingerprints they came from', async () => {
    const root = makeTree({ 'src/a.ts': 'a', 'src/sub/b.ts': 'b', 'dist/x.js': 'x', 'ünï/\u0001 name': 'u' });
    const hasher = new FileHasher(root, undefined);
    const shape = (listed: boolean, outputNames: string[] = []) => ({ listed, outputNames, holdsOutputs: outputNames.length > 0 });
    const list: [string, PathFingerprint][] = [
      ['', fingerprintPath(root, '', shape(true, ['dist']), hasher)],
      ['dist', fingerprintPath(root, 'dist', shape(false, ['x.js']), hasher)],
      ['src', fingerprintPath(root, 'src', shape(true), hasher)],
      ['src/a.ts', fingerprintPath(root, 'src/a.ts', shape(false), hasher)],
      ['src/gone.ts', fingerprintPath(root, 'src/gone.ts', shape(false), hasher)],
      ['ünï/\u0001 name', fingerprintPath(root, 'ünï/\u0001 name', shape(false), hasher)],
    ];
    expect(list.map(([, fp]) => fp.t)).toEqual(['listing', 'dir', 'listing', 'file', 'missing', 'file']);
    const encoded = encodeInferred(list);
    expect(await firstPathDiff(root, encoded, hasher)).toBeUndefined();
    expect(await firstPathDiff(root, encodeInferred([]), hasher)).toBeUndefined();
    fs.writeFileSync(path.join(root, 'ünï/\u0001 name'), 'changed');
    expect((await firstPathDiff(root, encoded, hasher))?.inline).toBe("'ünï/\u0001 name' modified");
    fs.writeFileSync(path.join(root, 'src/gone.ts'), '');
    expect((await firstPathDiff(root, encoded, hasher))?.inline).toBe("'gone.ts' added in 'src'");
    fs.rmSync(path.join(root, 'dist'), { recursive: true });
    expect((await firstPathDiff(root, encodeInferred(list.slice(1, 2)), hasher))).toBeUndefined(); // an output dir may be absent
  });

  it('refuse a damaged row instead of comparing against part of it', async () => {
    const bad = ['a\0f', 'a\0x\0y', 'a\0f\0', 'a\0m\0h', 'a\0j\0{"t":"file","h":"x"}', 'a\0j\0{'];
    for (const b of bad) await expect(firstPathDiff('/', b as never, new FileHasher('/', undefined))).rejects.toThrow();
  });
});
