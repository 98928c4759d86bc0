import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VtError } from '../src/errors.js';
import { FilterError, selectByFilters } from '../src/plan/filter.js';
import { checkQueryConflicts } from '../src/plan/query.js';
import type { Workspace, WorkspacePackage } from '../src/workspace/types.js';

const ROOT = path.resolve('/ws');

function pkg(relDir: string, name: string, workspaceDeps: string[] = []): WorkspacePackage {
  return {
    name,
    relDir,
    dir: relDir === '' ? ROOT : path.join(ROOT, relDir),
    isRoot: relDir === '',
    scripts: new Map([['build', `echo build ${name}`]]),
    workspaceDeps,
  };
}

function workspace(packages: WorkspacePackage[]): Workspace {
  return { root: ROOT, packages: [...packages].sort((a, b) => (a.relDir < b.relDir ? -1 : a.relDir > b.relDir ? 1 : 0)) };
}

/*
 * core ← lib ← app ← docs, core ← tool; standalone `other`; `@test/ui` depends on `lib` by its bare name.
 * Edges name packages (config.md §6): unknown names and self edges must be ignored.
 */
const WS = workspace([
  pkg('', 'monorepo-root', ['tool']),
  pkg('packages/core', 'core', ['nope-not-in-workspace', 'core']),
  pkg('packages/lib', 'lib', ['core']),
  pkg('packages/app', 'app', ['lib']),
  pkg('apps/docs', 'docs', ['app']),
  pkg('tools/tool', 'tool', ['core']),
  pkg('packages/other', 'other'),
  pkg('packages/scoped/ui', '@test/ui', ['lib']),
  pkg('packages/[lib]', '[lib]'),
  pkg('packages/a.b', 'a.b'),
]);

function names(ws: Workspace, cwd: string, ...values: string[]): string[] {
  return [...selectByFilters(ws, path.join(ROOT, cwd), values).packages].map((p) => p.name);
}

function unmatched(ws: Workspace, cwd: string, ...values: string[]): readonly string[] {
  return selectByFilters(ws, path.join(ROOT, cwd), values).unmatched;
}

function filterError(values: string[]): FilterError {
  try {
    selectByFilters(WS, ROOT, values);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be rejected`);
}

describe('name selectors', () => {
  it('selects the package with the exact name', () => {
    expect(names(WS, '', 'lib')).toEqual(['lib']);
    expect(names(WS, '', '@test/ui')).toEqual(['@test/ui']);
  });

  it('falls back to the unique scoped package of that name', () => {
    expect(names(WS, '', 'ui')).toEqual(['@test/ui']);
  });

  it('does not fall back when the scoped name is ambiguous, and prefers an exact name', () => {
    const ws = workspace([pkg('', 'r'), pkg('a', '@a/x'), pkg('b', '@b/x'), pkg('c', '@c/y'), pkg('d', 'y')]);
    expect(names(ws, '', 'x')).toEqual([]);
    expect(unmatched(ws, '', 'x')).toEqual(['x']);
    expect(names(ws, '', 'y')).toEqual(['y']);
  });

  it('selects every package that shares a duplicated name', () => {
    const ws = workspace([pkg('', 'r'), pkg('one', 'dup'), pkg('two', 'dup')]);
    expect([...selectByFilters(ws, ROOT, ['dup']).packages].map((p) => p.relDir)).toEqual(['one', 'two']);
  });

  it('matches name globs where only * and ? are special', () => {
    expect(names(WS, '', '@test/*')).toEqual(['@test/ui']);
    expect(names(WS, '', 'c?re')).toEqual(['core']);
    expect(names(WS, '', 'l*')).toEqual(['lib']);
    expect(names(WS, '', 'a?b')).toEqual(['a.b']);
    // `.` and brackets are literal: `a.b` is not a regex and `[lib]` is not a character class.
    expect(names(WS, '', 'a.*')).toEqual(['a.b']);
    expect(names(WS, '', '[lib]')).toEqual(['[lib]']);
    expect(names(WS, '', '[lib]*')).toEqual(['[lib]']);
  });

  it('lets * cover scoped names, as pnpm does', () => {
    expect(names(WS, '', '*').length).toBe(WS.packages.length);
    expect(names(WS, '', '*ui')).toEqual(['@test/ui']);
  });
});

describe('path selectors', () => {
  it('selects the package whose dir is exactly the path, relative to the cwd', () => {
    expect(names(WS, '', './packages/app')).toEqual(['app']);
    expect(names(WS, '', './packages/app/')).toEqual(['app']);
    expect(names(WS, 'packages/app', '.')).toEqual(['app']);
    expect(names(WS, 'packages/app', '../lib')).toEqual(['lib']);
    expect(names(WS, 'packages/app', '../..')).toEqual(['monorepo-root']);
    expect(names(WS, '', './packages/[lib]')).toEqual(['[lib]']);
  });

  it('does not select packages below a plain path', () => {
    expect(names(WS, '', './packages')).toEqual([]);
    expect(unmatched(WS, '', './packages/nope')).toEqual(['./packages/nope']);
    // The cwd inside a package dir is not that package's dir.
    expect(names(WS, 'packages/app/src', '.')).toEqual([]);
  });

  it('matches one level with * and any depth with **', () => {
    expect(names(WS, '', './packages/*')).toEqual(['[lib]', 'a.b', 'app', 'core', 'lib', 'other']);
    expect(names(WS, '', './packages/**')).toEqual(['[lib]', 'a.b', 'app', 'core', 'lib', 'other', '@test/ui']);
    expect(names(WS, '', './packages/*/ui')).toEqual(['@test/ui']);
    expect(names(WS, '', './*/d?cs')).toEqual(['docs']);
    expect(names(WS, 'packages/app', '../../tools/*')).toEqual(['tool']);
    expect(names(WS, 'packages', './**/ui')).toEqual(['@test/ui']);
  });

  it('lets ** match the base directory itself', () => {
    expect(names(WS, 'packages/scoped', './**')).toEqual(['@test/ui']);
    expect(names(WS, 'packages/scoped/ui', './**')).toEqual(['@test/ui']);
  });

  it('accepts the braced form, alone or with a name', () => {
    expect(names(WS, 'packages/app', '{.}')).toEqual(['app']);
    expect(names(WS, '', '{./packages/lib}')).toEqual(['lib']);
    expect(names(WS, '', '{packages/lib}')).toEqual(['lib']);
    expect(names(WS, '', 'l*{./packages/*}')).toEqual(['lib']);
    expect(names(WS, '', 'lib{./apps/*}')).toEqual([]);
    expect(unmatched(WS, '', 'lib{./apps/*}')).toEqual(['lib{./apps/*}']);
    expect(names(WS, '', 'ui{./packages/**}')).toEqual(['@test/ui']);
  });
});

describe('graph traversal', () => {
  it('S... adds transitive dependencies', () => {
    expect(names(WS, '', 'app...')).toEqual(['app', 'core', 'lib']);
    expect(names(WS, '', 'monorepo-root...')).toEqual(['monorepo-root', 'core', 'tool']);
  });

  it('...S adds transitive dependents', () => {
    expect(names(WS, '', '...lib')).toEqual(['docs', 'app', 'lib', '@test/ui']);
    expect(names(WS, '', '...core')).toEqual(['monorepo-root', 'docs', 'app', 'core', 'lib', '@test/ui', 'tool']);
  });

  it('^ excludes the selected packages themselves', () => {
    expect(names(WS, '', 'app^...')).toEqual(['core', 'lib']);
    expect(names(WS, '', '...^lib')).toEqual(['docs', 'app', '@test/ui']);
    // Still listed when reached from another match: `lib` is a dependency of `app`.
    expect(names(WS, '', '{./packages/*}^...')).toEqual(['core', 'lib']);
  });

  it('a matched package without dependencies is not reported as unmatched by S^...', () => {
    const result = selectByFilters(WS, ROOT, ['other^...']);
    expect(result.packages.size).toBe(0);
    expect(result.unmatched).toEqual([]);
  });

  it('...S... adds dependents and S, then all their dependencies', () => {
    expect(names(WS, '', '...lib...')).toEqual(['docs', 'app', 'core', 'lib', '@test/ui']);
    expect(names(WS, '', '...tool...')).toEqual(['monorepo-root', 'core', 'tool']);
  });

  it('expands braced path selectors but ignores ... and ^ on bare paths', () => {
    expect(names(WS, '', '{./packages/app}...')).toEqual(['app', 'core', 'lib']);
    expect(names(WS, 'packages/lib', '...{.}')).toEqual(['docs', 'app', 'lib', '@test/ui']);
    expect(names(WS, '', './packages/app...')).toEqual(['app']);
    expect(names(WS, '', '..../packages/app')).toEqual(['app']);
    expect(names(WS, '', './packages/app^...')).toEqual(['app']);
  });

  it('follows edges to every package of a duplicated name and survives cycles', () => {
    const ws = workspace([pkg('', 'r', ['dup']), pkg('one', 'dup', ['x']), pkg('two', 'dup'), pkg('x', 'x', ['r'])]);
    expect([...selectByFilters(ws, ROOT, ['r...']).packages].map((p) => p.relDir)).toEqual(['', 'one', 'two', 'x']);
    expect([...selectByFilters(ws, ROOT, ['...^{./two}']).packages].map((p) => p.relDir)).toEqual(['', 'one', 'x']);
  });
});

describe('combining selectors', () => {
  it('unions inclusions and removes exclusions, across values and whitespace', () => {
    expect(names(WS, '', 'app', 'core')).toEqual(['app', 'core']);
    expect(names(WS, '', 'app  core\tlib\n')).toEqual(['app', 'core', 'lib']);
    expect(names(WS, '', 'app...', '!lib')).toEqual(['app', 'core']);
    expect(names(WS, '', '!lib...', '...lib')).toEqual(['docs', 'app', '@test/ui']);
    expect(names(WS, '', './packages/* !{./packages/app}...')).toEqual(['[lib]', 'a.b', 'other']);
  });

  it('applies exclusions to all packages when nothing is included', () => {
    expect(names(WS, '', '!./packages/**', '!monorepo-root')).toEqual(['docs', 'tool']);
  });

  it('reports each unmatched inclusion once, as typed, in order; exclusions never', () => {
    const result = selectByFilters(WS, ROOT, ['app nope1', '@nope/*', '!nope3', 'nope1...', 'nope1', './x']);
    expect(result.unmatched).toEqual(['nope1', '@nope/*', 'nope1...', './x']);
    expect([...result.packages].map((p) => p.name)).toEqual(['app']);
  });

  it('returns an empty selection with warnings when nothing matched', () => {
    const result = selectByFilters(WS, ROOT, ['nonexistent']);
    expect(result.packages.size).toBe(0);
    expect(result.unmatched).toEqual(['nonexistent']);
  });
});

describe('invalid filters', () => {
  it('rejects an empty or blank value', () => {
    for (const value of ['', '   ', '\t\n']) {
      const e = filterError(['app', value]);
      expect(e.message).toBe('--filter value is empty');
      expect(e.causes).toEqual([]);
    }
  });

  it('rejects selectors that are only operators', () => {
    for (const token of ['!', '...', '...^', '^...', '!...', '{}', 'app{}']) {
      const e = filterError([token]);
      expect(e.message).toBe('invalid --filter expression');
      expect(e.causes).toEqual(['Empty filter selector']);
    }
  });

  it('rejects ** glued to other characters and .. after a wildcard', () => {
    for (const typed of ['./packages/**x', './a***', './*/..']) {
      const e = filterError([`{${typed}}`]);
      expect(e.causes).toEqual([`Invalid glob pattern: ${typed}`]);
      expect(filterError([typed]).causes).toEqual([`Invalid glob pattern: ${typed}`]);
    }
  });

  it('is a VtError so the CLI prints it as error: + * lines', () => {
    const e = filterError(['!']);
    expect(e).toBeInstanceOf(VtError);
    expect(e.render()).toBe('error: invalid --filter expression\n* Empty filter selector\n');
  });
});

describe('unreadable --filter values are query conflicts (cli.md §3)', () => {
  const query = { recursive: false, transitive: false, workspaceRoot: false, failIfNoMatch: false, ignoreDependsOn: false };

  it.each([
    [[''], undefined, 'error: --filter value is empty\n'],
    [['app', ' '], 'build', 'error: --filter value is empty\n'],
    [['!'], undefined, 'error: invalid --filter expression\n* Empty filter selector\n'],
    [['./x/a**'], 'build', 'error: invalid --filter expression\n* Invalid glob pattern: ./x/a**\n'],
  ])('%j (task %s) is rejected with the other conflicts, before any workspace is read', (filters, specifier, rendered) => {
    let caught: unknown;
    try {
      checkQueryConflicts({ ...query, filters, specifier }, ROOT);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(VtError);
    expect((caught as VtError).render()).toBe(rendered);
  });

  it('flag conflicts are still reported first', () => {
    expect(() => checkQueryConflicts({ ...query, recursive: true, filters: [''], specifier: 'build' }, ROOT)).toThrow(
      '--filter and --recursive cannot be used together',
    );
  });
});
