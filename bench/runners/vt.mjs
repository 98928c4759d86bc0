/**
 * vt: one `vite-task.json` task per package with the shared input/output globs (so vt runs it untraced, like
 * every peer), started with `vt run -r build`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJson, VT, writeJson } from '../lib.mjs';
import { BUILD_COMMAND, INPUT_GLOBS, OUTPUT_GLOBS } from './shared.mjs';

/** @type {import('./shared.mjs').Runner} */
export default {
  name: 'vt',
  spawns: 'the command directly',
  version() {
    return readJson(path.join(path.dirname(VT), '..', 'package.json')).version;
  },
  setup(root, packages) {
    writeJson(path.join(root, 'vite-task.json'), { cache: { scripts: true, tasks: true } });
    for (const p of packages) {
      const pkg = readJson(path.join(p.dir, 'package.json'));
      delete pkg.scripts;
      writeJson(path.join(p.dir, 'package.json'), pkg);
      writeJson(path.join(p.dir, 'vite-task.json'), { tasks: { build: { command: BUILD_COMMAND, input: INPUT_GLOBS, output: OUTPUT_GLOBS } } });
    }
  },
  invocation(_root, { concurrency }) {
    return { cmd: VT, args: ['run', '-r', '--concurrency-limit', String(concurrency), 'build'], node: true };
  },
  clearCache(root) {
    fs.rmSync(path.join(root, 'node_modules', '.vite'), { recursive: true, force: true });
  },
};
