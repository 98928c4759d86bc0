import fs from 'node:fs';
import picomatch from 'picomatch';
import { addon as nativeAddon } from '@vt/file-stamps';
import type { IoConfig } from '../config/globs.js';
import { stampFiles, walkFiles, type StatStamp } from './file-stamps.js';

/**
 * Matching `input`/`output` globs against the file system. This runs once per cache-enabled item on every
 * run, hits included, so it is on the hot path of a warm cache: fast-glob costs ~4 ms of fixed overhead per
 * call here (it recompiles its patterns every time), which made glob walking the largest share of a 30-package
 * warm hit. We walk only each pattern's static base directory and match with picomatch, compiled once.
 * Paths are joined by concatenation (POSIX; `workspaceRoot` is absolute): path.join's normalisation per
 * entry showed up in profiles.
 */

const compiled = new Map<string, (p: string) => boolean>();

function matcher(pattern: string): (p: string) => boolean {
  let m = compiled.get(pattern);
  if (!m) compiled.set(pattern, (m = picomatch(pattern, { dot: true })));
  return m;
}

function lstatOrUndefined(abs: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(abs, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * The literal directory a glob starts from (escapes removed), whether anything after it is a glob, and that
 * glob part. Matching paths below the base against the glob part alone lets every package share one
 * compiled `src/**` instead of compiling `packages/<name>/src/**` once per package.
 */
function staticBase(pattern: string): { base: string; isGlob: boolean; glob: string } {
  const scan = picomatch.scan(pattern, { unescape: true });
  return { base: scan.base, isGlob: scan.isGlob, glob: scan.glob };
}

/**
 * What negative globs and the cache dir leave out of a walk. `excluded`: a path that is not matched (a file
 * matching a negative, anything in the cache dir). `pruned`: a directory whose whole subtree is excluded,
 * so the walk need not enter it: the cache dir, and a directory matching what comes before the final `/**`
 * of a negative that ends so (`!dist/**`). A negative without that ending excludes only the paths it matches
 * itself: `!src/gen` leaves `src/gen/a.ts` in, as `!src/*` does (tracing.md §6: the files matching a
 * negative are left out; traced reads are filtered the same way, path by path).
 */
interface Exclusion {
  excluded(rel: string): boolean;
  pruned(dirRel: string): boolean;
}

function exclusion(io: IoConfig, cacheDirRel: string | undefined): Exclusion {
  const negatives = io.negative.map(matcher);
  const subtrees = io.negative.filter((n) => n === '**' || n.endsWith('/**')).map((n) => (n === '**' ? () => true : matcher(n.slice(0, -3))));
  const inCacheDir = (rel: string): boolean => cacheDirRel !== undefined && (rel === cacheDirRel || rel.startsWith(`${cacheDirRel}/`));
  return {
    excluded: (rel) => inCacheDir(rel) || negatives.some((m) => m(rel)),
    pruned: (dirRel) => inCacheDir(dirRel) || subtrees.some((m) => m(dirRel)),
  };
}

/** A literal pattern names a file (or symlink); a bare directory name matches nothing (tracing.md §6). */
function literalMatch(workspaceRoot: string, base: string, ex: Exclusion): boolean {
  if (ex.excluded(base) || base.split('/').includes('.git')) return false;
  const st = lstatOrUndefined(`${workspaceRoot}/${base}`);
  return st !== undefined && !st.isDirectory();
}

/** Anything in a glob beyond `*`, `?`, `/` and literal characters: braces, extglobs, classes, escapes, negation. */
const BEYOND_STARS = /[{}()[\]!+@\\]/;

const globMatchers = new Map<string, (p: string) => boolean>();

/**
 * A matcher for the glob part of a pattern, for every entry below its base. `**` (most input and output
 * globs) matches everything: no regex per entry. `P/**`, with `P` made of `*`, `?` and literal segments only
 * (`lib`, `d*`, `packages/*`), matches a path below such a prefix exactly when its first segments (as many as
 * `P` has) match `P`: those are matched once per distinct prefix, not once per file. Anything else is
 * picomatch's (glob-matcher tests compare the two).
 */
export function globMatcher(glob: string): (p: string) => boolean {
  let m = globMatchers.get(glob);
  if (m) return m;
  const prefix = glob.endsWith('/**') ? glob.slice(0, -3) : undefined;
  if (glob === '**') m = (): boolean => true;
  else if (prefix && !prefix.includes('**') && !BEYOND_STARS.test(prefix)) {
    const depth = prefix.split('/').length;
    const matchHead = matcher(prefix);
    const whole = matcher(glob);
    const heads = new Map<string, boolean>();
    m = (p) => {
      let end = -1;
      for (let k = 0; k < depth; k++) {
        if (end === p.length) return false; // fewer segments than the prefix has
        const next = p.indexOf('/', end + 1);
        end = next === -1 ? p.length : next;
      }
      // The prefix's own match (`lib` for `lib/**`) is picomatch's call: it differs for literal and starred.
      if (end === p.length) return whole(p);
      const head = p.slice(0, end);
      let hit = heads.get(head);
      if (hit === undefined) heads.set(head, (hit = matchHead(head)));
      return hit;
    };
  } else m = matcher(glob);
  globMatchers.set(glob, m);
  return m;
}

/**
 * Workspace-relative paths matching the positive globs, minus negatives, `.git` and the cache dir; sorted.
 * Directory symlinks are listed but not followed (tracing.md §6, outputs.md §2).
 */
export function matchGlobs(workspaceRoot: string, io: IoConfig, cacheDirRel: string | undefined): string[] {
  if (io.positive.length === 0) return [];
  const ex = exclusion(io, cacheDirRel);
  const out = new Set<string>();
  for (const pattern of io.positive) {
    const { base, isGlob, glob } = staticBase(pattern);
    if (!isGlob) {
      if (literalMatch(workspaceRoot, base, ex)) out.add(base);
      continue;
    }
    const isMatch = globMatcher(glob);
    const start = base === '.' ? '' : base;
    const below = start === '' ? 0 : start.length + 1;
    const walk = (rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(rel === '' ? workspaceRoot : `${workspaceRoot}/${rel}`, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.name === '.git') continue;
        const child = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory() && ex.pruned(child)) continue;
        if (!ex.excluded(child) && isMatch(child.slice(below))) out.add(child);
        if (e.isDirectory()) walk(child);
      }
    };
    walk(start);
  }
  return [...out].sort();
}

/** The regular files among a glob set's matches (symlinks followed), with their stamps. */
export interface GlobbedFiles {
  /** Sorted as {@link matchGlobs} sorts. */
  readonly rels: readonly string[];
  readonly stamps: readonly StatStamp[];
  /** 1 where a stamp is racy (file-stamps.ts). */
  readonly racy: Uint8Array;
}

/** Candidates of {@link globbedFiles}, sorted by path. */
interface Found {
  rels: string[];
  stamps: StatStamp[];
  racy: number[];
}

/**
 * {@link matchGlobs} followed by {@link stampFiles}, keeping the regular files: every globbed input, before
 * each run. Natively each glob's base is listed, stamped and sorted in one call (file-stamps.ts walkFiles), and
 * the glob is applied here to what it listed. With negative globs the listing comes depth first instead, so
 * that an excluded directory's subtree is dropped as the JavaScript walk never enters it, and is sorted here.
 * Where the addon is not built, the two steps run as they are.
 */
export function globbedFiles(workspaceRoot: string, io: IoConfig, cacheDirRel: string | undefined, addon = nativeAddon): GlobbedFiles {
  if (!addon || io.positive.length === 0) {
    const matched = matchGlobs(workspaceRoot, io, cacheDirRel);
    const { stamps, racy } = stampFiles(workspaceRoot, matched, addon);
    const keep = matched.map((_, i) => i).filter((i) => stamps[i] !== undefined);
    return { rels: keep.map((i) => matched[i]!), stamps: keep.map((i) => stamps[i]!), racy: Uint8Array.from(keep, (i) => racy[i]!) };
  }
  const ex = exclusion(io, cacheDirRel);
  const depthFirst = io.negative.length > 0;
  const lists: Found[] = [];
  const literals: string[] = [];
  for (const pattern of io.positive) {
    const { base, isGlob, glob } = staticBase(pattern);
    if (!isGlob) {
      if (literalMatch(workspaceRoot, base, ex)) literals.push(base);
      continue;
    }
    const start = base === '.' ? '' : base;
    // Inside the cache dir everything is excluded; below, the walk skips the cache dir itself. (The base
    // itself is not matched against negative globs: the JavaScript walk does not either, only what it lists.)
    if (cacheDirRel !== undefined && start !== '' && (start === cacheDirRel || start.startsWith(`${cacheDirRel}/`))) continue;
    const isMatch = globMatcher(glob);
    const below = start === '' ? 0 : start.length + 1;
    const tree = walkFiles(workspaceRoot, start, cacheDirRel ?? '', !depthFirst, addon)!;
    const found: Found = { rels: [], stamps: [], racy: [] };
    for (let i = 0; i < tree.rels.length; i++) {
      const rel = tree.rels[i]!;
      if (depthFirst && tree.dirs[i] === 1 && ex.pruned(rel)) {
        const prefix = `${rel}/`;
        while (i + 1 < tree.rels.length && tree.rels[i + 1]!.startsWith(prefix)) i++;
        continue;
      }
      if (depthFirst && ex.excluded(rel)) continue;
      const stamp = tree.stamps[i];
      if (stamp === undefined || !isMatch(rel.slice(below))) continue;
      found.rels.push(rel);
      found.stamps.push(stamp);
      found.racy.push(tree.racy[i]!);
    }
    lists.push(depthFirst ? sortFound(found) : found);
  }
  if (literals.length > 0) {
    const { stamps, racy } = stampFiles(workspaceRoot, literals, addon);
    const found: Found = { rels: [], stamps: [], racy: [] };
    literals.forEach((rel, i) => {
      if (stamps[i] === undefined) return;
      found.rels.push(rel);
      found.stamps.push(stamps[i]!);
      found.racy.push(racy[i]!);
    });
    lists.push(sortFound(found));
  }
  const all = lists.reduce(mergeFound, { rels: [], stamps: [], racy: [] });
  return { rels: all.rels, stamps: all.stamps, racy: Uint8Array.from(all.racy) };
}

function sortFound(f: Found): Found {
  const order = f.rels.map((_, i) => i).sort((a, b) => (f.rels[a]! < f.rels[b]! ? -1 : f.rels[a]! > f.rels[b]! ? 1 : 0));
  return { rels: order.map((i) => f.rels[i]!), stamps: order.map((i) => f.stamps[i]!), racy: order.map((i) => f.racy[i]!) };
}

/** Two sorted candidate lists as one, each path once (overlapping globs match some files twice). */
function mergeFound(a: Found, b: Found): Found {
  if (a.rels.length === 0) return b;
  if (b.rels.length === 0) return a;
  const out: Found = { rels: [], stamps: [], racy: [] };
  let i = 0;
  let j = 0;
  while (i < a.rels.length || j < b.rels.length) {
    const fromA = j === b.rels.length || (i < a.rels.length && a.rels[i]! <= b.rels[j]!);
    const src = fromA ? a : b;
    const k = fromA ? i++ : j++;
    if (fromA && j < b.rels.length && b.rels[j] === a.rels[k]) j++;
    out.rels.push(src.rels[k]!);
    out.stamps.push(src.stamps[k]!);
    out.racy.push(src.racy[k]!);
  }
  return out;
}
