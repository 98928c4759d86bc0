import fs from 'node:fs';
import picomatch from 'picomatch';
import type { IoConfig } from '../config/globs.js';

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
 * Workspace-relative paths matching the positive globs, minus negatives, `.git` and the cache dir; sorted.
 * Directory symlinks are listed but not followed (tracing.md §6, outputs.md §2).
 */
export function matchGlobs(workspaceRoot: string, io: IoConfig, cacheDirRel: string | undefined): string[] {
  if (io.positive.length === 0) return [];
  const negatives = io.negative.map(matcher);
  const excluded = (rel: string): boolean =>
    negatives.some((m) => m(rel)) || (cacheDirRel !== undefined && (rel === cacheDirRel || rel.startsWith(`${cacheDirRel}/`)));
  const out = new Set<string>();
  for (const pattern of io.positive) {
    const { base, isGlob, glob } = staticBase(pattern);
    if (!isGlob) {
      // A literal path names a file (or symlink); a bare directory name matches nothing (tracing.md §6).
      if (excluded(base) || base.split('/').includes('.git')) continue;
      const st = lstatOrUndefined(`${workspaceRoot}/${base}`);
      if (st && !st.isDirectory()) out.add(base);
      continue;
    }
    // `dir/**` (most input and output globs) matches everything below its base: no regex per entry.
    const isMatch = glob === '**' ? (): boolean => true : matcher(glob);
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
        if (excluded(child)) continue;
        if (isMatch(child.slice(below))) out.add(child);
        if (e.isDirectory()) walk(child);
      }
    };
    walk(start);
  }
  return [...out].sort();
}
