import path from 'node:path';
import fg from 'fast-glob';
import type { IoConfig } from '../config/globs.js';

/**
 * Files matching the positive `output` globs after the run, minus negatives, `.git` and the cache dir
 * (outputs.md §2). Auto outputs (traced writes) are added by the caller.
 */
export async function globOutputs(workspaceRoot: string, io: IoConfig, cacheDir: string): Promise<string[]> {
  if (io.positive.length === 0) return [];
  const ignore = [...io.negative, '**/.git', '**/.git/**'];
  const relCache = path.relative(workspaceRoot, cacheDir).split(path.sep).join('/');
  if (!relCache.startsWith('..')) ignore.push(`${fg.escapePath(relCache)}/**`);
  const matches = fg.sync(io.positive as string[], {
    cwd: workspaceRoot,
    ignore,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    markDirectories: false,
  });
  return matches.sort();
}
