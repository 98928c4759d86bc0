/** One task as the listing and the selector show it (cli.md §5). */
export interface TaskEntry {
  /** `""` for a nameless root. */
  readonly packageName: string;
  /** Relative to the workspace root, `/`-separated; `""` for the root. Identifies the package. */
  readonly packageRelDir: string;
  readonly isRootPackage: boolean;
  /** The task belongs to the package containing the cwd: shown unqualified and listed first. */
  readonly inCwdPackage: boolean;
  readonly taskName: string;
  /** Display form; array commands already joined with ` && `. */
  readonly command: string;
}

/** `task` for the cwd package, `pkg#task` otherwise (the root uses its package name). */
export function entryLabel(e: TaskEntry): string {
  return e.inCwdPackage ? e.taskName : qualifiedName(e);
}

/** `pkg#task` whatever the cwd: what a query containing `#` is matched against. */
export function qualifiedName(e: TaskEntry): string {
  return `${e.packageName}#${e.taskName}`;
}

export function samePackage(a: TaskEntry, b: TaskEntry): boolean {
  return a.packageRelDir === b.packageRelDir;
}

/** Code-unit order: stable across locales, so listings and snapshots never depend on the machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Group order: the cwd package first, then by package name. The relative dir breaks ties between packages that
 * share a name, so each package's tasks stay together.
 */
export function comparePackages(a: TaskEntry, b: TaskEntry): number {
  if (a.inCwdPackage !== b.inCwdPackage) return a.inCwdPackage ? -1 : 1;
  return compareText(a.packageName, b.packageName) || compareText(a.packageRelDir, b.packageRelDir);
}

/** Entries in spec order: cwd package first, then the others by (package name, task name). */
export function orderEntries(entries: readonly TaskEntry[]): TaskEntry[] {
  return [...entries].sort((a, b) => comparePackages(a, b) || compareText(a.taskName, b.taskName));
}
