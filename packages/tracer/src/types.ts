/**
 * Which mechanism traces a task on this machine. `unavailable`: this platform has a tracer, but it cannot start here
 * (the kernel refuses both mechanisms, e.g. inside another vt's traced task; tracing.md §5 "the tracer itself failed
 * to start"). `unsupported`: no tracer is implemented for this platform (tracing.md §5, first row).
 */
export type TraceMode = 'unotify' | 'ptrace' | 'unavailable' | 'unsupported';

/**
 * Everything the traced process tree did with one path. Modes follow tracing.md §2; a consumer that only knows
 * READ/WRITE/READ_DIR treats `stat` as a read and `writeDir` as a write.
 */
export interface PathAccess {
  /** Content read (open for reading, exec), including attempts that failed because the path did not exist. */
  read: boolean;
  /** Metadata or existence check only (stat, access, readlink, open of a directory or with O_PATH, a failed write). */
  stat: boolean;
  /** Directory listing (getdents). */
  readDir: boolean;
  /** Content or existence change of a non-directory (open for writing, unlink, rename, link, truncate, chmod...). */
  write: boolean;
  /** Directory created, removed or renamed. */
  writeDir: boolean;
  /**
   * True if a content READ of this path happened before any WRITE/WRITE_DIR of it by the traced tree and saw
   * content the tree had not produced: either the path was never written, or it already existed when the tree
   * first wrote it. A read that found nothing, followed by the tree creating the file, is not "before write".
   */
  readBeforeWrite: boolean;
}

/** Why a trace is incomplete. */
export type IncompleteReason =
  /** More accesses than the limit or the trace buffer allows (tracing.md §5 "channel capacity exceeded"). */
  | 'capacity'
  /** Some process could not be followed, the tracer failed to start, or descendants outlived the grace period. */
  | 'untraceable'
  /** No tracer for this platform. */
  | 'unsupported';

/** Counters for diagnostics and benchmarks; not part of any cache decision. */
export interface TraceStats {
  /** Mechanism that actually ran (may differ from detectTraceMode() when starting it failed). */
  mode: TraceMode;
  /** Syscalls that stopped at the supervisor. */
  notifications: number;
  /** Accesses recorded by the LD_PRELOAD fast path without stopping. */
  shimEvents: number;
  /** CPU time (user + system) the supervisor process spent, in ms; 0 if it had not finished. */
  supervisorCpuMs: number;
  /** Raw records (before merging per path). */
  records: number;
  /** Whether SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP was in effect. */
  syncWakeUp: boolean;
  /** Paths dropped because they were not valid UTF-8 (tracing.md §4.5 drops them anyway). */
  droppedNonUtf8: number;
}

/**
 * The launcher could not exec the task's program (a missing `#!` interpreter, no execute permission...): the task
 * never ran. The caller reports it as a spawn error, as if it had spawned the program itself; the exit status of
 * the launcher (127) means nothing then.
 */
export interface ExecError {
  /** errno name, as in a Node spawn error's `code` (`ENOENT`, `EACCES`, `ENOEXEC`...). */
  code: string;
  errno: number;
}

export type TraceResult =
  | { complete: true; accesses: Map<string, PathAccess>; stats: TraceStats; execError?: ExecError }
  | {
      complete: false;
      execError?: ExecError;
      reason: IncompleteReason;
      /** Human-readable cause, for logs (the user-facing message is chosen from `reason`). */
      detail: string;
      /** Whatever was recorded before the trace became incomplete (never to be trusted for caching). */
      accesses: Map<string, PathAccess>;
      stats: TraceStats;
    };

export interface TraceSession {
  /** What to hand to child_process.spawn instead of the original program/args/env. */
  readonly file: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Call after the spawned root process exited and its stdio pipes closed. Applies the grace period. */
  finish(): Promise<TraceResult>;
  /** Abort (e.g. spawn failed); releases resources. Safe to call more than once, and after finish(). */
  dispose(): void;
}

export interface BeginTraceOptions {
  /** Absolute path of the program (vt has already done the PATH lookup). */
  program: string;
  args: string[];
  env: Record<string, string>;
  /** Absolute working directory the task will be spawned in. */
  cwd: string;
  /** Cap on distinct recorded paths (VT_INTERNAL_TRACE_LIMIT); exceeding it makes the trace incomplete. */
  limit?: number;
  /** Test knob (VT_INTERNAL_TRACER): pretend the platform is unsupported, or make the injection fail. */
  simulate?: 'unsupported' | 'fail';
  /** How long descendants may outlive the root once finish() is called; default 500 ms (tracing.md §2). */
  graceMs?: number;
  /** Diagnostics and benchmarks only: skip the LD_PRELOAD fast path so every access stops at the supervisor. */
  noShim?: boolean;
  /** Tests only: size of the shared trace buffer in bytes (default 256 MiB, sparse). */
  ringBytes?: number;
  /** Diagnostics and tests only: force a mechanism instead of the detected one (e.g. exercise the ptrace fallback). */
  mechanism?: 'unotify' | 'ptrace';
}
