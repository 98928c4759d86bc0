/**
 * turbo: `turbo.json` with `^build` dependencies and the shared inputs/outputs; turbo runs each task through
 * the package manager (`npm run build`; it has no way to spawn the command directly).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_BIN, readJson, writeJson } from '../lib.mjs';
import { INPUT_GLOBS, OUTPUT_GLOBS } from './shared.mjs';

export const TURBO = path.join(BENCH_BIN, 'turbo');

/** What every turbo invocation runs with: no telemetry, no update check. */
export const TURBO_ENV = { TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1', DO_NOT_TRACK: '1' };

/** @type {import('./shared.mjs').Runner} */
export default {
  name: 'turbo',
  spawns: '`npm run build`',
  version() {
    return execFileSync(TURBO, ['--version'], { encoding: 'utf8', env: { ...process.env, ...TURBO_ENV } }).trim();
  },
  setup(root) {
    const rootPkg = readJson(path.join(root, 'package.json'));
    rootPkg.packageManager = `npm@${execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()}`;
    rootPkg.workspaces = ['packages/*'];
    writeJson(path.join(root, 'package.json'), rootPkg);
    writeJson(path.join(root, 'turbo.json'), {
      tasks: { build: { dependsOn: ['^build'], inputs: INPUT_GLOBS, outputs: OUTPUT_GLOBS } },
    });
  },
  invocation(_root, { concurrency }) {
    return {
      cmd: TURBO,
      args: ['run', 'build', `--concurrency=${concurrency}`, '--output-logs=errors-only'],
      env: TURBO_ENV,
    };
  },
  clearCache(root) {
    fs.rmSync(path.join(root, '.turbo'), { recursive: true, force: true });
  },
};
