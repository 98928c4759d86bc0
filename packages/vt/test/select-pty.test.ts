/**
 * Drives the real selector in a real pseudo-terminal: a Node process (TypeScript loaded through tsx) calls
 * runSelector on its own stdin/stdout, python3's `pty` module provides the terminal (500 columns as in the e2e
 * harness), and @xterm/headless turns the raw output into the screen a user would see.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import xterm from '@xterm/headless';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TaskEntry } from '../src/select/entry.js';
import { milestone } from '../src/select/milestone.js';

const PKG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KEYS = { up: '\x1b[A', down: '\x1b[B', enter: '\r', escape: '\x1b', backspace: '\x7f', 'ctrl-c': '\x03' } as const;

/** Runs argv in a new PTY of the given size, relays stdin/stdout, exits with the child's status (128+n on signal). */
const PTY_BRIDGE = String.raw`
import fcntl, os, pty, select, struct, sys, termios
cols, rows = int(sys.argv[1]), int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(sys.argv[3], sys.argv[3:])
stdin_open = True
while True:
    ready, _, _ = select.select([fd] + ([0] if stdin_open else []), [], [])
    if 0 in ready:
        data = os.read(0, 65536)
        if not data:
            stdin_open = False
        while data:
            data = data[os.write(fd, data):]
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
`;

/** Calls runSelector like the CLI would and reports what happened after it returned. */
const DRIVER = (selectorUrl: string, entryUrl: string): string => `
import { runSelector } from ${JSON.stringify(selectorUrl)};
import { entryLabel } from ${JSON.stringify(entryUrl)};
const c = JSON.parse(process.env.VT_SELECTOR_CASE);
const result = await runSelector({ entries: c.entries, initialQuery: c.initialQuery, notFoundName: c.notFoundName, input: process.stdin, output: process.stdout });
process.stdout.write('raw after: ' + process.stdin.isRaw + '\\n');
if (result.kind === 'cancelled') process.exitCode = 130;
else process.stdout.write('Selected task: ' + entryLabel(result.entry) + '\\n$ ' + result.entry.command + '\\n');
// No process.exit: the process only ends if the selector paused stdin and left nothing running.
`;

let workDir: string;
let bridgePath: string;
let driverPath: string;

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'vt-select-pty-'));
  bridgePath = path.join(workDir, 'pty_bridge.py');
  driverPath = path.join(workDir, 'driver.mjs');
  writeFileSync(bridgePath, PTY_BRIDGE);
  const src = (f: string): string => pathToFileURL(path.join(PKG_DIR, 'src/select', f)).href;
  writeFileSync(driverPath, DRIVER(src('selector.ts'), src('entry.ts')));
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Sessions still running after a test (a failed expectation) are killed so they cannot hold vitest open. */
const live = new Set<ChildProcess>();
afterEach(() => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
});

class PtySession {
  private readonly child: ChildProcess;
  private raw = Buffer.alloc(0);
  private searchFrom = 0;
  private readonly exited: Promise<number>;
  private waiter: (() => void) | undefined;

  constructor(
    selectorCase: { entries: TaskEntry[]; initialQuery?: string; notFoundName?: string },
    private readonly cols = 500,
    private readonly rows = 60,
  ) {
    const env = { ...process.env, TERM: 'dumb', NO_COLOR: '1', VT_SELECTOR_CASE: JSON.stringify({ initialQuery: '', ...selectorCase }) };
    this.child = spawn('python3', [bridgePath, String(cols), String(rows), process.execPath, '--import', 'tsx', driverPath], {
      cwd: PKG_DIR,
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.raw = Buffer.concat([this.raw, chunk]);
      this.waiter?.();
    });
    live.add(this.child);
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code ?? -1)));
  }

  private text(): string {
    return this.raw.toString('utf8');
  }

  /** Waits for a milestone after the previous one, then returns the screen as it stood at that point. */
  async expectMilestone(name: string, timeoutMs = 15_000): Promise<string> {
    const marker = milestone(name);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.text().indexOf(marker, this.searchFrom);
      if (at >= 0) {
        this.searchFrom = at + marker.length;
        return screenOf(this.text().slice(0, this.searchFrom), this.cols, this.rows);
      }
      if (Date.now() > deadline) throw new Error(`milestone ${name} not seen; output so far:\n${JSON.stringify(this.text())}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 100);
      });
    }
  }

  write(text: string): void {
    this.child.stdin!.write(text);
  }

  key(...names: (keyof typeof KEYS)[]): void {
    for (const name of names) this.write(KEYS[name]);
  }

  /** Waits for the driver to exit; returns its exit code, final screen and every milestone it emitted. */
  async finish(): Promise<{ code: number; screen: string; output: string }> {
    const code = await this.exited;
    return { code, screen: await screenOf(this.text(), this.cols, this.rows), output: this.text() };
  }
}

async function screenOf(output: string, cols: number, rows: number): Promise<string> {
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(output, resolve));
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) lines.push((term.buffer.active.getLine(i)?.translateToString(true) ?? '').trimEnd());
  term.dispose();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

function entry(packageName: string, packageRelDir: string, taskName: string, command: string): TaskEntry {
  return { packageName, packageRelDir, isRootPackage: packageRelDir === '', inCwdPackage: packageRelDir === 'packages/app', taskName, command };
}

/** The `task_select` fixture (e2e.md §8 A) seen from `packages/app`. */
const TASK_SELECT: TaskEntry[] = [
  ...['check', 'clean', 'deploy', 'docs', 'format', 'validate'].map((t) => entry('task-select-test', '', t, `echo ${t} root`)),
  entry('task-select-test', '', 'hello', 'echo hello from root'),
  entry('task-select-test', '', 'run-typo-task', 'vt run nonexistent-xyz'),
  ...['build', 'lint', 'test'].map((t) => entry('app', 'packages/app', t, `echo ${t} app`)),
  ...['build', 'lint', 'test', 'typecheck'].map((t) => entry('lib', 'packages/lib', t, `echo ${t} lib`)),
];

const FULL_LIST_TOP = [
  'Select a task (↑/↓, Enter to run, type to search):',
  '',
  '  › build           echo build app',
  '    lint            echo lint app',
  '    test            echo test app',
  '    lib (packages/lib)',
  '      build         echo build lib',
  '      lint          echo lint lib',
  '      test          echo test lib',
  '      typecheck     echo typecheck lib',
  '    task-select-test (workspace root)',
  '      check         echo check root',
  '      clean         echo clean root',
  '      deploy        echo deploy root',
  '  (…5 more)',
].join('\n');

describe('runSelector in a pseudo-terminal', () => {
  it('navigates, scrolls, selects, erases itself and restores the terminal', async () => {
    const s = new PtySession({ entries: TASK_SELECT });
    expect(await s.expectMilestone('task-select::0')).toBe(FULL_LIST_TOP);

    s.key('down', 'down', 'down', 'down', 'down', 'down', 'down', 'down');
    const atClean = await s.expectMilestone('task-select::8');
    expect(atClean).toBe(FULL_LIST_TOP.replace('  › build ', '    build ').replace('      clean ', '  ›   clean '));

    s.key('down', 'down', 'down', 'down', 'down', 'down', 'down', 'down');
    const bottom = await s.expectMilestone('task-select::14');
    expect(bottom).toBe(
      [
        'Select a task (↑/↓, Enter to run, type to search):',
        '',
        '      lint          echo lint lib',
        '      test          echo test lib',
        '      typecheck     echo typecheck lib',
        '    task-select-test (workspace root)',
        '      check         echo check root',
        '      clean         echo clean root',
        '      deploy        echo deploy root',
        '      docs          echo docs root',
        '      format        echo format root',
        '      hello         echo hello from root',
        '      run-typo-task vt run nonexistent-xyz',
        '  ›   validate      echo validate root',
      ].join('\n'),
    );
    expect(bottom).not.toContain('more)');

    for (let i = 0; i < 14; i++) s.key('up');
    expect(await s.expectMilestone('task-select::0')).toBe(FULL_LIST_TOP);
    s.key('up'); // no wrap
    expect(await s.expectMilestone('task-select::0')).toBe(FULL_LIST_TOP);

    s.key('down', 'enter');
    const { code, screen } = await s.finish();
    expect(code).toBe(0);
    expect(screen).toBe('raw after: false\nSelected task: lint\n$ echo lint app');
  });

  it('prefills a mistyped task and shows the not-found line', async () => {
    const s = new PtySession({ entries: TASK_SELECT, initialQuery: 'buid', notFoundName: 'buid' });
    expect(await s.expectMilestone('task-select:buid:0')).toBe(
      [
        'Task "buid" not found.',
        'Select a task (↑/↓, Enter to run, type to search): buid',
        '',
        '  › build   echo build app',
        '    lib (packages/lib)',
        '      build echo build lib',
      ].join('\n'),
    );
    s.key('down', 'enter');
    const { code, screen } = await s.finish();
    expect(code).toBe(0);
    expect(screen).toBe('raw after: false\nSelected task: lib#build\n$ echo build lib');
  });

  it('searches as you type; Enter on no results does nothing; Escape clears; Ctrl-C cancels', async () => {
    const s = new PtySession({ entries: TASK_SELECT });
    await s.expectMilestone('task-select::0');

    s.write('zzzzz');
    expect(await s.expectMilestone('task-select:zzzzz:0')).toBe(
      'Select a task (↑/↓, Enter to run, type to search): zzzzz\n\n  No matching tasks. Press Escape to clear search.',
    );
    s.key('enter', 'escape');
    expect(await s.expectMilestone('task-select::0')).toBe(FULL_LIST_TOP);

    s.write('lib#');
    expect(await s.expectMilestone('task-select:lib#:0')).toBe(
      [
        'Select a task (↑/↓, Enter to run, type to search): lib#',
        '',
        '    lib (packages/lib)',
        '  ›   lint      echo lint lib',
        '      test      echo test lib',
        '      build     echo build lib',
        '      typecheck echo typecheck lib',
      ].join('\n'),
    );
    s.key('down', 'backspace');
    // Without `#` the cwd package's labels are bare task names, none of which contains `lib`.
    expect(await s.expectMilestone('task-select:lib:0')).toBe(
      [
        'Select a task (↑/↓, Enter to run, type to search): lib',
        '',
        '    lib (packages/lib)',
        '  ›   lint      echo lint lib',
        '      test      echo test lib',
        '      build     echo build lib',
        '      typecheck echo typecheck lib',
      ].join('\n'),
    );

    s.key('ctrl-c');
    const { code, screen, output } = await s.finish();
    expect(code).toBe(130);
    expect(screen).toBe('raw after: false');
    expect(output).toContain('\x1b[?25h');
  });

  it('cuts a 600-character command at the terminal width and selects it whole', async () => {
    const command = `echo ${'a'.repeat(600)}`;
    const s = new PtySession({ entries: [...TASK_SELECT, entry('app', 'packages/app', 'long', command)] });
    const screen = await s.expectMilestone('task-select::0');
    const row = screen.split('\n').find((l) => l.startsWith('    long'))!;
    expect(row).toHaveLength(500);
    expect(row).toBe(`    long            echo ${'a'.repeat(474)}…`);
    s.key('down', 'down', 'enter'); // build, lint, long

    const done = await s.finish();
    expect(done.code).toBe(0);
    expect(done.screen.split('\n').slice(0, 2)).toEqual(['raw after: false', 'Selected task: long']);
    expect(done.screen.split('\n').slice(2).join('')).toBe(`$ ${command}`);
  });
});
