import { describe, expect, it } from 'vitest';
import { shellEscape, splitCommand } from '../src/plan/command.js';

describe('splitCommand', () => {
  it('splits && lists of simple commands into items with their source text', () => {
    const split = splitCommand('print foo && FOO=1 BAR="a b" node x.js \'q r\' && echo -n done');
    expect(split).toEqual({
      kind: 'simple',
      items: [
        { text: 'print foo', assignments: [], argv: ['print', 'foo'] },
        { text: 'FOO=1 BAR="a b" node x.js \'q r\'', assignments: [['FOO', '1'], ['BAR', 'a b']], argv: ['node', 'x.js', 'q r'] },
        { text: 'echo -n done', assignments: [], argv: ['echo', '-n', 'done'] },
      ],
    });
  });

  it('keeps # inside words (pkg#task) and unquotes escapes', () => {
    expect(splitCommand('vt run app#build a\\ b')).toEqual({
      kind: 'simple',
      items: [{ text: 'vt run app#build a\\ b', assignments: [], argv: ['vt', 'run', 'app#build', 'a b'] }],
    });
  });

  it.each([
    'print a | read-stdin', 'a; b', 'a || b', 'a &', 'a > f', 'echo $HOME', 'echo "$HOME"', 'echo `x`', '(a)',
    'ls *.ts', 'ls ?', 'ls [ab]', 'cat ~/x', 'exit 1', 'export A=1', 'a && exit 2', 'if true; then a; fi', 'a &&',
    '&& a', 'FOO=1', "echo 'unterminated", '# comment', 'a\nb',
  ])('falls back to the shell for %j', (cmd) => {
    expect(splitCommand(cmd)).toEqual({ kind: 'shell', script: cmd });
  });

  it('treats an assignment-looking word after the program as an argument', () => {
    expect(splitCommand('node x.js FOO=1')).toMatchObject({ items: [{ assignments: [], argv: ['node', 'x.js', 'FOO=1'] }] });
  });

  it('does not treat quoted NAME= as an assignment', () => {
    expect(splitCommand('"FOO=1" x')).toMatchObject({ items: [{ assignments: [], argv: ['FOO=1', 'x'] }] });
  });
});

describe('shellEscape', () => {
  it.each([
    ['--help', '--help'],
    ['a b', "'a b'"],
    ['', "''"],
    ["it's", "'it'\\''s'"],
    ['x=1,y', 'x=1,y'],
    ['$HOME', "'$HOME'"],
  ])('%j → %j', (arg, escaped) => expect(shellEscape(arg)).toBe(escaped));
});
