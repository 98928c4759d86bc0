#!/usr/bin/env node
/**
 * Micro-benchmark of a cold cache-hit restore in the shape of the main benchmark: N packages, each with
 * one output directory holding one small file (`packages/pN/dist/index.js`, a few KB). It creates the N
 * archives with vt's own createArchive, then repeatedly empties `packages/*\/dist` in a fresh workspace and
 * restores all N archives into it, one after another, as `vt run --cache` does on a hit.
 *
 * Prints the median wall time per restore over the rounds (CPU time too: it is the steadier number on a
 * shared 2-core machine). Uses the compiled library, so compile first (tsc only, not the bundle):
 *
 *   (cd packages/vt && npx tsc -p .) && node bench/restore.mjs [packages=30] [rounds=21]
 *
 * With `--restore-only` it restores each archive exactly once into an empty tree and prints nothing but a
 * count, for system-call counting: compare `strace -c -f node bench/restore.mjs 30 1 --restore-only` with
 * the same run for 0 packages to see the calls the restores make.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchive, restoreArchive } from '../packages/vt/dist/archive/index.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const restoreOnly = process.argv.includes('--restore-only');
const packages = Number(args[0] ?? 30);
const rounds = Number(args[1] ?? 21);
if (!Number.isInteger(packages) || packages < 0 || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: node bench/restore.mjs [packages >= 0] [rounds >= 1] [--restore-only]');
  process.exit(2);
}

const base = mkdtempSync(join(tmpdir(), 'vt-restore-bench-'));
try {
  const source = join(base, 'src');
  const archives = [];
  for (let i = 0; i < packages; i++) {
    const pkg = `packages/p${i}`;
    mkdirSync(join(source, pkg, 'dist'), { recursive: true });
    const lines = Array.from({ length: 120 }, (_, n) => `export const v${n} = ${JSON.stringify(`${pkg}:${n * 7919}`)};`);
    writeFileSync(join(source, pkg, 'dist/index.js'), `${lines.join('\n')}\n`);
    const archive = await createArchive({
      workspaceRoot: source,
      outputsDir: join(base, 'cache/outputs'),
      paths: [`${pkg}/dist`, `${pkg}/dist/index.js`],
    });
    archives.push({ pkg, ...archive });
  }

  const ws = join(base, 'ws');
  /** A workspace whose packages exist but whose outputs do not (after `rm -rf packages/*\/dist`). */
  const freshWorkspace = () => {
    rmSync(ws, { recursive: true, force: true });
    for (const { pkg } of archives) mkdirSync(join(ws, pkg), { recursive: true });
  };
  const restoreAll = async () => {
    for (const { file, manifest } of archives) {
      const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile: file, manifest });
      if (!outcome.ok || outcome.written !== 2) throw new Error(`unexpected restore outcome: ${JSON.stringify(outcome)}`);
    }
  };

  if (restoreOnly) {
    freshWorkspace();
    await restoreAll();
    console.log(`restored ${packages} archives`);
  } else {
    freshWorkspace();
    await restoreAll(); // warm-up: module loading, JIT
    const wall = [];
    const cpu = [];
    for (let r = 0; r < rounds; r++) {
      freshWorkspace();
      const start = process.hrtime.bigint();
      const startCpu = process.cpuUsage();
      await restoreAll();
      const used = process.cpuUsage(startCpu);
      wall.push(Number(process.hrtime.bigint() - start) / 1e6 / Math.max(packages, 1));
      cpu.push((used.user + used.system) / 1e3 / Math.max(packages, 1));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `restore of ${packages} one-file archives, ${rounds} rounds: ` +
        `${median(wall).toFixed(3)} ms wall, ${median(cpu).toFixed(3)} ms CPU per restore (median)`,
    );
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
