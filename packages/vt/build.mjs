#!/usr/bin/env node
/**
 * Bundles the CLI into dist/bundle/ with esbuild. Start-up time is most of a warm cache hit, and loading
 * ~100 separate ESM modules costs far more than one file; dynamic imports stay separate chunks so that
 * `vt --version` or a plan error never loads SQLite, the archive code or the IPC server.
 * Native addons (better-sqlite3, the tracer, the node client) stay external: they are loaded from node_modules.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // Prefer ESM builds: jsonc-parser's default UMD entry hides its requires from the bundler.
  mainFields: ['module', 'main'],
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', '@vt/tracer', '@vt/node-client'],
  // Some bundled CommonJS dependencies call require() on Node built-ins.
  banner: { js: "import { createRequire as __vtCreateRequire } from 'node:module'; const require = __vtCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
