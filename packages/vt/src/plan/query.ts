import type { RunArgs } from '../cli/args.js';
import { taskLabel, type TaskDefinition, type TaskUniverse } from '../config/tasks.js';
import { VtError } from '../errors.js';
import { containingPackage } from '../workspace/discover.js';
import { packagesByName, type PackageGraph } from '../workspace/graph.js';
import type { Workspace, WorkspacePackage } from '../workspace/types.js';
import { parseFilters, selectByFilters } from './filter.js';
import { reachable } from './filter-graph.js';
import { GraphBuilder, type TaskGraph } from './graph.js';

/** The parts of RunArgs that decide which tasks run (the skip rule compares these, cli.md §8). */
export type Query = Pick<
  RunArgs,
  'recursive' | 'transitive' | 'workspaceRoot' | 'filters' | 'failIfNoMatch' | 'ignoreDependsOn' | 'specifier'
>;

export interface PlanContext {
  readonly ws: Workspace;
  readonly universe: TaskUniverse;
  readonly graph: PackageGraph;
}

export type Selection =
  | { readonly kind: 'packages'; readonly packages: ReadonlySet<WorkspacePackage>; readonly taskName: string; readonly implicit: boolean; readonly warnings: readonly string[] }
  /** Filters matched no package: warn, run nothing, exit 0 (config.md §8). */
  | { readonly kind: 'no-packages'; readonly warnings: readonly string[] };

/**
 * Checks flag combinations that cannot mean anything, and `--filter` values that cannot be read (cli.md §3),
 * before anything else: no workspace, config or task specifier is needed for these errors. `cwd` is absolute
 * (path selectors are resolved against it).
 */
export function checkQueryConflicts(q: Query, cwd: string): void {
  const hasPkg = q.specifier?.includes('#') ?? false;
  if (q.recursive && q.transitive) throw new VtError('--recursive and --transitive cannot be used together');
  if (q.filters.length > 0 && q.transitive) throw new VtError('--filter and --transitive cannot be used together');
  if (q.filters.length > 0 && q.recursive) throw new VtError('--filter and --recursive cannot be used together');
  if (hasPkg && q.recursive) throw new VtError('cannot specify package name with --recursive');
  if (hasPkg && q.filters.length > 0) throw new VtError('cannot specify package name with --filter');
  if (hasPkg && q.workspaceRoot) throw new VtError('cannot specify package name with --workspace-root');
  parseFilters(q.filters, cwd);
}

/** Splits `pkg#task` on the last `#` (config.md §7). */
export function parseSpecifier(spec: string): { pkg: string | undefined; task: string } {
  const at = spec.lastIndexOf('#');
  return at < 0 ? { pkg: undefined, task: spec } : { pkg: spec.slice(0, at), task: spec.slice(at + 1) };
}

function findPackageByName(ws: Workspace, name: string): WorkspacePackage {
  const found = packagesByName(ws).get(name) ?? [];
  if (found.length === 0) throw new VtError(`Package '${name}' not found`);
  if (found.length > 1) {
    throw new VtError(`Package name '${name}' is ambiguous; found in multiple locations: ${found.map((p) => p.dir).join(', ')}`);
  }
  return found[0]!;
}

function withDependencies(graph: PackageGraph, start: Iterable<WorkspacePackage>): Set<WorkspacePackage> {
  return reachable(graph, start, true);
}

/** Which packages the query selects (config.md §9 step 1). `taskName` is the task to map onto them. */
export function selectPackages(ctx: PlanContext, q: Query, cwd: string): Selection {
  const { ws, graph } = ctx;
  const { pkg: pkgName, task: taskName } = parseSpecifier(q.specifier ?? '');
  const root = ws.packages.find((p) => p.isRoot)!;
  if (pkgName !== undefined) {
    const pkg = findPackageByName(ws, pkgName);
    const packages = q.transitive ? withDependencies(graph, [pkg]) : new Set([pkg]);
    return { kind: 'packages', packages, taskName, implicit: false, warnings: [] };
  }
  if (q.filters.length > 0) {
    const result = selectByFilters(ws, cwd, q.filters);
    if (q.failIfNoMatch && result.unmatched.length > 0) {
      throw new VtError(`No packages matched the filter: ${result.unmatched[0]}`);
    }
    const warnings = result.unmatched.map((s) => `No packages matched the filter: ${s}`);
    if (result.packages.size === 0) return { kind: 'no-packages', warnings };
    return { kind: 'packages', packages: new Set(result.packages), taskName, implicit: false, warnings };
  }
  if (q.recursive) return { kind: 'packages', packages: new Set(ws.packages), taskName, implicit: false, warnings: [] };
  if (q.workspaceRoot) {
    const packages = q.transitive ? withDependencies(graph, [root]) : new Set([root]);
    return { kind: 'packages', packages, taskName, implicit: false, warnings: [] };
  }
  const here = containingPackage(ws, cwd);
  if (q.transitive) return { kind: 'packages', packages: withDependencies(graph, [here]), taskName, implicit: false, warnings: [] };
  return { kind: 'packages', packages: new Set([here]), taskName, implicit: true, warnings: [] };
}

/** Resolves one `dependsOn` entry of `owner` (config.md §1 lookup errors). */
export function resolveDependsOn(ctx: PlanContext, owner: TaskDefinition, spec: string): TaskDefinition {
  const fail = (cause: string): VtError =>
    new VtError(`Failed to lookup dependency '${spec}' for task ${taskLabel(owner)}`, [cause]);
  const { pkg: pkgName, task } = parseSpecifier(spec);
  let pkg = owner.pkg;
  if (pkgName !== undefined) {
    const found = packagesByName(ctx.ws).get(pkgName) ?? [];
    if (found.length === 0) throw fail(`Package '${pkgName}' not found`);
    if (found.length > 1) {
      throw fail(`Package '${pkgName}' is ambiguous among multiple packages: [${found.map((p) => p.dir).join(', ')}]`);
    }
    pkg = found[0]!;
  }
  const target = ctx.universe.tasks.get(pkg)?.get(task);
  if (!target) throw fail(`Task '${task}' not found in package ${pkg.name}`);
  return target;
}

/** Validates every `dependsOn` of the workspace, on every run (config.md §1). */
export function validateAllDependsOn(ctx: PlanContext): void {
  for (const tasks of ctx.universe.tasks.values()) {
    for (const task of tasks.values()) for (const spec of task.dependsOn) resolveDependsOn(ctx, task, spec);
  }
}

/**
 * Maps a package selection onto a task graph (config.md §9 steps 2–3, §5): tasks of selected packages,
 * ordering edges from the package graph (bridging packages without the task), `dependsOn` closure and
 * pre/post hooks.
 */
export function buildTaskGraph(ctx: PlanContext, selection: Extract<Selection, { kind: 'packages' }>, q: Query): TaskGraph {
  const builder = new GraphBuilder();
  const { universe, graph } = ctx;
  const taskOf = (pkg: WorkspacePackage, name: string): TaskDefinition | undefined => universe.tasks.get(pkg)?.get(name);

  const selected = [...selection.packages].filter((p) => taskOf(p, selection.taskName) !== undefined);
  for (const pkg of selected) builder.add(taskOf(pkg, selection.taskName)!, true);

  // Ordering edges: the nearest dependencies that have the task, walking through packages that don't.
  const hasNode = new Set(selected);
  for (const pkg of selected) {
    const node = builder.get(taskOf(pkg, selection.taskName)!)!;
    const seen = new Set<WorkspacePackage>();
    const todo = [...(graph.get(pkg) ?? [])];
    while (todo.length > 0) {
      const dep = todo.pop()!;
      if (seen.has(dep)) continue;
      seen.add(dep);
      if (hasNode.has(dep)) builder.edge(node, builder.get(taskOf(dep, selection.taskName)!)!);
      else todo.push(...(graph.get(dep) ?? []));
    }
  }

  if (!q.ignoreDependsOn) {
    const todo = builder.nodes();
    while (todo.length > 0) {
      const node = todo.pop()!;
      for (const spec of node.task.dependsOn) {
        const target = resolveDependsOn(ctx, node.task, spec);
        const existed = builder.get(target) !== undefined;
        const depNode = builder.add(target, false);
        builder.edge(node, depNode);
        if (!existed) todo.push(depNode);
      }
    }
  }

  if (universe.settings.enablePrePostScripts) addHooks(builder, universe);
  return builder.build();
}

/** Adds `preX`/`postX` scripts around every script task X (one level deep, config.md §5). */
function addHooks(builder: GraphBuilder, universe: TaskUniverse): void {
  for (const node of builder.nodes()) {
    if (node.task.kind !== 'script') continue;
    const scripts = universe.tasks.get(node.task.pkg)!;
    const pre = scripts.get(`pre${node.task.name}`);
    const post = scripts.get(`post${node.task.name}`);
    if (pre?.kind === 'script' && !builder.get(pre)) {
      const preNode = builder.add(pre, false);
      for (const d of builder.depsOf(node)) builder.edge(preNode, d);
      builder.edge(node, preNode);
    }
    if (post?.kind === 'script' && !builder.get(post)) {
      const postNode = builder.add(post, false);
      builder.edge(postNode, node);
      for (const other of builder.nodes()) {
        if (other !== postNode && builder.depsOf(other).has(node)) builder.edge(other, postNode);
      }
    }
  }
}
