import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTaskUniverse } from '../src/config/tasks.js';
import { VtError } from '../src/errors.js';
import { containingPackage, discoverWorkspace } from '../src/workspace/discover.js';
import { buildPackageGraph } from '../src/workspace/graph.js';
import { makeTree } from './helpers.js';

function errorOf(fn: () => unknown): VtError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VtError) return err;
    throw err;
  }
  throw new Error('expected a VtError');
}

describe('workspace discovery', () => {
  it('finds the pnpm root from a nested cwd, applies exclusions (last match wins) and skips node_modules', () => {
    const root = makeTree({
      'pnpm-workspace.yaml': 'packages:\n  - "./packages/**"\n  - "!packages/private"\n  - "packages/private/keep"\n',
      'package.json': { name: 'root' },
      'packages/a/package.json': '\uFEFF{"name":"a","dependencies":{"b":"workspace:*","c":"^1"}}',
      'packages/b/package.json': { name: 'b', devDependencies: { alias: 'workspace:a@*' } },
      'packages/private/package.json': { name: 'private' },
      'packages/private/keep/package.json': { name: 'keep' },
      'packages/a/node_modules/dep/package.json': { name: 'dep' },
    });
    const ws = discoverWorkspace(path.join(root, 'packages/a/src'));
    expect(ws.root).toBe(root);
    expect(ws.packages.map((p) => p.relDir)).toEqual(['', 'packages/a', 'packages/b', 'packages/private/keep']);
    const graph = buildPackageGraph(ws);
    const a = ws.packages[1]!;
    const b = ws.packages[2]!;
    expect(graph.get(a)!.map((p) => p.name)).toEqual(['b']);
    expect(graph.get(b)!.map((p) => p.name)).toEqual(['a']);
    expect(containingPackage(ws, path.join(root, 'packages/a/src')).name).toBe('a');
    expect(containingPackage(ws, path.join(root, 'packages')).isRoot).toBe(true);
  });

  it('member globs: depth as written, ** and braces, no dot dirs, node_modules or symlinked dirs', () => {
    const root = makeTree({
      'pnpm-workspace.yaml': 'packages:\n  - "packages/*"\n  - "{apps,tools}/**"\n  - "libs/literal"\n',
      'package.json': { name: 'root' },
      'packages/a/package.json': { name: 'a' },
      'packages/a/nested/package.json': { name: 'too-deep' },
      'packages/.hidden/package.json': { name: 'hidden' },
      'apps/web/package.json': { name: 'web' },
      'apps/web/deep/er/package.json': { name: 'deeper' },
      'apps/web/node_modules/x/package.json': { name: 'dep' },
      'tools/cli/package.json': { name: 'cli' },
      'libs/literal/package.json': { name: 'literal' },
      'libs/other/package.json': { name: 'other' },
      'elsewhere/linked/package.json': { name: 'linked' },
    });
    fs.symlinkSync(path.join(root, 'elsewhere/linked'), path.join(root, 'packages/linked'));
    expect(discoverWorkspace(root).packages.map((p) => p.name)).toEqual(['root', 'web', 'deeper', 'literal', 'a', 'cli']);
  });

  it('reports a pnpm-workspace.yaml that is not YAML or not a list of strings, naming the file', () => {
    const bad = makeTree({ 'pnpm-workspace.yaml': 'packages:\n  - a\n - b: [\n', 'package.json': {} });
    const err = errorOf(() => discoverWorkspace(bad));
    expect(err.message).toBe(`Failed to parse ${path.join(bad, 'pnpm-workspace.yaml')}`);
    expect(err.render()).toMatch(/bad indentation .*\(3:2\)/);
    const notList = makeTree({ 'pnpm-workspace.yaml': 'packages: 3\n', 'package.json': {} });
    expect(errorOf(() => discoverWorkspace(notList)).render()).toContain('`packages` must be a list of strings');
    const empty = makeTree({ 'pnpm-workspace.yaml': '', 'package.json': { name: 'only' } });
    expect(discoverWorkspace(empty).packages.map((p) => p.name)).toEqual(['only']);
  });

  it('supports package.json workspaces (array and object) and single packages', () => {
    const arr = makeTree({ 'package.json': { name: 'r', workspaces: ['apps/*'] }, 'apps/x/package.json': { name: 'x' } });
    expect(discoverWorkspace(arr).packages.map((p) => p.name)).toEqual(['r', 'x']);
    const obj = makeTree({ 'package.json': { workspaces: { packages: ['apps/*'] } }, 'apps/x/package.json': { name: 'x' } });
    expect(discoverWorkspace(path.join(obj, 'apps/x')).packages.map((p) => p.name)).toEqual(['', 'x']);
    const single = makeTree({ 'package.json': { name: 'solo' }, 'sub/file.txt': '' });
    expect(discoverWorkspace(path.join(single, 'sub')).packages.map((p) => p.name)).toEqual(['solo']);
  });

  it('fails clearly without any package.json', () => {
    const empty = makeTree({ 'x.txt': '' });
    expect(errorOf(() => discoverWorkspace(empty)).message).toBe(`No package.json found in ${empty} or any parent directory`);
  });

  it('rejects a duplicated workspace dependency target', () => {
    const root = makeTree({
      'pnpm-workspace.yaml': 'packages: ["p/*"]',
      'package.json': {},
      'p/one/package.json': { name: 'dup' },
      'p/two/package.json': { name: 'dup' },
      'p/user/package.json': { name: 'user', dependencies: { dup: 'workspace:*' } },
    });
    const ws = discoverWorkspace(root);
    expect(errorOf(() => buildPackageGraph(ws)).message).toBe(
      `Duplicate package name \`dup\` found at \`${path.join(root, 'p/one')}\` and \`${path.join(root, 'p/two')}\``,
    );
  });
});

describe('vite-task.json validation', () => {
  const load = (files: Record<string, string | object>) => {
    const root = makeTree({ 'pnpm-workspace.yaml': 'packages: ["packages/*"]', 'package.json': { name: 'root' }, ...files });
    return { root, run: () => loadTaskUniverse(discoverWorkspace(root)) };
  };

  it('accepts JSONC with comments, trailing commas and a BOM, and shorthand tasks', () => {
    const { run } = load({
      'vite-task.json': '\uFEFF{ // comment\n "cache": { "scripts": true }, "tasks": { "a": "print a", "b": ["x", "y",], "c": { "command": "z", "cwd": "sub", "input": ["src/", {"auto": true}, "!dist/**"], }, }, }',
    });
    const u = run();
    expect(u.settings).toEqual({ cacheScripts: true, cacheTasks: true, enablePrePostScripts: true });
    const tasks = [...u.tasks.values()][0]!;
    expect(tasks.get('b')!.commands).toEqual(['x', 'y']);
    expect(tasks.get('c')!.input).toEqual({ auto: true, positive: ['src/**'], negative: ['dist/**'] });
  });

  it.each([
    ['{ "tasks": { "a": { "command": "x", "bogus": 1 } } }', '* unknown field `bogus` in tasks.a'],
    ['{ "tasks": { "a": { "cwd": "x" } } }', '* missing field `command` in tasks.a'],
    ['{ "tasks": { "a": { "command": 1 } } }', '* invalid type at tasks.a.command: expected a string or an array of strings'],
    ['{ "tasks": { "a": { "command": "x", "cache": false, "env": ["A"] } } }', '* `env`, `untrackedEnv`, `input` and `output` cannot be used when `cache` is false (in tasks.a)'],
    ['{ "tasks": { "a": "x" ', '* invalid JSONC at line 1, column 23: '],
    ['{ "extra": true }', '* unknown field `extra` in (root)'],
  ])('reports %s', (text, cause) => {
    const { root, run } = load({ 'vite-task.json': text });
    const err = errorOf(run);
    expect(err.render()).toContain(`error: Failed to load task config file for package at "${path.join(root, 'vite-task.json')}"\n${cause}`);
  });

  it('rejects root-only keys in packages, script conflicts and escaping globs', () => {
    const nonRoot = load({ 'packages/a/package.json': { name: 'a' }, 'packages/a/vite-task.json': { cache: true } });
    expect(errorOf(nonRoot.run).message).toBe(
      `\`cache\` can only be set in the workspace root config, but found in ${path.join(nonRoot.root, 'packages/a/vite-task.json')}`,
    );
    const conflict = load({ 'packages/a/package.json': { name: 'a', scripts: { build: 'x' } }, 'packages/a/vite-task.json': { tasks: { build: 'y' } } });
    expect(errorOf(conflict.run).message).toBe(
      'Task a#build conflicts with a package.json script of the same name. Remove the script from package.json or rename the task',
    );
    const escape = load({ 'packages/a/package.json': { name: 'a' }, 'packages/a/vite-task.json': { tasks: { t: { command: 'x', input: ['../../../etc/**'] } } } });
    expect(errorOf(escape.run).render()).toBe(
      "error: Failed to resolve task config for task a#t\n* glob pattern '../../../etc/**' resolves outside the workspace root\n",
    );
  });

  it('normalises globs workspace-relative and escapes metacharacters of literal directories', () => {
    const { run } = load({
      'packages/[lib]/package.json': { name: '[lib]' },
      'packages/[lib]/vite-task.json': { tasks: { t: { command: 'x', input: ['src/**/*.ts', '../shared/src/**', { pattern: 'cfg/*.json', base: 'workspace' }, 'README.md'] } } },
    });
    const lib = [...run().tasks].find(([p]) => p.name === '[lib]')![1].get('t')!;
    expect(lib.input.positive).toEqual(['cfg/*.json', 'packages/\\[lib\\]/README.md', 'packages/\\[lib\\]/src/**/*.ts', 'packages/shared/src/**']);
  });
});
