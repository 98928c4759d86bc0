import { spawn } from 'node:child_process';

import { beginTrace } from '../../src/index.js';
import type { BeginTraceOptions, TraceResult } from '../../src/index.js';

export interface TracedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  result: TraceResult;
}

type RunOptions = Partial<Omit<BeginTraceOptions, 'program' | 'args'>>;

/** Spawns a program the way vt's runner does (own process group, pipes) under a trace session. */
export async function runTraced(program: string, args: string[], opts: RunOptions = {}): Promise<TracedRun> {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? (process.env as Record<string, string>);
  const session = beginTrace({ ...opts, program, args, cwd, env });
  const child = spawn(session.file, session.args, {
    cwd,
    env: session.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => {
      session.dispose();
      reject(e);
    });
    child.on('close', (c) => resolve(c));
  });
  const result = await session.finish();
  return { code, stdout, stderr, result };
}

/** Paths recorded with the given mode. */
export function pathsWith(result: TraceResult, pred: (a: import('../../src/index.js').PathAccess) => boolean): string[] {
  return [...result.accesses].filter(([, a]) => pred(a)).map(([p]) => p);
}
