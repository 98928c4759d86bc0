import fg from 'fast-glob';
import type { IoConfig } from '../config/globs.js';

/**
 * Workspace-relative paths matching an `input`/`output` config's positive globs, minus its negatives,
 * `.git` and the cache dir; sorted. Directory symlinks are not followed (tracing.md §6, outputs.md §2).
 */
export function matchGlobs(workspaceRoot: string, io: IoConfig, cacheDirRel: string | undefined): string[] {
  if (io.positive.length === 0) return [];
  const ignore = [...io.negative, '**/.git', '**/.git/**'];
  if (cacheDirRel !== undefined && !cacheDirRel.startsWith('..')) ignore.push(`${fg.escapePath(cacheDirRel)}/**`);
  return fg
    .sync(io.positive as string[], { cwd: workspaceRoot, ignore, dot: true, onlyFiles: false, followSymbolicLinks: false, unique: true })
    .sort();
}
