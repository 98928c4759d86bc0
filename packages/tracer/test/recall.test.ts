import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { runTraced } from './support/run-traced.js';
import { straceRun } from './support/strace.js';
import {
  esbuildWorkload,
  requireWorkload,
  shellWorkload,
  staticWorkload,
  tscWorkload,
  workloadEnv,
} from './support/workloads.mjs';

const root = mkdtempSync(join(tmpdir(), 'vt-tracer-recall-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** /proc/<pid>/... differs between two runs of the same workload; everything else must match. */
const comparable = (p: string) => !/^\/proc\/\d+(\/|$)/.test(p);

interface Workload {
  name: string;
  program: string;
  args: string[];
  cwd: string;
  reset(): void;
}

/** Runs the workload under strace once, then under the tracer with each mechanism; every strace path must be seen. */
async function expectFullRecall(w: Workload) {
  const env = workloadEnv();
  w.reset();
  const truth = straceRun(w.program, w.args, w.cwd, env);
  // Sanity: the ground truth is not trivially small.
  expect(truth.size).toBeGreaterThan(10);
  for (const mechanism of ['unotify', 'ptrace'] as const) {
    w.reset();
    const run = await runTraced(w.program, w.args, { cwd: w.cwd, env, mechanism });
    expect(run.code, run.stderr).toBe(0);
    expect(run.result.complete, JSON.stringify(run.result)).toBe(true);
    expect(run.result.stats.mode).toBe(mechanism);
    const seen = run.result.accesses;
    const missing = [...truth].filter((p) => comparable(p) && !seen.has(p));
    expect(missing, `${mechanism} missed paths strace saw`).toEqual([]);
    console.log(`${w.name}/${mechanism}: strace ${truth.size} paths, tracer ${seen.size};`, JSON.stringify(run.result.stats));
  }
  return { truth: truth.size };
}

// strace makes these slow on a loaded 2-core machine; give them room beyond the default 30 s.
describe('recall against strace -f (user notification and ptrace)', { timeout: 120_000 }, () => {
  it('node requiring hundreds of modules', async () => {
    const r = await expectFullRecall(requireWorkload(join(root, 'require'), 300));
    expect(r.truth).toBeGreaterThan(1000);
  });

  it('shell script statting and reading thousands of files', async () => {
    const r = await expectFullRecall(shellWorkload(join(root, 'shell'), 20, 100));
    expect(r.truth).toBeGreaterThan(2000);
  });

  it('static binary that forks and re-execs itself', async () => {
    await expectFullRecall(staticWorkload(join(root, 'static')));
  });

  it("esbuild's static Go binary spawned from node", async () => {
    await expectFullRecall(esbuildWorkload(join(root, 'esbuild'), 100));
  });

  it('tsc on a generated project', async () => {
    await expectFullRecall(tscWorkload(join(root, 'tsc'), 20));
  });
});
