import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { globbedFiles } from '../src/cache/globs.js';
import { normaliseGlob, resolveIoConfig } from '../src/config/globs.js';
import { makeTree } from './helpers.js';

describe('input/output globs naming a directory without a glob (tracing.md §6)', () => {
  const root = makeTree({ 'package.json': '{}', 'src/a.ts': 'a', 'packages/a/package.json': '{}', 'packages/a/src/b.ts': 'b' }, 'vt-dir-globs-');
  const pkg = path.join(root, 'packages/a');
  const globs = (patterns: string[], base: string) =>
    resolveIoConfig(patterns.map((pattern) => ({ kind: 'glob', pattern, base: 'package' }) as const), base, root);
  /** The regular files hashed as globbed inputs. */
  const matched = (patterns: string[], base: string): readonly string[] => globbedFiles(root, globs(patterns, base), undefined).rels;

  it.each([
    ['.', 'the root'],
    ['src/..', 'the root'],
    ['../..', 'packages/a'],
    ['..', 'packages/a'],
    ['.', 'packages/a'],
    ['src', 'the root'],
  ])('%s in %s matches nothing, like any bare directory name', (pattern, where) => {
    const base = where === 'the root' ? root : pkg;
    expect(normaliseGlob(pattern, base, root)).not.toBe('**');
    expect(matched([pattern], base)).toEqual([]);
  });

  it('a trailing slash still means everything below: `./` at the root is the whole workspace, `./` in a package that package', () => {
    expect(normaliseGlob('./', root, root)).toBe('**');
    expect(normaliseGlob('./', pkg, root)).toBe('packages/a/**');
    expect(normaliseGlob('../../', pkg, root)).toBe('**');
    expect(matched(['./'], pkg)).toEqual(['packages/a/package.json', 'packages/a/src/b.ts']);
  });

  it('a negative naming the root directory excludes nothing', () => {
    expect(matched(['src/**', '!.'], root)).toEqual(['src/a.ts']);
  });

  it('the root literal stays distinct in the key from an empty list and from `**`', () => {
    expect(globs(['.'], root).positive).toEqual(['.']);
  });
});
