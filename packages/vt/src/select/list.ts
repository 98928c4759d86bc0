import { entryLabel, type TaskEntry } from './entry.js';

/**
 * The non-interactive listing (cli.md §5): one `  {label}: {command}\n` line per entry, in the order given, so
 * the caller decides between the full list (orderEntries) and "Did you mean" suggestions (searchEntries).
 */
export function formatTaskList(entries: readonly TaskEntry[]): string {
  return entries.map((e) => `  ${entryLabel(e)}: ${e.command}\n`).join('');
}
