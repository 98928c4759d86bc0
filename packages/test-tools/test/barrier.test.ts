import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { start, tool } from './run.ts';
import { tempDir } from './temp-dir.ts';

const dir = tempDir('barrier');
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

function launch(args: string[]) {
  const child = start('barrier', args, dir);
  running.push(child);
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, exit };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until DIR holds exactly `names`; process start-up is slow on a loaded machine. */
async function arrivals(subdir: string, count: number): Promise<string[]> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const names = existsSync(`${dir}/${subdir}`) ? readdirSync(`${dir}/${subdir}`) : [];
    if (names.length >= count) return names.sort();
    await sleep(50);
  }
  throw new Error(`fewer than ${count} barrier files in ${subdir}`);
}
const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

describe('barrier', () => {
  test('holds every participant until COUNT have arrived, then all exit 0', async () => {
    const first = launch(['sync-a', 'go', '3']);
    const second = launch(['sync-a', 'go', '3']);
    expect(await arrivals('sync-a', 2)).toEqual([`go.${first.child.pid}`, `go.${second.child.pid}`].sort());
    await sleep(300);
    expect(isRunning(first.child) && isRunning(second.child)).toBe(true);
    const third = launch(['sync-a', 'go', '3']);
    expect(await Promise.all([first.exit, second.exit, third.exit])).toEqual([
      [0, null],
      [0, null],
      [0, null],
    ]);
  });

  test('only counts files of its own NAME', async () => {
    tool('write-file', ['sync-b/other.1', ''], { cwd: dir });
    tool('write-file', ['sync-b/gox.1', ''], { cwd: dir });
    const alone = launch(['sync-b', 'go', '2']);
    await arrivals('sync-b', 3);
    await sleep(300);
    expect(isRunning(alone.child)).toBe(true);
  });

  test('--exit=N exits with N once the barrier opens', async () => {
    const a = launch(['sync-c', 'go', '2', '--exit=7']);
    const b = launch(['sync-c', 'go', '2']);
    expect(await Promise.all([a.exit, b.exit])).toEqual([
      [7, null],
      [0, null],
    ]);
  });

  test('--hang stays alive after the barrier opens', async () => {
    const hanging = launch(['sync-d', 'go', '2', '--hang']);
    const other = launch(['sync-d', 'go', '2']);
    expect(await other.exit).toEqual([0, null]);
    expect(await arrivals('sync-d', 2)).toHaveLength(2);
    await sleep(300);
    expect(isRunning(hanging.child)).toBe(true);
  });

  test('--daemonize closes stdout and stderr (readers see EOF) but keeps running', async () => {
    const daemon = launch(['sync-e', 'go', '1', '--daemonize']);
    await Promise.all([once(daemon.child.stdout!, 'end'), once(daemon.child.stderr!, 'end')]);
    await sleep(300);
    expect(isRunning(daemon.child)).toBe(true);
  });

  test('rejects bad arguments with a usage message', () => {
    const result = tool('barrier', ['d', 'n', 'zero'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "barrier: COUNT must be an integer from 1 to 10000, got 'zero'\nusage: barrier DIR NAME COUNT [--exit=N] [--hang] [--daemonize]\n",
    );
    expect(tool('barrier', ['d', 'n', '1', '--bogus'], { cwd: dir }).status).toBe(2);
  });
});
