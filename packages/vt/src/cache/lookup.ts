import type { EntryValue } from './store.js';
import type { CacheStore } from './store.js';
import { decodeInputs, type EncodedInputs, type FileHasher } from './fingerprint.js';
import { explainKeyChange, pathReason, type EntryKey, type MissReason } from './key.js';
import { firstPathDiff } from './path-fingerprint.js';
import { diffTrackedEnvs } from './tracked-env.js';

export type Lookup =
  | { readonly kind: 'hit'; readonly key: string; readonly variant: string; readonly value: EntryValue }
  | { readonly kind: 'miss'; readonly reason: MissReason | undefined }
  | { readonly kind: 'error'; readonly message: string };

/** Compares stored and current globbed inputs in sorted path order (cache.md §6 2a). */
export function diffGlobbed(storedInputs: EncodedInputs, currentInputs: EncodedInputs): MissReason | undefined {
  if (storedInputs === currentInputs) return undefined;
  const stored = decodeInputs(storedInputs);
  const current = decodeInputs(currentInputs);
  let i = 0;
  let j = 0;
  while (i < stored.length || j < current.length) {
    const s = stored[i];
    const c = current[j];
    if (s && (!c || s[0] < c[0])) return pathReason('removed', s[0]);
    if (c && (!s || c[0] < s[0])) return pathReason('added', c[0]);
    if (s![1] !== c![1]) return pathReason('modified', s![0]);
    i++;
    j++;
  }
  return undefined;
}

/**
 * The lookup of cache.md §6: the entry for this key, compared input by input in the spec's order; or, with
 * no entry, the reason the task's previous entry no longer applies.
 */
export async function lookupEntry(opts: {
  store: CacheStore;
  key: EntryKey;
  keyId: string;
  taskKey: string;
  /** The current globbed inputs, computed only if an entry needs comparing (hashing them costs). */
  globbed: () => EncodedInputs;
  workspaceRoot: string;
  hasher: FileHasher;
  /** The item's context env + prefix env, for tool-tracked envs. */
  env: Readonly<Record<string, string>>;
}): Promise<Lookup> {
  const variants = opts.store.variants(opts.keyId);
  if (variants.length > 0) {
    // The variant recorded with the tool-tracked env values the item would see now, if any.
    const envMatch = variants.find((e) => diffTrackedEnvs(e.value.trackedEnvs, e.value.envQueries, opts.env) === undefined);
    if (envMatch) {
      const v = envMatch.value;
      const reason = diffGlobbed(v.globbed, opts.globbed()) ?? (await firstPathDiff(opts.workspaceRoot, v.inferred, opts.hasher));
      return reason ? { kind: 'miss', reason } : { kind: 'hit', key: opts.keyId, variant: envMatch.variant, value: v };
    }
    // No variant fits the env: explain against the most recently used one, in the spec's order.
    const v = variants[0]!.value;
    const reason =
      diffGlobbed(v.globbed, opts.globbed()) ??
      (await firstPathDiff(opts.workspaceRoot, v.inferred, opts.hasher)) ??
      diffTrackedEnvs(v.trackedEnvs, v.envQueries, opts.env);
    return { kind: 'miss', reason };
  }
  const pointer = opts.store.pointer(opts.taskKey);
  if (pointer === undefined || pointer === opts.keyId) return { kind: 'miss', reason: undefined };
  const previous = opts.store.variants(pointer)[0];
  if (!previous) return { kind: 'miss', reason: undefined };
  return { kind: 'miss', reason: explainKeyChange(JSON.parse(previous.keyJson) as EntryKey, opts.key) };
}

