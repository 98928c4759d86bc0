/**
 * `getEnvs` queries: a glob in the env pattern syntax of env.md §2 (without negation) or a literal prefix.
 */
import picomatch from 'picomatch';

export type EnvQuery = { readonly glob: string } | { readonly prefix: string };

/** The key a query is tracked under: a glob and a prefix are distinct queries even with the same text. */
export function queryKey(query: EnvQuery): string {
  return 'glob' in query ? `glob:${query.glob}` : `prefix:${query.prefix}`;
}

export type CompiledQuery =
  { readonly ok: true; readonly matches: (name: string) => boolean } | { readonly ok: false; readonly error: string };

// The same options vt uses for `env`/`untrackedEnv` patterns: whole-name match, `*`, `?`, classes and `{a,b}`,
// no extglobs; names are case-insensitive only where the OS treats them so.
const OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  nocase: process.platform === 'win32',
  noextglob: true,
  nonegate: true,
  strictBrackets: true,
};

export function compileQuery(query: EnvQuery): CompiledQuery {
  if ('prefix' in query) {
    const { prefix } = query;
    return { ok: true, matches: (name) => name.startsWith(prefix) };
  }
  const { glob } = query;
  if (glob.startsWith('!')) return { ok: false, error: `invalid glob '${glob}': negation is not supported` };
  try {
    const matcher = picomatch(glob, OPTIONS);
    // Wrapped: picomatch's matcher takes a second `returnObject` argument that callbacks must not fill.
    return { ok: true, matches: (name) => matcher(name) };
  } catch (error) {
    return { ok: false, error: `invalid glob '${glob}': ${(error as Error).message}` };
  }
}
