/**
 * The throw-away directories one case runs in (e2e.md §3): `{base}/{fixture}__{case}/` with the workspace copy `ws`,
 * an empty `home` and an empty sibling `outside`. The fixture's own snapshot files are not copied, so a case that
 * lists its workspace does not change whenever somebody adds a snapshot. Shared packages are symlinked into
 * `ws/node_modules`; module resolution follows the links out of the workspace, so their files are no inputs.
 */
import { cpSync, existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { RepoPaths } from './repo-paths.ts';

export interface CaseDirs {
  readonly root: string;
  readonly workspace: string;
  readonly home: string;
  readonly outside: string;
}

/** Top-level entries of a fixture that are harness metadata or local state, not workspace content. */
const NOT_COPIED = new Set(['snapshots.toml', 'snapshots', 'node_modules']);

/** Registry packages shared by all cases; linked only when the repository has them installed. */
const SHARED_PACKAGES = ['@voidzero-dev/vite-task-client', 'vite', 'esbuild'];

/** Throws when a directory above `dir` would be mistaken by vt for the workspace root. */
function assertNoWorkspaceAbove(dir: string): void {
  for (let current = dirname(dir); ; current = dirname(current)) {
    for (const marker of ['package.json', 'pnpm-workspace.yaml']) {
      if (existsSync(join(current, marker))) {
        throw new Error(`${join(current, marker)} exists above the case directory ${dir}; set TMPDIR to a clean place`);
      }
    }
    if (dirname(current) === current) return;
  }
}

function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

export function prepareCaseDirs(base: string, fixtureDir: string, fixture: string, caseName: string, repo: RepoPaths): CaseDirs {
  const root = join(realpathSync(base), `${fixture}__${caseName}`);
  const dirs: CaseDirs = {
    root,
    workspace: join(root, 'ws'),
    home: join(root, 'home'),
    outside: join(root, 'outside'),
  };
  mkdirSync(root);
  assertNoWorkspaceAbove(root);
  cpSync(fixtureDir, dirs.workspace, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => dirname(source) !== fixtureDir || !NOT_COPIED.has(basename(source)),
  });
  mkdirSync(dirs.home);
  mkdirSync(dirs.outside);
  const nodeModules = join(dirs.workspace, 'node_modules');
  link(repo.toolsPackageDir, join(nodeModules, 'test-tools'));
  for (const name of SHARED_PACKAGES) {
    const installed = join(repo.rootNodeModules, name);
    if (existsSync(installed)) link(realpathSync(installed), join(nodeModules, name));
  }
  return dirs;
}
