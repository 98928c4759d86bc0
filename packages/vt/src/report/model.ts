/**
 * What happened to each leaf (spawned or built-in item) of a run. This is exactly the shape saved in
 * `last-summary.json` (cache.md §10), so `--last-details` re-renders the same text as `-v`.
 */

export interface ErrorInfo {
  readonly message: string;
  readonly causes: readonly string[];
}

/** Why a successful cache-enabled run was not stored (cache.md §7 rows 3–9). */
export type NotCached =
  | { readonly kind: 'optedOut' }
  | { readonly kind: 'ipcInvalidMessage' }
  | { readonly kind: 'ipcStartFailed' }
  | { readonly kind: 'readWriteOverlap'; readonly path: string; readonly packageRelDir: string }
  | { readonly kind: 'traceCapacity' }
  | { readonly kind: 'traceIncomplete' }
  | { readonly kind: 'traceUnsupported' }
  /** An inferred input changed while the task ran: what it read is unknown. */
  | { readonly kind: 'inputChangedDuringRun'; readonly path: string }
  /** Another process kept rewriting the outputs while they were archived (concurrent runs). */
  | { readonly kind: 'outputsChanged'; readonly path: string };

export type Outcome =
  | { readonly kind: 'success'; readonly notCached?: NotCached; readonly infraError?: ErrorInfo }
  | { readonly kind: 'failed'; readonly exitCode: number; readonly infraError?: ErrorInfo }
  | { readonly kind: 'spawnError'; readonly error: ErrorInfo };

export type LeafResult =
  | { readonly kind: 'hit'; readonly savedMs: number }
  | { readonly kind: 'builtin' }
  | {
      readonly kind: 'spawned';
      /** `reason` is the detailed miss text (after `Cache miss: `). */
      readonly cache: { readonly kind: 'miss'; readonly reason: string } | { readonly kind: 'disabled' };
      readonly outcome: Outcome;
    };

export interface LeafRecord {
  readonly packageName: string;
  readonly taskName: string;
  /** The displayed item text (after `$ `). */
  readonly command: string;
  /** Workspace-relative cwd, `""` for the root. */
  readonly cwd: string;
  readonly result: LeafResult;
}

export interface RunSummary {
  readonly version: 1;
  readonly exitCode: number;
  readonly tasks: readonly LeafRecord[];
}

export function leafLabel(leaf: Pick<LeafRecord, 'packageName' | 'taskName'>): string {
  return leaf.packageName === '' ? leaf.taskName : `${leaf.packageName}#${leaf.taskName}`;
}

/** `{~/cwd}$ {command}` as displayed on the command line of a leaf. */
export function displayCommand(cwd: string, command: string): string {
  return cwd === '' ? `$ ${command}` : `~/${cwd}$ ${command}`;
}

export function isFailure(leaf: LeafRecord): boolean {
  const r = leaf.result;
  if (r.kind !== 'spawned') return false;
  return r.outcome.kind !== 'success' || r.outcome.infraError !== undefined;
}
