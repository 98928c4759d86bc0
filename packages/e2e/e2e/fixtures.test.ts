/**
 * The end-to-end snapshot suite (e2e.md): one test per case, `{fixture}::{case}`, run one after another.
 *
 *   UPDATE_SNAPSHOTS=1   rewrite snapshot files instead of comparing
 *   E2E_FILTER=text      only register cases whose test name contains `text`
 *   E2E_KEEP_TMP=1       keep every case directory (failed cases' directories are always kept)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, relative } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runsOn } from '../src/case-spec.ts';
import { discoverFixtures, snapshotPath } from '../src/fixtures.ts';
import { repoPaths } from '../src/repo-paths.ts';
import { runCase, STEP_TIMEOUT_MS } from '../src/run-case.ts';

const repo = repoPaths();
const update = process.env.UPDATE_SNAPSHOTS === '1';
const keepAll = process.env.E2E_KEEP_TMP === '1';
const filter = process.env.E2E_FILTER ?? '';
const tmpBase = mkdtempSync(`${realpathSync(tmpdir())}/vt-e2e-`);

afterAll(() => {
  try {
    rmdirSync(tmpBase); // only succeeds when every case cleaned up after itself
  } catch {
    console.warn(`e2e: case directories kept under ${tmpBase}`);
  }
});

for (const fixture of discoverFixtures(repo.fixturesDir)) {
  if ('error' in fixture) {
    const name = `${fixture.name}::snapshots.toml`;
    if (name.includes(filter)) {
      test(name, () => {
        throw new Error(fixture.error);
      });
    }
    continue;
  }
  for (const spec of fixture.cases) {
    const name = `${spec.fixture}::${spec.name}`;
    if (!name.includes(filter)) continue;
    const timeout = spec.steps.length * (STEP_TIMEOUT_MS + 5_000) + 30_000;
    test(name, { timeout }, async (context) => {
      if (spec.ignore !== undefined) context.skip(spec.ignore);
      if (!runsOn(spec.platform, process.platform)) context.skip(`${spec.platform} only`);

      const run = await runCase(spec, fixture.dir, repo, tmpBase);
      let passed = false;
      try {
        for (const warning of run.warnings) console.warn(`e2e ${name}: ${warning}`);
        const file = snapshotPath(fixture.dir, spec.name);
        const shown = relative(repo.root, file);
        if (update) {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, run.snapshot);
        } else {
          if (!existsSync(file)) {
            throw new Error(`missing snapshot ${shown} (run with UPDATE_SNAPSHOTS=1 to create it); this run produced:\n\n${run.snapshot}`);
          }
          expect(run.snapshot, `snapshot ${shown} differs (UPDATE_SNAPSHOTS=1 rewrites it)`).toBe(readFileSync(file, 'utf8'));
        }
        passed = true;
      } finally {
        if (passed && !keepAll) rmSync(run.dirs.root, { recursive: true, force: true });
        else console.warn(`e2e ${name}: case directory kept at ${run.dirs.root}`);
      }
    });
  }
}
