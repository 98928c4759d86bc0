import fs from 'node:fs';
import path from 'node:path';
import { isPlainRel, PathKind, stampFiles } from './file-stamps.js';
import type { FileHasher } from './fingerprint.js';
import { pathReason, type MissReason } from './key.js';
import type { RunWindow } from './run-window.js';
import { type InferredRead, parentOf } from './trace-set.js';

type EntryType = 'file' | 'dir' | 'symlink';

/**
 * The state of a traced path (cache.md §5). `optional` marks directories the task writes into: a hit
 * recreates them, so their absence alone is not a change (for a listing: only if nothing else was listed).
 */
export type PathFingerprint =
  | { readonly t: 'missing' }
  | { readonly t: 'file'; readonly h: string }
  | { readonly t: 'dir'; readonly optional?: true }
  | {
      readonly t: 'listing';
      readonly entries: readonly (readonly [string, EntryType])[];
      /** Names left out of the listing: the task produced them, and they were there after it ran. */
      readonly skip?: readonly string[];
      readonly optional?: true;
    };

/** Entries never part of a listing fingerprint (cache.md §5). */
function alwaysSkipped(name: string): boolean {
  return name === '.git' || name === '.DS_Store' || name.toLowerCase() === 'dist';
}

/**
 * A directory's entries, sorted, without `outputNames` the task produced; returns which of those were there.
 * A name the task created and then removed again (a temporary file) is not an output: nothing restores it,
 * so if it exists before a later run, the task lists it then, and that must count as an added entry.
 */
function listing(abs: string, outputNames: readonly string[]): { entries: [string, EntryType][]; skipped: string[] } {
  const produced = new Set(outputNames);
  const skipped: string[] = [];
  const entries = fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((e) => {
      if (alwaysSkipped(e.name)) return false;
      if (!produced.has(e.name)) return true;
      skipped.push(e.name);
      return false;
    })
    .map((e): [string, EntryType] => [e.name, e.isSymbolicLink() ? 'symlink' : e.isDirectory() ? 'dir' : 'file'])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { entries, skipped: skipped.sort() };
}

/** Fingerprints a traced read after the run, through symlinks. */
export function fingerprintPath(workspaceRoot: string, rel: string, how: InferredRead, hasher: FileHasher): PathFingerprint {
  const abs = path.join(workspaceRoot, rel);
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(abs, { bigint: true });
  } catch {
    return { t: 'missing' };
  }
  if (st.isDirectory()) {
    const optional = how.holdsOutputs ? ({ optional: true } as const) : {};
    if (!how.listed) return { t: 'dir', ...optional };
    try {
      const { entries, skipped } = listing(abs, how.outputNames);
      return { t: 'listing', entries, ...(skipped.length > 0 ? { skip: skipped } : {}), ...optional };
    } catch {
      return { t: 'missing' };
    }
  }
  const hash = hasher.hash(rel, st);
  return hash === undefined ? { t: 'missing' } : { t: 'file', h: hash };
}

/** Re-fingerprints a stored path the same way it was fingerprinted when stored. */
function shapeOf(stored: PathFingerprint): InferredRead {
  if (stored.t === 'listing') return { listed: true, outputNames: stored.skip ?? [], holdsOutputs: stored.optional === true };
  if (stored.t === 'dir') return { listed: false, outputNames: [], holdsOutputs: stored.optional === true };
  return { listed: false, outputNames: [], holdsOutputs: false };
}

/** Files hashed per native call while a lookup compares a trace: bounds the work done past a difference. */
const HASH_CHUNK = 256;

/**
 * Fingerprints of many traced paths, stat'ed up front in one batch (file-stamps.ts): files and absences, most
 * of a trace, need no further system call when the memo knows them; directories go through fingerprintPath.
 * `at(i, how)` is exactly what `fingerprintPath(root, rels[i], how)` would return; a lookup asks in order, so
 * that it can stop at the first difference, and files are hashed a chunk at a time. `all(hows)` is for
 * storing after a run: nothing to stop early for, so every file is hashed in one call on both cores.
 */
export function batchFingerprints(
  workspaceRoot: string,
  rels: readonly string[],
  hasher: FileHasher,
): {
  at(i: number, how: InferredRead): PathFingerprint;
  all(hows: readonly InferredRead[]): PathFingerprint[];
  /**
   * Whether path `i`, fingerprinted as `fp` after the run, may have been changed while the task ran, so that
   * `fp` need not be what the task saw (see {@link changedWhileRunning}). `wroteInto`: the directories that
   * directly hold a path the task wrote (TraceClassification.wroteInto).
   */
  changedDuring(i: number, fp: PathFingerprint, run: RunWindow, wroteInto: ReadonlySet<string>): boolean;
} {
  // Other paths (the root itself, `..`) take the one-by-one way: slot -1.
  const slot = new Int32Array(rels.length).fill(-1);
  const batchRels: string[] = [];
  rels.forEach((rel, i) => {
    if (isPlainRel(rel)) slot[i] = batchRels.push(rel) - 1;
  });
  const { stamps, kinds } = stampFiles(workspaceRoot, batchRels);
  /** Hashes by batch slot, proven against the slot's stamp (undefined: it moved since, or is unreadable). */
  const atStamp = new Array<string | undefined>(batchRels.length);
  const hashed = new Uint8Array(batchRels.length);
  /** Hashes the regular files among `slots` not hashed yet, in one call (FileHasher.hashAtStamps). */
  const hashSlots = (slots: readonly number[]): void => {
    const todo = slots.filter((k) => kinds[k] === PathKind.file && hashed[k] === 0);
    const hashes = hasher.hashAtStamps(todo.map((k) => batchRels[k]!), todo.map((k) => stamps[k]!), true);
    todo.forEach((k, n) => {
      atStamp[k] = hashes[n];
      hashed[k] = 1;
    });
  };
  const at = (i: number, how: InferredRead): PathFingerprint => {
    const rel = rels[i]!;
    const j = slot[i]!;
    if (j < 0 || kinds[j] === PathKind.dir) return fingerprintPath(workspaceRoot, rel, how, hasher);
    // Not a regular file (missing, dangling, a FIFO): fingerprintPath says "missing" too.
    if (kinds[j] !== PathKind.file) return { t: 'missing' };
    if (hashed[j] === 0) {
      const chunk: number[] = [];
      for (let k = j; k < batchRels.length && chunk.length < HASH_CHUNK; k++) if (kinds[k] === PathKind.file && hashed[k] === 0) chunk.push(k);
      hashSlots(chunk);
    }
    const proven = atStamp[j];
    if (proven !== undefined) return { t: 'file', h: proven };
    // Changed since the batch: hashed as it is now, as fingerprintPath would.
    const hash = hasher.hash(rel);
    return hash === undefined ? { t: 'missing' } : { t: 'file', h: hash };
  };
  /** ctime (ns) of each directory checked by goneWhileRunning; undefined: missing too. */
  const dirCtimes = new Map<string, bigint | undefined>();
  const ctimeOf = (rel: string): bigint | undefined => {
    if (dirCtimes.has(rel)) return dirCtimes.get(rel);
    let ctime: bigint | undefined;
    try {
      ctime = fs.statSync(path.join(workspaceRoot, rel), { bigint: true, throwIfNoEntry: false })?.ctimeNs;
    } catch {
      ctime = undefined; // a file where a directory should be, further up (ENOTDIR): as missing
    }
    dirCtimes.set(rel, ctime);
    return ctime;
  };
  /**
   * A path missing after the run may have been there when the task read it, and deleted by another process
   * before the task ended: then "missing" is not what the task saw, and a hit would replay output made from
   * the deleted file. A deletion moves the ctime of the directory that held the path, so the nearest path
   * above it that still exists is checked (normally a directory; a file there was replaced if it moved). Unless the task itself added or removed entries there:
   * its own changes move that ctime anyway (probing for a file and then writing next to it is common), and
   * they are its outputs. Another task creating a file in the same directory during the run also keeps the
   * run from being stored: a miss next time, never a stale hit.
   */
  const goneWhileRunning = (rel: string, run: RunWindow, wroteInto: ReadonlySet<string>): boolean => {
    for (let dir = parentOf(rel); dir !== undefined; dir = parentOf(dir)) {
      const ctime = ctimeOf(dir);
      if (ctime === undefined) continue;
      return !wroteInto.has(dir) && run.changedDuring(ctime);
    }
    return false;
  };
  return {
    at,
    all(hows) {
      hashSlots(batchRels.map((_, k) => k));
      return hows.map((how, i) => at(i, how));
    },
    changedDuring(i, fp, run, wroteInto) {
      const j = slot[i]!;
      // A file's stamp, when its hash was proven against one, is the state that was hashed.
      if (fp.t === 'file' && j >= 0 && atStamp[j] !== undefined) return run.stampChangedDuring(stamps[j]!);
      if (fp.t === 'missing') return goneWhileRunning(rels[i]!, run, wroteInto);
      return changedWhileRunning(path.join(workspaceRoot, rels[i]!), fp, run);
    },
  };
}

/**
 * Whether a traced input fingerprinted as `fp` after the run may have been changed while the task ran: a
 * concurrent edit, a file saved in an editor, another process's output. Storing such a fingerprint could
 * make a stale hit (the outputs were made from the earlier state); the run is not stored instead.
 * - a file: its ctime lies in the run (any write, rename or replacement moves it);
 * - a listed directory: its ctime lies in the run (an entry added, removed or renamed moves it) — unless the
 *   task wrote into it itself (`optional`), whose own entries move it anyway and are left out of the listing;
 * - a directory only stat'ed: it was created during the run (birth time; where the file system keeps none,
 *   Node reports 0 and this check cannot tell) — unless the task wrote into it;
 * - a missing path: see `goneWhileRunning` in {@link batchFingerprints}.
 */
function changedWhileRunning(abs: string, fp: PathFingerprint, run: RunWindow): boolean {
  if (fp.t === 'missing' || ((fp.t === 'listing' || fp.t === 'dir') && fp.optional)) return false;
  let st: fs.BigIntStats | undefined;
  try {
    st = fs.statSync(abs, { bigint: true, throwIfNoEntry: false });
  } catch {
    st = undefined;
  }
  if (st === undefined) return true;
  return run.changedDuring(fp.t === 'dir' ? st.birthtimeNs : st.ctimeNs);
}

/**
 * Inferred inputs as stored in an entry: `path\0code\0payload\0…` in path order, the code `f` (a file, its
 * hash), `m` (missing, no payload) or `j` (a directory, its fingerprint as JSON, which writes any NUL as an
 * escape). Paths cannot hold NUL and hashes are hex, so it splits unambiguously. A trace of 40,000 paths
 * stored as [path, object] pairs took ~60 ms to unpack on every hit, and as much again in garbage collection;
 * one string splits in ~4 ms.
 */
export type EncodedInferred = string & { readonly __brand: 'EncodedInferred' };

export function encodeInferred(list: readonly (readonly [string, PathFingerprint])[]): EncodedInferred {
  const parts: string[] = [];
  for (const [rel, fp] of list) {
    if (fp.t === 'file') parts.push(rel, 'f', fp.h);
    else if (fp.t === 'missing') parts.push(rel, 'm', '');
    else parts.push(rel, 'j', JSON.stringify(fp));
  }
  return parts.join('\0') as EncodedInferred;
}

const MISSING: PathFingerprint = { t: 'missing' };

/** The path, code, payload triples of an encoded list, flat; throws on a damaged row. */
function splitInferred(encoded: EncodedInferred): string[] {
  if (encoded === '') return [];
  const parts = encoded.split('\0');
  if (parts.length % 3 !== 0) throw new Error('the stored inferred inputs are malformed');
  return parts;
}

/** One stored fingerprint back; throws on anything {@link encodeInferred} cannot have written. */
function storedFingerprint(code: string, payload: string): PathFingerprint {
  if (code === 'f' && payload !== '') return { t: 'file', h: payload };
  if (code === 'm' && payload === '') return MISSING;
  if (code === 'j') {
    const fp = JSON.parse(payload) as PathFingerprint;
    if (fp.t === 'dir' || fp.t === 'listing') return fp;
  }
  throw new Error('the stored inferred inputs are malformed');
}

/**
 * The first stored inferred input (in stored order) that differs from the file system now
 * (cache.md §6 2b), or undefined when they all match. Each stored fingerprint is decoded only when reached.
 */
export async function firstPathDiff(workspaceRoot: string, inferred: EncodedInferred, hasher: FileHasher): Promise<MissReason | undefined> {
  const parts = splitInferred(inferred);
  const rels: string[] = [];
  for (let i = 0; i < parts.length; i += 3) rels.push(parts[i]!);
  const now = batchFingerprints(workspaceRoot, rels, hasher);
  for (let i = 0; i < rels.length; i++) {
    const stored = storedFingerprint(parts[3 * i + 1]!, parts[3 * i + 2]!);
    const reason = comparePath(rels[i]!, stored, now.at(i, shapeOf(stored)));
    if (reason) return reason;
  }
  return undefined;
}

/** One stored inferred input against its fingerprint now. */
function comparePath(rel: string, stored: PathFingerprint, now: PathFingerprint): MissReason | undefined {
  if (stored.t === 'missing') return now.t === 'missing' ? undefined : pathReason('added', rel);
  if (now.t === 'missing') {
    const absenceIsFine = (stored.t === 'dir' && stored.optional) || (stored.t === 'listing' && stored.optional && stored.entries.length === 0);
    return absenceIsFine ? undefined : pathReason('removed', rel);
  }
  if (stored.t === 'file') return now.t === 'file' && now.h === stored.h ? undefined : pathReason('modified', rel);
  if (stored.t === 'dir') return now.t === 'dir' || now.t === 'listing' ? undefined : pathReason('modified', rel);
  if (now.t !== 'listing') return pathReason('modified', rel);
  return diffListing(rel, stored.entries, now.entries);
}

function diffListing(
  dir: string,
  stored: readonly (readonly [string, EntryType])[],
  now: readonly (readonly [string, EntryType])[],
): MissReason | undefined {
  const child = (name: string): string => (dir === '' ? name : `${dir}/${name}`);
  let i = 0;
  let j = 0;
  while (i < stored.length || j < now.length) {
    const s = stored[i];
    const c = now[j];
    if (s && (!c || s[0] < c[0])) return pathReason('removed', child(s[0]));
    if (c && (!s || c[0] < s[0])) return pathReason('added', child(c[0]));
    if (s![1] !== c![1]) return pathReason('modified', child(s![0]));
    i++;
    j++;
  }
  return undefined;
}
