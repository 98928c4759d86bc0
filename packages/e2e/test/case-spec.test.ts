import { describe, expect, test } from 'vitest';
import { parseCaseSpecs, runsOn, SpecError } from '../src/case-spec.ts';

const parse = (text: string) => parseCaseSpecs('fix', text, 'fixtures/fix/snapshots.toml');

describe('parseCaseSpecs', () => {
  test('reads string steps, table steps with interactions, and every optional case field', () => {
    const cases = parse(`
[[e2e]]
name = "first_case"
comment = """
Explains the case.
"""
cwd = "packages/app"
platform = "linux"
steps = [
  "vt run build",
  { command = "vt run", comment = "selector", interactions = [
      { expect-milestone = "task-select::0" },
      { write = "lin" }, { write-line = "text" }, { write-key = "ctrl-c" },
  ] },
]

[[e2e]]
name = "second"
ignore = "needs network"
steps = ["true"]

[[e2e]]
name = "third"
ignore = true
steps = ["true"]
`);
    expect(cases).toEqual([
      {
        fixture: 'fix',
        name: 'first_case',
        comment: 'Explains the case.\n',
        cwd: 'packages/app',
        platform: 'linux',
        steps: [
          { command: 'vt run build', interactions: [] },
          {
            command: 'vt run',
            comment: 'selector',
            interactions: [
              { kind: 'expect-milestone', name: 'task-select::0' },
              { kind: 'write', text: 'lin' },
              { kind: 'write-line', text: 'text' },
              { kind: 'write-key', key: 'ctrl-c' },
            ],
          },
        ],
      },
      { fixture: 'fix', name: 'second', ignore: 'needs network', steps: [{ command: 'true', interactions: [] }] },
      { fixture: 'fix', name: 'third', ignore: 'ignored', steps: [{ command: 'true', interactions: [] }] },
    ]);
  });

  test.each([
    ['invalid TOML', '[[e2e]\nname=', /invalid TOML/],
    ['no cases', '', /e2e: no \[\[e2e\]\] cases/],
    ['a misspelt case key', '[[e2e]]\nname = "a"\nstep = ["x"]', /e2e\[0\]: unknown key 'step'/],
    ['a bad case name', '[[e2e]]\nname = "Bad-Name"\nsteps = ["x"]', /e2e\[0\]\.name: 'Bad-Name' must match/],
    ['duplicate names', '[[e2e]]\nname = "a"\nsteps = ["x"]\n[[e2e]]\nname = "a"\nsteps = ["y"]', /duplicate case name 'a'/],
    ['no steps', '[[e2e]]\nname = "a"\nsteps = []', /at least one step/],
    ['a step without command', '[[e2e]]\nname = "a"\nsteps = [{ comment = "x" }]', /steps\[0\]\.command: expected a string, got nothing/],
    [
      'an interaction with two keys',
      '[[e2e]]\nname = "a"\nsteps = [{ command = "x", interactions = [{ write = "a", write-line = "b" }] }]',
      /interactions\[0\]: expected exactly one of/,
    ],
    [
      'an unknown key name',
      '[[e2e]]\nname = "a"\nsteps = [{ command = "x", interactions = [{ write-key = "pgdown" }] }]',
      /unknown key 'pgdown'/,
    ],
    ['an unknown platform', '[[e2e]]\nname = "a"\nplatform = "mac"\nsteps = ["x"]', /'mac' is not one of linux, unix, windows/],
    ['an escaping cwd', '[[e2e]]\nname = "a"\ncwd = "../x"\nsteps = ["x"]', /must be a relative path inside the fixture/],
  ])('rejects %s with a located message', (_what, text, message) => {
    expect(() => parse(text)).toThrow(SpecError);
    expect(() => parse(text)).toThrow(message);
    expect(() => parse(text)).toThrow(/^fixtures\/fix\/snapshots\.toml: /);
  });
});

describe('runsOn', () => {
  test('maps case platforms onto Node platforms', () => {
    expect(runsOn(undefined, 'win32')).toBe(true);
    expect(runsOn('linux', 'linux')).toBe(true);
    expect(runsOn('linux', 'darwin')).toBe(false);
    expect(runsOn('unix', 'darwin')).toBe(true);
    expect(runsOn('unix', 'win32')).toBe(false);
    expect(runsOn('windows', 'win32')).toBe(true);
    expect(runsOn('windows', 'linux')).toBe(false);
  });
});
