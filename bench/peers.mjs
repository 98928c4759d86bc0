/**
 * vt beside its peers on one generated workspace shape: each runner gets its own copy, configured with the same
 * command, inputs and outputs (runners/*.mjs), committed to git like a real repository. Scenarios:
 *  - cold build: no cache and no outputs (the runner's whole cache directory is removed first);
 *  - warm full hit: every task cached, outputs present;
 *  - restore after delete: every `dist/` removed, every task hits and restores it;
 *  - one file changed: one source file of a last-layer package changes (one miss, the rest hit).
 * In each round every runner runs once, in an order that changes from round to round (lib.roundOrder). Each
 * run is checked (all outputs present; the changed package really rebuilt) so that a misconfigured runner
 * cannot look fast by doing nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generate, gitCommit, median, readPackages, roundOrder, timeRun } from './lib.mjs';

export const SCENARIOS = ['cold build', 'warm full hit', 'restore after delete', 'one file changed'];

/**
 * @param {{ base: string, packages: number, files: number, rounds: number, coldRounds: number, concurrency: number,
 *           runners: import('./runners/shared.mjs').Runner[], log: (msg: string) => void }} opts
 * @returns {{ packages: number, files: number, versions: Record<string, string>,
 *             failures: Record<string, string>,
 *             results: Record<string, Record<string, { median: number, runs: number[], rssKiB?: number }>> }}
 */
export function runPeers(opts) {
  const { base, packages, files, rounds, coldRounds, concurrency, log } = opts;
  const failures = {};
  const versions = {};
  const ws = {};
  for (const runner of opts.runners) {
    const dir = path.join(base, `${runner.name}-${packages}`);
    try {
      versions[runner.name] = runner.version();
      generate(dir, packages, files);
      countBuilds(dir);
      runner.setup(dir, readPackages(dir), { concurrency });
      gitCommit(dir);
      ws[runner.name] = dir;
    } catch (e) {
      failures[runner.name] = errorText(e);
      log(`${runner.name}: setup failed: ${failures[runner.name]}`);
    }
  }
  const leafPackage = `pkg-${String(packages - 1).padStart(3, '0')}`;
  const leafSource = (dir) => path.join(dir, 'packages', leafPackage, 'src', 'm00.js');
  const leafOutput = (dir) => path.join(dir, 'packages', leafPackage, 'dist', 'index.js');
  const removeOutputs = (dir) => {
    for (const p of fs.readdirSync(path.join(dir, 'packages'))) fs.rmSync(path.join(dir, 'packages', p, 'dist'), { recursive: true, force: true });
  };
  const checkOutputs = (dir) => {
    for (const p of fs.readdirSync(path.join(dir, 'packages'))) {
      if (!fs.existsSync(path.join(dir, 'packages', p, 'dist', 'index.js'))) throw new Error(`packages/${p}/dist/index.js is missing after the run`);
    }
  };

  /** Per scenario: prepare(dir, round) before the timed run, check(dir, round) after it. */
  const plan = {
    'cold build': {
      rounds: coldRounds,
      prepare: (dir, runner) => {
        runner.clearCache(dir);
        removeOutputs(dir);
      },
      check: (dir) => {
        checkOutputs(dir);
        expectBuilds(dir, packages, 'a cold build (did it restore from a cache outside the workspace?)');
      },
    },
    'warm full hit': {
      rounds,
      prepare: () => {},
      check: (dir) => {
        checkOutputs(dir);
        expectBuilds(dir, 0, 'a warm full hit');
      },
    },
    'restore after delete': {
      rounds,
      prepare: (dir) => removeOutputs(dir),
      check: (dir) => {
        checkOutputs(dir);
        expectBuilds(dir, 0, 'a restore after deleting the outputs');
      },
    },
    'one file changed': {
      rounds,
      prepare: (dir, _runner, round) => fs.appendFileSync(leafSource(dir), `// change ${round}\n`),
      check: (dir, round) => {
        checkOutputs(dir);
        if (!fs.readFileSync(leafOutput(dir), 'utf8').includes(`// change ${round}\n`)) throw new Error(`${leafPackage} was not rebuilt after its source changed`);
        expectBuilds(dir, 1, 'a run after changing one source file');
      },
    },
  };

  const results = {};
  try {
    let round = 0;
    for (const scenario of SCENARIOS) {
      const { rounds: n, prepare, check } = plan[scenario];
      const samples = {};
      if (scenario === 'warm full hit') {
        // One untimed run so that first-run bookkeeping after the cold build (graph files, daemon-less caches) is done.
        for (const runner of opts.runners) attempt(runner, () => timeRun(runner.invocation(ws[runner.name], { concurrency }), ws[runner.name]));
      }
      for (let r = 0; r < n; r++, round++) {
        const live = opts.runners.filter((x) => ws[x.name] && !failures[x.name]);
        for (const runner of roundOrder(live, round)) {
          const dir = ws[runner.name];
          attempt(runner, () => {
            fs.rmSync(path.join(dir, '.bench-builds.log'), { force: true });
            prepare(dir, runner, round);
            const res = timeRun(runner.invocation(dir, { concurrency }), dir);
            check(dir, round);
            (samples[runner.name] ??= []).push(res);
          });
        }
      }
      results[scenario] = {};
      for (const [name, runs] of Object.entries(samples)) {
        const rss = runs.map((x) => x.rssKiB).filter((x) => x !== undefined);
        results[scenario][name] = { median: median(runs.map((x) => x.ms)), runs: runs.map((x) => x.ms), rssKiB: rss.length ? Math.max(...rss) : undefined };
      }
      log(`${packages} packages, ${scenario}: ${Object.entries(results[scenario]).map(([k, v]) => `${k} ${v.median.toFixed(0)} ms`).join(', ')}`);
    }
  } finally {
    for (const runner of opts.runners) {
      const dir = ws[runner.name];
      if (!dir) continue;
      try {
        runner.dispose?.(dir);
      } catch (e) {
        log(`${runner.name}: dispose failed: ${errorText(e)}`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return { packages, files, versions, failures, results };

  function attempt(runner, fn) {
    if (failures[runner.name]) return;
    try {
      fn();
    } catch (e) {
      failures[runner.name] = errorText(e);
      log(`${runner.name}: failed: ${failures[runner.name]}`);
    }
  }
}

/**
 * Makes the generated build script count its executions in `.bench-builds.log` at the workspace root (outside
 * every package's inputs and outputs, and independent of the environment, which runners filter).
 */
function countBuilds(root) {
  const script = path.join(root, 'tools', 'build.mjs');
  fs.appendFileSync(script, "fs.appendFileSync(new URL('../.bench-builds.log', import.meta.url), name + '\\n');\n");
}

/** Checks how many builds ran during the timed run. */
function expectBuilds(root, expected, what) {
  const file = path.join(root, '.bench-builds.log');
  const ran = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  fs.rmSync(file, { force: true });
  if (ran !== expected) throw new Error(`${ran} builds ran during ${what}; expected ${expected}`);
}

function errorText(e) {
  return String(e?.message ?? e).trim();
}
