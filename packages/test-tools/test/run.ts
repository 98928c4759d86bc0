/** Runs helper tools as real processes for the tests. */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin', import.meta.url));
export const PATH = `${BIN}:${process.env.PATH ?? ''}`;

export function tool(name: string, args: string[], options: { cwd: string; input?: string; env?: Record<string, string> }): SpawnSyncReturns<string> {
  return spawnSync(`${BIN}/${name}`, args, {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, PATH, ...options.env },
    timeout: 20_000,
  });
}

export function start(name: string, args: string[], cwd: string) {
  return spawn(`${BIN}/${name}`, args, { cwd, env: { ...process.env, PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** Runs `argv` under `strace -f`, returning the trace lines that mention `needle`. */
export function straced(argv: string[], cwd: string, needle: string, calls = 'openat,open,creat,statx,newfstatat,stat,lstat'): string[] {
  const log = `${cwd}/.strace.log`;
  const result = spawnSync('strace', ['-f', '-qq', '-e', `trace=${calls}`, '-o', log, ...argv], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH },
  });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed under strace: ${result.stderr}`);
  return readFileSync(log, 'utf8').split('\n').filter((line) => line.includes(needle));
}

export function isBuilt(file: string): boolean {
  return existsSync(`${BIN}/${file}`);
}
