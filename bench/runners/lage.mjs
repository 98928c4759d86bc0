/**
 * lage: `lage.config.cjs` with `^build` and the shared input/output globs; lage runs each task through the
 * package manager (`npm run build`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_BIN, BENCH_DIR, linkDependency, readJson, writeJson } from '../lib.mjs';
import { INPUT_GLOBS, OUTPUT_GLOBS } from './shared.mjs';

const LAGE = path.join(BENCH_BIN, 'lage');

/** @type {import('./shared.mjs').Runner} */
export default {
  name: 'lage',
  spawns: '`npm run build`',
  version() {
    return readJson(path.join(BENCH_DIR, 'node_modules', 'lage', 'package.json')).version;
  },
  setup(root) {
    linkDependency(root, 'lage');
    const rootPkg = readJson(path.join(root, 'package.json'));
    rootPkg.workspaces = ['packages/*'];
    writeJson(path.join(root, 'package.json'), rootPkg);
    // lage insists on a lockfile to pick its workspace reader; the packages have no external dependencies.
    fs.writeFileSync(path.join(root, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const config = { pipeline: { build: ['^build'] }, npmClient: 'npm', cacheOptions: { inputGlob: INPUT_GLOBS, outputGlob: OUTPUT_GLOBS } };
    fs.writeFileSync(path.join(root, 'lage.config.cjs'), `module.exports = ${JSON.stringify(config, null, 2)};\n`);
  },
  invocation(_root, { concurrency }) {
    return { cmd: LAGE, args: ['build', '--concurrency', String(concurrency), '--reporter', 'npmLog', '--log-level', 'error'] };
  },
  clearCache(root) {
    fs.rmSync(path.join(root, 'node_modules', '.cache'), { recursive: true, force: true });
  },
};
