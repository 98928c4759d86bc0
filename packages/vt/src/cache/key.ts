import { createHash } from 'node:crypto';
import type { IoConfig } from '../config/globs.js';

/** What was spawned and with what declared environment (cache.md §3). */
export interface SpawnFingerprint {
  /** Workspace-relative cwd, `""` for the root. */
  readonly cwd: string;
  readonly program: string;
  readonly args: readonly string[];
  /** Declared env name → `sha256:{hex}`; values are never stored in clear (env.md §4). */
  readonly env: Readonly<Record<string, string>>;
  /** The task's own `untrackedEnv` patterns, deduplicated and sorted. */
  readonly untracked: readonly string[];
}

/** Identifies a stored result; any item anywhere with an equal key shares the entry. */
export interface EntryKey {
  readonly spawn: SpawnFingerprint;
  readonly input: IoConfig;
  readonly output: IoConfig;
}

/** Identifies a task item across runs; only used to explain misses (cache.md §3). */
export interface TaskKey {
  readonly packageDir: string;
  readonly taskName: string;
  readonly index: number;
  readonly taskArgs: readonly string[];
}

export function hashValue(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** JSON with object keys sorted at every level, so equal keys serialise identically. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function entryKeyId(key: EntryKey): string {
  return createHash('sha256').update(canonicalJson(key)).digest('hex');
}

export function taskKeyId(key: TaskKey): string {
  return canonicalJson(key);
}

export function buildSpawnFingerprint(opts: {
  cwd: string;
  program: string;
  args: readonly string[];
  declared: ReadonlyMap<string, string>;
  untrackedEnv: readonly string[];
}): SpawnFingerprint {
  const env: Record<string, string> = {};
  for (const [name, value] of [...opts.declared].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) env[name] = hashValue(value);
  return {
    cwd: opts.cwd,
    program: opts.program,
    args: [...opts.args],
    env,
    untracked: [...new Set(opts.untrackedEnv)].sort(),
  };
}

/** A miss explanation: the inline text (cache.md §8 table) and the detailed text (after `Cache miss: `). */
export interface MissReason {
  readonly inline: string;
  readonly detail: string;
}

const quote = (s: string): string => `'${s}'`;

function sameIo(a: IoConfig, b: IoConfig): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Explains why no entry exists for `current` although the task last used `previous` (cache.md §6 step 3).
 */
export function explainKeyChange(previous: EntryKey, current: EntryKey): MissReason {
  const sameSpawn = canonicalJson(previous.spawn) === canonicalJson(current.spawn);
  if (sameSpawn && !sameIo(previous.input, current.input)) {
    return { inline: 'input configuration changed', detail: 'input configuration changed' };
  }
  if (sameSpawn) {
    if (!sameIo(previous.output, current.output)) return { inline: 'output configuration changed', detail: 'output configuration changed' };
    return { inline: 'configuration changed', detail: 'configuration changed' };
  }
  const p = previous.spawn;
  const c = current.spawn;
  const details: string[] = [];
  let inline: string | undefined;
  const envNames = [...new Set([...Object.keys(p.env), ...Object.keys(c.env)])].sort();
  const changedEnvs: string[] = [];
  for (const name of envNames) {
    const before = p.env[name];
    const after = c.env[name];
    if (before === after) continue;
    changedEnvs.push(name);
    details.push(`env ${quote(name)} ${before === undefined ? 'added' : after === undefined ? 'removed' : 'changed'}`);
  }
  if (changedEnvs.length === 1) inline = `env ${quote(changedEnvs[0]!)} changed`;
  else if (changedEnvs.length > 1) inline = `envs ${changedEnvs.map(quote).join(', ')} changed`;
  const removed = p.untracked.filter((x) => !c.untracked.includes(x));
  const added = c.untracked.filter((x) => !p.untracked.includes(x));
  for (const x of removed) details.push(`untracked env ${quote(x)} removed`);
  for (const x of added) details.push(`untracked env ${quote(x)} added`);
  if (removed.length + added.length > 0) inline ??= 'untracked env config changed';
  if (p.program !== c.program) {
    details.push('program changed');
    inline ??= 'program changed';
  }
  if (canonicalJson(p.args) !== canonicalJson(c.args)) {
    details.push('args changed');
    inline ??= 'args changed';
  }
  if (p.cwd !== c.cwd) {
    details.push('working directory changed');
    inline ??= 'working directory changed';
  }
  if (inline === undefined) return { inline: 'configuration changed', detail: 'configuration changed' };
  return { inline, detail: details.join('; ') };
}

/** `'{name}' added in workspace root` / `… in '{parent}'` and the `removed from` forms (cache.md §8). */
export function pathReason(kind: 'added' | 'removed' | 'modified', wsPath: string): MissReason {
  let text: string;
  if (kind === 'modified') text = `${quote(wsPath)} modified`;
  else {
    const slash = wsPath.lastIndexOf('/');
    const name = wsPath.slice(slash + 1);
    const parent = slash < 0 ? '' : wsPath.slice(0, slash);
    const where = parent === '' ? 'workspace root' : quote(parent);
    text = kind === 'added' ? `${quote(name)} added in ${where}` : `${quote(name)} removed from ${where}`;
  }
  return { inline: text, detail: text };
}
