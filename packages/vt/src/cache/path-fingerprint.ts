import fs from 'node:fs';
import path from 'node:path';
import type { FileHasher } from './fingerprint.js';
import { pathReason, type MissReason } from './key.js';
import type { InferredRead } from './trace-set.js';

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
      /** Names left out of the listing because the task produced them. */
      readonly skip?: readonly string[];
      readonly optional?: true;
    };

/** Entries never part of a listing fingerprint (cache.md §5). */
function alwaysSkipped(name: string): boolean {
  return name === '.git' || name === '.DS_Store' || name.toLowerCase() === 'dist';
}

function listing(abs: string, skip: ReadonlySet<string>): [string, EntryType][] {
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((e) => !alwaysSkipped(e.name) && !skip.has(e.name))
    .map((e): [string, EntryType] => [e.name, e.isSymbolicLink() ? 'symlink' : e.isDirectory() ? 'dir' : 'file'])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Fingerprints a traced read after the run, through symlinks. */
export async function fingerprintPath(
  workspaceRoot: string,
  rel: string,
  how: InferredRead,
  hasher: FileHasher,
): Promise<PathFingerprint> {
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
    const skip = how.outputNames;
    try {
      return { t: 'listing', entries: listing(abs, new Set(skip)), ...(skip.length > 0 ? { skip } : {}), ...optional };
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

/** Compares one stored inferred input with the file system now (cache.md §6 2b). */
export async function diffPath(
  workspaceRoot: string,
  rel: string,
  stored: PathFingerprint,
  hasher: FileHasher,
): Promise<MissReason | undefined> {
  const now = await fingerprintPath(workspaceRoot, rel, shapeOf(stored), hasher);
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
