// DeferredInputs (src/cache/deferred-inputs.ts) on real files: hashes taken after the start are the content
// at the start, or the run is refused. The files are aged past the racy window first, so they really are
// hashed late rather than up front.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashFileSync } from '../src/archive/hash.js';
import { DeferredInputs } from '../src/cache/deferred-inputs.js';
import { FileHasher } from '../src/cache/fingerprint.js';
import { makeTree } from './helpers.js';

const IO = { auto: false, positive: ['src/**'], negative: [] };
const roots: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < 3; i++) roots.push(makeTree({ 'src/a.txt': 'a', 'src/b.txt': 'b', 'src/sub/c.txt': 'c', 'other.txt': 'x' }));
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
});
