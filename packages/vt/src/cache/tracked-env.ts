import { compileQuery, type EnvQuery } from '../ipc/env-query.js';
import type { IpcReport } from '../ipc/index.js';
import { EnvPatternList } from '../plan/env.js';
import { canonicalJson, hashValue, type MissReason } from './key.js';

type Env = Readonly<Record<string, string>>;

/** Tracked envs as stored: name → value hash, or null when the tool saw the variable absent. */
export type StoredTrackedEnvs = readonly (readonly [string, string | null])[];
/** Tracked `getEnvs` queries as stored: query key → sorted (name, value hash) match set. */
export type StoredEnvQueries = readonly (readonly [string, readonly (readonly [string, string])[]])[];

const byName = <T extends readonly [string, ...unknown[]]>(a: T, b: T): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The post-run env fingerprint (ipc.md §5). User config wins: names the task's `env` list selects are
 * already in the entry key, and names its own `untrackedEnv` selects are served but never tracked.
 * Query match sets are stored whole.
 */
export function storeTrackedEnvs(
  report: IpcReport,
  task: { readonly env: readonly string[]; readonly untrackedEnv: readonly string[] },
): { envs: StoredTrackedEnvs; queries: StoredEnvQueries } {
  const declared = EnvPatternList.of(task.env);
  const untracked = EnvPatternList.of(task.untrackedEnv);
  const envs = [...report.trackedEnvs]
    .filter(([n]) => !declared.selects(n) && !untracked.selects(n))
    .map(([n, v]): [string, string | null] => [n, v === undefined ? null : hashValue(v)])
    .sort(byName);
  const queries = [...report.trackedEnvQueries]
    .map(([q, m]): [string, [string, string][]] => [q, [...m].map(([n, v]): [string, string] => [n, hashValue(v)]).sort(byName)])
    .sort(byName);
  return { envs, queries };
}

/**
 * Entries of one key are kept per tracked-env variant, so that switching a tool-read variable back
 * (NODE_ENV=production → development → production) hits the earlier result again.
 */
export function variantOf(envs: StoredTrackedEnvs, queries: StoredEnvQueries): string {
  return envs.length === 0 && queries.length === 0 ? '' : hashValue(canonicalJson([envs, queries])).slice('sha256:'.length);
}

function parseQueryKey(key: string): EnvQuery | undefined {
  if (key.startsWith('glob:')) return { glob: key.slice(5) };
  if (key.startsWith('prefix:')) return { prefix: key.slice(7) };
  return undefined;
}

const reason = (name: string, what: 'added' | 'removed' | 'changed'): MissReason => {
  const text = `env '${name}' ${what}`;
  return { inline: text, detail: text };
};

/**
 * Compares tool-reported envs with the env the item would see now (cache.md §6 2c–2d). The values come from
 * the item's context env plus prefix env, as the IPC server answers (ipc.md §4).
 */
export function diffTrackedEnvs(envs: StoredTrackedEnvs, queries: StoredEnvQueries, env: Env): MissReason | undefined {
  for (const [name, stored] of envs) {
    const value = Object.hasOwn(env, name) ? env[name]! : undefined;
    if (stored === null && value !== undefined) return reason(name, 'added');
    if (stored !== null && value === undefined) return reason(name, 'removed');
    if (stored !== null && value !== undefined && hashValue(value) !== stored) return reason(name, 'changed');
  }
  for (const [key, storedSet] of queries) {
    const query = parseQueryKey(key);
    const compiled = query ? compileQuery(query) : undefined;
    if (!compiled?.ok) return { inline: 'configuration changed', detail: 'configuration changed' };
    const now = Object.keys(env).filter((n) => compiled.matches(n)).sort();
    let i = 0;
    let j = 0;
    while (i < storedSet.length || j < now.length) {
      const s = storedSet[i];
      const c = now[j];
      if (s && (c === undefined || s[0] < c)) return reason(s[0], 'removed');
      if (c !== undefined && (!s || c < s[0])) return reason(c, 'added');
      if (hashValue(env[c!]!) !== s![1]) return reason(c!, 'changed');
      i++;
      j++;
    }
  }
  return undefined;
}
