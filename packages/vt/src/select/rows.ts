import stringWidth from 'string-width';
import { samePackage, type TaskEntry } from './entry.js';

/** A screen row of the selector: a package header, or a task (`index` into the results). */
export type Row =
  | { readonly kind: 'header'; readonly text: string }
  | { readonly kind: 'task'; readonly index: number; readonly indent: 0 | 2; readonly name: string; readonly command: string };

export interface Layout {
  readonly rows: readonly Row[];
  /** Row index of each result, by result index. */
  readonly rowOfEntry: readonly number[];
  /** Screen column where every command starts: 4 + max(indent + name width) + 1 over all results (cli.md §5). */
  readonly commandColumn: number;
}

/** Rows render on one terminal line each; a raw newline or escape in a name or command must not break that. */
export function sanitize(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function headerText(e: TaskEntry): string {
  return `${sanitize(e.packageName)} (${e.isRootPackage ? 'workspace root' : sanitize(e.packageRelDir)})`;
}

/**
 * Lays the results out as rows. cwd-package tasks stand alone at indent 0; every other package gets a header
 * row whenever its tasks start (again, if a `#` query interleaves packages) and its tasks sit at indent 2.
 */
export function layoutRows(results: readonly TaskEntry[]): Layout {
  const rows: Row[] = [];
  const rowOfEntry: number[] = [];
  let widest = 0;
  results.forEach((e, index) => {
    const prev = results[index - 1];
    const indent = e.inCwdPackage ? 0 : 2;
    if (!e.inCwdPackage && (prev === undefined || !samePackage(prev, e))) {
      rows.push({ kind: 'header', text: headerText(e) });
    }
    const name = sanitize(e.taskName);
    rowOfEntry.push(rows.length);
    rows.push({ kind: 'task', index, indent, name, command: sanitize(e.command) });
    widest = Math.max(widest, indent + stringWidth(name));
  });
  return { rows, rowOfEntry, commandColumn: 4 + widest + 1 };
}

/** The text of a task row without its 4-column gutter, padded so the command starts at `commandColumn`. */
export function taskRowBody(row: Extract<Row, { kind: 'task' }>, commandColumn: number): string {
  const label = ' '.repeat(row.indent) + row.name;
  return label + ' '.repeat(Math.max(1, commandColumn - 4 - stringWidth(label))) + row.command;
}
