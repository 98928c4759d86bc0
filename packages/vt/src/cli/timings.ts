/**
 * `VT_TIMINGS=1`: when each phase of the run ended, in ms since the process started, written to stderr at
 * exit. The start-up breakdown in bench/RESULTS.md comes from it; off, it costs one environment lookup.
 */
const marks: [string, number][] | undefined = process.env.VT_TIMINGS === '1' ? [] : undefined;

/** Records that `phase` just ended (no-op unless VT_TIMINGS=1). */
export function mark(phase: string): void {
  marks?.push([phase, process.uptime() * 1000]);
}

if (marks) {
  process.once('exit', () => {
    mark('exit');
    process.stderr.write(`vt timings (ms since start): ${marks.map(([p, t]) => `${p} ${t.toFixed(1)}`).join(', ')}\n`);
  });
}
