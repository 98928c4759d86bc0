import type { Workspace, WorkspacePackage } from '../workspace/types.js';
import { FilterError } from './filter-error.js';
import { buildFilterGraph, reachable, type FilterGraph } from './filter-graph.js';
import { matchTarget } from './filter-match.js';
import { parseSelector, type Selector } from './filter-parse.js';

export { FilterError } from './filter-error.js';

export interface FilterResult {
  /** Selected packages, in workspace order (sorted by relative dir). */
  readonly packages: ReadonlySet<WorkspacePackage>;
  /** Inclusion selectors, as typed, that matched no package; each distinct selector once, in typed order. */
  readonly unmatched: readonly string[];
}

/** ASCII whitespace as in `split_ascii_whitespace`: space, tab, LF, FF, CR. */
const ASCII_WHITESPACE = /[ \t\n\f\r]+/;

function expand(graph: FilterGraph, seeds: readonly WorkspacePackage[], selector: Selector): Set<WorkspacePackage> {
  const t = selector.traversal;
  if (t === undefined) return new Set(seeds);
  switch (t.direction) {
    case 'dependencies':
      return reachable(graph.dependencies, seeds, !t.excludeSelf);
    case 'dependents':
      return reachable(graph.dependents, seeds, !t.excludeSelf);
    case 'both': {
      const upward = reachable(graph.dependents, seeds, !t.excludeSelf);
      return reachable(graph.dependencies, upward, true);
    }
  }
}

/**
 * Splits `--filter` values on ASCII whitespace and parses each selector. Needs no workspace, so that a value
 * that cannot be read is reported before anything else (cli.md §3): `--filter value is empty`, `invalid
 * --filter expression`.
 */
export function parseFilters(values: readonly string[], cwd: string): Selector[] {
  const selectors: Selector[] = [];
  for (const value of values) {
    const tokens = value.split(ASCII_WHITESPACE).filter((t) => t !== '');
    if (tokens.length === 0) throw new FilterError('--filter value is empty');
    for (const token of tokens) selectors.push(parseSelector(token, cwd));
  }
  return selectors;
}

/**
 * Applies `--filter` values (config.md §8). `values` are the raw values in order; each is split on ASCII
 * whitespace into selectors. `cwd` is absolute: path selectors are relative to it. The union of the inclusions,
 * minus the exclusions; with exclusions only, they are taken from all packages.
 */
export function selectByFilters(ws: Workspace, cwd: string, values: readonly string[]): FilterResult {
  const selectors = parseFilters(values, cwd);
  const graph = buildFilterGraph(ws);
  const included = new Set<WorkspacePackage>();
  const excluded = new Set<WorkspacePackage>();
  const unmatched: string[] = [];
  let hasInclusion = false;
  for (const selector of selectors) {
    const seeds = matchTarget(ws, selector.target);
    const selected = expand(graph, seeds, selector);
    if (selector.exclude) {
      for (const pkg of selected) excluded.add(pkg);
      continue;
    }
    hasInclusion = true;
    if (seeds.length === 0 && !unmatched.includes(selector.source)) unmatched.push(selector.source);
    for (const pkg of selected) included.add(pkg);
  }

  const base = hasInclusion ? ws.packages.filter((p) => included.has(p)) : ws.packages;
  return { packages: new Set(base.filter((p) => !excluded.has(p))), unmatched };
}
