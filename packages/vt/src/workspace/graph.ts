import { VtError } from '../errors.js';
import type { Workspace, WorkspacePackage } from './types.js';

/** Package → the workspace packages it depends on (config.md §6). */
export type PackageGraph = ReadonlyMap<WorkspacePackage, readonly WorkspacePackage[]>;

/** Packages by name; a name may be shared by several packages (an error only where it must resolve to one). */
export function packagesByName(ws: Workspace): Map<string, WorkspacePackage[]> {
  const byName = new Map<string, WorkspacePackage[]>();
  for (const pkg of ws.packages) {
    const list = byName.get(pkg.name);
    if (list) list.push(pkg);
    else byName.set(pkg.name, [pkg]);
  }
  return byName;
}

/** Builds dependency edges from `workspace:` specs. Unknown names are ignored; duplicated targets are an error. */
export function buildPackageGraph(ws: Workspace): PackageGraph {
  const byName = packagesByName(ws);
  const graph = new Map<WorkspacePackage, WorkspacePackage[]>();
  for (const pkg of ws.packages) {
    const deps: WorkspacePackage[] = [];
    for (const name of pkg.workspaceDeps) {
      const targets = byName.get(name);
      if (!targets) continue;
      if (targets.length > 1) {
        throw new VtError(`Duplicate package name \`${name}\` found at \`${targets[0]!.dir}\` and \`${targets[1]!.dir}\``);
      }
      if (targets[0] !== pkg) deps.push(targets[0]!);
    }
    graph.set(pkg, deps);
  }
  return graph;
}
