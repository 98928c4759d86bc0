/**
 * `import()` of packages that are not bundled because they are ESM-only and locate native files next to
 * themselves (the tracer). The bundle runs as a `vm.Script` (see code-cache.ts), and on Node 20 such a
 * script cannot call `import()` without an experimental flag, so the launcher lends its own. Run from
 * source (tests), there is no launcher and plain `import()` is used.
 */
export const IMPORT_HOOK = Symbol.for('vt.importExternal');

export function importExternal<T>(specifier: string): Promise<T> {
  const lent = (globalThis as Record<symbol, unknown>)[IMPORT_HOOK] as ((s: string) => Promise<T>) | undefined;
  return lent ? lent(specifier) : (import(specifier) as Promise<T>);
}
