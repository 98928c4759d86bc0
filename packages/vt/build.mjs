#!/usr/bin/env node
/**
 * Bundles the CLI into dist/bundle/vt.cjs with esbuild. Start-up time is most of a warm cache hit: loading
 * ~100 separate modules costs far more than one file, and a single CommonJS file can be run with V8's code
 * cache (src/launch/code-cache.ts), which Node 20 offers for scripts but not for ES modules. Code behind
 * dynamic imports (the selector, the IPC server) is still only evaluated when used.
 * better-sqlite3's JavaScript is bundled (so it is in the code cache too) and its addon is loaded by path
 * (src/cache/store.ts); the tracer stays external, loaded from node_modules, and so does the node client (by path).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The node client stays a separate file (it names the addon next to itself) but is required by a path
 * relative to the bundle, fixed at build time: resolving the bare name at run time went through Node's
 * package-exports resolver, ~5 ms on every run that starts an IPC server.
 */
const externalByPath = {
  name: 'external-by-path',
  setup(b) {
    b.onResolve({ filter: /^@vt\/node-client$/ }, (args) => {
      const file = fs.realpathSync(createRequire(path.resolve('package.json')).resolve(args.path));
      const rel = path.relative(path.resolve('dist/bundle'), file);
      return { path: rel.startsWith('../') ? rel : `./${rel}`, external: true };
    });
  },
};

fs.rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/bundle/vt.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  // Prefer ESM builds: jsonc-parser's default UMD entry hides its requires from the bundler.
  mainFields: ['module', 'main'],
  target: 'node20',
  sourcemap: true,
  external: ['@vt/tracer'],
  plugins: [externalByPath],
  // Code written as ES modules (vt's own, and bundled dependencies) resolves files next to itself.
  define: { 'import.meta.url': '__vtBundleUrl' },
  banner: { js: "const __vtBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
// The launcher (bin/vt requires it) is CommonJS too: an ES module entry point costs Node ~18 ms more to start.
await build({
  entryPoints: ['src/launch/code-cache.ts'],
  outfile: 'dist/bundle/launch.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
