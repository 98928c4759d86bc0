import { describe, expect, test } from 'vitest';
import { fencedBlock, inlineCode, renderSnapshot } from '../src/snapshot-markdown.ts';

describe('renderSnapshot', () => {
  test('renders the e2e.md §4 layout: title, comments, exit codes, interactions in order, one final block per step', () => {
    const text = renderSnapshot({ name: 'some_case', comment: '\nWhat this case shows.\n' }, [
      { command: 'vt run build', outcome: { kind: 'exited', code: 0 }, events: [], finalScreen: 'built' },
      {
        command: 'vt run',
        comment: 'opens the selector',
        outcome: { kind: 'exited', code: 1 },
        events: [
          { kind: 'milestone', name: 'task-select::0', screen: 'Select a task\n  › build' },
          { kind: 'write-key', key: 'down' },
          { kind: 'write', text: 'lin' },
          { kind: 'write-line', text: 'text' },
        ],
        finalScreen: '',
      },
      { command: 'sleep 100', outcome: { kind: 'timeout' }, events: [], finalScreen: 'partial' },
    ]);
    expect(text).toBe(
      [
        '# some_case',
        '',
        'What this case shows.',
        '',
        '## `vt run build`',
        '',
        '```',
        'built',
        '```',
        '',
        '## `vt run`',
        '',
        'opens the selector',
        '',
        '**Exit code:** 1',
        '',
        '**→ expect-milestone:** `task-select::0`',
        '',
        '```',
        'Select a task',
        '  › build',
        '```',
        '',
        '**← write-key:** `down`',
        '',
        '**← write:** `lin`',
        '',
        '**← write-line:** `text`',
        '',
        '```',
        '```',
        '',
        '## `sleep 100`',
        '',
        '**Exit code:** timeout',
        '',
        '```',
        'partial',
        '```',
        '',
      ].join('\n'),
    );
  });

  test('omits absent comments', () => {
    expect(renderSnapshot({ name: 'c' }, [{ command: 'x', outcome: { kind: 'exited', code: 0 }, events: [], finalScreen: 'y' }])).toBe(
      '# c\n\n## `x`\n\n```\ny\n```\n',
    );
  });
});

describe('code spans and blocks stay valid with backticks inside', () => {
  test('inlineCode uses a longer delimiter and pads edge backticks', () => {
    expect(inlineCode('plain')).toBe('`plain`');
    expect(inlineCode('a `b` c')).toBe('``a `b` c``');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
  });

  test('fencedBlock uses a longer fence when the text contains one', () => {
    expect(fencedBlock('a\n```\nb')).toBe('````\na\n```\nb\n````');
    expect(fencedBlock('')).toBe('```\n```');
  });
});
