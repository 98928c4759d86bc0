// Cache housekeeping after a run (src/cache/session.ts, store.ts): LRU eviction by size and by age, the
// orphan sweep, and the rule that a warm run neither repeats them nor writes to SQLite. Real vt processes
// on a real cache; the database is inspected (and aged) with better-sqlite3 directly.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { makeTree, runVt } from './helpers.js';

const CACHE = 'node_modules/.vite/task-cache/v1001';

/** Three cached tasks, each printing ~2 KB (so each entry has a known, similar size). */
function workspace(): string {
  const task = (n: number): object => ({ command: `node -e "console.log('${n}'.repeat(2000))"`, input: [], output: [] });
  return makeTree({ 'package.json': { name: 'ws' }, 'vite-task.json': { tasks: { a: task(1), b: task(2), c: task(3) } } });
}

function rows(root: string): { key: string; used_at: number; size: number; log_file: string }[] {
  const db = new Database(path.join(root, CACHE, 'cache.db'), { readonly: true });
  try {
    return db.prepare('SELECT key, used_at, size, log_file FROM entries ORDER BY used_at').all() as never;
  } finally {
    db.close();
  }
}

function age(root: string, sql: string): void {
  const db = new Database(path.join(root, CACHE, 'cache.db'));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

const status = (root: string, task: string, env: Record<string, string> = {}): string => runVt(root, ['run', task], env).stdout.split('\n')[0]!;

describe('cache housekeeping', () => {
  it('evicts least recently used entries beyond VT_CACHE_MAX_SIZE, deleting their logs', () => {
    const root = workspace();
    for (const t of ['a', 'b', 'c']) expect(status(root, t)).not.toContain('cache');
    const before = rows(root);
    expect(before).toHaveLength(3);
    // Make the use order explicit: a oldest, then b, then c.
    age(root, `UPDATE entries SET used_at = 1000 WHERE log_file = '${before[0]!.log_file}'`);
    const oldest = before[0]!;
    const limit = before[1]!.size + before[2]!.size;
    // A run that stores something does the housekeeping.
    fs.writeFileSync(path.join(root, 'vite-task.json'), JSON.stringify({
      tasks: {
        a: { command: `node -e "console.log('1'.repeat(2000))"`, input: [], output: [] },
        b: { command: `node -e "console.log('2'.repeat(2000))"`, input: [], output: [] },
        c: { command: `node -e "console.log('3'.repeat(2000))"`, input: [], output: [] },
        d: { command: 'node -e "0"', input: [], output: [] },
      },
    }));
    expect(status(root, 'd', { VT_CACHE_MAX_SIZE: String(limit + 10) })).not.toContain('cache');
    const after = rows(root);
    expect(after.map((r) => r.log_file)).not.toContain(oldest.log_file);
    expect(fs.existsSync(path.join(root, CACHE, oldest.log_file))).toBe(false);
    expect(after.reduce((n, r) => n + r.size, 0)).toBeLessThanOrEqual(limit + 10);
    expect(status(root, 'b')).toContain('◉ cache hit');
  });

  it('a warm run leaves SQLite and the use times alone, and evicts by age at most once an hour', () => {
    const root = workspace();
    expect(status(root, 'a')).not.toContain('cache');
    expect(status(root, 'b')).not.toContain('cache');
    const db = path.join(root, CACHE, 'cache.db');
    const usedBefore = rows(root).map((r) => r.used_at);
    const dbStat = fs.statSync(db);
    expect(status(root, 'a')).toContain('◉ cache hit');
    expect(rows(root).map((r) => r.used_at)).toEqual(usedBefore);
    expect(fs.statSync(db).mtimeMs).toBe(dbStat.mtimeMs);
    expect(fs.existsSync(path.join(root, CACHE, 'cache.db-wal')) ? fs.statSync(path.join(root, CACHE, 'cache.db-wal')).size : 0).toBe(0);

    // b was last used 40 days ago: still a hit while housekeeping is not due...
    age(root, `UPDATE entries SET used_at = ${Date.now() - 40 * 86_400_000} WHERE key IN (SELECT key FROM entries ORDER BY used_at DESC LIMIT 1)`);
    expect(status(root, 'a')).toContain('◉ cache hit');
    expect(rows(root)).toHaveLength(2);
    // ...and evicted by the first run after the hour is over.
    const marker = path.join(root, CACHE, 'housekeeping');
    const hourAgo = new Date(Date.now() - 61 * 60_000);
    fs.utimesSync(marker, hourAgo, hourAgo);
    expect(status(root, 'a')).toContain('◉ cache hit');
    expect(rows(root)).toHaveLength(1);
    expect(status(root, 'b')).not.toContain('cache hit');
  });

  it('a hit older than an hour refreshes its use time', () => {
    const root = workspace();
    status(root, 'a');
    age(root, 'UPDATE entries SET used_at = 1000');
    expect(status(root, 'a')).toContain('◉ cache hit');
    expect(rows(root)[0]!.used_at).toBeGreaterThan(Date.now() - 60_000);
  });

  it('sweeps old files no row references, never fresh ones (a concurrent writer may own them)', () => {
    const root = workspace();
    status(root, 'a');
    const logs = path.join(root, CACHE, 'logs');
    const old = path.join(logs, 'orphan-old.log');
    const fresh = path.join(logs, 'orphan-fresh.log');
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(fresh, 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
    expect(status(root, 'b')).not.toContain('cache'); // stores, so housekeeping runs
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(fresh)).toBe(true);
    expect(status(root, 'a')).toContain('◉ cache hit');
  });
});
