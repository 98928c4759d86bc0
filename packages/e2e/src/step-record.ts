/** What running one step produced: the facts the snapshot is rendered from (e2e.md §4). */
import type { KeyName } from './case-spec.ts';

export type StepOutcome =
  /** Exit code of `/bin/sh -c step`; death by signal N is recorded as 128 + N, as shells report it. */
  | { readonly kind: 'exited'; readonly code: number }
  /** The step hit its time limit and its processes were killed. */
  | { readonly kind: 'timeout' };

/** An interaction as it happened, in order. A reached milestone carries the screen at that moment. */
export type StepEvent =
  | { readonly kind: 'milestone'; readonly name: string; readonly screen: string }
  | { readonly kind: 'write'; readonly text: string }
  | { readonly kind: 'write-line'; readonly text: string }
  | { readonly kind: 'write-key'; readonly key: KeyName };

export interface StepRecord {
  readonly command: string;
  readonly comment?: string;
  readonly outcome: StepOutcome;
  readonly events: readonly StepEvent[];
  readonly finalScreen: string;
}
