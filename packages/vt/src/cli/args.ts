import { UsageError } from '../errors.js';
import { parseCacheArgs } from './cache-args.js';
import { RUN_HELP, RUN_USAGE, TOP_HELP, TOP_USAGE } from './help.js';

export type LogMode = 'interleaved' | 'labeled' | 'grouped';

/** Everything `vt run` was asked to do, as parsed from argv (cli.md §2). */
export interface RunArgs {
  readonly recursive: boolean;
  readonly transitive: boolean;
  readonly workspaceRoot: boolean;
  readonly filters: readonly string[];
  readonly failIfNoMatch: boolean;
  readonly ignoreDependsOn: boolean;
  readonly verbose: boolean;
  /** `--cache` → true, `--no-cache` → false, neither → undefined (config decides). */
  readonly cache: boolean | undefined;
  /** Undefined when `--log` was not given: a nested run then inherits the parent's mode. */
  readonly log: LogMode | undefined;
  readonly concurrencyLimit: number | undefined;
  readonly parallel: boolean;
  readonly specifier: string | undefined;
  readonly taskArgs: readonly string[];
  /** True when no flag other than `--cache`/`--no-cache` was given (a "bare run", cli.md §5). */
  readonly onlyCacheFlags: boolean;
}

export type Command =
  | { readonly kind: 'version' }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'run'; readonly args: RunArgs }
  | { readonly kind: 'last-details' }
  | { readonly kind: 'cache-clean' };

/** How clap-style messages name each flag, used in conflict errors. */
const DISPLAY: Record<string, string> = {
  recursive: '--recursive',
  transitive: '--transitive',
  workspaceRoot: '--workspace-root',
  filter: '--filter <FILTER>',
  failIfNoMatch: '--fail-if-no-match',
  ignoreDependsOn: '--ignore-depends-on',
  verbose: '--verbose',
  cache: '--cache',
  noCache: '--no-cache',
  log: '--log <LOG>',
  concurrencyLimit: '--concurrency-limit <N>',
  parallel: '--parallel',
  lastDetails: '--last-details',
};

const LONG_BOOL: Record<string, string> = {
  '--recursive': 'recursive',
  '--transitive': 'transitive',
  '--workspace-root': 'workspaceRoot',
  '--fail-if-no-match': 'failIfNoMatch',
  '--ignore-depends-on': 'ignoreDependsOn',
  '--verbose': 'verbose',
  '--cache': 'cache',
  '--no-cache': 'noCache',
  '--parallel': 'parallel',
  '--last-details': 'lastDetails',
};
const SHORT_BOOL: Record<string, string> = { r: 'recursive', t: 'transitive', w: 'workspaceRoot', v: 'verbose' };
const LONG_VALUE: Record<string, string> = { '--filter': 'filter', '--log': 'log', '--concurrency-limit': 'concurrencyLimit' };
const SHORT_VALUE: Record<string, string> = { F: 'filter' };
const LOG_MODES: readonly LogMode[] = ['interleaved', 'labeled', 'grouped'];

/** Parses the whole argv of `vt` (without node and script). Throws UsageError for exit-2 errors. */
export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: 'help', text: TOP_HELP };
  if (first === '--version' || first === '-V') return { kind: 'version' };
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help', text: TOP_HELP };
  if (first === 'run') {
    if (asksForHelp(rest)) return { kind: 'help', text: RUN_HELP };
    const parsed = parseRunArgs(rest);
    return parsed === 'last-details' ? { kind: 'last-details' } : { kind: 'run', args: parsed };
  }
  if (first === 'cache') return parseCacheArgs(rest);
  if (first.startsWith('-')) throw new UsageError(`unexpected argument '${first}' found`, TOP_USAGE);
  throw new UsageError(`unrecognized subcommand '${first}'`, TOP_USAGE);
}

/**
 * Whether `-h`/`--help` comes before the task specifier, alone or in a cluster of short flags (`-rh`); after
 * the specifier it is a TASK_ARG. Help then wins over every other flag, even an invalid or clashing one.
 * Values of value flags are skipped (`-F -h` filters by `-h`).
 */
function asksForHelp(tokens: readonly string[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '--help') return true;
    if (t === '--' || !t.startsWith('-') || t === '-') return false; // what follows is the specifier
    if (t.startsWith('--')) {
      if (t in LONG_VALUE) i++;
      continue;
    }
    for (let j = 1; j < t.length; j++) {
      const c = t[j]!;
      if (c === 'h') return true;
      if (c in SHORT_VALUE) {
        if (j === t.length - 1) i++; // `-F value`; otherwise the value is the rest of this token
        break;
      }
      if (!(c in SHORT_BOOL)) break; // an unknown flag: parseRunArgs reports it
    }
  }
  return false;
}

/**
 * Parses the arguments after `run`. vt flags come first; the first positional is the specifier and everything
 * after it is passed verbatim to the task, except a single leading `--` (cli.md §2).
 */
export function parseRunArgs(tokens: readonly string[]): RunArgs | 'last-details' {
  const seen: string[] = []; // flag keys in order of appearance, for conflict messages
  const flags = new Set<string>();
  const filters: string[] = [];
  let log: LogMode | undefined;
  let concurrencyLimit: number | undefined;
  let specifier: string | undefined;
  let taskArgs: string[] = [];

  const mark = (key: string): void => {
    if (!flags.has(key)) seen.push(key);
    flags.add(key);
  };
  const setValue = (key: string, value: string | undefined, spelled: string): void => {
    if (value === undefined) {
      throw new UsageError(`a value is required for '${DISPLAY[key]}' but none was supplied`, RUN_USAGE);
    }
    mark(key);
    if (key === 'filter') filters.push(value);
    else if (key === 'log') {
      if (!(LOG_MODES as readonly string[]).includes(value)) {
        throw new UsageError(`invalid value '${value}' for '${DISPLAY.log}'\n  [possible values: interleaved, labeled, grouped]`, RUN_USAGE);
      }
      log = value as LogMode;
    } else if (key === 'concurrencyLimit') {
      if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
        throw new UsageError(`invalid value '${value}' for '${DISPLAY.concurrencyLimit}': expected an integer of at least 1`, RUN_USAGE);
      }
      concurrencyLimit = Number(value);
    }
    void spelled;
  };

  let i = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '--') {
      i++;
      break;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq >= 0 ? t.slice(0, eq) : t;
      if (name in LONG_VALUE) {
        const value = eq >= 0 ? t.slice(eq + 1) : tokens[++i];
        setValue(LONG_VALUE[name]!, value, name);
        continue;
      }
      if (name in LONG_BOOL && eq < 0) {
        mark(LONG_BOOL[name]!);
        continue;
      }
      throw new UsageError(`unexpected argument '${t}' found`, RUN_USAGE);
    }
    if (t.startsWith('-') && t.length > 1) {
      // Clustered short flags (`-rv`), with a value flag allowed last (`-rF app`, `-Fapp`).
      for (let j = 1; j < t.length; j++) {
        const c = t[j]!;
        if (c in SHORT_BOOL) {
          mark(SHORT_BOOL[c]!);
        } else if (c in SHORT_VALUE) {
          const inline = t.slice(j + 1).replace(/^=/, '');
          const value = inline !== '' ? inline : tokens[++i];
          setValue(SHORT_VALUE[c]!, value, `-${c}`);
          break;
        } else {
          throw new UsageError(`unexpected argument '-${c}' found`, RUN_USAGE);
        }
      }
      continue;
    }
    break; // first positional: the specifier
  }
  if (i < tokens.length) {
    specifier = tokens[i]!;
    taskArgs = tokens.slice(i + 1);
    if (taskArgs[0] === '--') taskArgs = taskArgs.slice(1);
  }

  if (flags.has('cache') && flags.has('noCache')) {
    // cli.md §1 gives this exact line, in this order, whichever flag came first.
    throw new UsageError(`the argument '${DISPLAY.cache}' cannot be used with '${DISPLAY.noCache}'`, RUN_USAGE);
  }
  if (flags.has('lastDetails')) {
    const other = seen.find((k) => k !== 'lastDetails');
    if (other !== undefined) {
      throw new UsageError(`the argument '--last-details' cannot be used with '${DISPLAY[other]}'`, RUN_USAGE);
    }
    if (specifier !== undefined) {
      throw new UsageError(`the argument '--last-details' cannot be used with '[TASK_SPECIFIER]'`, RUN_USAGE);
    }
    return 'last-details';
  }

  return {
    recursive: flags.has('recursive'),
    transitive: flags.has('transitive'),
    workspaceRoot: flags.has('workspaceRoot'),
    filters,
    failIfNoMatch: flags.has('failIfNoMatch'),
    ignoreDependsOn: flags.has('ignoreDependsOn'),
    verbose: flags.has('verbose'),
    cache: flags.has('cache') ? true : flags.has('noCache') ? false : undefined,
    log,
    concurrencyLimit,
    parallel: flags.has('parallel'),
    specifier,
    taskArgs,
    onlyCacheFlags: seen.every((k) => k === 'cache' || k === 'noCache'),
  };
}
