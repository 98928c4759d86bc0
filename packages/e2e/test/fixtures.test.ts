import { existsSync, mkdirSync, mkdtempSync, readlinkSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { prepareCaseDirs } from '../src/case-workspace.ts';
import { discoverFixtures, snapshotPath } from '../src/fixtures.ts';
import { repoPaths } from '../src/repo-paths.ts';

const root = mkdtempSync(`${realpathSync(tmpdir())}/vt-e2e-fixtures-`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const CASE = '[[e2e]]\nname = "only"\nsteps = ["print hi"]\n';

describe('discoverFixtures', () => {
  test('finds directories with snapshots.toml, ignores the rest, and reports broken fixtures individually', () => {
    const fixtures = join(root, 'fixtures');
    write(join(fixtures, 'good/package.json'), '{}');
    write(join(fixtures, 'good/snapshots.toml'), CASE);
    write(join(fixtures, 'shared_vectors/vectors.json'), '[]');
    write(join(fixtures, 'no_package/snapshots.toml'), CASE);
    write(join(fixtures, 'bad_toml/package.json'), '{}');
    write(join(fixtures, 'bad_toml/snapshots.toml'), '[[e2e]]\nname = "x"\nsteps = ["a"]\nbogus = 1\n');
    write(join(fixtures, 'Bad-Name/package.json'), '{}');
    write(join(fixtures, 'Bad-Name/snapshots.toml'), CASE);

    const found = discoverFixtures(fixtures);
    expect(found.map((fixture) => fixture.name)).toEqual(['Bad-Name', 'bad_toml', 'good', 'no_package']);
    const byName = Object.fromEntries(found.map((fixture) => [fixture.name, fixture]));
    expect(byName.good).toMatchObject({ cases: [{ fixture: 'good', name: 'only' }] });
    expect(byName.no_package).toMatchObject({ error: expect.stringMatching(/no package\.json: a fixture must be a workspace root/) });
    expect(byName.bad_toml).toMatchObject({ error: expect.stringMatching(/^fixtures\/bad_toml\/snapshots\.toml: e2e\[0\]: unknown key 'bogus'/) });
    expect(byName['Bad-Name']).toMatchObject({ error: expect.stringMatching(/must match/) });
    expect(snapshotPath(join(fixtures, 'good'), 'only')).toBe(join(fixtures, 'good/snapshots/only.md'));
  });

  test('a missing fixtures directory has no fixtures', () => {
    expect(discoverFixtures(join(root, 'nowhere'))).toEqual([]);
  });
});

describe('prepareCaseDirs', () => {
  test('copies the workspace without snapshot files, creates home and outside, and links the helper tools', () => {
    const fixture = join(root, 'src_fixture');
    write(join(fixture, 'package.json'), '{"name":"x"}');
    write(join(fixture, 'snapshots.toml'), CASE);
    write(join(fixture, 'snapshots/only.md'), '# only\n');
    write(join(fixture, 'packages/a/src/snapshots/keep.txt'), 'nested dirs named snapshots are content');
    const base = join(root, 'cases');
    mkdirSync(base);
    const repo = repoPaths();

    const dirs = prepareCaseDirs(base, fixture, 'src_fixture', 'only', repo);
    expect(dirs).toEqual({
      root: join(base, 'src_fixture__only'),
      workspace: join(base, 'src_fixture__only/ws'),
      home: join(base, 'src_fixture__only/home'),
      outside: join(base, 'src_fixture__only/outside'),
    });
    expect(readdirSync(dirs.workspace).sort()).toEqual(['node_modules', 'package.json', 'packages']);
    expect(existsSync(join(dirs.workspace, 'packages/a/src/snapshots/keep.txt'))).toBe(true);
    expect(readdirSync(dirs.home)).toEqual([]);
    expect(readdirSync(dirs.outside)).toEqual([]);
    expect(readlinkSync(join(dirs.workspace, 'node_modules/test-tools'))).toBe(repo.toolsPackageDir);
    expect(existsSync(join(dirs.workspace, 'node_modules/test-tools/bin/print'))).toBe(true);
  });
});
