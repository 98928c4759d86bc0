/**
 * The wildcard dialect of `--filter` (config.md §8): only `*` and `?` are special, and in paths also `**` as a
 * whole segment. Everything else is literal, so names and directories such as `packages/[lib]` or `a{1,2}` are
 * selected exactly as written. General glob libraries give `[`, `{`, `(`, `!` and `\` meanings that would make
 * such selectors match the wrong packages, hence this small matcher.
 */

function wildcardSource(text: string, star: string, one: string): string {
  return Array.from(text, (ch) => {
    if (ch === '*') return star;
    if (ch === '?') return one;
    return ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }).join('');
}

export const hasWildcard = (s: string): boolean => s.includes('*') || s.includes('?');

/** Name globs follow pnpm: `*` is any run of characters (`/` included, so `*` covers scoped names), `?` one. */
export function compileNameGlob(pattern: string): RegExp {
  return new RegExp(`^${wildcardSource(pattern, '.*', '.')}$`, 'su');
}

/**
 * Compiles path segments (relative to a base directory) into a matcher over the segments of a relative path.
 * `*` and `?` stay within one segment; a `**` segment spans zero or more segments. Callers reject `**` glued to
 * other characters beforehand.
 */
export function compilePathGlob(segments: readonly string[]): (relSegments: readonly string[]) => boolean {
  const parts = segments.map((seg) =>
    seg === '**' ? ('globstar' as const) : new RegExp(`^${wildcardSource(seg, '[^/]*', '[^/]')}$`, 'su'),
  );
  return (rel) => {
    const memo = new Map<number, boolean>();
    const match = (p: number, s: number): boolean => {
      const key = p * (rel.length + 1) + s;
      const known = memo.get(key);
      if (known !== undefined) return known;
      let result: boolean;
      const part = parts[p];
      if (part === undefined) result = s === rel.length;
      else if (part === 'globstar') {
        result = false;
        for (let k = s; k <= rel.length && !result; k++) result = match(p + 1, k);
      } else {
        const seg = rel[s];
        result = seg !== undefined && part.test(seg) && match(p + 1, s + 1);
      }
      memo.set(key, result);
      return result;
    };
    return match(0, 0);
  };
}
