/** A fresh temporary directory per test file, removed afterwards. */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll } from 'vitest';

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(`${realpathSync(tmpdir())}/${prefix}-`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
