import type { TaskDefinition } from '../config/tasks.js';
import type { SpawnItem } from '../plan/plan.js';
import type { LeafResult } from '../report/model.js';
import type { Executor } from './execute.js';
import type { LeafWriter } from './writers.js';

export interface CachedItemRun {
  readonly task: TaskDefinition;
  readonly item: SpawnItem;
  readonly writer: LeafWriter;
  /** `{~/cwd}$ {text}` */
  readonly display: string;
  readonly executor: Executor;
}

/** Runs one cache-enabled item: lookup, then replay or spawn-and-store (cache.md §6–§9). */
export interface CachedRunner {
  run(run: CachedItemRun): Promise<LeafResult>;
}
