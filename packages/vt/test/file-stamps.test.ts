// Stat stamps from the native addon (@vt/file-stamps) and from the fs.statSync fallback must be identical:
// both are compared with each other and stored. Real files, symlinks, a FIFO and a directory.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addon } from '@vt/file-stamps';
import { beforeAll, describe, expect, it } from 'vitest';
import { stampFiles, stampOf } from '../src/cache/file-stamps.js';
import { makeTree } from './helpers.js';

let root = '';
const RELS = [
  'old.txt', 'empty.txt', 'sub/deep/file.js', 'ünï cødé.txt', 'link-to-file', 'link-to-dir', 'dangling', 'sub', 'fifo',
  'missing.txt', 'old.txt/below', 'fresh.txt', 'sub/../old.txt',
];

beforeAll(async () => {
  root = makeTree({ 'old.txt': 'old', 'empty.txt': '', 'sub/deep/file.js': 'x'.repeat(5000), 'ünï cødé.txt': 'u' });
  fs.symlinkSync('old.txt', path.join(root, 'link-to-file'));
  fs.symlinkSync('sub', path.join(root, 'link-to-dir'));
  fs.symlinkSync('nowhere', path.join(root, 'dangling'));
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  // Everything above leaves the racy window; fresh.txt is written inside it.
  await new Promise((r) => setTimeout(r, 2100));
  fs.writeFileSync(path.join(root, 'fresh.txt'), 'fresh');
});

describe('file stamps', () => {
  it('come from the native addon in this build', () => {
    expect(addon).not.toBeNull();
  });

  it('are the same from the addon and from fs.statSync, and match Node bigint stats', () => {
    const native = stampFiles(root, RELS);
    const fallback = stampFiles(root, RELS, null);
    expect(native.stamps).toEqual(fallback.stamps);
    expect([...native.racy]).toEqual([...fallback.racy]);
    const expected = RELS.map((rel) => {
      try {
        const st = fs.statSync(path.join(root, rel), { bigint: true });
        return st.isFile() ? stampOf(st) : undefined;
      } catch {
        return undefined; // ENOENT, ENOTDIR
      }
    });
    expect(native.stamps).toEqual(expected);
    // Regular files (through symlinks) only.
    expect(RELS.filter((_, i) => native.stamps[i] !== undefined)).toEqual([
      'old.txt', 'empty.txt', 'sub/deep/file.js', 'ünï cødé.txt', 'link-to-file', 'fresh.txt', 'sub/../old.txt',
    ]);
    expect(RELS.filter((_, i) => native.racy[i] === 1)).toEqual(['fresh.txt']);
  });

  it('move when a file is rewritten with the same length', () => {
    const before = stampFiles(root, ['empty.txt', 'old.txt']).stamps;
    fs.writeFileSync(path.join(root, 'old.txt'), 'new');
    const after = stampFiles(root, ['empty.txt', 'old.txt']).stamps;
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
  });

  it('reject paths that are not strings instead of crashing', () => {
    expect(() => addon!.stampFiles(root, [1 as unknown as string], 0n)).toThrow(/every path must be a string/);
    expect(() => (addon!.stampFiles as unknown as (r: string) => unknown)(root)).toThrow(/stampFiles\(root/);
  });
});
