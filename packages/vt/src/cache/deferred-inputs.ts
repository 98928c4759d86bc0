import fs from 'node:fs';
import type { IoConfig } from '../config/globs.js';
import { RACY_WINDOW_NS, stampOf, type FileHasher, type StatStamp } from './fingerprint.js';
import { matchGlobs } from './globs.js';

/** The globbed inputs of a run, or the first one that changed while the task ran. */
export type DeferredResult = { readonly kind: 'ok'; readonly inputs: [string, string][] } | { readonly kind: 'changed'; readonly path: string };

/**
 * Globbed inputs hashed while the task runs instead of before it. Only used when nothing is stored for the
 * task's key (a cold cache, a changed command or config): then the lookup needs no hashes, and reading every
 * input first only delays the task. Listing and stat'ing them still happens first (on the 4,000-file
 * `require` workload that is ~70 of ~140 ms; reading and hashing, the rest, now overlaps the task, for a
 * re-stat of ~25 ms after it). The bigger the input files, the bigger the saving.
 *
 * Sound because a file that changes while the task runs changes its stat stamp: every input is stat'ed
 * before the task starts, its content is hashed only if the stamp is still the same, and every stamp is
 * checked again after the task ends; any difference means the task may have read other bytes than were
 * hashed, and the run is not stored. Files changed within the racy window before the start are hashed up
 * front, because a second change in the same timestamp tick would leave the stamp as it was.
 */
export class DeferredInputs {
  private readonly hashes = new Map<string, string>();
  private next = 0;
  private changed: string | undefined;

  private constructor(
    private readonly root: string,
    private readonly hasher: FileHasher,
    /** Regular files matched before the run, in path order, with their stamps then. */
    private readonly pending: readonly { readonly rel: string; readonly stamp: StatStamp }[],
  ) {}

  static start(workspaceRoot: string, io: IoConfig, hasher: FileHasher, excludeDir?: string): DeferredInputs {
    const now = BigInt(Date.now()) * 1_000_000n;
    const pending: { rel: string; stamp: StatStamp }[] = [];
    const upFront: { rel: string; st: fs.BigIntStats }[] = [];
    for (const rel of matchGlobs(workspaceRoot, io, excludeDir)) {
      const st = statOf(workspaceRoot, rel);
      if (st === undefined || !st.isFile()) continue;
      pending.push({ rel, stamp: stampOf(st) });
      if (now - st.mtimeNs <= RACY_WINDOW_NS || now - st.ctimeNs <= RACY_WINDOW_NS) upFront.push({ rel, st });
    }
    const inputs = new DeferredInputs(workspaceRoot, hasher, pending);
    for (const { rel, st } of upFront) inputs.hashOne(rel, st);
    return inputs;
  }

  /** The inputs' paths, as matched before the run. */
  paths(): string[] {
    return this.pending.map((p) => p.rel);
  }

  /** Hashes up to `count` more inputs; false once all are done (or one has changed). */
  step(count: number): boolean {
    for (let n = 0; n < count; n++) {
      if (this.changed !== undefined || this.next >= this.pending.length) return false;
      const { rel, stamp } = this.pending[this.next++]!;
      if (this.hashes.has(rel)) continue;
      const st = statOf(this.root, rel);
      if (st === undefined || stampOf(st) !== stamp) this.changed = rel;
      else this.hashOne(rel, st);
    }
    return this.changed === undefined && this.next < this.pending.length;
  }

  /** After the task ended: hashes what is left, then checks every stamp again. */
  finish(): DeferredResult {
    while (this.step(256));
    if (this.changed !== undefined) return { kind: 'changed', path: this.changed };
    const inputs: [string, string][] = [];
    for (const { rel, stamp } of this.pending) {
      const st = statOf(this.root, rel);
      if (st === undefined || stampOf(st) !== stamp) return { kind: 'changed', path: rel };
      inputs.push([rel, this.hashes.get(rel)!]);
    }
    return { kind: 'ok', inputs };
  }

  private hashOne(rel: string, st: fs.BigIntStats): void {
    const hash = this.hasher.hash(rel, st);
    if (hash === undefined) this.changed = rel;
    else this.hashes.set(rel, hash);
  }
}

function statOf(root: string, rel: string): fs.BigIntStats | undefined {
  try {
    return fs.statSync(`${root}/${rel}`, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
