import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
// js-yaml rather than yaml: one small file to parse on every start-up (yaml's module set was ~3 ms of it).
import { load as loadYaml } from 'js-yaml';
import { VtError } from '../errors.js';
import { memberManifestCandidates } from './members.js';
import type { Workspace, WorkspacePackage } from './types.js';

/** Reads a JSON file that may start with a UTF-8 BOM; errors name the file. */
export function readJsonFile(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new VtError(`Failed to parse ${file}`, [(err as Error).message]);
  }
}

interface RootMarker {
  readonly root: string;
  /** Member globs, or undefined for a single-package workspace. */
  readonly memberGlobs: readonly string[] | undefined;
}

/** Walks up from `cwd` to the workspace root (config.md §4). */
function findRoot(cwd: string): RootMarker {
  let nearestPackage: string | undefined;
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const yamlFile = path.join(dir, 'pnpm-workspace.yaml');
    if (fs.existsSync(yamlFile)) return { root: dir, memberGlobs: readPnpmWorkspaceGlobs(yamlFile) };
    const pkgFile = path.join(dir, 'package.json');
    if (fs.existsSync(pkgFile)) {
      nearestPackage ??= dir;
      const manifest = readJsonFile(pkgFile) as Record<string, unknown> | null;
      const workspaces = manifest && typeof manifest === 'object' ? manifest.workspaces : undefined;
      if (workspaces !== undefined) return { root: dir, memberGlobs: npmWorkspaceGlobs(workspaces, pkgFile) };
    }
    if (path.dirname(dir) === dir) break;
  }
  if (nearestPackage !== undefined) return { root: nearestPackage, memberGlobs: undefined };
  throw new VtError(`No package.json found in ${cwd} or any parent directory`);
}

function readPnpmWorkspaceGlobs(file: string): string[] {
  let doc: unknown;
  try {
    doc = loadYaml(fs.readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new VtError(`Failed to parse ${file}`, [(err as Error).message.split('\n')[0]!]);
  }
  const packages = (doc as Record<string, unknown>).packages;
  if (packages === undefined || packages === null) return [];
  if (!Array.isArray(packages) || !packages.every((p) => typeof p === 'string')) {
    throw new VtError(`Failed to parse ${file}`, ['`packages` must be a list of strings']);
  }
  return packages;
}

function npmWorkspaceGlobs(workspaces: unknown, file: string): string[] {
  const list = Array.isArray(workspaces)
    ? workspaces
    : workspaces && typeof workspaces === 'object'
      ? ((workspaces as Record<string, unknown>).packages ?? [])
      : undefined;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
    throw new VtError(`Failed to parse ${file}`, ['`workspaces` must be an array of strings or { packages: [...] }']);
  }
  return list;
}

/** Member package dirs (absolute) matched by the globs; `!` excludes and the last matching pattern wins. */
function matchMembers(root: string, globs: readonly string[]): string[] {
  const patterns = globs.map((g) => {
    const negated = g.startsWith('!');
    const body = (negated ? g.slice(1) : g).replace(/^\.\//, '').replace(/\/+$/, '');
    return { negated, glob: body === '' || body === '.' ? 'package.json' : `${body}/package.json` };
  });
  const positives = patterns.filter((p) => !p.negated).map((p) => p.glob);
  if (positives.length === 0) return [];
  const candidates = memberManifestCandidates(root, positives);
  const matchers = patterns.map((p) => ({ negated: p.negated, isMatch: picomatch(p.glob) }));
  const dirs: string[] = [];
  for (const candidate of candidates) {
    let included = false;
    for (const m of matchers) if (m.isMatch(candidate)) included = !m.negated;
    if (included) dirs.push(path.join(root, path.dirname(candidate)));
  }
  return dirs;
}

const DEP_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies'] as const;

/** `workspace:` dependency targets of a manifest: the key, or the alias target of `workspace:name@range`. */
function workspaceDepNames(manifest: Record<string, unknown>, selfName: string): string[] {
  const names = new Set<string>();
  for (const field of DEP_FIELDS) {
    const deps = manifest[field];
    if (!deps || typeof deps !== 'object') continue;
    for (const [key, spec] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof spec !== 'string' || !spec.startsWith('workspace:')) continue;
      const rest = spec.slice('workspace:'.length);
      const at = rest.lastIndexOf('@');
      const name = at > 0 ? rest.slice(0, at) : key;
      if (name !== selfName) names.add(name);
    }
  }
  return [...names];
}

function loadPackage(root: string, dir: string): WorkspacePackage {
  const file = path.join(dir, 'package.json');
  const raw = fs.existsSync(file) ? readJsonFile(file) : {};
  const manifest = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const name = typeof manifest.name === 'string' ? manifest.name : '';
  const scripts = new Map<string, string>();
  if (manifest.scripts && typeof manifest.scripts === 'object') {
    for (const [k, v] of Object.entries(manifest.scripts as Record<string, unknown>)) {
      if (typeof v === 'string') scripts.set(k, v);
    }
  }
  const relDir = path.relative(root, dir).split(path.sep).join('/');
  return { name, dir, relDir, isRoot: relDir === '', scripts, workspaceDeps: workspaceDepNames(manifest, name) };
}

/** Finds the workspace containing `cwd` and loads every member package (config.md §4, §6). */
export function discoverWorkspace(cwd: string): Workspace {
  const { root, memberGlobs } = findRoot(cwd);
  const dirs = new Set<string>([root]);
  for (const dir of matchMembers(root, memberGlobs ?? [])) dirs.add(dir);
  const packages = [...dirs].map((d) => loadPackage(root, d));
  packages.sort((a, b) => (a.relDir < b.relDir ? -1 : a.relDir > b.relDir ? 1 : 0));
  return { root, packages };
}

/**
 * The package whose directory most closely contains `cwd` (the cwd itself included); the root otherwise
 * (config.md §7, "containing package").
 */
export function containingPackage(ws: Workspace, cwd: string): WorkspacePackage {
  let best: WorkspacePackage | undefined;
  const target = path.resolve(cwd);
  for (const pkg of ws.packages) {
    const rel = path.relative(pkg.dir, target);
    const inside = rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    if (inside && (best === undefined || pkg.dir.length > best.dir.length)) best = pkg;
  }
  return best ?? ws.packages.find((p) => p.isRoot)!;
}
