/**
 * The workspace root as vt finds it (config.md §4): walking up from `start`, the first directory with a
 * `pnpm-workspace.yaml` or a `package.json` that has a `workspaces` key; failing that, the nearest directory with a
 * `package.json`. `file-stamp` keeps its records there so they survive `cd` into packages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** @param {string} dir */
function declaresWorkspaces(dir) {
  try {
    const text = readFileSync(join(dir, 'package.json'), 'utf8').replace(/^\uFEFF/, '');
    const json = JSON.parse(text);
    return json !== null && typeof json === 'object' && 'workspaces' in json;
  } catch {
    return false;
  }
}

/** @param {string} start an absolute directory @returns {string | undefined} */
export function findWorkspaceRoot(start) {
  /** @type {string | undefined} */
  let nearestPackage;
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml')) || declaresWorkspaces(dir)) return dir;
    if (nearestPackage === undefined && existsSync(join(dir, 'package.json'))) nearestPackage = dir;
    if (dirname(dir) === dir) return nearestPackage;
  }
}
