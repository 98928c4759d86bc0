import fs from 'node:fs';
import path from 'node:path';
import type { IoConfig } from '../config/globs.js';
import { matchGlobs } from './globs.js';

/**
 * The output set of a stored run (outputs.md §2): traced writes that still exist — a directory the task
 * created or renamed into place brings everything below it — plus files matching the output globs.
 */
export async function collectOutputs(opts: {
  workspaceRoot: string;
  cacheDir: string;
  output: IoConfig;
  writes: readonly string[];
  writtenDirs: readonly string[];
  /** Output negatives and the cache dir: never archived. */
  isExcluded: (rel: string) => boolean;
  /** IPC `ignoreOutput` roots: remove traced writes only; explicit globs are unaffected (ipc.md §5). */
  isIgnoredWrite: (rel: string) => boolean;
}): Promise<string[]> {
  const out = new Set<string>();
  const add = (rel: string, traced = true): void => {
    if (rel === '' || rel.split('/').includes('.git') || opts.isExcluded(rel)) return;
    if (traced && opts.isIgnoredWrite(rel)) return;
    out.add(rel);
  };
  const walk = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(opts.workspaceRoot, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = `${rel}/${e.name}`;
      if (e.name === '.git') continue;
      add(child);
      if (e.isDirectory()) walk(child);
    }
  };
  const dirs = new Set(opts.writtenDirs);
  for (const rel of opts.writes) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path.join(opts.workspaceRoot, rel));
    } catch {
      continue; // written, then deleted: not an output
    }
    add(rel);
    if (st.isDirectory() && dirs.has(rel)) walk(rel);
  }
  const cacheDirRel = path.relative(opts.workspaceRoot, opts.cacheDir).split(path.sep).join('/');
  for (const rel of matchGlobs(opts.workspaceRoot, opts.output, cacheDirRel)) add(rel, false);
  return [...out].sort();
}
