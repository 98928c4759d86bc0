/**
 * Nx: `nx.json` target defaults with the shared inputs/outputs and `^build`; each package's target is an
 * inline `command` (run-commands), so Nx spawns it through a shell instead of `npm run`. Two variants: without
 * its daemon (reproducible, what CI does) and with it (Nx's local default: the daemon keeps the project graph
 * and file hashes warm between runs; it is stopped before each cold build and at the end).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_BIN, BENCH_DIR, baseEnv, linkDependency, readJson, writeJson } from '../lib.mjs';
import { BUILD_COMMAND, INPUT_GLOBS, OUTPUT_GLOBS } from './shared.mjs';

const NX = path.join(BENCH_BIN, 'nx');

/** @returns {import('./shared.mjs').Runner} */
function nx(daemon) {
  const env = { NX_DAEMON: String(daemon), NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'false' };
  const stopDaemon = (root) => {
    if (!daemon || !fs.existsSync(path.join(root, '.nx'))) return;
    execFileSync(NX, ['daemon', '--stop'], { cwd: root, env: { ...baseEnv(), ...env }, stdio: 'ignore' });
  };
  return {
    name: daemon ? 'nx+daemon' : 'nx',
    spawns: 'the command through a shell (run-commands)',
    version() {
      return readJson(path.join(BENCH_DIR, 'node_modules', 'nx', 'package.json')).version;
    },
    setup(root, packages) {
      linkDependency(root, 'nx');
      writeJson(path.join(root, 'nx.json'), {
        // Without this, Nx 24 keeps its cache and task DB in ~/.nx/<id of the repository's first commit>/,
        // shared by every checkout: a "cold" build after removing .nx would still hit.
        cacheDirectory: '.nx/cache',
        targetDefaults: {
          build: {
            dependsOn: ['^build'],
            inputs: INPUT_GLOBS.map((g) => `{projectRoot}/${g}`),
            outputs: OUTPUT_GLOBS.map((g) => `{projectRoot}/${g}`),
            cache: true,
          },
        },
      });
      for (const p of packages) {
        const pkg = readJson(path.join(p.dir, 'package.json'));
        delete pkg.scripts;
        pkg.nx = { targets: { build: { command: BUILD_COMMAND, options: { cwd: '{projectRoot}' } } } };
        writeJson(path.join(p.dir, 'package.json'), pkg);
      }
    },
    invocation(_root, { concurrency }) {
      return { cmd: NX, args: ['run-many', '-t', 'build', `--parallel=${concurrency}`, '--outputStyle=static'], env };
    },
    clearCache(root) {
      stopDaemon(root);
      fs.rmSync(path.join(root, '.nx'), { recursive: true, force: true });
    },
    dispose: stopDaemon,
  };
}

export const nxNoDaemon = nx(false);
export const nxDaemon = nx(true);
