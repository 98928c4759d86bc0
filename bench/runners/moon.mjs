/**
 * moon: `.moon/workspace.yml` over `packages/*`, one `moon.yml` per package declaring its project dependencies
 * and the task with the shared inputs/outputs and `^:build`; moon spawns the command directly.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_BIN } from '../lib.mjs';
import { BUILD_COMMAND, INPUT_GLOBS, OUTPUT_GLOBS } from './shared.mjs';

const MOON = path.join(BENCH_BIN, 'moon');
const MOON_ENV = { MOON_TELEMETRY: 'false', MOON_CHECK_UPGRADE: 'false' };
const yamlList = (xs) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

/** @type {import('./shared.mjs').Runner} */
export default {
  name: 'moon',
  spawns: 'the command directly',
  version() {
    return execFileSync(MOON, ['--version'], { encoding: 'utf8', env: { ...process.env, ...MOON_ENV } }).trim().replace(/^moon /, '');
  },
  setup(root, packages) {
    fs.mkdirSync(path.join(root, '.moon'), { recursive: true });
    fs.writeFileSync(
      path.join(root, '.moon', 'workspace.yml'),
      ["projects:", "  - 'packages/*'", 'vcs:', "  client: 'git'", "  defaultBranch: 'master'", 'telemetry: false', ''].join('\n'),
    );
    for (const p of packages) {
      const pkg = JSON.parse(fs.readFileSync(path.join(p.dir, 'package.json'), 'utf8'));
      delete pkg.scripts;
      fs.writeFileSync(path.join(p.dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
      fs.writeFileSync(
        path.join(p.dir, 'moon.yml'),
        [
          `dependsOn: ${yamlList(p.deps)}`,
          'tasks:',
          '  build:',
          `    command: ${JSON.stringify(BUILD_COMMAND)}`,
          `    inputs: ${yamlList(INPUT_GLOBS)}`,
          `    outputs: ${yamlList(OUTPUT_GLOBS)}`,
          "    deps: ['^:build']",
          '',
        ].join('\n'),
      );
    }
  },
  invocation(_root, { concurrency }) {
    return { cmd: MOON, args: ['run', ':build', '-c', String(concurrency), '--summary', 'none'], env: MOON_ENV };
  },
  clearCache(root) {
    fs.rmSync(path.join(root, '.moon', 'cache'), { recursive: true, force: true });
  },
};
