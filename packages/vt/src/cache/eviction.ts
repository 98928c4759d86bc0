/**
 * Eviction limits. On by default so that a long-lived checkout's cache cannot grow without bound:
 * 10 GiB total and 30 days since last use. `VT_CACHE_MAX_SIZE` takes bytes with an optional K/M/G suffix
 * (binary units); `VT_CACHE_MAX_AGE_DAYS` takes a number of days. Invalid values fall back to the defaults.
 */
export const DEFAULT_MAX_BYTES = 10 * 1024 ** 3;
export const DEFAULT_MAX_AGE_DAYS = 30;

export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * mult);
}

export function evictionLimits(env: NodeJS.ProcessEnv): { maxBytes: number; maxAgeMs: number } {
  const size = env.VT_CACHE_MAX_SIZE !== undefined ? parseSize(env.VT_CACHE_MAX_SIZE) : undefined;
  const days = env.VT_CACHE_MAX_AGE_DAYS !== undefined ? Number(env.VT_CACHE_MAX_AGE_DAYS) : NaN;
  return {
    maxBytes: size ?? DEFAULT_MAX_BYTES,
    maxAgeMs: (Number.isFinite(days) && days > 0 ? days : DEFAULT_MAX_AGE_DAYS) * 24 * 60 * 60 * 1000,
  };
}
