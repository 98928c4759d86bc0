import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, cacheRoot } from '../cache/location.js';
import { createCacheSession } from '../cache/session.js';
import { loadTaskUniverse } from '../config/tasks.js';
import { UsageError, VtError } from '../errors.js';
import { concurrencyLimit } from '../plan/concurrency-limit.js';
import { planGraph, signatureOf, type Planner } from '../plan/plan.js';
import { buildTaskGraph, checkQueryConflicts, selectPackages, validateAllDependsOn, type PlanContext } from '../plan/query.js';
import { readLastSummary } from '../report/last-summary.js';
import { compactSummary, fullSummary } from '../report/summary.js';
import { colorEnabled } from '../run/ansi.js';
import { Executor } from '../run/execute.js';
import { createProcessTerminal } from '../run/writers.js';
import type { TaskEntry } from '../select/index.js';
import { discoverWorkspace, containingPackage } from '../workspace/discover.js';
import { buildPackageGraph } from '../workspace/graph.js';
import { parseCommand, type RunArgs } from './args.js';
import { mark } from './timings.js';
import { removePath } from '../remove-path.js';

function version(): string {
  const pkg = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
}

function printError(err: VtError): void {
  process.stderr.write(err.render());
}

/** Entry point: returns the process exit code (cli.md §7). */
export async function main(argv: readonly string[]): Promise<number> {
  mark('loaded');
  let command;
  try {
    command = parseCommand(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(err.render());
      return 2;
    }
    throw err;
  }
  try {
    switch (command.kind) {
      case 'version':
        process.stdout.write(`vt ${version()}\n`);
        return 0;
      case 'help':
        process.stdout.write(command.text);
        return 0;
      case 'cache-clean':
        return cacheClean();
      case 'last-details':
        return lastDetails();
      case 'run':
        return await run(command.args, process.cwd());
    }
  } catch (err) {
    if (err instanceof VtError) {
      printError(err);
      return err.exitCode;
    }
    throw err;
  }
}

function workspaceRootOrUndefined(): string | undefined {
  try {
    return discoverWorkspace(process.cwd()).root;
  } catch (err) {
    if (err instanceof VtError) return undefined;
    throw err;
  }
}

function cacheClean(): number {
  const root = process.env.VITE_CACHE_PATH ? cacheRoot(process.env, undefined) : cacheRoot(process.env, discoverWorkspace(process.cwd()).root);
  removePath(root, { recursive: true });
  return 0;
}

function lastDetails(): number {
  const wsRoot = workspaceRootOrUndefined();
  // Outside any workspace (and without VITE_CACHE_PATH) there is simply no previous run to show.
  const read = wsRoot === undefined && !process.env.VITE_CACHE_PATH ? ({ kind: 'missing' } as const) : readLastSummary(cacheDir(cacheRoot(process.env, wsRoot)));
  if (read.kind === 'missing') {
    process.stdout.write('No previous run summary found. Run a task first to generate a summary.\n');
    return 1;
  }
  if (read.kind === 'unreadable') {
    process.stdout.write(
      'Summary data was saved by a different version of vite-task and cannot be read. Run a task to generate a new summary.\n',
    );
    return 1;
  }
  process.stdout.write(fullSummary(read.summary));
  return read.summary.exitCode;
}

/** The listing and selector code (and its terminal-width dependencies) is only loaded when needed. */
const loadSelect = (): Promise<typeof import('../select/index.js')> => import('../select/index.js');

/** Builds the listing/selector entries for every task of the workspace (cli.md §5). */
async function taskEntries(ctx: PlanContext, cwd: string): Promise<TaskEntry[]> {
  const { orderEntries } = await loadSelect();
  const here = containingPackage(ctx.ws, cwd);
  const entries: TaskEntry[] = [];
  for (const [pkg, tasks] of ctx.universe.tasks) {
    for (const task of tasks.values()) {
      entries.push({
        packageName: pkg.name,
        packageRelDir: pkg.relDir,
        isRootPackage: pkg.isRoot,
        inCwdPackage: pkg === here,
        taskName: task.name,
        command: task.commands.join(' && '),
      });
    }
  }
  return orderEntries(entries);
}

const isInteractive = (): boolean => Boolean(process.stdin.isTTY && process.stdout.isTTY);

async function select(entries: TaskEntry[], query: string, notFound: string | undefined): Promise<TaskEntry | undefined> {
  const { runSelector, entryLabel } = await loadSelect();
  const result = await runSelector({
    entries,
    initialQuery: query,
    ...(notFound !== undefined ? { notFoundName: notFound } : {}),
    input: process.stdin,
    output: process.stdout,
  });
  if (result.kind === 'cancelled') return undefined;
  process.stdout.write(`Selected task: ${entryLabel(result.entry)}\n`);
  return result.entry;
}

async function run(args: RunArgs, cwd: string): Promise<number> {
  checkQueryConflicts(args, cwd);
  if (args.specifier === undefined && !args.onlyCacheFlags) throw new VtError("No task specifier provided for 'run' command");
  const ws = discoverWorkspace(cwd);
  mark('discovered');
  const universe = loadTaskUniverse(ws);
  const ctx: PlanContext = { ws, universe, graph: buildPackageGraph(ws) };
  validateAllDependsOn(ctx);
  mark('configured');
  cacheRoot(process.env, ws.root); // a bad VITE_CACHE_PATH is a planning error: nothing runs

  if (args.specifier === undefined) {
    const { entryLabel, formatTaskList } = await loadSelect();
    const entries = await taskEntries(ctx, cwd);
    if (!isInteractive()) {
      process.stdout.write(formatTaskList(entries));
      return 0;
    }
    const chosen = await select(entries, '', undefined);
    if (!chosen) return 130;
    return run({ ...args, specifier: entryLabel(chosen) }, cwd);
  }

  const selection = selectPackages(ctx, args, cwd);
  for (const w of selection.warnings) process.stderr.write(`${w}\n`);
  if (selection.kind === 'no-packages') return 0;
  const graph = buildTaskGraph(ctx, selection, args);
  if (graph.nodes.length === 0) {
    if (!selection.implicit) throw new VtError(`Task "${selection.taskName}" not found`);
    const { entryLabel, formatTaskList, searchEntries } = await loadSelect();
    const entries = await taskEntries(ctx, cwd);
    if (isInteractive()) {
      const chosen = await select(entries, selection.taskName, selection.taskName);
      if (!chosen) return 130;
      return run({ ...args, specifier: entryLabel(chosen) }, cwd);
    }
    const matches = searchEntries(selection.taskName, entries);
    if (matches.length === 0) process.stderr.write(`Task "${selection.taskName}" not found.\n`);
    else process.stderr.write(`Task "${selection.taskName}" not found. Did you mean:\n${formatTaskList(matches)}`);
    return 1;
  }

  // Read only now that a graph is planned: the listings above must not fail on the env var (cli.md §6).
  const limit = concurrencyLimit(args, process.env as Record<string, string>);
  const planner: Planner = { ctx, warnings: [] };
  const contextEnv = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const plan = planGraph(
    planner,
    graph,
    signatureOf(selection, args),
    { cwd, contextEnv, cacheFlag: args.cache },
    limit,
    args.parallel,
    args.taskArgs,
    [],
  );
  for (const w of planner.warnings) process.stderr.write(`${w}\n`);
  mark('planned');

  const color = colorEnabled(process.env, Boolean(process.stdout.isTTY));
  const terminal = createProcessTerminal();
  const cache = createCacheSession({ ws, env: process.env, color, terminal });
  const executor = new Executor({ ws, mode: args.log ?? 'interleaved', color, terminal, cached: cache });
  const onSignal = (signal: NodeJS.Signals): void => executor.interrupt(signal, Boolean(process.stdin.isTTY));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await executor.runPlan(plan);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  mark('executed');
  const exitCode = executor.exitCode();
  const leaves = executor.leaves;
  terminal.stdout(args.verbose ? fullSummary({ tasks: leaves }) : compactSummary(leaves));
  cache.saveSummary({ version: 1, exitCode, tasks: leaves });
  await cache.close();
  mark('closed');
  return exitCode;
}

