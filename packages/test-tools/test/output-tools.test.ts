import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { encodeMilestone, findMilestones } from '../src/milestone.mjs';
import { hasStrace, start, straced, tool } from './run.ts';
import { tempDir } from './temp-dir.ts';

const dir = tempDir('output-tools');
const run = (name: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  tool(name, args, { cwd: dir, ...options });

describe('milestones', () => {
  test('milestone NAME writes the exact OSC 8 sequence of e2e.md §6', () => {
    expect(run('milestone', ['task-select::0']).stdout).toBe(
      '\x1b]8;;https://milestone.invalid/7461736b2d73656c6563743a3a30\x1b\\\u200b\x1b]8;;\x1b\\',
    );
  });

  test('findMilestones recovers names and positions, including non-ASCII names', () => {
    const text = `a${encodeMilestone('ready')}b${encodeMilestone('task-select:ü:3')}`;
    const found = findMilestones(text);
    expect(found.map((m) => m.name)).toEqual(['ready', 'task-select:ü:3']);
    expect(text.slice(found[0]!.end, found[1]!.start)).toBe('b');
    expect(found[1]!.end).toBe(text.length);
  });

  test('exit-on-ctrlc announces ready, then exits 0 on SIGINT', async () => {
    const child = start('exit-on-ctrlc', [], dir);
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (text: string) => {
        out += text;
        if (out.includes(encodeMilestone('ready'))) resolve();
      }),
    );
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(out).toBe(`${encodeMilestone('ready')}ctrl-c received\n`);
  });
});

describe('interleave', () => {
  test('alternates out/err lines in time order', () => {
    const merged = tool('interleave', ['3'], { cwd: dir });
    expect(merged.stdout).toBe('out 1\nout 2\nout 3\n');
    expect(merged.stderr).toBe('err 1\nerr 2\nerr 3\n');
    const shell = run('pipe-stdin', ['', '--', '/bin/sh', '-c', 'interleave 3 2>&1']);
    expect(shell.stdout).toBe('out 1\nerr 1\nout 2\nerr 2\nout 3\nerr 3\n');
  });

  test.skipIf(!hasStrace)('writes each line from its own child process', () => {
    const spawns = straced(['interleave', '4'], dir, 'execve("/bin/sh"', 'execve');
    expect(spawns).toHaveLength(8);
    expect(new Set(spawns.map((line) => line.split(/\s+/)[0])).size).toBe(8);
  });
});

describe('printing tools', () => {
  test('print joins arguments; print-file continues past missing files', () => {
    expect(run('print', ['a', 'b  c']).stdout).toBe('a b  c\n');
    run('write-file', ['one.txt', 'ONE']);
    const result = run('print-file', ['one.txt', 'gone.txt', 'one.txt']);
    expect(result).toMatchObject({ status: 0, stdout: 'ONEONE', stderr: 'gone.txt: not found\n' });
  });

  test('print-env and print-cwd', () => {
    expect(run('print-env', ['SET_ONE', 'UNSET_ONE'], { env: { SET_ONE: 'v' } }).stdout).toBe('v\n(undefined)\n');
    expect(run('print-cwd', []).stdout).toBe(`${dir}\n`);
  });

  test('print-color colours only when FORCE_COLOR asks for it', () => {
    const colored = (value: string | undefined) =>
      run('print-color', ['green', 'hi'], { env: value === undefined ? {} : { FORCE_COLOR: value } }).stdout;
    expect(colored('1')).toBe('\x1b[32mhi\x1b[39m\n');
    expect(colored('0')).toBe('hi\n');
    expect(colored('')).toBe('hi\n');
    expect(run('print-color', ['pink', 'hi']).status).toBe(2);
  });

  test('check-tty, read-stdin and pipe-stdin on pipes', () => {
    expect(run('check-tty', []).stdout).toBe('stdin:not-tty\nstdout:not-tty\nstderr:not-tty\n');
    expect(run('read-stdin', [], { input: 'some\ninput' }).stdout).toBe('some\ninput');
    expect(run('pipe-stdin', ['data\n', '--', 'read-stdin']).stdout).toBe('data\n');
    expect(run('pipe-stdin', ['', '--', 'exit-with', '9']).status).toBe(9);
    expect(run('pipe-stdin', ['', '--', 'no-such-command-xyz'])).toMatchObject({
      status: 127,
      stderr: 'pipe-stdin: no-such-command-xyz: command not found\n',
    });
  });

  test('exit-with and kill-self', () => {
    expect(run('exit-with', ['42']).status).toBe(42);
    expect(run('exit-with', ['300']).status).toBe(2);
    expect(run('kill-self', ['TERM']).signal).toBe('SIGTERM');
    expect(run('kill-self', ['9']).signal).toBe('SIGKILL');
  });
});
