import fs from 'node:fs';
import path from 'node:path';
import { VtError } from '../errors.js';

/**
 * Answers by candidate path. Every task of a run looks its program up along nearly the same PATH (only the
 * package's own `node_modules/.bin` differs), and vt plans every item before it starts any, so the file
 * system cannot change between lookups of one process.
 */
const executable = new Map<string, boolean>();

function isExecutableFile(file: string): boolean {
  let answer = executable.get(file);
  if (answer === undefined) {
    try {
      answer = fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
      if (answer) fs.accessSync(file, fs.constants.X_OK);
    } catch {
      answer = false;
    }
    executable.set(file, answer);
  }
  return answer;
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
