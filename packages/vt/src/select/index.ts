/** Task listing and interactive selection (cli.md §5). */
export { entryLabel, orderEntries, type TaskEntry } from './entry.js';
export { formatTaskList } from './list.js';
export { searchEntries } from './search.js';
export { runSelector, type SelectorOptions, type SelectorResult } from './selector.js';
export { milestone } from './milestone.js';
