import fs from 'node:fs';
import path from 'node:path';
import { VtError } from '../errors.js';

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves a program the way a shell would: names with `/` against the cwd, others through PATH (relative
 * PATH entries against the cwd). Failing at plan time means nothing starts (config.md §10).
 */
export function resolveProgram(program: string, cwd: string, pathValue: string): string {
  if (program.includes('/')) {
    const abs = path.resolve(cwd, program);
    if (isExecutableFile(abs)) return abs;
  } else if (program !== '') {
    for (const dir of pathValue.split(path.delimiter)) {
      if (dir === '') continue;
      const candidate = path.resolve(cwd, dir, program);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw new VtError(`Failed to find executable ${program} under cwd ${cwd} with PATH: ${pathValue}`);
}

/** The program's identity in the cache key: workspace-relative if inside the workspace, else its file name. */
export function programFingerprint(resolved: string, workspaceRoot: string): string {
  const rel = path.relative(workspaceRoot, resolved);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  return path.basename(resolved);
}
