/**
 * The stat memo's storage (cache/stat-memo.ts): one row per directory in the real cache database, merged on
 * flush so that two vt processes learning different files of one directory both keep what they learned.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatStamp } from '../src/cache/file-stamps.js';
import { CacheStore } from '../src/cache/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function cacheDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-memo-'));
  dirs.push(d);
  return d;
}

const stamp = (n: number): StatStamp => `1:${n}:10:1000:1000` as StatStamp;
const hash = (c: string): string => c.repeat(64);

describe('stat memo', () => {
  it('keeps what was flushed across stores, files at the root and in nested directories', () => {
    const dir = cacheDir();
    const a = CacheStore.open(dir);
    a.memo.put('root.txt', stamp(1), hash('a'));
    a.memo.put('src/x.ts', stamp(2), hash('b'));
    a.memo.put('src/y.ts', stamp(3), hash('c'));
    a.memo.put('src/deep/z.ts', stamp(4), hash('d'));
    expect(a.memo.get('src/x.ts')).toEqual({ stamp: stamp(2), hash: hash('b') }); // pending, before any flush
    a.flushMemo();
    a.close();

    const b = CacheStore.open(dir);
    expect(b.memo.get('root.txt')).toEqual({ stamp: stamp(1), hash: hash('a') });
    expect(b.memo.get('src/x.ts')).toEqual({ stamp: stamp(2), hash: hash('b') });
    expect(b.memo.get('src/y.ts')).toEqual({ stamp: stamp(3), hash: hash('c') });
    expect(b.memo.get('src/deep/z.ts')).toEqual({ stamp: stamp(4), hash: hash('d') });
    expect(b.memo.get('src/deep')).toBeUndefined();
    expect(b.memo.get('src/missing.ts')).toBeUndefined();
    expect(b.memo.get('other/x.ts')).toBeUndefined();
    b.close();
  });

  it('replaces an entry that was learned again, and keeps the rest of its directory', () => {
    const dir = cacheDir();
    const a = CacheStore.open(dir);
    a.memo.put('src/x.ts', stamp(1), hash('a'));
    a.memo.put('src/y.ts', stamp(2), hash('b'));
    a.flushMemo();
    a.memo.put('src/x.ts', stamp(5), hash('e'));
    a.flushMemo();
    expect(a.memo.get('src/x.ts')).toEqual({ stamp: stamp(5), hash: hash('e') });
    a.close();
    const b = CacheStore.open(dir);
    expect(b.memo.get('src/x.ts')).toEqual({ stamp: stamp(5), hash: hash('e') });
    expect(b.memo.get('src/y.ts')).toEqual({ stamp: stamp(2), hash: hash('b') });
    b.close();
  });

  it('merges two processes writing the same directory instead of the last one winning', () => {
    const dir = cacheDir();
    const a = CacheStore.open(dir);
    const b = CacheStore.open(dir);
    // Both have read the (empty) memo before either flushes.
    expect(a.memo.get('src/x.ts')).toBeUndefined();
    expect(b.memo.get('src/y.ts')).toBeUndefined();
    a.memo.put('src/x.ts', stamp(1), hash('a'));
    b.memo.put('src/y.ts', stamp(2), hash('b'));
    a.flushMemo();
    b.flushMemo();
    a.close();
    b.close();
    const c = CacheStore.open(dir);
    expect(c.memo.get('src/x.ts')).toEqual({ stamp: stamp(1), hash: hash('a') });
    expect(c.memo.get('src/y.ts')).toEqual({ stamp: stamp(2), hash: hash('b') });
    c.close();
  });

  it('handles names that look like separators of the row format', () => {
    const dir = cacheDir();
    const a = CacheStore.open(dir);
    const names = ['a:b', 'with space', 'ünïcode', '.hidden', 'x\ny'];
    names.forEach((n, i) => a.memo.put(`d/${n}`, stamp(i), hash(String(i))));
    a.flushMemo();
    a.close();
    const b = CacheStore.open(dir);
    names.forEach((n, i) => expect(b.memo.get(`d/${n}`)).toEqual({ stamp: stamp(i), hash: hash(String(i)) }));
    b.close();
  });

  it('is not written while another process holds the write lock, and nothing learned is lost', () => {
    const dir = cacheDir();
    const store = CacheStore.open(dir);
    store.memo.put('src/x.ts', stamp(1), hash('a'));
    const other = new Database(path.join(dir, 'cache.db'));
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    expect(store.tryFlushMemo()).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000); // did not wait out the 30 s busy timeout
    expect(store.memo.pendingCount).toBe(1);
    other.exec('COMMIT');
    other.close();
    expect(store.tryFlushMemo()).toBe(true);
    expect(store.memo.pendingCount).toBe(0);
    store.close();
    const again = CacheStore.open(dir);
    expect(again.memo.get('src/x.ts')).toEqual({ stamp: stamp(1), hash: hash('a') });
    again.close();
  });

  it('is copied into the database file when written during a run, not left for the commit or the close', () => {
    const dir = cacheDir();
    const store = CacheStore.open(dir);
    const dbFile = path.join(dir, 'cache.db');
    const before = fs.statSync(dbFile).size;
    for (let i = 0; i < 5000; i++) store.memo.put(`d${i % 50}/file-${i}.txt`, stamp(i), hash(String(i % 10)));
    expect(store.tryFlushMemo()).toBe(true);
    // ~5,000 × 80 bytes: in the write-ahead log only, the database file would not have grown at all.
    expect(fs.statSync(dbFile).size - before).toBeGreaterThan(300_000);
    store.close();
    const again = CacheStore.open(dir);
    expect(again.memo.get('d7/file-4157.txt')).toEqual({ stamp: stamp(4157), hash: hash('7') });
    again.close();
  });
});
