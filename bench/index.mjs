#!/usr/bin/env node
/**
 * The benchmark suite (`pnpm bench`): vt against turbo, nx, moon, wireit and lage; tracer and runner overhead;
 * vt's memory under a 1 GiB log. Prints markdown and, for full runs, prepends it to bench/RESULTS.md (newest
 * first).
 *
 *   pnpm bench                      full run: 30 and 100 packages, 7 rounds (3 for cold builds), recorded
 *   pnpm bench --quick              30 packages, 3 rounds (1 cold), not recorded
 *   options: --packages 30,100  --files 36  --rounds 7  --cold-rounds 3  --concurrency <nproc>
 *            --runners vt,turbo,...  --sections peers,overhead,memory  --memory-rounds 3
 *            --wait-quiet <minutes>  --max-load 2.5  --record / --no-record
 *
 * The machine may be shared: with --wait-quiet the suite waits (up to that many minutes) for the 1-minute load
 * average to drop below --max-load before it starts, and records the load before and after either way.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, load1, loadSamples, median, parseArgs, REPO, sleep, vtBuild } from './lib.mjs';
import { runMemory } from './memory.mjs';
import { runOverhead } from './overhead.mjs';
import { runPeers } from './peers.mjs';
import { renderReport } from './report.mjs';
import { RUNNERS } from './runners/index.mjs';

const opts = parseArgs(process.argv.slice(2));
const quick = Boolean(opts.quick);
const list = (v, d) => String(v ?? d).split(',').map((s) => s.trim()).filter(Boolean);
const int = (v, d, name) => {
  const n = Number(v ?? d);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
};

const config = {
  packages: list(opts.packages, quick ? '30' : '30,100').map((p) => int(p, p, 'packages')),
  files: int(opts.files, 36, 'files'),
  rounds: int(opts.rounds, quick ? 3 : 7, 'rounds'),
  coldRounds: int(opts['cold-rounds'], quick ? 1 : 3, 'cold-rounds'),
  memoryRounds: int(opts['memory-rounds'], quick ? 1 : 3, 'memory-rounds'),
  concurrency: int(opts.concurrency, os.availableParallelism(), 'concurrency'),
  sections: list(opts.sections, 'peers,overhead,memory'),
  runners: list(opts.runners, RUNNERS.map((r) => r.name)),
  record: opts['no-record'] ? false : Boolean(opts.record) || !quick,
  waitQuiet: Number(opts['wait-quiet'] ?? 0),
  maxLoad: Number(opts['max-load'] ?? 2.5),
};
for (const name of config.runners) if (!RUNNERS.some((r) => r.name === name)) throw new Error(`unknown runner ${name}; known: ${RUNNERS.map((r) => r.name).join(', ')}`);
for (const s of config.sections) if (!['peers', 'overhead', 'memory'].includes(s)) throw new Error(`unknown section ${s}; known: peers, overhead, memory`);

const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function waitForQuiet() {
  const deadline = Date.now() + config.waitQuiet * 60_000;
  while (load1() >= config.maxLoad && Date.now() < deadline) {
    log(`load average ${load1().toFixed(2)} ≥ ${config.maxLoad}; waiting`);
    await sleep(30_000);
  }
  return load1();
}

const machine = {
  date: new Date().toISOString(),
  nproc: os.availableParallelism(),
  cpu: os.cpus()[0]?.model ?? 'unknown',
  kernel: os.release(),
  node: process.version,
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim(),
  build: vtBuild(),
  command: `pnpm bench${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}`,
};

machine.loadBefore = config.waitQuiet > 0 ? await waitForQuiet() : load1();
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-bench-'));
const started = Date.now();
const sections = {};
try {
  if (config.sections.includes('peers')) {
    const runners = RUNNERS.filter((r) => config.runners.includes(r.name));
    sections.peers = config.packages.map((packages) =>
      runPeers({ base, packages, files: config.files, rounds: config.rounds, coldRounds: config.coldRounds, concurrency: config.concurrency, runners, log }),
    );
  }
  if (config.sections.includes('overhead')) sections.overhead = await runOverhead({ base, rounds: config.rounds, log, tracerBench: true });
  if (config.sections.includes('memory')) sections.memory = runMemory({ base, rounds: config.memoryRounds, log });
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}
machine.loadAfter = load1();
machine.buildAfter = vtBuild();
machine.loadDuring = { median: median(loadSamples), max: Math.max(...loadSamples) };
machine.minutes = (Date.now() - started) / 60_000;

const report = renderReport({ machine, config, sections });
process.stdout.write(report + '\n');
if (config.record) {
  const file = path.join(BENCH_DIR, 'RESULTS.md');
  const HEADER = '# Benchmark results\n\nNewest first. Produced by `pnpm bench` (bench/index.mjs); see the root README, "Benchmarks".\n';
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').replace(HEADER, '').trimStart() : '';
  fs.writeFileSync(file, `${HEADER}\n${report}\n${old ? '\n' + old : ''}`);
  log(`recorded in ${path.relative(REPO, file)}`);
}
