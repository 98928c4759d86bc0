import { UsageError } from '../errors.js';
import { CACHE_CLEAN_HELP, CACHE_CLEAN_USAGE, CACHE_HELP, CACHE_USAGE } from './help.js';

/** What `vt cache …` asks for. */
export type CacheCommand = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'cache-clean' };

const isHelp = (t: string): boolean => t === '--help' || t === '-h';

/** A token that is neither a known subcommand nor help: clap's wording for a flag and for a word differ. */
function unexpected(token: string, usage: string): UsageError {
  return token.startsWith('-') && token !== '-'
    ? new UsageError(`unexpected argument '${token}' found`, usage)
    : new UsageError(`unrecognized subcommand '${token}'`, usage);
}

/**
 * Parses the arguments after `cache` (cli.md §1). `clean` takes no arguments: anything else after it is an
 * unexpected argument of `clean`, not an unknown subcommand. Help after `clean` wins over anything else there.
 */
export function parseCacheArgs(tokens: readonly string[]): CacheCommand {
  const [sub, ...rest] = tokens;
  if (sub === undefined) throw new UsageError("'vt cache' requires a subcommand", CACHE_USAGE);
  if (isHelp(sub) || sub === 'help') return { kind: 'help', text: CACHE_HELP };
  if (sub !== 'clean') throw unexpected(sub, CACHE_USAGE);
  if (rest.some(isHelp)) return { kind: 'help', text: CACHE_CLEAN_HELP };
  if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}' found`, CACHE_CLEAN_USAGE);
  return { kind: 'cache-clean' };
}
