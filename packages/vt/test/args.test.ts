import { describe, expect, it } from 'vitest';
import { parseCommand, parseRunArgs } from '../src/cli/args.js';
import { UsageError } from '../src/errors.js';
import { CACHE_CLEAN_HELP, CACHE_HELP, RUN_HELP } from '../src/cli/help.js';

const run = (argv: string[]) => {
  const parsed = parseRunArgs(argv);
  if (parsed === 'last-details') throw new Error('unexpected');
  return parsed;
};

describe('vt run argument parsing', () => {
  it('passes every token after the specifier verbatim, dropping only a first --', () => {
    expect(run(['build', '-v', '--cache']).taskArgs).toEqual(['-v', '--cache']);
    expect(run(['test', '--', '--watch', '--']).taskArgs).toEqual(['--watch', '--']);
    expect(run(['-r', 'build']).recursive).toBe(true);
    expect(run(['build', '-r']).recursive).toBe(false);
  });

  it('parses value flags in all spellings and clustered short flags', () => {
    const a = run(['-F', 'a', '--filter=b', '--filter', 'c d', '-Fe', '--log=labeled', '--concurrency-limit', '3', 'x']);
    expect(a.filters).toEqual(['a', 'b', 'c d', 'e']);
    expect(a.log).toBe('labeled');
    expect(a.concurrencyLimit).toBe(3);
    const b = run(['-rv', 'build']);
    expect(b.recursive && b.verbose).toBe(true);
  });

  it('recognises a bare run', () => {
    expect(run([]).onlyCacheFlags).toBe(true);
    expect(run(['--cache']).onlyCacheFlags).toBe(true);
    expect(run(['-r']).onlyCacheFlags).toBe(false);
  });

  it.each([
    [['--cache', '--no-cache', 'x'], "the argument '--cache' cannot be used with '--no-cache'"],
    [['--no-cache', '--cache', 'x'], "the argument '--cache' cannot be used with '--no-cache'"],
    [['--last-details', '-r'], "the argument '--last-details' cannot be used with '--recursive'"],
    [['--last-details', 'build'], "the argument '--last-details' cannot be used with '[TASK_SPECIFIER]'"],
    [['--log', 'fancy', 'x'], "invalid value 'fancy' for '--log <LOG>'"],
    [['--concurrency-limit', '0', 'x'], "invalid value '0' for '--concurrency-limit <N>'"],
    [['--concurrency-limit', 'abc', 'x'], "invalid value 'abc' for '--concurrency-limit <N>'"],
    [['--bogus'], "unexpected argument '--bogus' found"],
    [['-F'], "a value is required for '--filter <FILTER>'"],
  ])('rejects %j', (argv, first) => {
    expect(() => parseRunArgs(argv)).toThrow(UsageError);
    try {
      parseRunArgs(argv);
    } catch (err) {
      expect((err as Error).message.split('\n')[0]).toContain(first);
    }
  });

  it('routes top-level commands', () => {
    expect(parseCommand(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommand(['-V'])).toEqual({ kind: 'version' });
    expect(parseCommand(['cache', 'clean'])).toEqual({ kind: 'cache-clean' });
    expect(parseCommand(['run', '--last-details'])).toEqual({ kind: 'last-details' });
    expect(parseCommand(['run', '--help']).kind).toBe('help');
    expect(parseCommand(['run', 'build', '--help'])).toMatchObject({ kind: 'run', args: { taskArgs: ['--help'] } });
    expect(() => parseCommand(['frobnicate'])).toThrow(UsageError);
  });
});

describe('help wherever the help lists -h, --help', () => {
  const usageError = (argv: string[]): UsageError => {
    try {
      parseCommand(argv);
    } catch (err) {
      if (err instanceof UsageError) return err;
      throw err;
    }
    throw new Error(`expected ${JSON.stringify(argv)} to be rejected`);
  };

  it.each([[['run', '-h']], [['run', '--help']], [['run', '-rh']], [['run', '-r', '-h', 'build']], [['run', '--cache', '--no-cache', '-h']]])(
    '%j prints the run help',
    (argv) => {
      expect(parseCommand(argv)).toEqual({ kind: 'help', text: RUN_HELP });
    },
  );

  it('after the specifier, or as a --filter value, -h is not help', () => {
    expect(parseCommand(['run', 'build', '-h'])).toMatchObject({ kind: 'run', args: { taskArgs: ['-h'] } });
    expect(parseCommand(['run', '-F', '-h', 'build'])).toMatchObject({ kind: 'run', args: { filters: ['-h'], specifier: 'build' } });
  });

  it.each([[['cache', '--help']], [['cache', '-h']], [['cache', 'help']]])('%j prints the cache help', (argv) => {
    expect(parseCommand(argv)).toEqual({ kind: 'help', text: CACHE_HELP });
  });

  it.each([[['cache', 'clean', '--help']], [['cache', 'clean', '-h']]])('%j prints the clean help', (argv) => {
    expect(parseCommand(argv)).toEqual({ kind: 'help', text: CACHE_CLEAN_HELP });
  });

  it('an argument after `cache clean` is unexpected, with clean\'s usage', () => {
    expect(usageError(['cache', 'clean', 'extra']).render()).toBe(
      "error: unexpected argument 'extra' found\n\nUsage: vt cache clean\n\nFor more information, try '--help'.\n",
    );
    expect(usageError(['cache', 'clean', '--bogus']).message).toBe("unexpected argument '--bogus' found");
    expect(usageError(['cache', '-x']).message).toBe("unexpected argument '-x' found");
    expect(usageError(['cache', 'bogus']).message).toBe("unrecognized subcommand 'bogus'");
  });
});
