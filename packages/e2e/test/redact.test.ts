import { describe, expect, test } from 'vitest';
import { redactScreen } from '../src/redact.ts';

const paths = {
  workspace: '/tmp/vt-e2e-x/fix__case/ws',
  home: '/tmp/vt-e2e-x/fix__case/home',
  tools: '/repo/packages/test-tools/bin',
  outside: '/tmp/vt-e2e-x/fix__case/outside',
};

describe('redactScreen', () => {
  test('replaces the case paths by placeholders, everywhere on a line', () => {
    const screen = [
      '/tmp/vt-e2e-x/fix__case/ws/packages/a and /tmp/vt-e2e-x/fix__case/ws',
      'HOME=/tmp/vt-e2e-x/fix__case/home',
      '/repo/packages/test-tools/bin/print',
      '../outside is /tmp/vt-e2e-x/fix__case/outside/x',
    ].join('\n');
    expect(redactScreen(screen, paths)).toBe(
      ['<workspace>/packages/a and <workspace>', 'HOME=<home>', '<tools>/print', '../outside is <outside>/x'].join('\n'),
    );
  });

  test('replaces durations in every unit, but not digits glued to words', () => {
    expect(redactScreen('1s 2.5ms 30us 4µs 5ns 60.125s', paths)).toBe(
      '<duration> <duration> <duration> <duration> <duration> <duration>',
    );
    expect(redactScreen('v2s x1ms 10 files 3sec', paths)).toBe('v2s x1ms 10 files 3sec');
  });

  test('drops the saved-time suffix of compact summaries only', () => {
    expect(redactScreen('vt run: cache hit, 12ms saved.', paths)).toBe('vt run: cache hit.');
    expect(redactScreen('vt run: 2/2 cache hit (100%), 1.5s saved. (Run `vt run --last-details` for full details)', paths)).toBe(
      'vt run: 2/2 cache hit (100%). (Run `vt run --last-details` for full details)',
    );
    expect(redactScreen('→ Cache hit - output replayed - 3ms saved', paths)).toBe('→ Cache hit - output replayed - <duration> saved');
    expect(redactScreen('Performance:  100% cache hit rate, 3ms saved in total', paths)).toBe(
      'Performance:  100% cache hit rate, <duration> saved in total',
    );
  });

  test("removes Node's experimental warnings and the trace hint, then trailing empty lines", () => {
    const screen = [
      'before',
      '(node:123) ExperimentalWarning: VM Modules are experimental',
      'after',
      '',
      '(Use `node --trace-warnings ...` to show where the warning was created)',
    ].join('\n');
    expect(redactScreen(screen, paths)).toBe('before\nafter');
  });

  test('applies path redaction before duration redaction', () => {
    // A temp path with a duration-like component must become <workspace>, not be cut up by the duration rule.
    const odd = { ...paths, workspace: '/tmp/5s/ws' };
    expect(redactScreen('/tmp/5s/ws/a 5s', odd)).toBe('<workspace>/a <duration>');
  });
});
