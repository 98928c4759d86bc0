import os from 'node:os';
import path from 'node:path';
import { parseRunArgs } from '../cli/args.js';
import { taskLabel, type TaskDefinition } from '../config/tasks.js';
import { UsageError, VtError } from '../errors.js';
import { shellEscape, splitCommand, type SimpleCommand } from './command.js';
import { findCycle, type TaskGraph, type TaskNode } from './graph.js';
import { withTaskPath, type Env } from './env.js';
import { concurrencyLimit } from './concurrency-limit.js';
import { programFingerprint, resolveProgram } from './program.js';
import { buildTaskGraph, checkQueryConflicts, selectPackages, type PlanContext, type Query, type Selection } from './query.js';

/** Why an item runs without the cache; each maps to one summary detail line. */
export type CacheMode =
  | { readonly enabled: true }
  | { readonly enabled: false; readonly reason: 'builtin' | 'config' };

export interface SpawnItem {
  readonly kind: 'spawn';
  /** Index of the item within its task (part of the task key). */
  readonly index: number;
  /** Displayed after `$ `: the original segment text plus escaped TASK_ARGS. */
  readonly text: string;
  readonly cwd: string;
  /** Absolute path of the program. */
  readonly program: string;
  readonly programFingerprint: string;
  readonly args: readonly string[];
  /** Context env (vt's env + enclosing nested prefixes); the IPC answers from this plus prefixEnv. */
  readonly contextEnv: Env;
  readonly prefixEnv: Env;
  readonly taskArgs: readonly string[];
  readonly cache: CacheMode;
}

export interface EchoItem {
  readonly kind: 'echo';
  readonly index: number;
  readonly text: string;
  readonly cwd: string;
  readonly output: string;
}

export interface NestedItem {
  readonly kind: 'nested';
  readonly index: number;
  readonly text: string;
  readonly plan: ExecutionPlan;
}

export type Item = SpawnItem | EchoItem | NestedItem;

export interface PlannedTask {
  readonly node: TaskNode;
  readonly items: readonly Item[];
}

/** One graph to execute with its own concurrency limit (cli.md §6); nested runs are graphs inside items. */
export interface ExecutionPlan {
  readonly tasks: readonly PlannedTask[];
  readonly deps: ReadonlyMap<PlannedTask, ReadonlySet<PlannedTask>>;
  /** Max tasks at once; Infinity for `--parallel` without a limit. */
  readonly limit: number;
}

/** Per-graph settings that nested runs inherit or override. */
export interface GraphSettings {
  readonly cwd: string;
  readonly contextEnv: Env;
  /** Resolved `--cache`/`--no-cache` in force for this graph, undefined = config decides. */
  readonly cacheFlag: boolean | undefined;
}

/** The identity the skip rule compares (cli.md §8): package selection, task name, --ignore-depends-on. */
interface QuerySignature {
  readonly packages: ReadonlySet<string>;
  readonly taskName: string;
  readonly ignoreDependsOn: boolean;
}

interface Frame {
  readonly task: TaskDefinition;
  readonly signature: QuerySignature;
}

export interface Planner {
  readonly ctx: PlanContext;
  /** Warnings to print before execution (unmatched nested filters). */
  readonly warnings: string[];
}

function signatureOf(selection: Extract<Selection, { kind: 'packages' }>, q: Query): QuerySignature {
  return {
    packages: new Set([...selection.packages].map((p) => p.relDir)),
    taskName: selection.taskName,
    ignoreDependsOn: q.ignoreDependsOn,
  };
}

function sameSignature(a: QuerySignature, b: QuerySignature): boolean {
  return (
    a.taskName === b.taskName &&
    a.ignoreDependsOn === b.ignoreDependsOn &&
    a.packages.size === b.packages.size &&
    [...a.packages].every((p) => b.packages.has(p))
  );
}

function cacheModeFor(task: TaskDefinition, settings: GraphSettings, planner: Planner): CacheMode {
  if (settings.cacheFlag === false) return { enabled: false, reason: 'config' };
  if (!task.cacheAllowed) return { enabled: false, reason: 'config' };
  if (settings.cacheFlag === true) return { enabled: true };
  const { cacheTasks, cacheScripts } = planner.ctx.universe.settings;
  return (task.kind === 'config' ? cacheTasks : cacheScripts) ? { enabled: true } : { enabled: false, reason: 'config' };
}

/**
 * Plans a graph that has already been selected: expands every task's command into items, recursing into
 * nested `vt run` items (cli.md §8), and checks for cycles.
 */
export function planGraph(
  planner: Planner,
  graph: TaskGraph,
  signature: QuerySignature,
  settings: GraphSettings,
  limit: number,
  parallel: boolean,
  taskArgs: readonly string[],
  stack: readonly Frame[],
): ExecutionPlan {
  const cycle = findCycle(graph);
  if (cycle) throw new VtError(`Cycle dependency detected: ${cycle.map((n) => taskLabel(n.task)).join(' -> ')}`);
  const planned = new Map<TaskNode, PlannedTask>();
  for (const node of graph.nodes) {
    const args = node.explicit ? taskArgs : [];
    const frames = [...stack, { task: node.task, signature }];
    planned.set(node, { node, items: planItems(planner, node.task, args, settings, frames) });
  }
  const deps = new Map<PlannedTask, Set<PlannedTask>>();
  for (const node of graph.nodes) {
    const own = parallel ? [] : [...(graph.deps.get(node) ?? [])];
    deps.set(planned.get(node)!, new Set(own.map((d) => planned.get(d)!)));
  }
  return { tasks: [...planned.values()], deps, limit };
}

/** Expands a task's command elements into items: `&&` splitting, builtins, nested runs, program lookup. */
function planItems(
  planner: Planner,
  task: TaskDefinition,
  taskArgs: readonly string[],
  settings: GraphSettings,
  frames: readonly Frame[],
): Item[] {
  const { ws } = planner.ctx;
  // Flatten into a list of pending items first, so that TASK_ARGS can go to the very last one.
  type Pending = { kind: 'simple'; cmd: SimpleCommand } | { kind: 'shell'; script: string };
  const pending: Pending[] = [];
  for (const command of task.commands) {
    const split = splitCommand(command);
    if (split.kind === 'shell') pending.push({ kind: 'shell', script: split.script });
    else for (const cmd of split.items) pending.push({ kind: 'simple', cmd });
  }
  let lastRunnable = -1;
  pending.forEach((p, i) => {
    if (!(p.kind === 'simple' && p.cmd.argv[0] === 'cd')) lastRunnable = i;
  });

  const items: Item[] = [];
  let cwd = task.cwd;
  const cacheMode = cacheModeFor(task, settings, planner);
  pending.forEach((p, i) => {
    const args = i === lastRunnable ? taskArgs : [];
    const argsText = args.map(shellEscape).join(' ');
    const withArgs = (text: string): string => (argsText === '' ? text : `${text} ${argsText}`);
    const index = items.length;
    if (p.kind === 'shell') {
      const script = withArgs(p.script);
      const env = withTaskPath(settings.contextEnv, task.pkg.dir, ws.root);
      const program = resolveProgram('/bin/sh', cwd, env.PATH ?? '');
      items.push({
        kind: 'spawn', index, text: script, cwd, program, programFingerprint: programFingerprint(program, ws.root),
        args: ['-c', script], contextEnv: settings.contextEnv, prefixEnv: {}, taskArgs: args, cache: cacheMode,
      });
      return;
    }
    const { cmd } = p;
    const argv = [...cmd.argv, ...args];
    const text = withArgs(cmd.text);
    const prefixEnv = Object.fromEntries(cmd.assignments);
    const [program, ...rest] = argv as [string, ...string[]];
    if (program === 'cd') {
      if (rest.length > 1) throw new VtError(`Too many args for 'cd' command`);
      const home = settings.contextEnv.HOME ?? os.homedir();
      cwd = rest.length === 0 ? home : path.resolve(cwd, rest[0]!);
      return;
    }
    if (program === 'echo') {
      const noNewline = rest[0] === '-n';
      const words = noNewline ? rest.slice(1) : rest;
      items.push({ kind: 'echo', index, text, cwd, output: words.join(' ') + (noNewline ? '' : '\n') });
      return;
    }
    if (program === 'vt' && rest[0] === 'run') {
      const nested = planNested(planner, task, text, rest.slice(1), prefixEnv, cwd, settings, frames);
      if (nested === 'bare') {
        const env = withTaskPath({ ...settings.contextEnv, ...prefixEnv }, task.pkg.dir, ws.root);
        const resolved = resolveVt(cwd, env.PATH ?? '');
        items.push({
          kind: 'spawn', index, text, cwd, program: resolved.program, programFingerprint: 'vt',
          args: [...resolved.args, ...rest], contextEnv: settings.contextEnv, prefixEnv, taskArgs: args,
          cache: { enabled: false, reason: 'builtin' },
        });
      } else if (nested !== 'skip') {
        items.push({ kind: 'nested', index, text, plan: nested });
      }
      return;
    }
    const env = withTaskPath({ ...settings.contextEnv, ...prefixEnv }, task.pkg.dir, ws.root);
    const resolved = resolveProgram(program, cwd, env.PATH ?? '');
    items.push({
      kind: 'spawn', index, text, cwd, program: resolved, programFingerprint: programFingerprint(resolved, ws.root),
      args: rest, contextEnv: settings.contextEnv, prefixEnv, taskArgs: args, cache: cacheMode,
    });
  });
  return items;
}

/** A bare nested `vt run` is spawned; prefer the `vt` on PATH, else this very CLI. */
function resolveVt(cwd: string, pathValue: string): { program: string; args: string[] } {
  try {
    return { program: resolveProgram('vt', cwd, pathValue), args: [] };
  } catch {
    return { program: process.execPath, args: [process.argv[1]!] };
  }
}

/** Plans a nested `vt run …` item, or says it is bare (spawned) or skipped (cli.md §8). */
function planNested(
  planner: Planner,
  task: TaskDefinition,
  text: string,
  argv: readonly string[],
  prefixEnv: Env,
  cwd: string,
  parent: GraphSettings,
  frames: readonly Frame[],
): ExecutionPlan | 'bare' | 'skip' {
  const wrap = (err: unknown): unknown => {
    if (err instanceof VtError) return err.wrap(`Failed to plan tasks from \`${text}\` in task ${taskLabel(task)}`);
    if (err instanceof UsageError) {
      return new VtError(`Failed to plan tasks from \`${text}\` in task ${taskLabel(task)}`, [err.message.split('\n')[0]!]);
    }
    return err;
  };
  try {
    const parsed = parseRunArgs(argv);
    if (parsed === 'last-details') return 'bare';
    if (parsed.specifier === undefined) return 'bare';
    checkQueryConflicts(parsed, cwd);
    const settings: GraphSettings = {
      cwd,
      contextEnv: { ...parent.contextEnv, ...prefixEnv },
      cacheFlag: parsed.cache ?? parent.cacheFlag,
    };
    const limit = concurrencyLimit(parsed, settings.contextEnv);
    const selection = selectPackages(planner.ctx, parsed, cwd);
    if (selection.kind === 'no-packages') {
      planner.warnings.push(...selection.warnings);
      return 'skip';
    }
    planner.warnings.push(...selection.warnings);
    const signature = signatureOf(selection, parsed);
    const enclosing = frames[frames.length - 1]!;
    if (sameSignature(signature, enclosing.signature)) return 'skip';
    const graph = buildTaskGraph(planner.ctx, selection, parsed);
    if (graph.nodes.length === 0) throw new VtError(`Task "${selection.taskName}" not found`);
    // Prune rule: the enclosing task itself is removed, its neighbours linked.
    const self = graph.nodes.find((n) => n.task === enclosing.task);
    const pruned = self ? removeNode(graph, self) : graph;
    for (const node of pruned.nodes) {
      const at = frames.findIndex((f) => f.task === node.task);
      if (at >= 0) throw new VtError(`Detected a recursion in task call stack: the last frame calls the ${at + 1}th frame`);
    }
    return planGraph(planner, pruned, signature, settings, limit, parsed.parallel, parsed.taskArgs, frames);
  } catch (err) {
    throw wrap(err);
  }
}

function removeNode(graph: TaskGraph, node: TaskNode): TaskGraph {
  const own = graph.deps.get(node) ?? new Set<TaskNode>();
  const deps = new Map<TaskNode, Set<TaskNode>>();
  for (const [n, set] of graph.deps) {
    if (n === node) continue;
    const next = new Set([...set].filter((d) => d !== node));
    if (set.has(node)) for (const d of own) next.add(d);
    deps.set(n, next);
  }
  return { nodes: graph.nodes.filter((n) => n !== node), deps };
}

export { signatureOf, type QuerySignature, type Frame };
