import type { IpcReport, IpcServer } from '../ipc/index.js';
import type { Access } from './trace-set.js';

/**
 * What vt learns about one cache-enabled run besides its exit status: the tracer's record and the tools'
 * IPC reports. Both are optional machinery loaded on demand (most runs are hits and need neither).
 */
export interface TraceOptions {
  readonly program: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly limit: number | undefined;
  readonly simulate: 'unsupported' | 'fail' | undefined;
}

/** The tracer's launcher could not exec the program: a spawn error, with the errno's name as Node would give it. */
export interface ExecFailure {
  readonly code: string;
  readonly errno: number;
}

export type TraceOutcome = (
  | { readonly complete: true; readonly accesses: ReadonlyMap<string, Access> }
  | { readonly complete: false; readonly reason: 'capacity' | 'untraceable' | 'unsupported'; readonly accesses: ReadonlyMap<string, Access> }
) & { readonly execFailure?: ExecFailure };

export interface StartedTrace {
  /** Whether a tracer is really attached (then the child gets `FSPY=1`). */
  readonly attached: boolean;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  finish(): Promise<TraceOutcome>;
  dispose(): void;
}

/** Starts tracing through @vt/tracer, loaded lazily; a tracer that cannot load is "unsupported", never fatal. */
export async function startTrace(opts: TraceOptions): Promise<StartedTrace> {
  const untraced = (reason: 'unsupported' | 'untraceable'): StartedTrace => ({
    attached: false,
    file: opts.program,
    args: opts.args,
    env: opts.env,
    finish: async () => ({ complete: false, reason, accesses: new Map() }),
    dispose: () => {},
  });
  if (opts.simulate === 'unsupported') return untraced('unsupported');
  let tracer: typeof import('@vt/tracer');
  try {
    tracer = await import('@vt/tracer');
  } catch {
    return untraced('unsupported');
  }
  try {
    const mode = tracer.detectTraceMode();
    if (mode === 'unsupported') return untraced('unsupported');
    // The platform has a tracer but it cannot start here (e.g. vt inside another vt's traced task, where the
    // kernel refuses a second seccomp listener): tracing.md §5 "the tracer itself failed to start".
    if (mode === 'unavailable') return untraced('untraceable');
  } catch {
    // A tracer that is present but broken failed to start: never fatal.
    return untraced('untraceable');
  }
  const env = { ...opts.env, FSPY: '1' };
  let session: import('@vt/tracer').TraceSession;
  try {
    session = tracer.beginTrace({
      program: opts.program,
      args: [...opts.args],
      env,
      cwd: opts.cwd,
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      ...(opts.simulate !== undefined ? { simulate: opts.simulate } : {}),
    });
  } catch {
    return { ...untraced('untraceable'), env };
  }
  return {
    attached: true,
    file: session.file,
    args: session.args,
    env: session.env,
    finish: async () => {
      const r = await session.finish();
      const execFailure = r.execError ? { execFailure: r.execError } : {};
      return r.complete
        ? { complete: true, accesses: r.accesses, ...execFailure }
        : { complete: false, reason: r.reason, accesses: r.accesses, ...execFailure };
    },
    dispose: () => session.dispose(),
  };
}

export type IpcStart = { readonly kind: 'started'; readonly server: IpcServer } | { readonly kind: 'failed'; readonly message: string };

/** Starts the item's IPC server; failure only means the run will not be stored (cache.md §7 row 5). */
export async function startIpc(envForQueries: Readonly<Record<string, string>>): Promise<IpcStart> {
  try {
    const ipc = await import('../ipc/index.js');
    return { kind: 'started', server: await ipc.startIpcServer({ envForQueries, clientPath: ipc.nodeClientPath() }) };
  } catch (err) {
    return { kind: 'failed', message: (err as Error).message };
  }
}

export type { IpcReport };
