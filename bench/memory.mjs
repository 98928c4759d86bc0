/**
 * Memory under a large log: a cached task prints 1 GiB to stdout (interleaved mode, vt's stdout to /dev/null).
 * vt must capture the log for the cache entry and replay it on a hit; this measures vt's own peak RSS (not the
 * task's) and the wall time of the storing run and of the replaying hit, next to the task run directly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { median, timeRun, VT, writeJson } from './lib.mjs';

export const LOG_BYTES = 1024 ** 3;

/** Writes LOG_BYTES of printable text in 1 MiB chunks, waiting for the pipe to drain. */
const PRINT = `const total = ${LOG_BYTES};
const line = 'x'.repeat(1023) + '\\n';
const chunk = Buffer.from(line.repeat(1024));
let left = total;
function pump() {
  while (left > 0) {
    const buf = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= buf.length;
    if (!process.stdout.write(buf)) return process.stdout.once('drain', pump);
  }
}
pump();
`;

/** @param {{ base: string, rounds: number, log: (msg: string) => void }} opts */
export function runMemory({ base, rounds, log }) {
  const dir = path.join(base, 'memory');
  const cache = path.join(base, 'memory-cache');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'print.cjs'), PRINT);
  writeJson(path.join(dir, 'package.json'), { name: 'memory', private: true });
  // Globs, not tracing: the row is about log capture and replay.
  writeJson(path.join(dir, 'vite-task.json'), { tasks: { print: { command: 'node print.cjs', input: ['print.cjs'], output: [] } } });
  const devNull = fs.openSync('/dev/null', 'w');
  const env = { VITE_CACHE_PATH: cache };
  const samples = { direct: [], store: [], replay: [] };
  const rss = { store: [], replay: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      samples.direct.push(timeRun({ cmd: process.execPath, args: ['print.cjs'] }, dir, { stdout: devNull }).ms);
      fs.rmSync(cache, { recursive: true, force: true });
      const vt = { cmd: VT, args: ['run', '--log', 'interleaved', 'print'], env, node: true };
      const store = timeRun(vt, dir, { stdout: devNull });
      const replay = timeRun(vt, dir, { stdout: devNull });
      samples.store.push(store.ms);
      samples.replay.push(replay.ms);
      rss.store.push(store.rssKiB);
      rss.replay.push(replay.rssKiB);
      log(`memory round ${r}: store ${store.ms.toFixed(0)} ms / ${store.rssKiB} KiB, replay ${replay.ms.toFixed(0)} ms / ${replay.rssKiB} KiB`);
    }
    return {
      direct: median(samples.direct),
      store: { ms: median(samples.store), rssKiB: Math.max(...rss.store) },
      replay: { ms: median(samples.replay), rssKiB: Math.max(...rss.replay) },
    };
  } catch (e) {
    return { error: String(e?.message ?? e).trim() };
  } finally {
    fs.closeSync(devNull);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  }
}
