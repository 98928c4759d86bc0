/**
 * wireit: a `wireit` block per package with the shared `files`/`output` and its dependencies, plus a root
 * script that depends on every package's build; wireit refuses to start outside a package manager, so it is
 * launched as `npm run build` at the root (that start-up is part of its cost), and spawns commands directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_BIN, BENCH_DIR, readJson, writeJson } from '../lib.mjs';
import { BUILD_COMMAND, INPUT_GLOBS, OUTPUT_GLOBS } from './shared.mjs';

/** @type {import('./shared.mjs').Runner} */
export default {
  name: 'wireit',
  spawns: 'the command directly (run from `npm run build`)',
  version() {
    return readJson(path.join(BENCH_DIR, 'node_modules', 'wireit', 'package.json')).version;
  },
  setup(root, packages) {
    const rootPkg = readJson(path.join(root, 'package.json'));
    rootPkg.scripts = { build: 'wireit' };
    rootPkg.wireit = { build: { dependencies: packages.map((p) => `./packages/${path.basename(p.dir)}:build`) } };
    writeJson(path.join(root, 'package.json'), rootPkg);
    for (const p of packages) {
      const pkg = readJson(path.join(p.dir, 'package.json'));
      pkg.scripts = { build: 'wireit' };
      pkg.wireit = {
        build: { command: BUILD_COMMAND, dependencies: p.deps.map((d) => `../${d}:build`), files: INPUT_GLOBS, output: OUTPUT_GLOBS },
      };
      writeJson(path.join(p.dir, 'package.json'), pkg);
    }
  },
  invocation(_root, { concurrency }) {
    return {
      cmd: 'npm',
      args: ['run', '--silent', 'build'],
      env: { WIREIT_PARALLEL: String(concurrency), WIREIT_CACHE: 'local', WIREIT_LOGGER: 'quiet', PATH: `${BENCH_BIN}:${process.env.PATH}` },
    };
  },
  clearCache(root) {
    for (const d of fs.readdirSync(path.join(root, 'packages'))) fs.rmSync(path.join(root, 'packages', d, '.wireit'), { recursive: true, force: true });
    fs.rmSync(path.join(root, '.wireit'), { recursive: true, force: true });
  },
};
