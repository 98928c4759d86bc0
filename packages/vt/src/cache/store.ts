import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
// The sub-path entries are msgpackr's pure-JS build: its main Node entry probes for an optional native
// decoder at load (detect-libc reads /usr/bin/ldd), ~4 ms of every run that vt's bundle cannot use anyway.
import { pack } from 'msgpackr/pack';
import { unpack } from 'msgpackr/unpack';
import type { ManifestEntry } from '../archive/manifest.js';
import type { EncodedInputs } from './fingerprint.js';
import type { EncodedInferred } from './path-fingerprint.js';
import type { StoredEnvQueries, StoredTrackedEnvs } from './tracked-env.js';
import { makeDirs } from '../make-dirs.js';
import { STAT_MEMO_TABLE, StatMemo } from './stat-memo.js';

/** A stored result (cache.md §4). File names are relative to the cache dir. */
export interface EntryValue {
  readonly globbed: EncodedInputs;
  readonly inferred: EncodedInferred;
  readonly trackedEnvs: StoredTrackedEnvs;
  readonly envQueries: StoredEnvQueries;
  readonly durationMs: number;
  readonly log: { readonly file: string; readonly bytes: number; readonly crc32: number };
  readonly archive: { readonly file: string; readonly manifest: readonly ManifestEntry[] } | null;
}

export interface StoredEntry {
  readonly keyJson: string;
  /** Identifies the tool-tracked env values this entry was recorded with (see `variantOf`). */
  readonly variant: string;
  readonly value: EntryValue;
}

/**
 * Bumped when the table layout or the stored value's form changes (5: inferred inputs as one string; 6: the
 * log's CRC-32). An older layout is dropped and recreated (a cache can always be rebuilt); a newer one is
 * refused, never silently downgraded.
 */
const DB_LAYOUT = 6;

/** How long a write waits for another vt process's transaction before failing. */
const BUSY_TIMEOUT_MS = 30_000;

/** Use times are for eviction, measured in days: refreshing them more often than this is wasted writes. */
const USE_TIME_GRANULARITY_MS = 60 * 60 * 1000;

/**
 * In vt's bundle: the addon's path relative to the bundle, fixed by build.mjs. Resolving the package at run
 * time went through Node's module resolver, ~2 ms of every run that opens the cache, hits included.
 */
declare const VT_BUNDLED_SQLITE_ADDON: string | undefined;

/**
 * better-sqlite3's native addon, next to its package.json (build/Release, as its install script builds it):
 * the bundle's path when it is there, else the package as Node resolves it; an error if it is not built.
 */
function sqliteAddonPath(): string {
  if (typeof VT_BUNDLED_SQLITE_ADDON === 'string') {
    const bundled = fileURLToPath(new URL(VT_BUNDLED_SQLITE_ADDON, import.meta.url));
    if (fs.existsSync(bundled)) return bundled;
  }
  const manifest = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
  const addon = path.join(path.dirname(manifest), 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(addon)) throw new Error(`better-sqlite3's native addon is not built (${addon} is missing); reinstall vt`);
  return addon;
}

/**
 * better-sqlite3's native addon loads only when a run really opens the cache (not for `--version`), and is
 * named by path: the `bindings` lookup better-sqlite3 does by default probes a dozen locations relative to
 * its own file, which inside vt's bundle is the wrong place.
 */
function openSqlite(file: string, timeout: number): Database.Database {
  return new Database(file, { timeout, nativeBinding: sqliteAddonPath() });
}

/**
 * The entry store: SQLite in WAL mode so that several vt processes can read and write one cache dir at
 * once. Rows reference log and archive files that were written and fsynced before the row was committed.
 */
export class CacheStore {
  private readonly db: Database.Database;
  private readonly stmts;

  private constructor(readonly dir: string) {
    this.db = openSqlite(path.join(dir, 'cache.db'), BUSY_TIMEOUT_MS);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > DB_LAYOUT) {
      this.db.close();
      throw new Error(`the cache at ${dir} was written by a newer vt (layout ${version}, this vt knows ${DB_LAYOUT})`);
    }
    if (version < DB_LAYOUT) {
      this.db.transaction(() => {
        this.db.exec(`
          DROP TABLE IF EXISTS entries;
          DROP TABLE IF EXISTS pointers;
          DROP TABLE IF EXISTS file_memo;
          CREATE TABLE entries (
            key TEXT NOT NULL, variant TEXT NOT NULL, key_json TEXT NOT NULL, value BLOB NOT NULL,
            log_file TEXT NOT NULL, archive_file TEXT, size INTEGER NOT NULL,
            created_at INTEGER NOT NULL, used_at INTEGER NOT NULL, PRIMARY KEY (key, variant));
          CREATE INDEX entries_used ON entries(used_at);
          CREATE TABLE pointers (task_key TEXT PRIMARY KEY, entry_key TEXT NOT NULL);
          ${STAT_MEMO_TABLE}`);
        this.db.pragma(`user_version = ${DB_LAYOUT}`);
      }).immediate();
    }
    this.stmts = {
      variants: this.db.prepare<[string], { key_json: string; variant: string; value: Buffer }>(
        'SELECT key_json, variant, value FROM entries WHERE key = ? ORDER BY used_at DESC',
      ),
      pointer: this.db.prepare<[string], { entry_key: string }>('SELECT entry_key FROM pointers WHERE task_key = ?'),
      files: this.db.prepare<[string, string], { log_file: string; archive_file: string | null }>(
        'SELECT log_file, archive_file FROM entries WHERE key = ? AND variant = ?',
      ),
      upsert: this.db.prepare(
        `INSERT INTO entries (key, variant, key_json, value, log_file, archive_file, size, created_at, used_at)
         VALUES (@key, @variant, @keyJson, @value, @logFile, @archiveFile, @size, @now, @now)
         ON CONFLICT(key, variant) DO UPDATE SET key_json = excluded.key_json, value = excluded.value, log_file = excluded.log_file,
           archive_file = excluded.archive_file, size = excluded.size, created_at = excluded.created_at, used_at = excluded.used_at`,
      ),
      setPointer: this.db.prepare(
        `INSERT INTO pointers (task_key, entry_key) VALUES (?, ?)
         ON CONFLICT(task_key) DO UPDATE SET entry_key = excluded.entry_key WHERE entry_key != excluded.entry_key`,
      ),
      touch: this.db.prepare('UPDATE entries SET used_at = ? WHERE key = ? AND variant = ? AND used_at < ?'),
      delete: this.db.prepare('DELETE FROM entries WHERE key = ? AND variant = ?'),
    };
    this.memo = new StatMemo(this.db);
  }

  static open(dir: string): CacheStore {
    makeDirs(path.join(dir, 'logs'));
    makeDirs(path.join(dir, 'outputs'));
    return new CacheStore(dir);
  }

  /**
   * Every stored variant of an entry key, most recently used first. A row whose value cannot be decoded
   * throws (a lookup failure, never a hit).
   */
  variants(key: string): StoredEntry[] {
    return this.stmts.variants.all(key).map((row) => ({ keyJson: row.key_json, variant: row.variant, value: unpack(row.value) as EntryValue }));
  }

  pointer(taskKey: string): string | undefined {
    return this.stmts.pointer.get(taskKey)?.entry_key;
  }

  /**
   * Records hits, in one transaction: each task now points at its entry, which was just used (LRU). Rows
   * are only written when that changes something — a pointer that moves, a use time older than
   * {@link USE_TIME_GRANULARITY_MS} — so that a warm run writes nothing and SQLite has nothing to sync.
   */
  markUsed(uses: readonly { taskKey: string; key: string; variant: string }[]): void {
    if (uses.length === 0) return;
    const now = Date.now();
    this.db.transaction(() => {
      for (const u of uses) {
        this.stmts.setPointer.run(u.taskKey, u.key);
        this.stmts.touch.run(now, u.key, u.variant, now - USE_TIME_GRANULARITY_MS);
      }
    }).immediate();
  }

  /**
   * Commits an entry whose files already exist on disk, and points the task at it. Returns the files of
   * the entry it replaced, for the caller to delete now that no row references them.
   */
  commit(taskKey: string, key: string, variant: string, keyJson: string, value: EntryValue, size: number): string[] {
    return this.db.transaction(() => {
      const old = this.stmts.files.get(key, variant);
      this.stmts.upsert.run({
        key, variant, keyJson, value: pack(value), logFile: value.log.file, archiveFile: value.archive?.file ?? null, size, now: Date.now(),
      });
      this.stmts.setPointer.run(taskKey, key);
      const replaced: string[] = [];
      if (old && old.log_file !== value.log.file) replaced.push(old.log_file);
      if (old?.archive_file && old.archive_file !== value.archive?.file) replaced.push(old.archive_file);
      return replaced;
    }).immediate();
  }

  /** Deletes an entry (e.g. its outputs could not be restored); returns its files. */
  remove(key: string, variant: string): string[] {
    return this.db.transaction(() => {
      const old = this.stmts.files.get(key, variant);
      this.stmts.delete.run(key, variant);
      return old ? [old.log_file, ...(old.archive_file ? [old.archive_file] : [])] : [];
    }).immediate();
  }

  /** The stat memo (stat-memo.ts); `flushMemo` writes what the run learned. */
  readonly memo: StatMemo;

  /** Writes the memo entries learned since the last flush, in one transaction. */
  flushMemo(): void {
    this.memo.flush();
  }

  /**
   * Writes the memo now unless another vt process holds the write lock (never waits for it; false then, and
   * the entries stay for `flushMemo`). Lets a run that learned thousands of hashes write them while its task
   * is still running rather than after it: ~70 ms for 20,000 inputs. Run from the event loop during a task,
   * waiting for a lock would hold up the task's output.
   *
   * The memo written is then also copied from the write-ahead log into the database (a passive checkpoint,
   * which never waits either). Otherwise the next commit or the close does it, after the task: 20,000 memo
   * entries and an entry listing as many inputs took ~25 ms of checkpointing at the commit, most of it for the
   * memo.
   */
  tryFlushMemo(): boolean {
    this.db.pragma('busy_timeout = 0');
    try {
      this.memo.flush();
      this.db.pragma('wal_checkpoint(PASSIVE)');
      return true;
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return false;
      throw err;
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /**
   * Eviction (least recently used first): entries unused for longer than `maxAgeMs`, then the oldest-used
   * until the total size is at most `maxBytes`. Returns the files to delete.
   */
  evict(maxBytes: number, maxAgeMs: number): string[] {
    return this.db.transaction(() => {
      const files: string[] = [];
      const drop = (rows: { key: string; variant: string; log_file: string; archive_file: string | null }[]): void => {
        for (const r of rows) {
          this.stmts.delete.run(r.key, r.variant);
          files.push(r.log_file);
          if (r.archive_file) files.push(r.archive_file);
        }
      };
      drop(this.db.prepare<[number], { key: string; variant: string; log_file: string; archive_file: string | null }>(
        'SELECT key, variant, log_file, archive_file FROM entries WHERE used_at < ?').all(Date.now() - maxAgeMs));
      let total = (this.db.prepare('SELECT COALESCE(SUM(size), 0) AS total FROM entries').get() as { total: number }).total;
      if (total > maxBytes) {
        const rows = this.db.prepare<[], { key: string; variant: string; log_file: string; archive_file: string | null; size: number }>(
          'SELECT key, variant, log_file, archive_file, size FROM entries ORDER BY used_at ASC').all();
        const victims = [];
        for (const r of rows) {
          if (total <= maxBytes) break;
          victims.push(r);
          total -= r.size;
        }
        drop(victims);
      }
      return files;
    }).immediate();
  }

  /** Every file referenced by a row (for the orphan sweep). */
  referencedFiles(): Set<string> {
    const rows = this.db.prepare<[], { log_file: string; archive_file: string | null }>('SELECT log_file, archive_file FROM entries').all();
    const out = new Set<string>();
    for (const r of rows) {
      out.add(r.log_file);
      if (r.archive_file) out.add(r.archive_file);
    }
    return out;
  }

  close(): void {
    this.db.close();
  }
}
