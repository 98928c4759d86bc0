import path from 'node:path';
import { VtError } from '../errors.js';

/**
 * vt's cache schema version. Numbering starts at 1001 so that vt never opens a directory written by
 * Vite Task (`v1`…`v999`) and vice versa (cache.md §1). Bump on any change of key or value semantics.
 */
export const CACHE_SCHEMA_VERSION = 1001;

/** `$VITE_CACHE_PATH` (must be absolute) or `{workspace root}/node_modules/.vite/task-cache`. */
export function cacheRoot(env: NodeJS.ProcessEnv, workspaceRoot: string | undefined): string {
  const fromEnv = env.VITE_CACHE_PATH;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!path.isAbsolute(fromEnv)) throw new VtError(`VITE_CACHE_PATH must be an absolute path, got "${fromEnv}"`);
    return fromEnv;
  }
  if (workspaceRoot === undefined) throw new VtError('VITE_CACHE_PATH is not set and no workspace was found');
  return path.join(workspaceRoot, 'node_modules', '.vite', 'task-cache');
}

export function cacheDir(root: string): string {
  return path.join(root, `v${CACHE_SCHEMA_VERSION}`);
}
