#!/usr/bin/env node
/**
 * Bundles the CLI into dist/bundle/vt.cjs with esbuild. Start-up time is most of a warm cache hit: loading
 * ~100 separate modules costs far more than one file, and a single CommonJS file can be run with V8's code
 * cache (src/launch/code-cache.ts), which Node 20 offers for scripts but not for ES modules. Code behind
 * dynamic imports (the selector, the IPC server) is still only evaluated when used.
 * better-sqlite3's JavaScript is bundled (so it is in the code cache too) and its addon is loaded by path
 * (src/cache/store.ts); the tracer and the node client stay external, loaded from node_modules.
 */
import fs from 'node:fs';
import { build } from 'esbuild';

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
  external: ['@vt/tracer', '@vt/node-client'],
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
