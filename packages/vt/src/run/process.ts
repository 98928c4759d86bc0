import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { StreamKind } from './chunk-log.js';

export type ProcessOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: NodeJS.Signals; readonly code: number }
  | { readonly kind: 'spawnError'; readonly message: string };

export interface SpawnSpec {
  readonly program: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /**
   * `inherit`: the child shares vt's terminal and foreground process group (uncached interleaved tasks);
   * `piped`: stdin is /dev/null, stdout/stderr are pipes, and the child leads its own process group so
   * that vt can signal its whole tree (cache.md §9, cli.md §6).
   */
  readonly stdio: 'inherit' | 'piped';
  /**
   * The program a spawn error names, when `program` only stands in for it (the tracer's launcher, which execs it):
   * the user sees the same error as for an untraced spawn.
   */
  readonly describedAs?: string;
  readonly onOutput?: (kind: StreamKind, data: Buffer) => void;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

/** Descendants of `pid` found through /proc (for children that share vt's process group). */
function descendants(pid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid);
      if (list) list.push(Number(e));
      else children.set(ppid, [Number(e)]);
    } catch {
      // The process exited while we looked.
    }
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

/** Names the cause of a failed spawn in terms a user can act on, with the program and cwd. */
export function describeSpawnError(err: NodeJS.ErrnoException, spec: Pick<SpawnSpec, 'program' | 'cwd'>): string {
  let cause: string;
  if (err.code === 'ENOENT' && !fs.existsSync(spec.cwd)) cause = 'the working directory does not exist';
  else if (err.code === 'ENOENT') cause = 'the program or its interpreter was not found';
  else if (err.code === 'EACCES') cause = 'permission denied (is the program executable?)';
  else if (err.code === 'ENOEXEC') cause = 'the file is not an executable the system can run';
  else if (err.code === 'ENOTDIR') cause = 'the working directory is not a directory';
  else cause = err.message;
  return `${spec.program} in ${spec.cwd}: ${cause}${err.code ? ` (${err.code})` : ''}`;
}

/**
 * A spawn error for a program that a stand-in process (the tracer's launcher) failed to exec with `errno`: the same
 * error Node's spawn would have given for the program itself, described the same way.
 */
export function describeExecFailure(failure: { code: string; errno: number }, spec: Pick<SpawnSpec, 'program' | 'cwd'>): string {
  const err: NodeJS.ErrnoException = Object.assign(new Error(`spawn ${spec.program} ${failure.code}`), {
    code: failure.code, errno: -failure.errno, syscall: `spawn ${spec.program}`, path: spec.program,
  });
  return describeSpawnError(err, spec);
}

/** A spawned task process with its whole tree under vt's control. */
export class TaskProcess {
  private readonly child: ChildProcess;
  readonly done: Promise<ProcessOutcome>;
  private exited = false;
  private killRequested = false;
  private diedBySignal = false;

  constructor(readonly spec: SpawnSpec) {
    const piped = spec.stdio === 'piped';
    this.child = spawn(spec.program, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: piped ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      detached: piped,
      windowsHide: true,
    });
    if (piped) {
      this.child.stdout!.on('data', (d: Buffer) => spec.onOutput?.('stdout', d));
      this.child.stderr!.on('data', (d: Buffer) => spec.onOutput?.('stderr', d));
    }
    this.done = new Promise((resolve) => {
      let settled = false;
      this.child.once('error', (err: NodeJS.ErrnoException) => {
        if (settled || this.child.pid !== undefined) return;
        settled = true;
        this.exited = true;
        resolve({ kind: 'spawnError', message: describeSpawnError(err, { program: spec.describedAs ?? spec.program, cwd: spec.cwd }) });
      });
      this.child.once('close', (code, signal) => {
        if (settled) return;
        settled = true;
        this.exited = true;
        this.diedBySignal = signal !== null;
        if (signal) resolve({ kind: 'signaled', signal, code: 128 + (SIGNAL_NUMBERS[signal] ?? 0) });
        else resolve({ kind: 'exited', code: code ?? 1 });
      });
      this.child.once('exit', () => {
        this.exited = true;
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends `signal` to the task's whole tree: its process group, or each enumerable descendant. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (this.spec.stdio === 'piped') {
      try {
        process.kill(-pid, signal);
      } catch {
        // Group already gone.
      }
      return;
    }
    for (const p of [pid, ...descendants(pid)]) {
      try {
        process.kill(p, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** Fast-fail kill: SIGTERM to the tree, then SIGKILL after a grace period if anything is left. */
  kill(graceMs = 1000): void {
    if (this.exited) return;
    this.killRequested = true;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    timer.unref();
    void this.done.then(() => {
      // The root is gone, but descendants in its group may not be: finish them off.
      if (this.spec.stdio === 'piped') this.signal('SIGKILL');
      clearTimeout(timer);
    });
  }

  /**
   * vt killed this tree (fast-fail) and it died of a signal: its failure is a consequence, not a cause. A
   * process that exited with its own code before the kill landed failed on its own.
   */
  get killedByVt(): boolean {
    return this.killRequested && this.diedBySignal;
  }
}
