import type { Workspace, WorkspacePackage } from '../workspace/types.js';

/**
 * Both directions of the package graph (config.md §6), as filters need them. Unlike planning, filtering never has
 * to resolve a name to one package, so a duplicated dependency name is an edge to every package of that name.
 */
export interface FilterGraph {
  readonly dependencies: ReadonlyMap<WorkspacePackage, readonly WorkspacePackage[]>;
  readonly dependents: ReadonlyMap<WorkspacePackage, readonly WorkspacePackage[]>;
}

function push(map: Map<WorkspacePackage, WorkspacePackage[]>, key: WorkspacePackage, value: WorkspacePackage): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

export function buildFilterGraph(ws: Workspace): FilterGraph {
  const byName = new Map<string, WorkspacePackage[]>();
  for (const pkg of ws.packages) {
    const list = byName.get(pkg.name);
    if (list === undefined) byName.set(pkg.name, [pkg]);
    else list.push(pkg);
  }
  const dependencies = new Map<WorkspacePackage, WorkspacePackage[]>();
  const dependents = new Map<WorkspacePackage, WorkspacePackage[]>();
  for (const pkg of ws.packages) {
    for (const name of pkg.workspaceDeps) {
      for (const target of byName.get(name) ?? []) {
        if (target === pkg) continue;
        push(dependencies, pkg, target);
        push(dependents, target, pkg);
      }
    }
  }
  return { dependencies, dependents };
}

/**
 * Everything reachable from `seeds` along `edges`. Seeds are part of the result only with `includeSeeds`, or when
 * the walk reaches them from another seed (so `a^...` still lists `b` when `a` and `b` both match and `a` uses `b`).
 */
export function reachable(
  edges: ReadonlyMap<WorkspacePackage, readonly WorkspacePackage[]>,
  seeds: Iterable<WorkspacePackage>,
  includeSeeds: boolean,
): Set<WorkspacePackage> {
  const out = new Set<WorkspacePackage>();
  const todo: WorkspacePackage[] = [];
  for (const seed of seeds) {
    if (includeSeeds) out.add(seed);
    todo.push(...(edges.get(seed) ?? []));
  }
  while (todo.length > 0) {
    const pkg = todo.pop()!;
    if (out.has(pkg)) continue;
    out.add(pkg);
    todo.push(...(edges.get(pkg) ?? []));
  }
  return out;
}
