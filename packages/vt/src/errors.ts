/**
 * A fatal, user-facing error. Printed as `error: {message}` followed by one `* {cause}` line per cause
 * (outermost first), on stderr (cli.md §4). Planning errors are all of this kind so that nothing runs.
 */
export class VtError extends Error {
  readonly causes: readonly string[];
  readonly exitCode: number;

  constructor(message: string, causes: readonly string[] = [], exitCode = 1) {
    super(message);
    this.name = 'VtError';
    this.causes = causes;
    this.exitCode = exitCode;
  }

  /** Wraps this error as the cause of a new outer error, keeping the chain outermost-first. */
  wrap(outer: string): VtError {
    return new VtError(outer, [this.message, ...this.causes], this.exitCode);
  }

  render(): string {
    return [`error: ${this.message}`, ...this.causes.map((c) => `* ${c}`)].join('\n') + '\n';
  }
}

/**
 * A command-line usage error: `error: {message}`, then the usage line of the command it is about, exit 2
 * (cli.md §1). The usage is its own field so that every usage error names the right command's usage.
 * `message`'s first line is the error itself; a second line may list possible values.
 */
export class UsageError extends Error {
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }

  render(): string {
    return `error: ${this.message}\n\n${this.usage}\n\nFor more information, try '--help'.\n`;
  }
}
