/**
 * A program running in its own pseudo-terminal, driven through `pty_driver.py` (see there for why not node-pty).
 * Output arrives as text (UTF-8 decoded across chunk boundaries); `exited` settles only after every byte of output
 * has been delivered, so "the process ended" always means "and here is all it printed".
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';

const DRIVER = fileURLToPath(new URL('./pty_driver.py', import.meta.url));

export interface PtyOptions {
  /** argv[0] must be an absolute path; no PATH lookup happens. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** The child's complete environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cols: number;
  readonly rows: number;
}

export interface PtyExit {
  /** The exit code; death by signal N gives 128 + N, as shells report it. */
  readonly code: number;
  /** Processes the program left running when it ended; the driver killed them. */
  readonly leftovers: number;
}

export interface PtyProcess {
  /** Settles once all output was delivered. */
  readonly exited: Promise<PtyExit>;
  /** Types `text` into the terminal. */
  write(text: string): void;
  /** Kills the program and everything it started; `exited` then settles. */
  terminate(): void;
  /** Kills the driver itself: the last resort when `terminate` did not end it. */
  abandon(): void;
}

let resolvedPython: string | undefined;

/**
 * The Python interpreter that runs the driver: `E2E_PYTHON`, else `python3` from PATH, resolved once to the real
 * executable, because version-manager shims (pyenv) cost a few hundred milliseconds per start.
 */
function python(): string {
  if (resolvedPython === undefined) {
    const requested = process.env.E2E_PYTHON ?? 'python3';
    try {
      resolvedPython = execFileSync(requested, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || requested;
    } catch (error) {
      throw new Error(`the e2e harness needs Python 3 to drive its PTYs, but '${requested}' failed: ${String(error)}`);
    }
  }
  return resolvedPython;
}

export function spawnPty(options: PtyOptions, onData: (text: string) => void): PtyProcess {
  const config = JSON.stringify({ argv: options.argv, cwd: options.cwd, env: options.env, cols: options.cols, rows: options.rows });
  const driver = spawn(python(), [DRIVER, config], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const stdin = driver.stdin as Writable;
  const control = driver.stdio[3] as Readable;
  const decoder = new StringDecoder('utf8');
  (driver.stdout as Readable).on('data', (chunk: Buffer) => onData(decoder.write(chunk)));
  stdin.on('error', () => {}); // writes after the driver ended are moot

  let controlText = '';
  let stderrText = '';
  control.setEncoding('utf8').on('data', (text: string) => (controlText += text));
  (driver.stderr as Readable).setEncoding('utf8').on('data', (text: string) => (stderrText += text));

  const failure = (what: string) => new Error(`pty driver ${what}${stderrText ? `:\n${stderrText}` : ''}`);

  const exited = new Promise<PtyExit>((resolve, reject) => {
    driver.on('error', (error) => reject(failure(`could not start (${python()}): ${error.message}`)));
    // 'close' comes after the driver exited and all its pipes reached end-of-file: output is complete.
    driver.on('close', (code, signal) => {
      const tail = decoder.end();
      if (tail) onData(tail);
      const status = controlText
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { exit?: number; signal?: number; leftovers?: number })
        .find((message) => message.leftovers !== undefined);
      if (status?.exit !== undefined) resolve({ code: status.exit, leftovers: status.leftovers ?? 0 });
      else if (status?.signal !== undefined) resolve({ code: 128 + status.signal, leftovers: status.leftovers ?? 0 });
      else reject(failure(`ended without a status (exit ${code ?? signal})`));
    });
  });

  return {
    exited,
    write: (text) => stdin.write(text),
    terminate: () => driver.kill('SIGTERM'),
    abandon: () => driver.kill('SIGKILL'),
  };
}
