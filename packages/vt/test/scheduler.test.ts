import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GENERATOR, VT_BIN } from './helpers.js';

interface Event { name: string; event: 'start' | 'end'; t: number }

function readEvents(file: string): Event[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);
}

/** Package deps as the generator wrote them. */
function depsOf(ws: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const dir of fs.readdirSync(path.join(ws, 'packages'))) {
    const pkg = JSON.parse(fs.readFileSync(path.join(ws, 'packages', dir, 'package.json'), 'utf8'));
    out.set(pkg.name, Object.keys(pkg.dependencies ?? {}));
  }
  return out;
}

describe('scheduler on a generated 30-package workspace', () => {
  let ws: string;
  beforeAll(() => {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-sched-'));
    const gen = spawnSync(process.execPath, [GENERATOR, '--packages', '30', '--out', ws, '--files', '4']);
    expect(gen.status).toBe(0);
  });

  it('runs -r build in dependency order with at most 4 tasks at once', () => {
    const log = path.join(ws, 'order.log');
    const res = spawnSync(VT_BIN, ['run', '--no-cache', '-r', 'build'], {
      cwd: ws, env: { ...process.env, BUILD_LOG: log, BUILD_DELAY_MS: '150' }, encoding: 'utf8',
    });
    expect(res.status, res.stderr).toBe(0);
    const events = readEvents(log);
    expect(events.filter((e) => e.event === 'end')).toHaveLength(30);
    const start = new Map(events.filter((e) => e.event === 'start').map((e) => [e.name, e.t]));
    const end = new Map(events.filter((e) => e.event === 'end').map((e) => [e.name, e.t]));
    for (const [name, deps] of depsOf(ws)) {
      for (const dep of deps) expect(end.get(dep)!, `${dep} before ${name}`).toBeLessThanOrEqual(start.get(name)!);
    }
    // Concurrency: replay the events and track how many builds overlap.
    let running = 0;
    let peak = 0;
    for (const e of [...events].sort((a, b) => a.t - b.t || (a.event === 'end' ? -1 : 1))) {
      running += e.event === 'start' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(res.stdout).toContain('vt run: 0/30 cache hit (0%). (Run `vt run --last-details` for full details)');
  }, 120_000);

  it('fast-fails: a failure kills running siblings at once, starts nothing new and exits with its code', () => {
    const log = path.join(ws, 'fail.log');
    const started = Date.now();
    // pkg-002 fails after 300 ms while its three running layer-0 siblings sleep for 20 s.
    const res = spawnSync(VT_BIN, ['run', '--no-cache', '--log=labeled', '-r', 'build'], {
      cwd: ws, env: { ...process.env, BUILD_LOG: log, BUILD_DELAY_MS: '20000', BUILD_FAIL: 'pkg-002' }, encoding: 'utf8',
    });
    const elapsed = Date.now() - started;
    expect(res.status, res.stdout + res.stderr).toBe(3);
    expect(elapsed).toBeLessThan(15_000); // the sleeping siblings did not run to completion
    const events = readEvents(log);
    expect(events.some((e) => e.event === 'end')).toBe(false);
    expect([...new Set(events.map((e) => e.name))].sort()).toEqual(['pkg-000', 'pkg-001', 'pkg-002', 'pkg-003']);
    expect(res.stdout).toContain('vt run: 0/4 cache hit (0%), 4 failed. (Run `vt run --last-details` for full details)');
    expect(res.stderr).toContain('[pkg-002#build] pkg-002: failing on purpose');
  }, 120_000);
});
