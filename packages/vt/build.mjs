#!/usr/bin/env node
/**
 * Bundles the CLI into dist/bundle/vt.cjs with esbuild. Start-up time is most of a warm cache hit: loading
 * ~100 separate modules costs far more than one file, and a single CommonJS file can be run with V8's code
 * cache (src/launch/code-cache.ts), which Node 20 offers for scripts but not for ES modules. Code behind
 * dynamic imports (the selector, the IPC server) is still only evaluated when used.
 * better-sqlite3's JavaScript is bundled (so it is in the code cache too) and its addon is loaded by path
 * (src/cache/store.ts); so is the tracer's (see tracerFileUrls). The node client and the file-stamps addon
 * stay separate files (see externalByPath).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const bundleDir = path.resolve('dist/bundle');
const tracerDist = path.dirname(fs.realpathSync(createRequire(path.resolve('package.json')).resolve('@vt/tracer')));

/**
 * The tracer is bundled (it was loaded through Node's ES module loader, ~13 ms of every traced run), but it
 * finds its native files from its own `import.meta.url`: in its files that becomes the URL the file had
 * before bundling, computed from the bundle's location at run time.
 */
const tracerFileUrls = {
  name: 'tracer-file-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(`${tracerDist}${path.sep}`)) return undefined;
      const rel = path.relative(bundleDir, args.path);
      const contents = fs.readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `__vtFileUrl(${JSON.stringify(rel)})`);
      return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

/**
 * The node client and @vt/file-stamps stay separate files (each names or loads its addon next to itself)
 * but are required by a path relative to the bundle, fixed at build time: resolving a bare name at run time
 * went through Node's package-exports resolver, ~5 ms on every run that starts an IPC server.
 */
const externalByPath = {
  name: 'external-by-path',
  setup(b) {
    b.onResolve({ filter: /^@vt\/(node-client|file-stamps)$/ }, (args) => {
      const file = fs.realpathSync(createRequire(path.resolve('package.json')).resolve(args.path));
      const rel = path.relative(bundleDir, file);
      return { path: rel.startsWith('../') ? rel : `./${rel}`, external: true };
    });
  },
};

/**
 * better-sqlite3's addon, as a URL relative to the bundle (src/cache/store.ts, VT_BUNDLED_SQLITE_ADDON), in
 * source form for esbuild's `define`: through vt's own node_modules link, where Node's resolver would find it
 * first, so the path does not name the installed version. Where the file is not there (at build time, or at
 * run time), vt resolves the package instead.
 */
function sqliteAddonFromBundle() {
  const addon = path.resolve('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  return fs.existsSync(addon) ? JSON.stringify(path.relative(bundleDir, addon).split(path.sep).join('/')) : 'undefined';
}

/** Builtins loaded on first use (see the rewrite after the build). */
const LAZY_BUILTINS = ['node:child_process', 'node:zlib'];

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
  plugins: [externalByPath, tracerFileUrls],
  // Code written as ES modules (vt's own, and bundled dependencies) resolves files next to itself.
  define: { 'import.meta.url': '__vtBundleUrl', VT_BUNDLED_SQLITE_ADDON: sqliteAddonFromBundle() },
  banner: {
    js:
      "const __vtBundleUrl = require('node:url').pathToFileURL(__filename).href;\n" +
      "const __vtFileUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;\n" +
      // See the note after this build: called only once the bundle's own __toESM is defined.
      'const __vtBuiltins = new Map();\n' +
      'const __vtBuiltin = (id) => { let m = __vtBuiltins.get(id); if (m === undefined) __vtBuiltins.set(id, (m = __toESM(require(id), 1))); return m; };\n' +
      // See LAZY_BUILTINS below.
      "const __vtLazyBuiltin = (id) => { let m; return new Proxy({}, { get: (_, k) => (m ??= require(id))[k] }); };",
  },
  logLevel: 'warning',
});
// Every module that default-imports a Node builtin got its own `__toESM(require("node:fs"), 1)`: a fresh
// object with a getter per property of the builtin, 45 of them (fs 17 times, path 22), ~4 ms of every run.
// They are all the same object, so one per builtin is made and shared.
{
  const file = 'dist/bundle/vt.cjs';
  const call = /__toESM\(require\("(node:[a-z_/]+)"\), 1\)/g;
  const text = fs.readFileSync(file, 'utf8');
  const shared = text.replace(call, (_, id) => `__vtBuiltin(${JSON.stringify(id)})`);
  if (shared === text || /__toESM\(require\("node:/.test(shared)) throw new Error('build.mjs: the builtin imports in the bundle no longer look as expected');
  // Builtins loaded when first used instead of with the bundle: a full cache hit spawns nothing, and
  // child_process (with net and dgram, which it loads) was ~3 ms of its start-up; zlib (~1.5 ms) is only
  // needed to archive, to restore, or to check the CRC of a non-empty replayed log. The bundle only ever
  // reads their properties at call time (`(0, import_node_zlib.gzipSync)(…)`), which is all the proxy supports.
  let lazy = shared;
  for (const id of LAZY_BUILTINS) {
    const eager = new RegExp(`^var (import_[A-Za-z0-9_]+) = require\\("${id}"\\);$`, 'gm');
    const before = lazy;
    lazy = lazy.replace(eager, (_, name) => `var ${name} = __vtLazyBuiltin("${id}");`);
    if (lazy === before) throw new Error(`build.mjs: no top-level require of ${id} left to make lazy; update LAZY_BUILTINS`);
  }
  fs.writeFileSync(file, lazy);
}
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
