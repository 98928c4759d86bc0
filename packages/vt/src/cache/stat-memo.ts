import type Database from 'better-sqlite3';
import type { StatStamp } from './file-stamps.js';
import type { HashMemo } from './fingerprint.js';

/** The table the memo lives in; created by the store with the rest of the layout. */
export const STAT_MEMO_TABLE = 'CREATE TABLE file_memo (dir TEXT PRIMARY KEY, entries TEXT NOT NULL) WITHOUT ROWID;';

type Known = { readonly stamp: StatStamp; readonly hash: string };

/**
 * The stat memo (workspace path → stamp and content hash), one row per directory: `name\0stamp\0hash\0…`.
 * A row per file made SQLite the cost of a cold run with many inputs (20,000 rows took ~100 ms to write at
 * the end of the run, and every later run read them all back); a row per directory is ~100× fewer rows
 * on a typical tree, decoded only when a file in that directory is asked about.
 *
 * Every entry is self-checking (a file is only believed while its stamp is unchanged), so a row another vt
 * process rewrote in between costs at most a re-hash; flushing merges into the row as it is at that moment.
 */
export class StatMemo implements HashMemo {
  /** Raw rows, read in one query on first use. */
  private rows: Map<string, string> | undefined;
  private readonly decoded = new Map<string, Map<string, Known>>();
  private readonly pending = new Map<string, Known>();
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      all: db.prepare<[], { dir: string; entries: string }>('SELECT dir, entries FROM file_memo'),
      one: db.prepare<[string], { entries: string }>('SELECT entries FROM file_memo WHERE dir = ?'),
      put: db.prepare<[string, string]>('INSERT OR REPLACE INTO file_memo (dir, entries) VALUES (?, ?)'),
    };
  }

  get(wsPath: string): Known | undefined {
    const pending = this.pending.get(wsPath);
    if (pending) return pending;
    const [dir, name] = split(wsPath);
    let entries = this.decoded.get(dir);
    if (!entries) {
      this.rows ??= new Map(this.stmts.all.all().map((r) => [r.dir, r.entries]));
      entries = decode(this.rows.get(dir));
      this.decoded.set(dir, entries);
    }
    return entries.get(name);
  }

  put(wsPath: string, stamp: StatStamp, hash: string): void {
    this.pending.set(wsPath, { stamp, hash });
  }

  /** Writes what was learned since the last flush, in one transaction, merged into each directory's row. */
  flush(): void {
    if (this.pending.size === 0) return;
    const byDir = new Map<string, [string, Known][]>();
    for (const [wsPath, known] of this.pending) {
      const [dir, name] = split(wsPath);
      let list = byDir.get(dir);
      if (!list) byDir.set(dir, (list = []));
      list.push([name, known]);
    }
    this.db.transaction(() => {
      for (const [dir, learned] of byDir) {
        const entries = decode(this.stmts.one.get(dir)?.entries);
        for (const [name, known] of learned) entries.set(name, known);
        const encoded = encode(entries);
        this.stmts.put.run(dir, encoded);
        this.rows?.set(dir, encoded);
        this.decoded.set(dir, entries);
      }
    }).immediate();
    // Only once committed: a flush that failed (a busy database) leaves everything for the next one.
    this.pending.clear();
  }

  /** How many learned entries wait for a flush. */
  get pendingCount(): number {
    return this.pending.size;
  }
}

/** `a/b/c.ts` → [`a/b`, `c.ts`]; a file at the workspace root is in directory ``. */
function split(wsPath: string): [string, string] {
  const slash = wsPath.lastIndexOf('/');
  return slash < 0 ? ['', wsPath] : [wsPath.slice(0, slash), wsPath.slice(slash + 1)];
}

/** Names cannot hold NUL or `/`, stamps and hex hashes cannot hold NUL: the row splits unambiguously. */
function decode(row: string | undefined): Map<string, Known> {
  const entries = new Map<string, Known>();
  if (row === undefined || row === '') return entries;
  const parts = row.split('\0');
  for (let i = 0; i + 2 < parts.length; i += 3) entries.set(parts[i]!, { stamp: parts[i + 1] as StatStamp, hash: parts[i + 2]! });
  return entries;
}

function encode(entries: Map<string, Known>): string {
  const parts: string[] = [];
  for (const [name, { stamp, hash }] of entries) parts.push(name, stamp, hash);
  return parts.join('\0');
}
