/**
 * The common shell of every helper CLI: argument parsing with Node's own `util.parseArgs`, and one place that turns
 * bad input into `{tool}: {message}` on stderr with a non-zero exit code instead of a stack trace.
 */
import { parseArgs } from 'node:util';

/** An expected failure: printed as `{tool}: {message}`, exit code `exitCode`. */
export class ToolError extends Error {
  /** @param {string} message @param {number} [exitCode] */
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Wrong arguments: exit code 2 plus the usage line. */
export class UsageError extends ToolError {
  /** @param {string} message @param {string} usage */
  constructor(message, usage) {
    super(`${message}\nusage: ${usage}`, 2);
  }
}

/**
 * Runs `main` with the process arguments. Synchronous and async mains are both fine; the exit code is set with
 * `process.exitCode` so pending stdout writes are flushed before Node exits.
 * @param {string} tool
 * @param {(args: string[]) => void | Promise<void>} main
 */
export function runTool(tool, main) {
  const report = (/** @type {unknown} */ error) => {
    if (error instanceof ToolError) {
      process.stderr.write(`${tool}: ${error.message}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`${tool}: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    }
  };
  try {
    const result = main(process.argv.slice(2));
    if (result instanceof Promise) result.catch(report);
  } catch (error) {
    report(error);
  }
}

/**
 * `util.parseArgs` with its errors turned into usage errors.
 * @template {import('node:util').ParseArgsConfig['options']} O
 * @param {string[]} args
 * @param {O} options
 * @param {string} usage
 */
export function parseToolArgs(args, options, usage) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), usage);
  }
}

/**
 * Exactly `count` positional arguments, or a usage error.
 * @param {string[]} args @param {number} count @param {string} usage
 */
export function expectArgs(args, count, usage) {
  if (args.length !== count) {
    throw new UsageError(`expected ${count} argument${count === 1 ? '' : 's'}, got ${args.length}`, usage);
  }
  return args;
}

/**
 * Parses a decimal integer in [min, max], or a usage error naming `what`.
 * @param {string} text @param {string} what @param {number} min @param {number} max @param {string} usage
 */
export function parseIntArg(text, what, min, max, usage) {
  const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${what} must be an integer from ${min} to ${max}, got '${text}'`, usage);
  }
  return value;
}

/** Keeps the process alive forever (until a signal ends it). */
export function hangForever() {
  setInterval(() => {}, 1 << 30);
}
