import path from 'node:path';
import picomatch from 'picomatch';
import type { IoConfig } from '../config/globs.js';
import { SymlinkedPaths } from './symlinked-paths.js';

/** What the traced tree did with one path; mirrors the tracer's record (tracing.md §2). */
export interface Access {
  readonly read: boolean;
  readonly stat: boolean;
  readonly readDir: boolean;
  readonly write: boolean;
  readonly writeDir: boolean;
  /**
   * Some content read saw bytes the tree had not produced itself: there before the run, or renamed here from such a
   * path (read-modify-write when the path is also written, by name or through a directory above it).
   */
  readonly readBeforeWrite: boolean;
}

/** A traced read that becomes an inferred input, and how it must be fingerprinted (cache.md §5). */
export interface InferredRead {
  /** The directory was listed (READ_DIR). */
  readonly listed: boolean;
  /**
   * Names inside this directory that the task itself produced (written paths or directories holding
   * them): left out of its listing, and when nothing else is left the directory's absence is no change,
   * because a hit restores it. Empty for directories that hold no outputs.
   */
  readonly outputNames: readonly string[];
  /** The task wrote below this directory: a hit recreates it, so "missing" is not a change. */
  readonly holdsOutputs: boolean;
}

export interface TraceClassification {
  /** ws-relative path → how to fingerprint it. */
  readonly inputs: ReadonlyMap<string, InferredRead>;
  /** Auto outputs: written paths that are not excluded (existence is checked later). */
  readonly writes: readonly string[];
  /** Directories the task created, removed or renamed (their contents count as written). */
  readonly writtenDirs: readonly string[];
  /**
   * Directories directly holding a path the task wrote (excluded writes too): any change of their ctime during the
   * run may be the task's own (an entry it created, removed or renamed there).
   */
  readonly wroteInto: ReadonlySet<string>;
  /** The first (sorted) path whose pre-existing content was read and then written, if any. */
  readonly overlap: string | undefined;
}

/**
 * Normalises a traced absolute path (tracing.md §4): drops /proc, /dev, /sys, anything outside the
 * workspace or inside the cache dir, `.git` components and malformed names; returns it workspace-relative.
 */
export function normaliseTracedPath(abs: string, workspaceRoot: string, cacheDirRel: string | undefined): string | undefined {
  if (abs.includes('\0') || !path.isAbsolute(abs)) return undefined;
  // Most traced paths are already clean and inside the workspace: slicing off the root gives what
  // resolve + relative would (a task touching 40,000 paths spent ~0.2 s in them). The rest take that way.
  const quick = isCleanBelow(abs, workspaceRoot) ? abs.slice(workspaceRoot.length + 1) : undefined;
  const clean = quick === undefined ? path.resolve(abs) : abs;
  if (isKernelPath(clean)) return undefined;
  const rel = quick ?? path.relative(workspaceRoot, clean);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const posix = quick ?? rel.split(path.sep).join('/');
  if (posix === '.git' || posix.startsWith('.git/') || posix.endsWith('/.git') || posix.includes('/.git/')) return undefined;
  if (cacheDirRel !== undefined && (posix === cacheDirRel || posix.startsWith(`${cacheDirRel}/`))) return undefined;
  return posix;
}

/** A traced path spelled outside the workspace that names a path inside it through a symlink, normalised. */
function throughSymlink(abs: string, workspaceRoot: string, cacheDirRel: string | undefined, symlinked: SymlinkedPaths): string | undefined {
  if (abs.includes('\0') || !path.isAbsolute(abs)) return undefined;
  const clean = path.resolve(abs);
  if (isKernelPath(clean)) return undefined;
  const real = symlinked.resolve(clean);
  return real === undefined ? undefined : normaliseTracedPath(real, workspaceRoot, cacheDirRel);
}

/** `/proc`, `/dev`, `/sys` and below: kernel interfaces, never inputs (tracing.md §4). */
export function isKernelPath(abs: string): boolean {
  return /^\/(proc|dev|sys)(\/|$)/.test(abs);
}

/** `abs` lies strictly below `root` (itself clean) and has no empty, `.` or `..` component. */
function isCleanBelow(abs: string, root: string): boolean {
  if (path.sep !== '/' || !abs.startsWith(root) || abs.charCodeAt(root.length) !== 47 /* / */ || abs.length === root.length + 1) return false;
  const rest = abs.slice(root.length);
  return !rest.includes('//') && !rest.includes('/./') && !rest.includes('/../') && !rest.endsWith('/') && !rest.endsWith('/.') && !rest.endsWith('/..');
}

/** `p` equals one of the roots or lies below it. */
export function underAny(p: string, roots: readonly string[]): boolean {
  return roots.some((r) => r === '' || p === r || p.startsWith(`${r}/`));
}

function matcher(globs: readonly string[]): (p: string) => boolean {
  if (globs.length === 0) return () => false;
  const m = picomatch(globs as string[], { dot: true });
  return (p) => m(p);
}

/** The workspace-relative directory holding `p` (`''` for the root's entries); undefined for the root. */
export function parentOf(p: string): string | undefined {
  if (p === '') return undefined;
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * Turns the tracer's per-path record into inferred inputs, auto outputs and the read-write overlap
 * (cache.md §4, §7; outputs.md §2). The rule for real tools: a path the task itself creates or writes is an
 * output — existence checks and listings of it are not inputs, since a hit restores it — and only reading
 * pre-existing content of a file the task also writes, by name or through a directory it creates, removes or renames
 * (read-modify-write), makes the run uncacheable.
 */
export function classifyTrace(opts: {
  accesses: ReadonlyMap<string, Access>;
  workspaceRoot: string;
  cacheDirRel: string | undefined;
  input: IoConfig;
  output: IoConfig;
  /** ws-relative roots reported by tools over IPC. */
  ignoredInputs: readonly string[];
  ignoredOutputs: readonly string[];
  /** Paths already covered by globbed inputs. */
  globbed: ReadonlySet<string>;
}): TraceClassification {
  const merged = new Map<string, Access>();
  const symlinked = new SymlinkedPaths(opts.workspaceRoot);
  for (const [abs, a] of opts.accesses) {
    const rel = normaliseTracedPath(abs, opts.workspaceRoot, opts.cacheDirRel) ?? throughSymlink(abs, opts.workspaceRoot, opts.cacheDirRel, symlinked);
    if (rel === undefined) continue;
    const prev = merged.get(rel);
    merged.set(
      rel,
      prev
        ? {
            read: prev.read || a.read, stat: prev.stat || a.stat, readDir: prev.readDir || a.readDir,
            write: prev.write || a.write, writeDir: prev.writeDir || a.writeDir, readBeforeWrite: prev.readBeforeWrite || a.readBeforeWrite,
          }
        : a,
    );
  }
  const inputNegative = matcher(opts.input.negative);
  const outputNegative = matcher(opts.output.negative);

  const writtenDirs: string[] = [];
  const written = new Set<string>();
  for (const [p, a] of merged) {
    if (a.writeDir) writtenDirs.push(p);
    if (a.write || a.writeDir) written.add(p);
  }
  writtenDirs.sort();
  const wroteInto = new Set<string>();
  for (const p of written) {
    const dir = parentOf(p);
    if (dir !== undefined) wroteInto.add(dir);
  }
  const insideWrittenDir = (p: string): boolean => writtenDirs.some((d) => d !== p && (d === '' || p.startsWith(`${d}/`)));

  // Names produced by the task, per directory: each written path, and each ancestor directory of one.
  const producedNames = new Map<string, Set<string>>();
  for (const p of written) {
    let child = p;
    for (let dir = parentOf(p); dir !== undefined; child = dir, dir = parentOf(dir)) {
      const name = child.slice(dir === '' ? 0 : dir.length + 1);
      let set = producedNames.get(dir);
      if (!set) producedNames.set(dir, (set = new Set()));
      set.add(name);
    }
  }

  const inputs = new Map<string, InferredRead>();
  let overlap: string | undefined;
  // Path order (JavaScript's default sort: UTF-16 code units, as `<` compares). A trace can hold 40,000 paths:
  // the default sort of the keys alone is several times faster than sorting [path, access] pairs with a
  // comparator, and files that are only read share one description.
  const plainRead: InferredRead = { listed: false, outputNames: [], holdsOutputs: false };
  for (const p of opts.input.auto ? [...merged.keys()].sort() : []) {
    const a = merged.get(p)!;
    const isRead = a.read || a.stat || a.readDir;
    if (!isRead) continue;
    if (inputNegative(p) || underAny(p, opts.ignoredInputs)) continue;
    // A path below a directory the task created, removed or renamed is written too (tracing.md §2), and a hit
    // restores it; so reading content there that the tree had not produced (it was there before the run, or was
    // renamed there from such a path) is read-modify-write just as for a file written by name.
    const inWrittenDir = insideWrittenDir(p);
    if (written.has(p) || inWrittenDir) {
      const writeCounts = opts.output.auto && (a.write || inWrittenDir) && !outputNegative(p) && !underAny(p, opts.ignoredOutputs);
      if (a.read && a.readBeforeWrite && writeCounts && overlap === undefined) overlap = p;
      continue;
    }
    if (opts.globbed.has(p)) continue;
    const names = producedNames.get(p);
    inputs.set(p, !a.readDir && names === undefined ? plainRead : { listed: a.readDir, outputNames: names ? [...names].sort() : [], holdsOutputs: names !== undefined });
  }

  const writes = opts.output.auto
    ? [...written].filter((p) => p !== '' && !outputNegative(p) && !underAny(p, opts.ignoredOutputs)).sort()
    : [];
  return { inputs, writes, writtenDirs, wroteInto, overlap };
}
