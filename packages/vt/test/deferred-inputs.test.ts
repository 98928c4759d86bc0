// DeferredInputs (src/cache/deferred-inputs.ts) on real files: hashes taken after the start are the content
// at the start, or the run is refused. The files are aged past the racy window first, so they really are
// hashed late rather than up front.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashFileSync } from '../src/archive/hash.js';
import { DeferredInputs } from '../src/cache/deferred-inputs.js';
import { stampOf, type StatStamp } from '../src/cache/file-stamps.js';
import { FileHasher, type HashMemo } from '../src/cache/fingerprint.js';
import { makeTree } from './helpers.js';

const IO = { auto: false, positive: ['src/**'], negative: [] };
const roots: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < 6; i++) roots.push(makeTree({ 'src/a.txt': 'a', 'src/b.txt': 'b', 'src/sub/c.txt': 'c', 'other.txt': 'x' }));
  await new Promise((r) => setTimeout(r, 2100));
});

describe('deferred input hashing', () => {
  it('hashes every matched file, in path order, as hashing up front would', () => {
    const root = roots[0]!;
    const inputs = DeferredInputs.start(root, IO, new FileHasher(root, undefined));
    expect(inputs.paths()).toEqual(['src/a.txt', 'src/b.txt', 'src/sub/c.txt']);
    expect(inputs.finish()).toEqual({
      kind: 'ok',
      inputs: ['src/a.txt', 'src/b.txt', 'src/sub/c.txt'].map((p) => [p, hashFileSync(path.join(root, p))]),
    });
  });

  it('keeps the content at the start for a file changed after it was hashed', () => {
    const root = roots[1]!;
    const inputs = DeferredInputs.start(root, IO, new FileHasher(root, undefined));
    const atStart = hashFileSync(path.join(root, 'src/a.txt'));
    expect(inputs.step(1)).toBe(true);
    fs.writeFileSync(path.join(root, 'src/a.txt'), 'changed');
    const result = inputs.finish();
    expect(result.kind).toBe('ok');
    expect(result.kind === 'ok' && result.inputs[0]).toEqual(['src/a.txt', atStart]);
  });

  it('refuses when a file changed before it could be hashed', () => {
    const root = roots[2]!;
    const inputs = DeferredInputs.start(root, IO, new FileHasher(root, undefined));
    expect(inputs.step(1)).toBe(true);
    fs.writeFileSync(path.join(root, 'src/b.txt'), 'bb');
    expect(inputs.finish()).toEqual({ kind: 'changed', path: 'src/b.txt' });
  });

  it('refuses a file replaced by another one with the same bytes before it could be hashed', () => {
    const root = roots[3]!;
    const inputs = DeferredInputs.start(root, IO, new FileHasher(root, undefined));
    // Same content and size, older times: only the inode tells the new file apart.
    fs.writeFileSync(path.join(root, 'src/a.new'), 'a');
    const old = fs.statSync(path.join(root, 'src/a.txt'));
    fs.utimesSync(path.join(root, 'src/a.new'), old.atime, old.mtime);
    fs.renameSync(path.join(root, 'src/a.new'), path.join(root, 'src/a.txt'));
    expect(inputs.finish()).toEqual({ kind: 'changed', path: 'src/a.txt' });
  });

  it('refuses a file deleted before it could be hashed', () => {
    const root = roots[4]!;
    const inputs = DeferredInputs.start(root, IO, new FileHasher(root, undefined));
    fs.rmSync(path.join(root, 'src/sub/c.txt'));
    expect(inputs.finish()).toEqual({ kind: 'changed', path: 'src/sub/c.txt' });
  });

  it('takes the hash a memo holds for the stamp a file had at the start', () => {
    const root = roots[5]!;
    const known = new Map<string, { stamp: StatStamp; hash: string }>();
    const memo: HashMemo = { get: (p) => known.get(p), put: () => {} };
    const stamp = stampOf(fs.statSync(path.join(root, 'src/b.txt'), { bigint: true }));
    known.set('src/b.txt', { stamp, hash: 'from-the-memo' });
    known.set('src/a.txt', { stamp: `${stamp}:other` as StatStamp, hash: 'stale' });
    const inputs = DeferredInputs.start(root, IO, new FileHasher(root, memo));
    expect(inputs.finish()).toEqual({
      kind: 'ok',
      inputs: [
        ['src/a.txt', hashFileSync(path.join(root, 'src/a.txt'))],
        ['src/b.txt', 'from-the-memo'],
        ['src/sub/c.txt', hashFileSync(path.join(root, 'src/sub/c.txt'))],
      ],
    });
  });
});
