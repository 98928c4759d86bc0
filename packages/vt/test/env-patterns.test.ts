import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UNTRACKED_ENV, EnvPatternList } from '../src/plan/env.js';

/**
 * Env patterns are compared directly when they are plain names or a name with one leading/trailing `*`
 * (plan/env.ts); everything must still answer exactly as picomatch would (env.md §2).
 */
const picomatchAnswer = (pattern: string, name: string): boolean =>
  picomatch(pattern, { dot: true, noextglob: true, nonegate: true })(name);

const PATTERNS = [
  ...DEFAULT_UNTRACKED_ENV,
  '*', '**', 'A*B', '*_TOKEN*', 'X[(]Y[)]', 'X[!(]Y', 'A[]]', 'FOO/*', '*/BAR', 'a?c', 'A{B,C}', 'NODE_*', 'NO\\*DE',
  '.HIDDEN', '*.X', 'PATH', 'Path', 'VP_[A-Z]*', 'x+(y)', 'AB\\', '[*]STAR',
];
const NAMES = [
  'HOME', 'home', 'HOMES', 'COREPACK_', 'COREPACK_HOME', 'XCOREPACK_HOME', 'GITHUB_TOKEN', 'NPM_TOKEN', '_TOKEN', 'TOKEN',
  'MY_TOKEN_X', 'ProgramFiles(x86)', 'ProgramFiles[(]x86[)]', 'ProgramFilesx86', 'X(Y)', 'XY', 'X)Y', 'A]', 'A[]]', 'FOO/BAR',
  'FOO/', 'A/BAR', 'VERCEL_a/b', 'a/B_TOKEN', 'abc', 'aXc', 'AB', 'AC', 'A{B,C}', 'NODE_ENV', 'NO*DE', 'NODE', '.HIDDEN',
  'a.X', '.X', 'PATH', 'Path', 'VP_RUN', 'VP_run', 'xy', 'xyy', 'AB\\', '*STAR', 'STAR', '', '*',
];

describe('env name patterns', () => {
  it('select exactly what picomatch selects, pattern by pattern', () => {
    for (const pattern of PATTERNS) {
      const list = EnvPatternList.of([pattern]);
      for (const name of NAMES) expect([pattern, name, list.selects(name)]).toEqual([pattern, name, picomatchAnswer(pattern, name)]);
    }
  });

  it('apply negations after positives', () => {
    const list = EnvPatternList.of(['VP_*', '!VP_SECRET', '*_TOKEN', '!NPM_*']);
    expect(['VP_RUN', 'VP_SECRET', 'GH_TOKEN', 'NPM_TOKEN', 'OTHER'].filter((n) => list.selects(n))).toEqual(['VP_RUN', 'GH_TOKEN']);
  });
});
