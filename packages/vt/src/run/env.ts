import { filterEnvForCache, withTaskPath, type Env } from '../plan/env.js';
import type { SpawnItem } from '../plan/plan.js';
import type { TaskDefinition } from '../config/tasks.js';

/** The environment of an uncached spawned item: everything, plus the PATH rule and `VP_RUN=1` (env.md §1). */
export function uncachedEnv(item: SpawnItem, task: TaskDefinition, workspaceRoot: string): Record<string, string> {
  const env = withTaskPath({ ...item.contextEnv, ...item.prefixEnv }, task.pkg.dir, workspaceRoot);
  delete env.FSPY;
  delete env.VP_RUN_IPC_NAME;
  delete env.VP_RUN_NODE_CLIENT_PATH;
  // vt's internal testing knobs are read by vt itself and never reach tasks (tracing.md §5).
  for (const name of Object.keys(env)) if (name.startsWith('VT_INTERNAL_')) delete env[name];
  env.VP_RUN = '1';
  return env;
}

/**
 * The filtered environment of a cached spawned item and the declared values for its key (env.md §1, §4).
 * vt's own markers (`FSPY`, the IPC variables) are removed here and added by the caller once known.
 */
export function cachedEnv(
  item: SpawnItem,
  task: TaskDefinition,
  workspaceRoot: string,
): { env: Record<string, string>; declared: ReadonlyMap<string, string> } {
  const filtered = filterEnvForCache(item.contextEnv, item.prefixEnv, task.env, task.untrackedEnv);
  const env = withTaskPath(filtered.env, task.pkg.dir, workspaceRoot);
  if (env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1';
  for (const name of ['FSPY', 'VP_RUN_IPC_NAME', 'VP_RUN_NODE_CLIENT_PATH'] as const) delete env[name];
  env.VP_RUN = '1';
  return { env, declared: filtered.declared };
}

export type { Env };
