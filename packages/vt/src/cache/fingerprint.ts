import fs from 'node:fs';
import { hashFd, hashFileSync } from '../archive/hash.js';
import type { IoConfig } from '../config/globs.js';
import { isRacy, isRacyStamp, nativeHashFiles, stampOf, type StatStamp } from './file-stamps.js';
import { globbedFiles } from './globs.js';

/** Remembers content hashes by stat stamp, so unchanged files are not re-read on every run. */
export interface HashMemo {
  get(wsPath: string): { stamp: StatStamp; hash: string } | undefined;
  put(wsPath: string, stamp: StatStamp, hash: string): void;
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
  hash(wsPath: string, stat?: fs.BigIntStats): string | undefined {
    // Plain concatenation: path.join's normalisation was a measurable share of a warm hit.
    const abs = `${this.workspaceRoot}/${wsPath}`;
    let st: fs.BigIntStats | undefined;
    try {
      st = stat ?? fs.statSync(abs, { bigint: true, throwIfNoEntry: false });
    } catch {
      return undefined;
    }
    if (st === undefined || !st.isFile()) return undefined;
    const stamp = stampOf(st);
    const known = this.memo?.get(wsPath);
    if (known && known.stamp === stamp) return known.hash;
    let hash: string;
    try {
      hash = hashFileSync(abs);
    } catch {
      return undefined;
    }
    this.remember(wsPath, st, stamp, hash);
    return hash;
  }

  /**
   * Hash of the file as it was when it had `stamp` (taken earlier), or undefined if it no longer has it or
   * cannot be read. The stamp is checked on the open file before and after reading, so the bytes hashed are
   * the ones it had then, whatever happens to the path meanwhile; a memo entry for that stamp needs no I/O.
   */
  hashAtStamp(wsPath: string, stamp: StatStamp): string | undefined {
    const known = this.memo?.get(wsPath);
    if (known && known.stamp === stamp) return known.hash;
    let fd: number;
    try {
      fd = fs.openSync(`${this.workspaceRoot}/${wsPath}`, 'r');
    } catch {
      return undefined;
    }
    try {
      const before = fs.fstatSync(fd, { bigint: true });
      if (stampOf(before) !== stamp) return undefined;
      const hash = hashFd(fd);
      if (stampOf(fs.fstatSync(fd, { bigint: true })) !== stamp) return undefined;
      this.remember(wsPath, before, stamp, hash);
      return hash;
    } catch {
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * {@link hashAtStamp} for many files: what the memo knows at once, the rest in one native call
   * (@vt/file-stamps; ~3.5× faster than one by one here with `parallel`, two threads), or one by one where
   * it is not built. While a task runs, callers pass `parallel: false` and leave the other core to it.
   */
  hashAtStamps(rels: readonly string[], stamps: readonly StatStamp[], parallel: boolean): (string | undefined)[] {
    const out = new Array<string | undefined>(rels.length);
    const todo: number[] = [];
    rels.forEach((rel, i) => {
      const known = this.memo?.get(rel);
      if (known && known.stamp === stamps[i]) out[i] = known.hash;
      else todo.push(i);
    });
    if (todo.length === 0) return out;
    if (nativeHashFiles === null) {
      for (const i of todo) out[i] = this.hashAtStamp(rels[i]!, stamps[i]!);
      return out;
    }
    const hashes = nativeHashFiles(this.workspaceRoot, todo.map((i) => rels[i]!), todo.map((i) => stamps[i]!), parallel);
    const now = BigInt(Date.now()) * 1_000_000n;
    todo.forEach((i, k) => {
      const hash = hashes[k];
      out[i] = hash;
      if (hash !== undefined && this.memo && !isRacyStamp(stamps[i]!, now)) this.memo.put(rels[i]!, stamps[i]!, hash);
    });
    return out;
  }

  private remember(wsPath: string, st: fs.BigIntStats, stamp: StatStamp, hash: string): void {
    if (this.memo && !isRacy(st.mtimeNs, st.ctimeNs, BigInt(Date.now()) * 1_000_000n)) this.memo.put(wsPath, stamp, hash);
  }
}

/**
 * Walks the positive input globs and hashes every matching regular file, minus negatives and `.git`
 * (tracing.md §6). Directory symlinks are not followed; file symlinks are hashed through their target;
 * dangling links are skipped. Returns entries sorted by path.
 */
export function hashGlobbedInputs(
  workspaceRoot: string,
  io: IoConfig,
  hasher: FileHasher,
  excludeDir?: string,
): [string, string][] {
  const { rels: files, stamps } = globbedFiles(workspaceRoot, io, excludeDir);
  const hashes = hasher.hashAtStamps(files, stamps, true);
  const out: [string, string][] = [];
  files.forEach((rel, i) => {
    // A file that changed since it was stamped is hashed afresh, as if it had been stamped now.
    const hash = hashes[i] ?? hasher.hash(rel);
    if (hash !== undefined) out.push([rel, hash]);
  });
  return out;
}

/**
 * Globbed inputs as stored in an entry: `path\0hash\0path\0hash…` in path order (paths cannot hold NUL,
 * hashes are hex). One string decodes in one step and, on a hit, compares with the current inputs in one
 * step; decoding ~40 pairs per entry on every warm run was a measurable cost.
 */
export type EncodedInputs = string & { readonly __brand: 'EncodedInputs' };

export function encodeInputs(list: readonly (readonly [string, string])[]): EncodedInputs {
  return list.map(([p, h]) => `${p}\0${h}`).join('\0') as EncodedInputs;
}

export function decodeInputs(encoded: EncodedInputs): [string, string][] {
  if (encoded === '') return [];
  const parts = encoded.split('\0');
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i]!, parts[i + 1]!]);
  return out;
}
