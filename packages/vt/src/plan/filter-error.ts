import { VtError } from '../errors.js';

/**
 * A `--filter` value that cannot be read: `--filter value is empty`, or `invalid --filter expression` with the
 * cause `Empty filter selector` / `Invalid glob pattern: {pattern}` (cli.md §3). It is a VtError so the CLI
 * prints it like every other planning error (`error: …` then `* …` lines, exit 1).
 */
export class FilterError extends VtError {
  constructor(message: '--filter value is empty' | 'invalid --filter expression', causes: readonly string[] = []) {
    super(message, causes);
    this.name = 'FilterError';
  }
}
