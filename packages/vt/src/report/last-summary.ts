import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from './model.js';
import { makeDirs } from '../make-dirs.js';
import { isAbsentError } from '../remove-path.js';

export const LAST_SUMMARY_FILE = 'last-summary.json';

/** Writes `last-summary.json` atomically (temp file + rename), so a reader never sees half a file. */
export function writeLastSummary(cacheDir: string, summary: RunSummary): void {
  makeDirs(cacheDir);
  const file = path.join(cacheDir, LAST_SUMMARY_FILE);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(summary));
  fs.renameSync(tmp, file);
}

export type ReadSummary = { readonly kind: 'ok'; readonly summary: RunSummary } | { readonly kind: 'missing' } | { readonly kind: 'unreadable' };

/** Reads the saved summary; anything not of our version is "unreadable" (cli.md §9). */
export function readLastSummary(cacheDir: string): ReadSummary {
  const file = path.join(cacheDir, LAST_SUMMARY_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return isAbsentError(err, file) ? { kind: 'missing' } : { kind: 'unreadable' };
  }
  try {
    const parsed = JSON.parse(text) as RunSummary;
    if (parsed?.version !== 1 || !Array.isArray(parsed.tasks) || typeof parsed.exitCode !== 'number') return { kind: 'unreadable' };
    return { kind: 'ok', summary: parsed };
  } catch {
    return { kind: 'unreadable' };
  }
}
