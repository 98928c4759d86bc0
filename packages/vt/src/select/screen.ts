import cliTruncate from 'cli-truncate';
import { sanitize, taskRowBody } from './rows.js';
import { VIEWPORT_ROWS, type SelectorState } from './state.js';

export const PROMPT = 'Select a task (↑/↓, Enter to run, type to search):';
export const NO_RESULTS = '  No matching tasks. Press Escape to clear search.';

/**
 * The selector screen as lines (cli.md §5): optional `Task "{name}" not found.`, the prompt with the query, a
 * blank line, up to VIEWPORT_ROWS rows with `›` marking the cursor, and `  (…{n} more)` when results lie below.
 * Lines wider than the terminal are cut to `columns` with `…` last, so each line occupies exactly one terminal
 * row and the selector can erase itself by counting lines.
 */
export function renderScreen(state: SelectorState, columns: number, notFoundName?: string): string[] {
  const lines: string[] = [];
  if (notFoundName !== undefined) lines.push(`Task "${sanitize(notFoundName)}" not found.`);
  lines.push(state.query === '' ? PROMPT : `${PROMPT} ${sanitize(state.query)}`);
  lines.push('');
  if (state.results.length === 0) {
    lines.push(NO_RESULTS);
  } else {
    const { rows, rowOfEntry, commandColumn } = state.layout;
    const end = Math.min(rows.length, state.top + VIEWPORT_ROWS);
    for (let r = state.top; r < end; r++) {
      const row = rows[r]!;
      if (row.kind === 'header') lines.push(`    ${row.text}`);
      else lines.push(`${row.index === state.cursor ? '  › ' : '    '}${taskRowBody(row, commandColumn)}`);
    }
    const below = rowOfEntry.filter((row) => row >= end).length;
    if (below > 0) lines.push(`  (…${below} more)`);
  }
  return lines.map((line) => cliTruncate(line, Math.max(1, columns)));
}
