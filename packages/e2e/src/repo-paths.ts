/**
 * Where the harness finds the things it puts in front of a case: the vt binary, the helper tools and the fixtures.
 * All derived from this file's location, so the harness works from any checkout, and real paths (symlinks
 * resolved) so the redactions match what processes print.
 */
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RepoPaths {
  /** The repository root (has the root package.json and `fixtures/`). */
  readonly root: string;
  readonly fixturesDir: string;
  /** Directory of the `vt` launcher; put first on each step's PATH. */
  readonly vtBinDir: string;
  /** The `test-tools` package, symlinked into each case's `node_modules`. */
  readonly toolsPackageDir: string;
  /** The helper tools' bin directory: on PATH, and redacted as `<tools>`. */
  readonly toolsBinDir: string;
  /** The repository's root `node_modules`, where the shared registry packages live. */
  readonly rootNodeModules: string;
}

export function repoPaths(): RepoPaths {
  const root = realpathSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'));
  const toolsPackageDir = join(root, 'packages/test-tools');
  return {
    root,
    fixturesDir: join(root, 'fixtures'),
    vtBinDir: join(root, 'packages/vt/bin'),
    toolsPackageDir,
    toolsBinDir: join(toolsPackageDir, 'bin'),
    rootNodeModules: join(root, 'node_modules'),
  };
}
