import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

import { traceSupport } from './detect.js';
import { launcherPath, loadAddon, shimPath } from './native.js';
import { toResult } from './result.js';
import type { BeginTraceOptions, IncompleteReason, TraceMode, TraceResult, TraceSession, TraceStats } from './types.js';

const DEFAULT_GRACE_MS = 500;
/* Longest unix socket path we bind (sun_path is 108 bytes incl. NUL). */
const MAX_SOCKET_PATH = 100;

function validate(opts: BeginTraceOptions): void {
  if (typeof opts.program !== 'string' || !isAbsolute(opts.program))
    throw new TypeError(`beginTrace: program must be an absolute path, got ${JSON.stringify(opts.program)}`);
  if (!Array.isArray(opts.args) || opts.args.some((a) => typeof a !== 'string'))
    throw new TypeError('beginTrace: args must be an array of strings');
  if (typeof opts.cwd !== 'string' || !isAbsolute(opts.cwd))
    throw new TypeError(`beginTrace: cwd must be an absolute path, got ${JSON.stringify(opts.cwd)}`);
  if (opts.limit !== undefined && (!Number.isSafeInteger(opts.limit) || opts.limit < 1))
    throw new TypeError(`beginTrace: limit must be a positive integer, got ${opts.limit}`);
  if (opts.graceMs !== undefined && (!Number.isFinite(opts.graceMs) || opts.graceMs < 0))
    throw new TypeError(`beginTrace: graceMs must be a non-negative number, got ${opts.graceMs}`);
  if (opts.ringBytes !== undefined && (!Number.isSafeInteger(opts.ringBytes) || opts.ringBytes < 16384))
    throw new TypeError(`beginTrace: ringBytes must be an integer of at least 16384, got ${opts.ringBytes}`);
  if (opts.mechanism !== undefined && opts.mechanism !== 'unotify' && opts.mechanism !== 'ptrace')
    throw new TypeError(`beginTrace: mechanism must be 'unotify' or 'ptrace', got ${JSON.stringify(opts.mechanism)}`);
  if (opts.simulate !== undefined && opts.simulate !== 'unsupported' && opts.simulate !== 'fail')
    throw new TypeError(`beginTrace: simulate must be 'unsupported' or 'fail', got ${JSON.stringify(opts.simulate)}`);
}

const noStats = (mode: TraceMode): TraceStats => ({
  mode,
  notifications: 0,
  shimEvents: 0,
  supervisorCpuMs: 0,
  records: 0,
  syncWakeUp: false,
  droppedNonUtf8: 0,
});

/**
 * No tracer here: the task runs exactly as given and the trace is incomplete (tracing.md §5): `unsupported` when the
 * platform has no tracer, `untraceable` when it has one that cannot start on this machine.
 */
class UntracedSession implements TraceSession {
  readonly file: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  constructor(
    opts: BeginTraceOptions,
    private readonly mode: 'unavailable' | 'unsupported',
    private readonly detail: string,
  ) {
    this.file = opts.program;
    this.args = [...opts.args];
    this.env = { ...opts.env };
  }
  finish(): Promise<TraceResult> {
    const reason: IncompleteReason = this.mode === 'unavailable' ? 'untraceable' : 'unsupported';
    return Promise.resolve({
      complete: false,
      reason,
      detail: this.detail,
      accesses: new Map(),
      stats: noStats(this.mode),
    });
  }
  dispose(): void {}
}

const DIR_PREFIX = 'vt-tracer-';
const swept = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes session directories left behind by vt processes that died without finishing their traces (their rings
 * hold tmpfs pages). Done once per base directory and process; a supervisor still serving a leftover task keeps
 * its own mapping, so removing the file never disturbs it.
 */
function sweepStale(base: string): void {
  if (swept.has(base)) return;
  swept.add(base);
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^vt-tracer-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    rmSync(join(base, name), { recursive: true, force: true });
  }
}

/** Private directory for the ring and the socket: /dev/shm when it exists (tmpfs: the ring never hits a disk). */
function makeSessionDir(): string {
  for (const base of ['/dev/shm', tmpdir()]) {
    try {
      sweepStale(base);
      return mkdtempSync(join(base, `${DIR_PREFIX}${process.pid}-`));
    } catch {
      // next candidate
    }
  }
  throw new Error('beginTrace: cannot create a temporary directory for the trace');
}

/**
 * A task traced by the launcher + supervisor. vt learns that tracing is over when the supervisor closes its
 * connection to our socket: it holds it until the last process of the tree has exited.
 */
class TracedSession implements TraceSession {
  readonly file = launcherPath;
  readonly args: string[];
  readonly env: Record<string, string>;
  private readonly dir: string;
  private readonly ring: string;
  private readonly server: net.Server;
  private conn: net.Socket | undefined;
  private readonly closed: Promise<void>;
  private result: Promise<TraceResult> | undefined;
  private disposed = false;

  constructor(
    private readonly opts: BeginTraceOptions,
    mechanism: 'unotify' | 'ptrace',
  ) {
    this.dir = makeSessionDir();
    try {
      this.ring = join(this.dir, 'ring');
      loadAddon().createRing(this.ring, opts.ringBytes ?? loadAddon().constants.DEFAULT_CAPACITY);
      const fsSocket = join(this.dir, 'notify.sock');
      const useAbstract = Buffer.byteLength(fsSocket) > MAX_SOCKET_PATH;
      const abstractName = `vt-tracer-${process.pid}-${randomBytes(8).toString('hex')}`;
      let onClosed!: () => void;
      this.closed = new Promise<void>((resolve) => (onClosed = resolve));
      this.server = net.createServer((sock) => {
        // Only the launcher/supervisor of this session connects; anything after the first is not ours.
        if (this.conn) return void sock.destroy();
        this.conn = sock;
        sock.on('error', () => {});
        sock.on('close', onClosed);
        sock.resume();
      });
      this.server.on('error', () => {});
      // For unix sockets bind() and listen() happen synchronously inside listen(), so the launcher can connect as
      // soon as it is spawned.
      this.server.listen(useAbstract ? `\0${abstractName}` : fsSocket);
      this.server.unref();
      this.args = [
        '--ring',
        this.ring,
        '--notify',
        useAbstract ? `@${abstractName}` : fsSocket,
        ...(opts.noShim ? [] : ['--shim', shimPath]),
        '--mechanism',
        mechanism,
        ...(opts.simulate === 'fail' ? ['--fail'] : []),
        '--',
        opts.program,
        ...opts.args,
      ];
      this.env = { ...opts.env };
    } catch (e) {
      rmSync(this.dir, { recursive: true, force: true });
      throw e;
    }
  }

  finish(): Promise<TraceResult> {
    this.result ??= this.collect();
    return this.result;
  }

  private async collect(): Promise<TraceResult> {
    if (this.disposed) throw new Error('TraceSession.finish() called after dispose()');
    const grace = this.opts.graceMs ?? DEFAULT_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    const treeExited = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), grace))),
    ]);
    clearTimeout(timer);
    try {
      return toResult(loadAddon().readRing(this.ring, this.opts.limit ?? 0), treeExited, this.opts.limit);
    } finally {
      this.release();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.release();
  }

  /* A supervisor still serving leftover processes keeps running: it has its own mapping of the ring, and the
   * shim in processes exec'd from now on simply finds no ring and leaves every call to the supervisor. */
  private release(): void {
    this.conn?.destroy();
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Prepares tracing one task. Spawn `session.file` with `session.args` and `session.env` instead of the task. */
export function beginTrace(opts: BeginTraceOptions): TraceSession {
  validate(opts);
  if (opts.simulate === 'unsupported')
    return new UntracedSession(opts, 'unsupported', 'tracing disabled (simulated by VT_INTERNAL_TRACER=unsupported)');
  const support = traceSupport();
  if ((support.mode === 'unsupported' || support.mode === 'unavailable') && !opts.mechanism)
    return new UntracedSession(opts, support.mode, support.detail);
  return new TracedSession(opts, opts.mechanism ?? (support.mode === 'ptrace' ? 'ptrace' : 'unotify'));
}

/** Exposed for tests: run the stale-directory sweep on `base` now. */
export function sweepStaleForTests(base: string): void {
  swept.delete(base);
  sweepStale(base);
}
