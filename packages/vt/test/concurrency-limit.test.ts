import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../src/plan/concurrency-limit.js';

describe('concurrency limit sources, in order (cli.md §6)', () => {
  const none = { concurrencyLimit: undefined, parallel: false };

  it('--concurrency-limit, then --parallel, then VP_RUN_CONCURRENCY_LIMIT, then 4', () => {
    expect(concurrencyLimit({ concurrencyLimit: 2, parallel: true }, { VP_RUN_CONCURRENCY_LIMIT: '3' })).toBe(2);
    expect(concurrencyLimit({ concurrencyLimit: undefined, parallel: true }, { VP_RUN_CONCURRENCY_LIMIT: '3' })).toBe(Infinity);
    expect(concurrencyLimit(none, { VP_RUN_CONCURRENCY_LIMIT: '3' })).toBe(3);
    expect(concurrencyLimit(none, {})).toBe(4);
  });

  it('an invalid env value is an error only when the env var decides the limit', () => {
    for (const bad of ['abc', '0', '-1', '1.5', '', '99999999999999999999']) {
      expect(() => concurrencyLimit(none, { VP_RUN_CONCURRENCY_LIMIT: bad })).toThrow(`Invalid value for VP_RUN_CONCURRENCY_LIMIT: "${bad}"`);
      expect(concurrencyLimit({ concurrencyLimit: 1, parallel: false }, { VP_RUN_CONCURRENCY_LIMIT: bad })).toBe(1);
      expect(concurrencyLimit({ concurrencyLimit: undefined, parallel: true }, { VP_RUN_CONCURRENCY_LIMIT: bad })).toBe(Infinity);
    }
  });
});
