import type { RunArgs } from '../cli/args.js';
import { VtError } from '../errors.js';
import type { Env } from './env.js';

/** Tasks of one graph running at once when nothing says otherwise (cli.md §6). */
const DEFAULT_LIMIT = 4;

/**
 * A graph's concurrency limit, from the first source that gives one (cli.md §6): `--concurrency-limit`,
 * then `--parallel` (unlimited), then `VP_RUN_CONCURRENCY_LIMIT`, then 4. A later source is not even read:
 * an invalid env value is an error only when it would decide the limit. Callers read it where a graph is
 * about to be planned, so a run that plans none (the task list, the did-you-mean list) never fails on it.
 */
export function concurrencyLimit(args: Pick<RunArgs, 'concurrencyLimit' | 'parallel'>, env: Env): number {
  if (args.concurrencyLimit !== undefined) return args.concurrencyLimit;
  if (args.parallel) return Infinity;
  const fromEnv = env.VP_RUN_CONCURRENCY_LIMIT;
  if (fromEnv === undefined) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(fromEnv) || Number(fromEnv) < 1 || !Number.isSafeInteger(Number(fromEnv))) {
    throw new VtError(`Invalid value for VP_RUN_CONCURRENCY_LIMIT: "${fromEnv}"`);
  }
  return Number(fromEnv);
}
