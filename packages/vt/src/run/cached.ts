import type { TaskDefinition } from '../config/tasks.js';
import type { SpawnItem } from '../plan/plan.js';
import type { LeafResult } from '../report/model.js';
import type { TaskProcess } from './process.js';
import type { LeafWriter } from './writers.js';

export interface CachedItemRun {
  readonly task: TaskDefinition;
  readonly item: SpawnItem;
  readonly writer: LeafWriter;
  /** `{~/cwd}$ {text}` */
  readonly display: string;
  /** Registers the item's process so that fast-fail and Ctrl-C reach it. */
  readonly track: (proc: TaskProcess) => void;
  /** Whether the run was stopped (fast-fail or Ctrl-C) while the item ran: its result is never stored. */
  readonly stopped: () => boolean;
}

/** Runs one cache-enabled item: lookup, then replay or spawn-and-store (cache.md §6–§9). */
export interface CachedRunner {
  run(run: CachedItemRun): Promise<LeafResult>;
}
