import { describe, expect, it } from 'vitest';
import { ColorStripper } from '../src/run/ansi.js';
import { createLeafWriter, type Terminal } from '../src/run/writers.js';

function capture(): { terminal: Terminal; out: () => string; err: () => string; all: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const all: string[] = [];
  return {
    terminal: {
      stdout: (d) => (out.push(String(d)), all.push(String(d))),
      stderr: (d) => (err.push(String(d)), all.push(`<err>${String(d)}`)),
    },
    out: () => out.join(''),
    err: () => err.join(''),
    all: () => all.join(''),
  };
}

describe('log mode writers', () => {
  it('labeled: prefixes complete lines, flushes a trailing partial line with a newline, never splits a line', () => {
    const c = capture();
    const w = createLeafWriter({ mode: 'labeled', label: 'app#build', color: true, terminal: c.terminal });
    w.commandLine('$ build');
    w.output('stdout', Buffer.from('one\ntw'));
    w.output('stdout', Buffer.from('o\nthr'));
    w.output('stderr', Buffer.from('oops\n'));
    w.finish(['✗ Failed']);
    expect(c.out()).toBe('[app#build] $ build\n[app#build] one\n[app#build] two\n[app#build] thr\n\n');
    expect(c.err()).toBe('[app#build] oops\n✗ Failed\n');
  });

  it('labeled: a line longer than the hold limit is streamed instead of held', () => {
    const c = capture();
    const w = createLeafWriter({ mode: 'labeled', label: 't', color: true, terminal: c.terminal });
    const long = 'a'.repeat(100_000);
    w.output('stdout', Buffer.from(long));
    expect(c.out().length).toBeGreaterThan(64 * 1024); // already written, not buffered
    w.output('stdout', Buffer.from('b\nnext\n'));
    w.finish([]);
    expect(c.out()).toBe(`[t] ${long}b\n[t] next\n\n`);
  });

  it('grouped: one block per task after it ends, stdout and stderr in arrival order', () => {
    const c = capture();
    const w = createLeafWriter({ mode: 'grouped', label: 'p#t', color: true, terminal: c.terminal });
    w.commandLine('$ x');
    w.output('stdout', Buffer.from('out 1\n'));
    w.output('stderr', Buffer.from('err 1\n'));
    expect(c.out()).toBe('[p#t] $ x\n');
    w.finish([]);
    expect(c.out()).toBe('[p#t] $ x\n── [p#t] ──\nout 1\nerr 1\n\n');
  });

  it('grouped: nothing printed for a task without output', () => {
    const c = capture();
    const w = createLeafWriter({ mode: 'grouped', label: 'p#t', color: true, terminal: c.terminal });
    w.commandLine('$ x');
    w.finish([]);
    expect(c.out()).toBe('[p#t] $ x\n\n');
  });

  it('interleaved: writes through and closes an unterminated line with the separator only', () => {
    const c = capture();
    const w = createLeafWriter({ mode: 'interleaved', label: 't', color: false, terminal: c.terminal });
    w.commandLine('$ echo -n foo');
    w.output('stdout', Buffer.from('\x1b[31mfo'));
    w.output('stdout', Buffer.from('o\x1b[0'));
    w.output('stdout', Buffer.from('m'));
    w.finish([]);
    expect(c.out()).toBe('$ echo -n foo\nfoo\n');
  });
});

describe('ColorStripper', () => {
  it('removes SGR sequences split across chunks and keeps other escapes (OSC 8 milestones)', () => {
    const s = new ColorStripper();
    const osc = '\x1b]8;;https://milestone.invalid/6869\x1b\\\u200b\x1b]8;;\x1b\\';
    const parts = ['a\x1b', '[1;3', '1mb\x1b[0m', osc, 'c\x1b'];
    const out = parts.map((p) => s.push(Buffer.from(p)).toString()).join('') + s.flush().toString();
    expect(out).toBe(`ab${osc}c\x1b`);
  });
});
