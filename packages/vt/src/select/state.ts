import type { TaskEntry } from './entry.js';
import { layoutRows, type Layout } from './rows.js';
import { searchEntries } from './search.js';

/** At most this many rows (group headers included) are shown at once (cli.md §5). */
export const VIEWPORT_ROWS = 12;

/** Everything the selector screen shows. Immutable: each key produces a new state. */
export interface SelectorState {
  readonly entries: readonly TaskEntry[];
  readonly query: string;
  readonly results: readonly TaskEntry[];
  readonly layout: Layout;
  /** Index into `results`; 0 when there are none. */
  readonly cursor: number;
  /** First visible row. */
  readonly top: number;
}

/** A new query: filter again, cursor and viewport back to the top. */
export function withQuery(entries: readonly TaskEntry[], query: string): SelectorState {
  const results = searchEntries(query, entries);
  return { entries, query, results, layout: layoutRows(results), cursor: 0, top: 0 };
}

/**
 * Moves the cursor by `delta` without wrapping and scrolls just enough to keep it visible. Scrolling up onto
 * the first task of a package also reveals that package's header, so a task is never shown without it.
 */
export function moveCursor(state: SelectorState, delta: number): SelectorState {
  if (state.results.length === 0) return state;
  const cursor = Math.min(state.results.length - 1, Math.max(0, state.cursor + delta));
  const row = state.layout.rowOfEntry[cursor]!;
  let top = state.top;
  if (row < top) top = state.layout.rows[row - 1]?.kind === 'header' ? row - 1 : row;
  if (row >= top + VIEWPORT_ROWS) top = row - VIEWPORT_ROWS + 1;
  return { ...state, cursor, top };
}

export function selectedEntry(state: SelectorState): TaskEntry | undefined {
  return state.results[state.cursor];
}
