// Stat stamps from the native addon (@vt/file-stamps) and from the fs.statSync fallback must be identical:
// both are compared with each other and stored. Real files, symlinks, a FIFO and a directory.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addon } from '@vt/file-stamps';
import { beforeAll, describe, expect, it } from 'vitest';
import { ctimeAfter, isRacy, isRacyStamp, RACY_WINDOW_NS, stampFiles, stampOf, type StatStamp } from '../src/cache/file-stamps.js';
import { FileHasher } from '../src/cache/fingerprint.js';
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
    expect([...native.kinds]).toEqual([...fallback.kinds]);
    // old, empty, deep, unicode, link-to-file: files; link-to-dir, sub: dirs; dangling, missing, ENOTDIR: missing.
    expect([...native.kinds]).toEqual([1, 1, 1, 1, 1, 2, 0, 2, 3, 0, 0, 1, 1]);
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

  it('are undefined for a path holding NUL, and for no paths there are none', () => {
    const { stamps, kinds } = stampFiles(root, ['old.txt', 'old.txt\0/x', 'empty.txt']);
    expect(stamps[0]).toBeDefined();
    expect(stamps[1]).toBeUndefined();
    expect(stamps[2]).toBeDefined();
    expect([...kinds]).toEqual([1, 0, 1]);
    expect(stampFiles(root, []).stamps).toEqual([]);
  });

  it('move when a file is rewritten with the same length', () => {
    const before = stampFiles(root, ['empty.txt', 'old.txt']).stamps;
    fs.writeFileSync(path.join(root, 'old.txt'), 'new');
    const after = stampFiles(root, ['empty.txt', 'old.txt']).stamps;
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
  });

  it('reject paths that are not strings instead of crashing', () => {
    expect(() => addon!.stampFiles(root, ['a'] as unknown as string, 1, 0n)).toThrow(/stampFiles\(root/);
    expect(() => addon!.stampFiles(root, 'a\0b', 3, 0n)).toThrow(/NUL-separated paths expected/);
    expect(() => (addon!.stampFiles as unknown as (r: string) => unknown)(root)).toThrow(/stampFiles\(root/);
  });

  it('hash natively exactly what FileHasher.hashAtStamp hashes, and nothing whose stamp moved', () => {
    const rels = ['empty.txt', 'sub/deep/file.js', 'ünï cødé.txt', 'link-to-file', 'fresh.txt', 'sub', 'missing.txt', 'old.txt'];
    const { stamps } = stampFiles(root, rels);
    // A directory or a missing path has no stamp; give them a plausible one, and one file a wrong one.
    const given = stamps.map((s) => s ?? ('1:2:3:4:5' as StatStamp));
    given[7] = `${given[7]}0` as StatStamp;
    const js = new FileHasher(root, undefined);
    const expected = rels.map((rel, i) => js.hashAtStamp(rel, given[i]!));
    expect(addon!.hashFiles(root, rels, given, false)).toEqual(expected);
    expect(addon!.hashFiles(root, rels, given, true)).toEqual(expected);
    expect(expected.map((h) => h !== undefined)).toEqual([true, true, true, true, true, false, false, false]);
    // Many files at once (two threads), a file rewritten after it was stamped among them.
    const many = Array.from({ length: 40 }, (_, i) => rels[i % 5]!);
    const manyStamps = many.map((rel) => stampFiles(root, [rel]).stamps[0]!);
    fs.writeFileSync(path.join(root, 'fresh.txt'), 'fresher');
    const hashes = addon!.hashFiles(root, many, manyStamps, true);
    many.forEach((rel, i) => expect(hashes[i]).toBe(rel === 'fresh.txt' ? undefined : expected[i % 5]));
  });
});

describe('stamp times', () => {
  // ctimeAfter and isRacyStamp compare the decimal digits of a stamp instead of parsing them into BigInts.
  const stampWith = (m: bigint, c: bigint): StatStamp => `2049:77:5:${m}:${c}` as StatStamp;
  const values = [0n, 1n, 9n, 10n, 999_999_999n, 1_000_000_000n, 1_763_700_000_123_456_789n, 1_763_700_002_123_456_789n,
    1_763_700_002_123_456_790n, 17_637_000_021_234_567_890n, -1n, -1_000_000_000n];
  it('compare exactly as BigInt arithmetic does, negative times included', () => {
    for (const c of values) {
      for (const since of values) expect(ctimeAfter(stampWith(5n, c), since)).toBe(c > since);
      for (const m of values) {
        for (const now of values) expect(isRacyStamp(stampWith(m, c), now)).toBe(isRacy(m, c, now));
      }
    }
    const now = 1_763_700_002_123_456_789n;
    expect(isRacyStamp(stampWith(now - RACY_WINDOW_NS, 0n), now)).toBe(true);
    expect(isRacyStamp(stampWith(now - RACY_WINDOW_NS - 1n, 0n), now)).toBe(false);
  });
});
