import path from 'node:path';
import { VtError } from '../errors.js';
import type { Workspace, WorkspacePackage } from '../workspace/types.js';
import { GlobError, resolveIoConfig, type IoConfig } from './globs.js';
import { loadPackageConfig } from './load.js';

/** One task of the workspace: a package.json script or a `vite-task.json` task, fully validated. */
export interface TaskDefinition {
  readonly pkg: WorkspacePackage;
  readonly name: string;
  readonly kind: 'script' | 'config';
  /** Command elements; each is later split on `&&` (config.md §10). */
  readonly commands: readonly string[];
  /** Absolute spawn cwd of the first item (the package dir unless `cwd` is set). */
  readonly cwd: string;
  readonly dependsOn: readonly string[];
  /** The task's own `cache` field (`false` forbids caching even with `--cache`); scripts: true. */
  readonly cacheAllowed: boolean;
  readonly env: readonly string[];
  readonly untrackedEnv: readonly string[];
  readonly input: IoConfig;
  readonly output: IoConfig;
}

export interface RootSettings {
  readonly cacheScripts: boolean;
  readonly cacheTasks: boolean;
  readonly enablePrePostScripts: boolean;
}

/** Every task of every package, keyed by package then task name. */
export interface TaskUniverse {
  readonly settings: RootSettings;
  readonly tasks: ReadonlyMap<WorkspacePackage, ReadonlyMap<string, TaskDefinition>>;
}

/** `pkg#task`, or `task` when the package has no name (cycle errors, labels). */
export function taskLabel(task: { pkg: WorkspacePackage; name: string }): string {
  return task.pkg.name === '' ? task.name : `${task.pkg.name}#${task.name}`;
}

/** Loads and validates the whole workspace's config, on every run (config.md §1, last paragraph). */
export function loadTaskUniverse(ws: Workspace): TaskUniverse {
  let settings: RootSettings = { cacheScripts: false, cacheTasks: true, enablePrePostScripts: true };
  const tasks = new Map<WorkspacePackage, Map<string, TaskDefinition>>();
  for (const pkg of ws.packages) {
    const config = loadPackageConfig(pkg.dir, pkg.isRoot);
    if (pkg.isRoot) {
      settings = {
        cacheScripts: config.cache?.scripts ?? false,
        cacheTasks: config.cache?.tasks ?? true,
        enablePrePostScripts: config.enablePrePostScripts ?? true,
      };
    }
    const own = new Map<string, TaskDefinition>();
    const resolveIo = (name: string, fn: () => IoConfig): IoConfig => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof GlobError) {
          throw new VtError(`Failed to resolve task config for task ${taskLabel({ pkg, name })}`, [err.message]);
        }
        throw err;
      }
    };
    for (const [name, command] of pkg.scripts) {
      own.set(name, {
        pkg, name, kind: 'script', commands: [command], cwd: pkg.dir, dependsOn: [], cacheAllowed: true,
        env: [], untrackedEnv: [], input: resolveIo(name, () => resolveIoConfig(undefined, pkg.dir, ws.root)),
        output: resolveIo(name, () => resolveIoConfig(undefined, pkg.dir, ws.root)),
      });
    }
    for (const [name, task] of config.tasks) {
      if (own.has(name)) {
        throw new VtError(
          `Task ${taskLabel({ pkg, name })} conflicts with a package.json script of the same name. Remove the script from package.json or rename the task`,
        );
      }
      own.set(name, {
        pkg, name, kind: 'config', commands: task.command,
        cwd: task.cwd === undefined ? pkg.dir : path.resolve(pkg.dir, task.cwd),
        dependsOn: task.dependsOn, cacheAllowed: task.cache, env: task.env, untrackedEnv: task.untrackedEnv,
        input: resolveIo(name, () => resolveIoConfig(task.input, pkg.dir, ws.root)),
        output: resolveIo(name, () => resolveIoConfig(task.output, pkg.dir, ws.root)),
      });
    }
    tasks.set(pkg, own);
  }
  return { settings, tasks };
}
