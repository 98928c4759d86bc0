/**
 * The step runner against real processes in a real PTY: what programs see, what the snapshot gets, and that a
 * step leaves nothing running behind it.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import type { Interaction } from '../src/case-spec.ts';
import { InteractionError, runStep } from '../src/pty-step.ts';
import { repoPaths } from '../src/repo-paths.ts';
import { stepEnv } from '../src/run-case.ts';

const repo = repoPaths();
const dir = mkdtempSync(`${realpathSync(tmpdir())}/vt-pty-step-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, interactions: Interaction[] = [], timeoutMs = 10_000) {
  return runStep({ command, cwd: dir, env: stepEnv(repo, dir), interactions, timeoutMs, cols: 500, rows: 500 });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runStep', () => {
  test('gives the step a terminal on all three streams, and exactly the harness environment', async () => {
    const result = await run('check-tty && env | sort');
    expect(result.outcome).toEqual({ kind: 'exited', code: 0 });
    const env = stepEnv(repo, dir);
    expect(result.finalScreen.split('\n')).toEqual([
      'stdin:tty',
      'stdout:tty',
      'stderr:tty',
      `HOME=${env.HOME}`,
      'NO_COLOR=1',
      `PATH=${env.PATH}`,
      `PWD=${dir}`, // set by the shell itself
      'TERM=dumb',
    ]);
  });

  test('reports exit codes, and death by a signal as 128 + signal', async () => {
    expect((await run('exit-with 42')).outcome).toEqual({ kind: 'exited', code: 42 });
    expect((await run('kill-self SIGKILL')).outcome).toEqual({ kind: 'exited', code: 137 });
  });

  test('loses no output of a fast program that prints far more than the tty buffer', async () => {
    const command = 'i=1; while [ $i -le 3000 ]; do echo "line $i"; i=$((i+1)); done';
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const lines = (await run(command)).finalScreen.split('\n');
      expect(lines.length).toBe(3000);
      expect(lines.at(-1)).toBe('line 3000');
    }
  });

  test('snapshots the screen right after each milestone and types input', async () => {
    const result = await run('print first && milestone one && read answer && print "got $answer" && milestone two && print last', [
      { kind: 'expect-milestone', name: 'one' },
      { kind: 'write-line', text: 'yes' },
      { kind: 'expect-milestone', name: 'two' },
    ]);
    expect(result.events).toEqual([
      { kind: 'milestone', name: 'one', screen: 'first' },
      { kind: 'write-line', text: 'yes' },
      { kind: 'milestone', name: 'two', screen: 'first\nyes\ngot yes' },
    ]);
    expect(result.finalScreen).toBe('first\nyes\ngot yes\nlast');
  });

  test('Ctrl-C is delivered as SIGINT to the foreground program, and the shell reports its own exit code', async () => {
    const handled = await run('exit-on-ctrlc', [
      { kind: 'expect-milestone', name: 'ready' },
      { kind: 'write-key', key: 'ctrl-c' },
    ]);
    expect(handled.outcome).toEqual({ kind: 'exited', code: 0 });
    expect(handled.finalScreen).toBe('^Cctrl-c received');

    // One job that announces itself and then dies of SIGINT (whether the inner shell or sleep takes the signal).
    const killed = await run(`sh -c 'milestone ready; exec sleep 30'`, [
      { kind: 'expect-milestone', name: 'ready' },
      { kind: 'write-key', key: 'ctrl-c' },
    ]);
    expect(killed.outcome).toEqual({ kind: 'exited', code: 130 });
  });

  test('on timeout kills everything the step started, even double-forked daemons in their own session', async () => {
    const pidFile = `${dir}/pids`;
    // `sh -c '… &'` exits at once, orphaning the daemon, which then leaves the session with setsid.
    const daemon = `sh -c 'setsid sh -c "echo \\$\\$ >> ${pidFile}; exec sleep 60" &'`;
    const started = Date.now();
    const result = await run(`sleep 60 & echo $! > ${pidFile}; ${daemon}; print waiting; sleep 60`, [], 1500);
    expect(result.outcome).toEqual({ kind: 'timeout' });
    expect(result.finalScreen).toBe('waiting');
    expect(Date.now() - started).toBeLessThan(6000);
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  test('kills and counts processes a finished step left running', async () => {
    const pidFile = `${dir}/leftover`;
    const result = await run(`barrier ${dir}/b x 1 --daemonize & echo $! > ${pidFile}; sleep 0.5; print done`);
    expect(result.outcome).toEqual({ kind: 'exited', code: 0 });
    expect(result.finalScreen).toBe('done');
    expect(result.leftoverProcesses).toBe(1);
    expect(isAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  test('a milestone that never comes is a case error naming what was seen instead', async () => {
    await expect(run('milestone other && print done', [{ kind: 'expect-milestone', name: 'wanted' }])).rejects.toThrow(
      InteractionError,
    );
    await expect(run('milestone other && print done', [{ kind: 'expect-milestone', name: 'wanted' }])).rejects.toThrow(
      /before milestone 'wanted' appeared \(milestones since the previous interaction: other\); screen:\ndone/,
    );
  });

  test('waiting for a milestone is bounded by the step timeout', async () => {
    const result = await run('print started && sleep 60', [{ kind: 'expect-milestone', name: 'never' }], 1000);
    expect(result.outcome).toEqual({ kind: 'timeout' });
    expect(result.events).toEqual([]);
    expect(result.finalScreen).toBe('started');
  });
});
