import { comparePackages, compareText, entryLabel, orderEntries, qualifiedName, type TaskEntry } from './entry.js';
import { fuzzyMatch, type FuzzyMatch } from './fuzzy.js';

interface Hit {
  readonly entry: TaskEntry;
  readonly match: FuzzyMatch;
}

const byScore = (a: Hit, b: Hit): number => b.match.score - a.match.score || a.match.length - b.match.length;

/** Package name then dir, ignoring which package holds the cwd: the tie-break of a `#` query. */
const byPackageIdentity = (a: TaskEntry, b: TaskEntry): number =>
  compareText(a.packageName, b.packageName) || compareText(a.packageRelDir, b.packageRelDir);

/**
 * Filters and orders entries for a query (cli.md §5 "Matching"). An empty query keeps every entry in list order.
 * Otherwise results stay grouped by package (cwd package first, then by name) and are ordered by score inside
 * a group, ties by task name. A query with `#` names a package explicitly: every entry is then matched as
 * `pkg#task` (the cwd package's too) and the results are ordered by score alone.
 */
export function searchEntries(query: string, entries: readonly TaskEntry[]): TaskEntry[] {
  const ordered = orderEntries(entries);
  if (query === '') return ordered;
  const qualified = query.includes('#');
  const hits: Hit[] = [];
  for (const entry of ordered) {
    const match = fuzzyMatch(query, qualified ? qualifiedName(entry) : entryLabel(entry));
    if (match) hits.push({ entry, match });
  }
  hits.sort(
    qualified
      ? (a, b) => byScore(a, b) || byPackageIdentity(a.entry, b.entry) || compareText(a.entry.taskName, b.entry.taskName)
      : (a, b) => comparePackages(a.entry, b.entry) || byScore(a, b) || compareText(a.entry.taskName, b.entry.taskName),
  );
  return hits.map((h) => h.entry);
}
