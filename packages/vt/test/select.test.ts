import { describe, expect, it } from 'vitest';
import { entryLabel, orderEntries, type TaskEntry } from '../src/select/entry.js';
import { fuzzyMatch } from '../src/select/fuzzy.js';
import { KeyDecoder } from '../src/select/keys.js';
import { formatTaskList } from '../src/select/list.js';
import { milestone } from '../src/select/milestone.js';
import { renderScreen } from '../src/select/screen.js';
import { searchEntries } from '../src/select/search.js';
import { moveCursor, withQuery, type SelectorState } from '../src/select/state.js';

function entry(packageName: string, packageRelDir: string, taskName: string, command: string, cwdRelDir: string): TaskEntry {
  return { packageName, packageRelDir, isRootPackage: packageRelDir === '', inCwdPackage: packageRelDir === cwdRelDir, taskName, command };
}

/**
 * The `task_select` e2e fixture (e2e.md §8 A): root `task-select-test` with 8 tasks (one with a 13-character
 * name), `packages/app` and `packages/lib`; 15 tasks, given in scrambled order so that ordering is really tested.
 */
function fixture(cwdRelDir: string): TaskEntry[] {
  const root = (t: string, cmd = `echo ${t} root`): TaskEntry => entry('task-select-test', '', t, cmd, cwdRelDir);
  const app = (t: string): TaskEntry => entry('app', 'packages/app', t, `echo ${t} app`, cwdRelDir);
  const lib = (t: string): TaskEntry => entry('lib', 'packages/lib', t, `echo ${t} lib`, cwdRelDir);
  return [
    root('validate'), lib('typecheck'), root('hello', 'echo hello from root'), app('test'), root('check'),
    lib('build'), root('run-typo-task', 'vt run nonexistent-xyz'), app('lint'), root('clean'), lib('test'),
    root('deploy'), app('build'), root('docs'), lib('lint'), root('format'),
  ];
}

const labels = (entries: readonly TaskEntry[]): string[] => entries.map(entryLabel);

describe('entries, labels and the list', () => {
  it('labels cwd-package tasks bare and others as pkg#task, the root by its name', () => {
    const [fromApp] = [fixture('packages/app')];
    expect(labels(orderEntries(fromApp))).toEqual([
      'build', 'lint', 'test',
      'lib#build', 'lib#lint', 'lib#test', 'lib#typecheck',
      'task-select-test#check', 'task-select-test#clean', 'task-select-test#deploy', 'task-select-test#docs',
      'task-select-test#format', 'task-select-test#hello', 'task-select-test#run-typo-task', 'task-select-test#validate',
    ]);
    expect(labels(orderEntries(fixture('')))).toEqual([
      'check', 'clean', 'deploy', 'docs', 'format', 'hello', 'run-typo-task', 'validate',
      'app#build', 'app#lint', 'app#test', 'lib#build', 'lib#lint', 'lib#test', 'lib#typecheck',
    ]);
    expect(entryLabel(entry('', '', 'build', 'x', 'packages/a'))).toBe('#build');
  });

  it('keeps packages that share a name apart, ordered by dir', () => {
    const entries = [
      entry('dup', 'b', 'x', 'echo b', ''), entry('dup', 'a', 'y', 'echo a', ''), entry('dup', 'a', 'x', 'echo a', ''),
      entry('aaa', 'z', 'x', 'echo z', ''),
    ];
    expect(orderEntries(entries).map((e) => `${e.packageRelDir}:${e.taskName}`)).toEqual(['z:x', 'a:x', 'a:y', 'b:x']);
  });

  it('formats the non-interactive list', () => {
    const list = formatTaskList(orderEntries(fixture('packages/app')));
    expect(list.split('\n').slice(0, 5)).toEqual([
      '  build: echo build app', '  lint: echo lint app', '  test: echo test app', '  lib#build: echo build lib',
      '  lib#lint: echo lint lib',
    ]);
    expect(list.endsWith('  task-select-test#run-typo-task: vt run nonexistent-xyz\n  task-select-test#validate: echo validate root\n')).toBe(true);
    expect(formatTaskList([entry('p', 'p', 'ci', 'tsc && vitest', '')])).toBe('  p#ci: tsc && vitest\n');
    expect(formatTaskList([])).toBe('');
  });
});

describe('fuzzy matching', () => {
  it('matches a case-insensitive subsequence only', () => {
    expect(fuzzyMatch('bd', 'build')).toBeDefined();
    expect(fuzzyMatch('BUILD', 'build')).toBeDefined();
    expect(fuzzyMatch('build', 'BuIlD')).toBeDefined();
    expect(fuzzyMatch('db', 'build')).toBeUndefined();
    expect(fuzzyMatch('buildx', 'build')).toBeUndefined();
    expect(fuzzyMatch('', 'build')).toEqual({ score: 0, length: 5 });
  });

  const score = (q: string, label: string): number => fuzzyMatch(q, label)!.score;

  it('favours consecutive runs', () => {
    expect(score('ab', 'xxab')).toBeGreaterThan(score('ab', 'xaxb'));
    expect(score('bui', 'xbuiyyy')).toBeGreaterThan(score('bui', 'xbyuyiy'));
  });

  it('favours the label start and the character after # : - _ / @', () => {
    for (const sep of ['#', ':', '-', '_', '/', '@']) expect(score('b', `a${sep}b`)).toBeGreaterThan(score('b', 'aab'));
    expect(score('b', 'build')).toBeGreaterThan(score('b', 'rebuild'));
    expect(score('tc', 'type-check')).toBeGreaterThan(score('tc', 'fetch'));
    expect(score('b', 'a.b')).toBe(score('b', 'aab'));
  });

  it('finds the best placement, not the first one', () => {
    // Greedy would take the first `b`; the best placement is the run `bu` at the end.
    expect(score('bu', 'xbxbu')).toBe(score('bu', 'xxxbu'));
    expect(score('ab', 'axxab')).toBe(score('ab', 'xxxab'));
    // A run beats splitting it to reach a word start.
    expect(score('lib', 'lib#build')).toBe(score('lib', 'lib#lint'));
  });

  it('reports the label length so shorter labels win ties', () => {
    expect(fuzzyMatch('b', 'build')!.length).toBe(5);
    expect(fuzzyMatch('é', 'café')!.length).toBe(4);
  });
});

describe('searchEntries', () => {
  it('suggests typo matches grouped by package (the did-you-mean list)', () => {
    expect(labels(searchEntries('buid', fixture('')))).toEqual(['app#build', 'lib#build']);
    expect(labels(searchEntries('buid', fixture('packages/app')))).toEqual(['build', 'lib#build']);
    expect(searchEntries('zzzzz', fixture(''))).toEqual([]);
  });

  it('returns every entry in list order for an empty query', () => {
    expect(searchEntries('', fixture('packages/app'))).toEqual(orderEntries(fixture('packages/app')));
  });

  it('keeps the package grouping and orders by score inside each group', () => {
    expect(labels(searchEntries('t', fixture('packages/app')))).toEqual([
      'test', 'lint',
      'lib#test', 'lib#typecheck', 'lib#lint',
      // Every root label starts with `t` (its package name): equal scores, so shorter labels, then task names.
      'task-select-test#docs', 'task-select-test#check', 'task-select-test#clean', 'task-select-test#hello',
      'task-select-test#deploy', 'task-select-test#format', 'task-select-test#validate', 'task-select-test#run-typo-task',
    ]);
    expect(labels(searchEntries('lint', fixture('packages/lib')))).toEqual(['lint', 'app#lint']);
  });

  it('with # matches pkg#task for every entry and orders by score alone', () => {
    expect(labels(searchEntries('lib#', fixture('packages/app')))).toEqual(['lib#lint', 'lib#test', 'lib#build', 'lib#typecheck']);
    // The cwd package's own tasks are reachable by their qualified name and are not moved first.
    expect(labels(searchEntries('app#b', fixture('packages/app')))).toEqual(['build']);
    expect(labels(searchEntries('#b', fixture('packages/lib')))).toEqual(['app#build', 'build']);
  });
});

describe('selector screen', () => {
  const screen = (state: SelectorState, columns = 500, notFound?: string): string => renderScreen(state, columns, notFound).join('\n');

  it('shows up to 12 rows with group headers, aligned commands and the more-footer', () => {
    expect(screen(withQuery(fixture('packages/app'), ''))).toBe(
      [
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
      ].join('\n'),
    );
  });

  it('shows the not-found line, the query and a column fitted to the results', () => {
    expect(screen(withQuery(fixture('packages/app'), 'buid'), 500, 'buid')).toBe(
      [
        'Task "buid" not found.',
        'Select a task (↑/↓, Enter to run, type to search): buid',
        '',
        '  › build   echo build app',
        '    lib (packages/lib)',
        '      build echo build lib',
      ].join('\n'),
    );
  });

  it('shows the no-results line', () => {
    expect(screen(withQuery(fixture('packages/app'), 'zzzzz'))).toBe(
      'Select a task (↑/↓, Enter to run, type to search): zzzzz\n\n  No matching tasks. Press Escape to clear search.',
    );
  });

  it('cuts rows wider than the terminal with … as the last visible character', () => {
    const long = [entry('p', 'p', 'long', `echo ${'a'.repeat(600)}`, 'p')];
    const lines = renderScreen(withQuery(long, ''), 500);
    expect(lines[2]).toHaveLength(500);
    expect(lines[2]).toBe(`  › long echo ${'a'.repeat(500 - 15)}…`);
    expect(renderScreen(withQuery(fixture('packages/app'), ''), 30)[2]).toBe('  › build           echo buil…');
    // Wide characters count as two columns, and one that would straddle the edge is left out (19 columns here).
    const wide = renderScreen(withQuery([entry('p', 'p', '構築', 'echo 構築構築構築', 'p')], ''), 20)[2]!;
    expect(wide).toBe('  › 構築 echo 構築…');
  });

  it('replaces control characters so each row stays one line', () => {
    const lines = renderScreen(withQuery([entry('p', 'p', 'x', 'echo a\necho b\x1b[2J', 'p')], ''), 80);
    expect(lines[2]).toBe('  › x echo a echo b [2J');
  });
});

describe('cursor and viewport', () => {
  const cursorRow = (state: SelectorState): string =>
    renderScreen(state, 500).find((l) => l.startsWith('  ›'))!.trim();

  it('moves without wrapping', () => {
    let s = withQuery(fixture('packages/app'), '');
    s = moveCursor(s, -1);
    expect(s.cursor).toBe(0);
    for (let i = 0; i < 20; i++) s = moveCursor(s, 1);
    expect(s.cursor).toBe(14);
    expect(cursorRow(s)).toBe('›   validate      echo validate root');
  });

  it('scrolls just enough to keep the cursor visible', () => {
    let s = withQuery(fixture('packages/app'), '');
    for (let i = 0; i < 8; i++) s = moveCursor(s, 1);
    // `clean` is row 10 of 17: still inside the first 12 rows.
    expect(s.top).toBe(0);
    expect(cursorRow(s)).toBe('›   clean         echo clean root');
    s = moveCursor(s, 1); // deploy, row 11
    s = moveCursor(s, 1); // docs, row 12: scroll by one
    expect(s.top).toBe(1);
    const lines = renderScreen(s, 500);
    expect(lines[2]).toBe('    lint            echo lint app');
    expect(lines[13]).toBe('  ›   docs          echo docs root');
    expect(lines[14]).toBe('  (…4 more)');
    for (let i = 0; i < 4; i++) s = moveCursor(s, 1);
    expect(s.top).toBe(5);
    expect(renderScreen(s, 500)).toHaveLength(14); // nothing below: no footer
  });

  it('reveals the group header when scrolling up onto its first task', () => {
    let s = withQuery(fixture('packages/app'), '');
    for (let i = 0; i < 14; i++) s = moveCursor(s, 1);
    for (let i = 0; i < 11; i++) s = moveCursor(s, -1); // lib#build, row 4, its header is row 3
    expect(s.top).toBe(3);
    expect(renderScreen(s, 500)[2]).toBe('    lib (packages/lib)');
  });

  it('resets cursor and viewport when the query changes', () => {
    let s = withQuery(fixture('packages/app'), '');
    for (let i = 0; i < 14; i++) s = moveCursor(s, 1);
    s = withQuery(s.entries, 'l');
    expect([s.cursor, s.top]).toEqual([0, 0]);
  });
});

describe('key decoding', () => {
  it('splits a chunk into keys and merges typed text', () => {
    expect(new KeyDecoder().push('lin\x1b[B\x1b[A\r\x7f\x03')).toEqual([
      { kind: 'text', text: 'lin' }, { kind: 'down' }, { kind: 'up' }, { kind: 'enter' }, { kind: 'backspace' }, { kind: 'ctrl-c' },
    ]);
    expect(new KeyDecoder().push('\x1bOA\x1bOB')).toEqual([{ kind: 'up' }, { kind: 'down' }]);
  });

  it('reads a lone ESC as Escape, also when text follows in the same chunk', () => {
    expect(new KeyDecoder().push('\x1b')).toEqual([{ kind: 'escape' }]);
    expect(new KeyDecoder().push('\x1bzz')).toEqual([{ kind: 'escape' }, { kind: 'text', text: 'zz' }]);
  });

  it('holds an unfinished sequence until the next chunk', () => {
    const d = new KeyDecoder();
    expect(d.push('a\x1b[')).toEqual([{ kind: 'text', text: 'a' }]);
    expect(d.push('B')).toEqual([{ kind: 'down' }]);
  });

  it('ignores other keys and control characters', () => {
    expect(new KeyDecoder().push('\x1b[C\x1b[3~\x01\tü')).toEqual([{ kind: 'text', text: 'ü' }]);
  });
});

it('encodes milestones as an OSC 8 link with invisible text', () => {
  expect(milestone('task-select:ab:1')).toBe(
    `\x1b]8;;https://milestone.invalid/${Buffer.from('task-select:ab:1').toString('hex')}\x1b\\\u200b\x1b]8;;\x1b\\`,
  );
  expect(milestone('é')).toContain('milestone.invalid/c3a9\x1b');
});
