import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StatStamp } from '../src/cache/file-stamps.js';
import { RunWindow } from '../src/cache/run-window.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ctimeOf = (file: string): bigint => fs.statSync(file, { bigint: true }).ctimeNs;
const stampWith = (ctime: bigint): StatStamp => `1:2:3:4:${ctime}` as StatStamp;

describe('RunWindow', () => {
  afterEach(() => vi.restoreAllMocks());

  it('tells a file changed before the run from one changed during it, by the times the kernel gave them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-window-'));
    fs.writeFileSync(path.join(dir, 'before'), 'x');
    // Past the coarse clock's tick (4 ms at HZ=250): a change in the very tick of the start counts as during.
    await sleep(30);
    const run = RunWindow.open();
    fs.writeFileSync(path.join(dir, 'during'), 'x');
    run.close();
    for (const [name, during] of [['before', false], ['during', true]] as const) {
      const ctime = ctimeOf(path.join(dir, name));
      expect(run.changedDuring(ctime)).toBe(during);
      expect(run.stampChangedDuring(stampWith(ctime))).toBe(during);
    }
  });

  it('a time in whole seconds may have been truncated by up to 2 s: it counts as during the run', async () => {
    const run = RunWindow.open();
    run.close();
    const now = BigInt(Date.now()) * 1_000_000n;
    const wholeSecond = (now / 1_000_000_000n) * 1_000_000_000n;
    expect(run.changedDuring(wholeSecond)).toBe(true);
    expect(run.stampChangedDuring(stampWith(wholeSecond))).toBe(true);
    // The same instant on a nanosecond file system is simply before the start.
    expect(run.changedDuring(wholeSecond - 3_000_000_000n + 1n)).toBe(false);
    expect(run.changedDuring(now - 100_000_001n)).toBe(false);
  });

  it('the digit comparison of stamps agrees with the numeric one', () => {
    const run = RunWindow.open();
    run.close();
    const now = BigInt(Date.now()) * 1_000_000n;
    const offsets = [-3_000_000_000n, -2_000_000_000n, -50_000_000n, -10_000_000n, -1n, 0n, 1n, 5_000_000n, 2_000_000_000n];
    for (const base of [now, (now / 1_000_000_000n) * 1_000_000_000n, (now / 1_000_000n) * 1_000_000n]) {
      for (const off of offsets) {
        const t = base + off;
        expect(run.stampChangedDuring(stampWith(t)), String(t)).toBe(run.changedDuring(t));
      }
    }
    expect(run.stampChangedDuring(stampWith(-5n))).toBe(false);
  });

  it('a wall clock set back during the run widens the window by the step', () => {
    const wall = Date.now();
    const now = vi.spyOn(Date, 'now').mockReturnValue(wall);
    const run = RunWindow.open();
    const twoSecondsBefore = BigInt(wall) * 1_000_000n - 2_000_123_457n;
    expect(run.changedDuring(twoSecondsBefore)).toBe(false);
    // Five seconds set back: a change made during the run can carry a time up to 5 s before the start.
    now.mockReturnValue(wall - 5000);
    run.close();
    expect(run.changedDuring(twoSecondsBefore)).toBe(true);
    expect(run.stampChangedDuring(stampWith(twoSecondsBefore))).toBe(true);
  });

  it('a wall clock that runs on normally changes nothing', async () => {
    const wall = BigInt(Date.now()) * 1_000_000n;
    const run = RunWindow.open();
    await sleep(20);
    run.close();
    expect(run.changedDuring(wall - 1_000_000_001n)).toBe(false);
  });
});
