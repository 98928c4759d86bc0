/**
 * Redactions applied to every screen (e2e.md §5), in the spec's order. They remove what differs between runs and
 * machines (temp paths, timings) and Node's experimental-feature chatter, and nothing else.
 */
import { trimScreenLines } from './terminal-screen.ts';

/** The case-specific absolute paths that are replaced by placeholders. */
export interface RedactionPaths {
  readonly workspace: string;
  readonly home: string;
  readonly tools: string;
  readonly outside: string;
}

const DURATION = /\b\d+(\.\d+)?(ns|µs|us|ms|s)\b/g;
const SAVED_SUFFIX = ', <duration> saved.';

function isNodeWarningLine(line: string): boolean {
  return line.includes('ExperimentalWarning') || line.startsWith('(Use `node --trace-warnings ');
}

export function redactScreen(screen: string, paths: RedactionPaths): string {
  const withPaths = screen
    .replaceAll(paths.workspace, '<workspace>')
    .replaceAll(paths.home, '<home>')
    .replaceAll(paths.tools, '<tools>')
    .replaceAll(paths.outside, '<outside>');
  const withDurations = withPaths.replace(DURATION, '<duration>').replaceAll(SAVED_SUFFIX, '.');
  const lines = withDurations.split('\n').filter((line) => !isNodeWarningLine(line));
  // Removing lines can expose empty lines at the end again.
  return trimScreenLines(lines);
}
