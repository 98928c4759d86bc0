import path from 'node:path';
import { FilterError } from './filter-error.js';
import { compileNameGlob, compilePathGlob, hasWildcard } from './filter-glob.js';

/**
 * One `--filter` selector after parsing (config.md §8). Parsing resolves path selectors against the cwd once, so
 * matching never has to look at the cwd again.
 */
export interface Selector {
  /** The selector exactly as typed; unmatched inclusions are reported with it. */
  readonly source: string;
  readonly exclude: boolean;
  readonly target: Target;
  /** Absent when the selector has no `...`, so "exclude self without expansion" cannot be represented. */
  readonly traversal?: Traversal;
}

export type Target =
  | { readonly kind: 'name'; readonly name: NamePattern }
  | { readonly kind: 'dir'; readonly dir: DirPattern }
  | { readonly kind: 'name-and-dir'; readonly name: NamePattern; readonly dir: DirPattern };

export type NamePattern =
  /** An exact name, falling back to the unique `@{scope}/{name}` package. */
  | { readonly kind: 'exact'; readonly name: string }
  | { readonly kind: 'glob'; readonly regex: RegExp };

export type DirPattern =
  /** Plain paths select exactly that directory (pnpm's glob-dir semantics): `./packages` is not `./packages/*`. */
  | { readonly kind: 'exact'; readonly dir: string }
  /** `base` is the absolute, wildcard-free prefix; `test` matches the segments of a package dir relative to it. */
  | { readonly kind: 'glob'; readonly base: string; readonly test: (relSegments: readonly string[]) => boolean };

export interface Traversal {
  /** `both` is `...S...`: S's dependents (and S), then everything those depend on. */
  readonly direction: 'dependencies' | 'dependents' | 'both';
  /** `^`: the matched packages themselves are dropped unless the walk reaches them from another match. */
  readonly excludeSelf: boolean;
}

const ELLIPSIS = '...';

function invalidGlob(pattern: string): FilterError {
  return new FilterError('invalid --filter expression', [`Invalid glob pattern: ${pattern}`]);
}

function emptySelector(): FilterError {
  return new FilterError('invalid --filter expression', ['Empty filter selector']);
}

function parseName(name: string): NamePattern {
  return hasWildcard(name) ? { kind: 'glob', regex: compileNameGlob(name) } : { kind: 'exact', name };
}

/**
 * Resolves a path selector against the cwd. Wildcards may appear only after a wildcard-free base, and `**` must
 * be a whole path segment (as in every globstar dialect); anything else is an invalid glob.
 */
function parseDir(typed: string, cwd: string): DirPattern {
  const segments = (path.sep === '\\' ? typed.replaceAll('\\', '/') : typed).split('/');
  const firstGlob = segments.findIndex(hasWildcard);
  if (firstGlob < 0) return { kind: 'exact', dir: path.resolve(cwd, typed) };
  const globSegments = segments.slice(firstGlob).filter((s) => s !== '' && s !== '.');
  for (const seg of globSegments) {
    if (seg.includes('**') && seg !== '**') throw invalidGlob(typed);
    if (seg === '..') throw invalidGlob(typed);
  }
  const base = path.resolve(cwd, segments.slice(0, firstGlob).join('/') || '.');
  return { kind: 'glob', base, test: compilePathGlob(globSegments) };
}

const isBarePath = (core: string): boolean => core.startsWith('.');

/** Parses one whitespace-free selector token (config.md §8). `cwd` is absolute. */
export function parseSelector(source: string, cwd: string): Selector {
  let rest = source;
  const exclude = rest.startsWith('!');
  if (exclude) rest = rest.slice(1);

  let dependents = false;
  let dependencies = false;
  let excludeSelf = false;
  if (rest.startsWith(ELLIPSIS)) {
    dependents = true;
    rest = rest.slice(ELLIPSIS.length);
    if (rest.startsWith('^')) {
      excludeSelf = true;
      rest = rest.slice(1);
    }
  }
  if (rest.endsWith(ELLIPSIS)) {
    dependencies = true;
    rest = rest.slice(0, -ELLIPSIS.length);
    if (rest.endsWith('^')) {
      excludeSelf = true;
      rest = rest.slice(0, -1);
    }
  }
  if (rest === '') throw emptySelector();

  const traversal: Traversal | undefined =
    dependents || dependencies
      ? { direction: dependents && dependencies ? 'both' : dependents ? 'dependents' : 'dependencies', excludeSelf }
      : undefined;

  const braced = /^([^{}]*)\{([^{}]*)\}$/.exec(rest);
  if (braced) {
    const [, name = '', dir = ''] = braced;
    if (dir === '') throw emptySelector();
    const dirPattern = parseDir(dir, cwd);
    const target: Target =
      name === '' ? { kind: 'dir', dir: dirPattern } : { kind: 'name-and-dir', name: parseName(name), dir: dirPattern };
    return traversal ? { source, exclude, target, traversal } : { source, exclude, target };
  }
  if (isBarePath(rest)) {
    // `...` and `^` on a bare path are ignored (config.md §8): `{./dir}...` is the form that expands.
    return { source, exclude, target: { kind: 'dir', dir: parseDir(rest, cwd) } };
  }
  const target: Target = { kind: 'name', name: parseName(rest) };
  return traversal ? { source, exclude, target, traversal } : { source, exclude, target };
}
