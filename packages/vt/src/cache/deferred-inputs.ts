import type { IoConfig } from '../config/globs.js';
import type { StatStamp } from './file-stamps.js';
import type { FileHasher } from './fingerprint.js';
import { globbedFiles } from './globs.js';

/** The globbed inputs of a run, or the first one that changed while the task ran. */
export type DeferredResult = { readonly kind: 'ok'; readonly inputs: [string, string][] } | { readonly kind: 'changed'; readonly path: string };

/**
 * Globbed inputs hashed while the task runs instead of before it. Only used when nothing is stored for the
 * task's key (a cold cache, a changed command or config): then the lookup needs no hashes, and reading every
 * input first only delays the task. Listing and stat'ing them still happens first (on the 4,000-file
 * `require` workload that is ~70 of ~140 ms; reading and hashing, the rest, overlaps the task). The bigger
 * the input files, the bigger the saving.
 *
 * What is stored is what hashing before the run would have stored: the content each input had when the task
 * started. Every input is stat'ed before the start; a file is hashed only if its stat stamp is still the
 * same before and after it is read (checked on the open file: FileHasher.hashAtStamp), which proves the bytes
 * read are the ones it had at the start (any write moves the stamp); a memo entry for the start stamp needs
 * no reading at all. A file whose stamp moved before it could be hashed leaves no way to know its content at
 * the start, so the run is not stored ('… changed while the task was running'). The first inputs are hashed
 * before the task starts, so a task with a handful of inputs behaves exactly as before, deterministically;
 * so are files changed within the racy window before the start, whose next change could keep the stamp.
 */
export class DeferredInputs {
  private readonly hashes = new Map<string, string>();
  private next = 0;
  private changed: string | undefined;

  private constructor(
    private readonly hasher: FileHasher,
    /** Regular files matched before the run, in path order, with their stamps then. */
    private readonly pending: readonly { readonly rel: string; readonly stamp: StatStamp }[],
  ) {}

  static start(workspaceRoot: string, io: IoConfig, hasher: FileHasher, excludeDir?: string): DeferredInputs {
    const { rels, stamps, racy } = globbedFiles(workspaceRoot, io, excludeDir);
    const pending = rels.map((rel, i) => ({ rel, stamp: stamps[i]! }));
    const upFront = pending.filter((_, i) => racy[i] === 1);
    const inputs = new DeferredInputs(hasher, pending);
    // Still before the start: a file changed since it was stamped is hashed as it is now.
    for (const { rel, stamp } of upFront) inputs.record(rel, hasher.hashAtStamp(rel, stamp) ?? hasher.hash(rel));
    return inputs;
  }

  /** The inputs' paths, as matched before the run. */
  paths(): string[] {
    return this.pending.map((p) => p.rel);
  }

  /**
   * Hashes up to `count` more inputs; false once all are done (or one has changed). `parallel` only when
   * no task runs (before its start, after its end): hashing then may use both cores.
   */
  step(count: number, parallel = false): boolean {
    if (this.changed !== undefined) return false;
    const slice = this.pending.slice(this.next, this.next + count).filter(({ rel }) => !this.hashes.has(rel));
    this.next = Math.min(this.next + count, this.pending.length);
    const hashes = this.hasher.hashAtStamps(slice.map((p) => p.rel), slice.map((p) => p.stamp), parallel);
    slice.forEach(({ rel }, i) => this.record(rel, hashes[i]));
    return this.changed === undefined && this.next < this.pending.length;
  }

  /** After the task ended: hashes what is left; the inputs as they were at the start, or the one that moved. */
  finish(): DeferredResult {
    while (this.step(4096, true));
    if (this.changed !== undefined) return { kind: 'changed', path: this.changed };
    return { kind: 'ok', inputs: this.pending.map(({ rel }): [string, string] => [rel, this.hashes.get(rel)!]) };
  }

  private record(rel: string, hash: string | undefined): void {
    if (hash === undefined) this.changed ??= rel;
    else this.hashes.set(rel, hash);
  }
}
