// Globbed inputs are listed and stamped natively (walkFiles) on every run; where the addon is missing, vt walks
// in JavaScript and stamps with fs.statSync. Both must give exactly the same files, stamps and order: the
// list is stored and compared across runs and machines. Real trees: symlinks, a FIFO, `.git`, the cache
// dir, names that sort differently by bytes and by UTF-16, names where `a-b` sorts between `a` and `a/b`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { addon } from '@vt/file-stamps';
import picomatch from 'picomatch';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IoConfig } from '../src/config/globs.js';
import { globbedFiles, globMatcher, matchGlobs } from '../src/cache/globs.js';
import { stampFiles } from '../src/cache/file-stamps.js';
import { makeTree } from './helpers.js';

const FILES: Record<string, string> = {
  'script.sh': 'echo',
  'a': 'file a',
  'a-b': 'file a-b',
  'ab/x.txt': 'x',
  'src/index.ts': 'i',
  'src/a/one.js': '1',
  'src/a-b/two.js': '2',
  'src/skip/three.js': '3',
  'src/skip/deeper/four.js': '4',
  'src/.hidden/five.js': '5',
  'src/.env': 'e',
  'src/.git/HEAD': 'ref',
  '.git/config': 'c',
  'd1/f1.txt': 'f', 'd1/f2.txt': 'f', 'd2/f1.txt': 'f', 'dx/sub/f.txt': 'f', 'e1/f.txt': 'f',
  'packages/p1/src/m.ts': 'm', 'packages/p1/test/t.ts': 't', 'packages/p2/src/deep/n.ts': 'n',
  'node_modules/dep/index.js': 'd',
  'node_modules/.vite/task-cache/db': 'cache',
  'node_modules/.vite/task-cache/outputs/o.tgz': 'cache',
  'node_modules/.vite/other.json': '{}',
  // Sorted by UTF-16 code units: '😀' (a surrogate pair, 0xD83D first) before 'Ａ' (U+FF21) and U+E000,
  // though by bytes (and code points) it comes after both.
  'uni/😀.txt': 'emoji', 'uni/Ａ.txt': 'fullwidth', 'uni/\u{E000}.txt': 'private', 'uni/é.txt': 'latin', 'uni/z.txt': 'z',
};

const CACHE_DIR = 'node_modules/.vite/task-cache';
let root = '';

beforeAll(async () => {
  root = makeTree(FILES, 'vt-globbed-');
  fs.symlinkSync('a', path.join(root, 'link-to-file'));
  fs.symlinkSync('src', path.join(root, 'link-to-dir'));
  fs.symlinkSync('nowhere', path.join(root, 'dangling'));
  fs.symlinkSync('../../a', path.join(root, 'src', 'a', 'up-link.js'));
  execFileSync('mkfifo', [path.join(root, 'src', 'fifo')]);
  // Everything above leaves the racy window; one file is written inside it.
  await new Promise((r) => setTimeout(r, 2100));
  fs.writeFileSync(path.join(root, 'src', 'a', 'fresh.js'), 'fresh');
});

const io = (positive: string[], negative: string[] = []): IoConfig => ({ auto: false, positive, negative });

const CASES: IoConfig[] = [
  io(['**']),
  io(['src/**']),
  io(['d*/**', 'script.sh']),
  io(['**/*.js']),
  io(['src/**/*.js', 'src/**']),
  io(['src/**', 'src/a/**', 'a']),
  io(['src/**'], ['src/skip/**']),
  io(['src/**'], ['**/*.js']),
  io(['src/**'], ['src']),
  io(['src/a/**', 'src/**'], ['src/a']),
  io(['**'], ['src/skip', 'node_modules/**']),
  io(['*/**']),
  io(['packages/*/src/**']),
  io(['packages/p?/**', 'packages/*/test/**']),
  io(['{src,uni}/**']),
  io(['uni/**', 'a', 'a-b', 'ab/**']),
  io(['link-to-dir/**', 'link-to-file', 'dangling']),
  io(['missing/**', 'missing.txt', 'src']),
  io(['node_modules/**']),
  io([`${CACHE_DIR}/**`]),
  io(['.git/**', 'src/.git/**']),
  io(['src/*']),
];

describe('globbed files', () => {
  it('come from the native walk in this build', () => {
    expect(addon).not.toBeNull();
  });

  for (const c of CASES) {
    it(`are the same natively and in JavaScript: ${c.positive.join(' ')}${c.negative.map((n) => ` !${n}`).join('')}`, () => {
      const native = globbedFiles(root, c, CACHE_DIR);
      const fallback = globbedFiles(root, c, CACHE_DIR, null);
      expect(native.rels).toEqual(fallback.rels);
      expect(native.stamps).toEqual(fallback.stamps);
      expect([...native.racy]).toEqual([...fallback.racy]);
      // And the same as the two steps they replace, in JavaScript's sort order.
      const matched = matchGlobs(root, c, CACHE_DIR);
      const { stamps } = stampFiles(root, matched, null);
      expect(native.rels).toEqual(matched.filter((_, i) => stamps[i] !== undefined));
      expect([...native.rels].sort()).toEqual(native.rels);
    });
  }

  it('list regular files only, follow file symlinks, never enter directory symlinks, .git or the cache dir', () => {
    const all = globbedFiles(root, io(['**']), CACHE_DIR).rels;
    expect(all).toContain('link-to-file');
    expect(all).toContain('src/a/up-link.js');
    expect(all).toContain('src/.env');
    expect(all).toContain('node_modules/.vite/other.json');
    expect(all.filter((r) => r.startsWith('link-to-dir') || r.includes('.git') || r.startsWith(CACHE_DIR))).toEqual([]);
    expect(all).not.toContain('dangling');
    expect(all).not.toContain('src/fifo');
    expect(all.filter((r) => r.startsWith('uni/'))).toEqual(['uni/z.txt', 'uni/é.txt', 'uni/😀.txt', 'uni/\u{E000}.txt', 'uni/Ａ.txt']);
    expect(globbedFiles(root, io(['src/**'], ['src/skip/**']), CACHE_DIR).rels.some((r) => r.startsWith('src/skip'))).toBe(false);
    const fresh = globbedFiles(root, io(['src/a/**']), CACHE_DIR);
    expect(fresh.rels.filter((_, i) => fresh.racy[i] === 1)).toEqual(['src/a/fresh.js']);
  });

  it('leave out a directory subtree only for a negative ending in /**; other negatives leave out the paths they match', () => {
    for (const addonOrNot of [addon, null]) {
      const files = (negative: string[]): readonly string[] => globbedFiles(root, io(['src/**'], negative), CACHE_DIR, addonOrNot).rels;
      expect(files(['src/skip'])).toContain('src/skip/three.js');
      expect(files(['src/*'])).toEqual(['src/skip/deeper/four.js', 'src/skip/three.js', 'src/a/fresh.js', 'src/a/one.js', 'src/a/up-link.js', 'src/a-b/two.js', 'src/.hidden/five.js'].sort());
      expect(files(['src/skip/**']).filter((r) => r.startsWith('src/skip'))).toEqual([]);
      expect(files(['**/deeper/**'])).not.toContain('src/skip/deeper/four.js');
      expect(files(['**/deeper/**'])).toContain('src/skip/three.js');
      expect(matchGlobs(root, io(['src/**'], ['src/skip']), CACHE_DIR)).toContain('src/skip/deeper/four.js');
    }
  });

  it('see a file added or removed since the last listing', () => {
    const before = globbedFiles(root, io(['d*/**']), CACHE_DIR).rels;
    fs.writeFileSync(path.join(root, 'd2', 'new.txt'), 'n');
    fs.rmSync(path.join(root, 'd1', 'f2.txt'));
    const after = globbedFiles(root, io(['d*/**']), CACHE_DIR).rels;
    expect(after).toEqual([...before.filter((r) => r !== 'd1/f2.txt'), 'd2/new.txt'].sort());
    fs.writeFileSync(path.join(root, 'd1', 'f2.txt'), 'f');
    fs.rmSync(path.join(root, 'd2', 'new.txt'));
  });

  it('use all threads on a big tree and still list every file once, in order', () => {
    const big = makeTree({}, 'vt-globbed-big-');
    const expected: string[] = [];
    for (let d = 0; d < 40; d++) {
      for (let f = 0; f < 60; f++) {
        const rel = `t${d % 7}/d${d}/f${f}.txt`;
        fs.mkdirSync(path.join(big, path.dirname(rel)), { recursive: true });
        fs.writeFileSync(path.join(big, rel), `${d}/${f}`);
        expected.push(rel);
      }
    }
    const got = globbedFiles(big, io(['**']), undefined);
    expect(got.rels).toEqual(expected.sort());
    expect(got.stamps).toEqual(globbedFiles(big, io(['**']), undefined, null).stamps);
  });

  it('reject bad arguments instead of crashing', () => {
    expect(() => (addon!.walkFiles as unknown as (r: string) => unknown)(root)).toThrow(/walkFiles\(root/);
  });
});

describe('glob matcher', () => {
  // The `P/**` fast path matches a path by its first segments; it must agree with picomatch everywhere.
  const GLOBS = ['**', 'd*/**', 'packages/*/**', 'packages/*/src/**', 'src/**', 'a?c/**', '*/**', 'x/y/z/**', '.*/**',
    '**/*.js', 'src/**/*.ts', '{a,b}/**', '[ab]/**', 'a/**/b/**', '*', 'd*'];
  const PATHS = ['d', 'd1', 'd1/f', 'd1/f/g', 'e1/f', 'packages', 'packages/p', 'packages/p/src', 'packages/p/src/x.ts',
    'packages/p/test/x', 'src', 'src/a.js', 'src/.hidden', 'abc', 'abc/d', 'abbc/d', 'x/y', 'x/y/z', 'x/y/z/w', 'x/y/zz/w',
    '.git', '.env/x', 'a', 'a/b', 'b/c', 'c/d', 'a/x/b/y', 'ünï/ü', 'd-1/x'];
  for (const glob of GLOBS) {
    it(`agrees with picomatch: ${glob}`, () => {
      const reference = picomatch(glob, { dot: true });
      const fast = globMatcher(glob);
      expect(PATHS.filter((p) => fast(p))).toEqual(PATHS.filter((p) => reference(p)));
    });
  }
});
