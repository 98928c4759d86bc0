/**
 * Fixture discovery (e2e.md §1): every directory `fixtures/{name}/` holding a `snapshots.toml` is a fixture; other
 * directories there (shared test vectors and the like) are not. A fixture that cannot be loaded is still returned,
 * with its error, so the harness can fail that fixture alone instead of every case.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAME_PATTERN, parseCaseSpecs, type CaseSpec } from './case-spec.ts';

export type Fixture =
  | { readonly name: string; readonly dir: string; readonly cases: readonly CaseSpec[] }
  | { readonly name: string; readonly dir: string; readonly error: string };

function loadFixture(name: string, dir: string): Fixture {
  const file = `fixtures/${name}/snapshots.toml`;
  if (!NAME_PATTERN.test(name)) {
    return { name, dir, error: `fixture directory name '${name}' must match ${NAME_PATTERN.source}` };
  }
  if (!existsSync(join(dir, 'package.json'))) {
    return { name, dir, error: `fixtures/${name} has a snapshots.toml but no package.json: a fixture must be a workspace root` };
  }
  try {
    return { name, dir, cases: parseCaseSpecs(name, readFileSync(join(dir, 'snapshots.toml'), 'utf8'), file) };
  } catch (error) {
    return { name, dir, error: error instanceof Error ? error.message : String(error) };
  }
}

/** The fixtures under `fixturesDir`, sorted by name. A missing `fixturesDir` has none. */
export function discoverFixtures(fixturesDir: string): Fixture[] {
  if (!existsSync(fixturesDir)) return [];
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(fixturesDir, entry.name, 'snapshots.toml')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => loadFixture(name, join(fixturesDir, name)));
}

/** Path of the snapshot file of `caseName` in fixture directory `dir`. */
export function snapshotPath(dir: string, caseName: string): string {
  return join(dir, 'snapshots', `${caseName}.md`);
}
