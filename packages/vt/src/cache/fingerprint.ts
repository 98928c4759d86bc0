import fs from 'node:fs';
import path from 'node:path';
import { hashFileSync } from '../archive/hash.js';
import type { IoConfig } from '../config/globs.js';
import { matchGlobs } from './globs.js';

/** A file's identity as far as the stat memo is concerned. */
export interface StatStamp {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** Remembers content hashes by stat stamp, so unchanged files are not re-read on every run. */
export interface HashMemo {
  get(wsPath: string): { stamp: StatStamp; hash: string } | undefined;
  put(wsPath: string, stamp: StatStamp, hash: string): void;
}

/**
 * Files whose mtime or ctime lie this close to "now" are hashed but not memoised: a second write within the
 * file system's timestamp granularity could leave the stamp unchanged, and the memo would then lie.
 */
const RACY_WINDOW_NS = 2_000_000_000n;

function sameStamp(a: StatStamp, b: StatStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** Content hashing with the stat memo; one instance per run. */
export class FileHasher {
  constructor(
    private readonly workspaceRoot: string,
    private readonly memo: HashMemo | undefined,
  ) {}

  /**
   * Hash of a regular file (through symlinks), or undefined if it is missing or not a regular file.
   * Callers that already stat'ed the path pass the result, so a traced hit stats each input once.
   */
  async hash(wsPath: string, stat?: fs.BigIntStats): Promise<string | undefined> {
    const abs = path.join(this.workspaceRoot, wsPath);
    let st: fs.BigIntStats;
    try {
      st = stat ?? fs.statSync(abs, { bigint: true });
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const stamp: StatStamp = { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
    const known = this.memo?.get(wsPath);
    if (known && sameStamp(known.stamp, stamp)) return known.hash;
    let hash: string;
    try {
      hash = hashFileSync(abs);
    } catch {
      return undefined;
    }
    const now = BigInt(Date.now()) * 1_000_000n;
    if (this.memo && now - stamp.mtimeNs > RACY_WINDOW_NS && now - stamp.ctimeNs > RACY_WINDOW_NS) {
      this.memo.put(wsPath, stamp, hash);
    }
    return hash;
  }
}

/**
 * Walks the positive input globs and hashes every matching regular file, minus negatives and `.git`
 * (tracing.md §6). Directory symlinks are not followed; file symlinks are hashed through their target;
 * dangling links are skipped. Returns entries sorted by path.
 */
export async function hashGlobbedInputs(
  workspaceRoot: string,
  io: IoConfig,
  hasher: FileHasher,
  excludeDir?: string,
): Promise<[string, string][]> {
  const matches = matchGlobs(workspaceRoot, io, excludeDir);
  const out: [string, string][] = [];
  for (const rel of matches) {
    const hash = await hasher.hash(rel);
    if (hash !== undefined) out.push([rel, hash]);
  }
  return out;
}
