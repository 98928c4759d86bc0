/**
 * What every runner is configured with, so that they all cache the same task the same way: the command, the
 * input globs (package-relative) and the output globs.
 *
 * @typedef {{
 *   name: string,
 *   spawns: string,
 *   version(): string,
 *   setup(root: string, packages: { name: string, dir: string, deps: string[] }[], opts: { concurrency: number }): void,
 *   invocation(root: string, opts: { concurrency: number }): import('../lib.mjs').Invocation,
 *   clearCache(root: string): void,
 *   dispose?(root: string): void,
 * }} Runner
 * `setup` turns a freshly generated workspace (package.json `build` scripts, bench/generate.mjs) into that
 * runner's configuration; `clearCache` removes the runner's local cache so that the next run is cold;
 * `dispose`, if present, stops what the runner left running (a daemon) before its workspace is deleted.
 */
export const BUILD_COMMAND = 'node ../../tools/build.mjs';
export const INPUT_GLOBS = ['src/**', 'package.json'];
export const OUTPUT_GLOBS = ['dist/**'];
