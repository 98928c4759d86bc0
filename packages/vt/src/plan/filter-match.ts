import path from 'node:path';
import type { Workspace, WorkspacePackage } from '../workspace/types.js';
import type { DirPattern, NamePattern, Target } from './filter-parse.js';

function matchesDir(pattern: DirPattern, pkg: WorkspacePackage): boolean {
  const dir = path.resolve(pkg.dir);
  if (pattern.kind === 'exact') return dir === pattern.dir;
  const rel = path.relative(pattern.base, dir);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return false;
  return pattern.test(rel === '' ? [] : rel.split(path.sep));
}

/** `@{scope}/{name}` with a non-empty scope and nothing else around it. */
function isScopedVariant(candidate: string, name: string): boolean {
  const slash = candidate.indexOf('/');
  return candidate.startsWith('@') && slash > 1 && candidate.slice(slash + 1) === name;
}

function packagesByName(ws: Workspace, pattern: NamePattern): WorkspacePackage[] {
  if (pattern.kind === 'glob') return ws.packages.filter((p) => pattern.regex.test(p.name));
  const exact = ws.packages.filter((p) => p.name === pattern.name);
  if (exact.length > 0) return exact;
  // `--filter app` also finds `@acme/app`, but only when exactly one package could be meant.
  const scoped = ws.packages.filter((p) => isScopedVariant(p.name, pattern.name));
  return scoped.length === 1 ? scoped : [];
}

/** The packages a selector matches before any `...` expansion, in workspace order. */
export function matchTarget(ws: Workspace, target: Target): WorkspacePackage[] {
  switch (target.kind) {
    case 'name':
      return packagesByName(ws, target.name);
    case 'dir':
      return ws.packages.filter((p) => matchesDir(target.dir, p));
    case 'name-and-dir': {
      const dir = target.dir;
      return packagesByName(ws, target.name).filter((p) => matchesDir(dir, p));
    }
  }
}
