/**
 * Micro-benchmark of output archives: create and restore 2,000 small files + one 4 MiB file (half random,
 * half text), the shape outputs.md cares about. Reports median wall and CPU time (CPU time is the steadier
 * number on a shared 2-core machine) of:
 *   create        createArchive of the whole set
 *   restore cold  restoreArchive into an empty workspace (both passes)
 *   restore warm  restoreArchive over identical outputs (all in place: the archive is not even read)
 *   validate only a restore that reads and checks everything, then fails before writing (the manifest
 *                 hash of the last file is tampered): in-place check + pass 1
 *
 * Run: ./packages/vt/node_modules/.bin/tsx bench/archive/restore.bench.mts [runs]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArchive, restoreArchive, type ManifestEntry } from '../../packages/vt/src/archive/index.js';

const runs = Number(process.argv[2] ?? 5);
const base = mkdtempSync(join(tmpdir(), 'vt-archive-bench-'));
const source = join(base, 'src');
const words = ['export', 'const', 'function', 'return', 'import', 'from', 'value', 'module', '=>', '{', '}', ';'];

function text(length: number, seed: number): string {
  let out = '';
  let x = seed;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += words[x % words.length] + (x % 7 === 0 ? '\n' : ' ') + (x % 13 === 0 ? x.toString(36) : '');
  }
  return out.slice(0, length);
}

const paths: string[] = [];
for (let d = 0; d < 20; d++) {
  mkdirSync(join(source, 'dist', `d${d}`), { recursive: true });
  paths.push(`dist/d${d}`);
  for (let f = 0; f < 100; f++) {
    const i = d * 100 + f;
    writeFileSync(join(source, 'dist', `d${d}`, `f${f}.js`), text(200 + ((i * 7919) % 4000), i + 1));
    paths.push(`dist/d${d}/f${f}.js`);
  }
}
writeFileSync(join(source, 'dist', 'big.bin'), Buffer.concat([randomBytes(2 << 20), Buffer.from(text(2 << 20, 99))]));
paths.push('dist', 'dist/big.bin');

/** Median wall time and median CPU time (user + system) of `runs` runs, in ms. */
async function time(fn: () => Promise<void>, before?: () => void): Promise<string> {
  before?.(); // one warm-up run
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    const start = process.hrtime.bigint();
    const startCpu = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(startCpu);
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((used.user + used.system) / 1e3);
  }
  const median = (xs: number[]): string => (xs.sort((a, b) => a - b)[xs.length >> 1] as number).toFixed(0).padStart(5);
  return `${median(wall)} ms wall, ${median(cpu)} ms CPU`;
}

const outputs = join(base, 'outputs');
let archive = await createArchive({ workspaceRoot: source, outputsDir: outputs, paths });
const createMs = await time(async () => {
  archive = await createArchive({ workspaceRoot: source, outputsDir: outputs, paths });
});
if (archive === null) throw new Error('nothing archived');
const { file, manifest } = archive;
// A fresh target per run, deleted only at the end: on the CI machines' ext4 (mounted with `discard`),
// creating files right after deleting thousands stalls for seconds and would measure the deletion.
let target = '';
let targets = 0;
const coldMs = await time(
  async () => {
    const outcome = await restoreArchive({ workspaceRoot: target, archiveFile: file, manifest });
    if (!outcome.ok || outcome.written !== manifest.length) throw new Error(JSON.stringify(outcome));
  },
  () => {
    target = join(base, `target-${targets++}`);
    mkdirSync(target);
  },
);
const warmMs = await time(async () => {
  const outcome = await restoreArchive({ workspaceRoot: target, archiveFile: file, manifest });
  if (!outcome.ok || outcome.skippedUnchanged !== manifest.length) throw new Error(JSON.stringify(outcome));
});
const last = manifest[manifest.length - 1] as ManifestEntry;
const tampered = [...manifest.slice(0, -1), { ...last, hash: '0'.repeat(64) }];
const validateMs = await time(async () => {
  const outcome = await restoreArchive({ workspaceRoot: target, archiveFile: file, manifest: tampered });
  if (outcome.ok) throw new Error('tampered manifest accepted');
});

const mib = (n: number): string => (n / 1048576).toFixed(2);
const raw = manifest.reduce((sum, e) => sum + e.size, 0);
console.log(`${manifest.length} members, ${mib(raw)} MiB of content, archive ${mib(statSync(file).size)} MiB (${file.slice(file.indexOf('.tar'))})`);
console.log(`create        ${createMs}`);
console.log(`restore cold  ${coldMs}`);
console.log(`restore warm  ${warmMs}`);
console.log(`validate only ${validateMs}`);
rmSync(base, { recursive: true, force: true });
