/**
 * Loads the CLI bundle with V8's code cache, so a warm `vt run` does not compile vt again.
 *
 * A warm cache hit is dominated by start-up, and most of vt's share of it was V8 compiling the bundle's
 * functions (measured: ~45 ms of a ~280 ms 30-package hit). Node 20 offers no code cache for ES modules, so
 * the bundle is CommonJS and runs through `vm.Script`, which accepts and produces cached data. The cache is
 * written after the run, not right after compiling (which is what v8-compile-cache and Node 22's compile
 * cache do): only then does it hold the lazily compiled functions that a run actually executed, which is
 * where the time goes.
 *
 * Serialising costs ~8 ms, so it is not done on every run: the first run writes the cache, and the next
 * few runs that may `learn` (the launcher says which: `vt run`) write it again, each time with everything
 * compiled so far, so it grows to cover a miss, a hit and a restore; then it stays as it is until the bundle
 * changes. (Measuring the bytecode compiled during a run would be a finer signal, but Node's own lazily
 * loaded modules count there too, and they vary by run.)
 *
 * The cache is an optimisation only: any failure to read or write it falls back to compiling, and V8
 * rejects data made by another V8 version or flag set. The file lives in the user's own cache directory,
 * never in a shared tmpdir, because V8 trusts the bytes it is handed. `VT_CODE_CACHE=0` turns it off.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { makeDirs } from '../make-dirs.js';

/** How many runs after the first may rewrite the cache with what they compiled. */
const LEARNING_RUNS = 3;

/**
 * The cache file's header: the bundle's identity, so a rebuilt or reinstalled bundle never runs stale
 * compiled code. V8 itself only checks the source's length. The ctime is what makes this sound: package
 * managers give every file the same fixed mtime, but no one can set a ctime, and any write moves it.
 */
function stampOf(st: fs.BigIntStats): string {
  return JSON.stringify([process.version, process.arch, st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].map(String));
}

function cacheFileFor(file: string, env: NodeJS.ProcessEnv): string {
  // A relative XDG_CACHE_HOME is ignored, as the XDG spec says (it would write into the workspace).
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  const id = crypto.createHash('sha256').update(file).digest('hex').slice(0, 16);
  return path.join(base, 'vt', 'code-cache', `${id}.bin`);
}

/** A cache file: `{stamp} {generation}\n` then V8's data. Generation 0 was written by the first run. */
interface Cached {
  readonly generation: number;
  readonly data: Buffer;
}

/** The cached data stored for exactly this stamp, or undefined. */
function readCache(cacheFile: string, stamp: string): Cached | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const headerEnd = buf.indexOf(0x0a);
  const header = headerEnd < 0 ? [] : buf.toString('utf8', 0, headerEnd).split(' ');
  const generation = Number(header[1]);
  if (header.length !== 2 || header[0] !== stamp || !Number.isSafeInteger(generation)) return undefined;
  return { generation, data: buf.subarray(headerEnd + 1) };
}

/** Writes header + data to a temp file and renames it into place, so a concurrent reader sees all or nothing. */
function writeCache(cacheFile: string, stamp: string, generation: number, data: Buffer): void {
  try {
    makeDirs(path.dirname(cacheFile), 0o700);
    const temp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(temp, Buffer.concat([Buffer.from(`${stamp} ${generation}\n`), data]), { mode: 0o600 });
    fs.renameSync(temp, cacheFile);
  } catch {
    // Read-only home, full disk: the next run compiles again, nothing else changes.
  }
}

export interface LoadOptions {
  /** Whether this run may extend an existing cache (see the top of this file). */
  readonly learn: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs the CommonJS bundle at `file` and returns its exports. */
export function loadBundle<T>(file: string, { learn, env = process.env }: LoadOptions): T {
  // Stamp and source come from one open file, so a bundle replaced in between (a reinstall) cannot pair
  // the new source with the old stamp's cached data.
  const fd = fs.openSync(file, 'r');
  let source: string;
  let stats: fs.BigIntStats;
  try {
    stats = fs.fstatSync(fd, { bigint: true });
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const enabled = env.VT_CODE_CACHE !== '0';
  const stamp = enabled ? stampOf(stats) : '';
  const cacheFile = cacheFileFor(file, env);
  const cached = enabled ? readCache(cacheFile, stamp) : undefined;
  // The CommonJS wrapper, as Node's own loader builds it.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData: cached?.data });
  const mod = { exports: {} as T };
  const wrapper = script.runInThisContext() as (e: T, r: NodeJS.Require, m: { exports: T }, f: string, d: string) => void;
  wrapper(mod.exports, createRequire(file), mod, file, path.dirname(file));
  const generation = cached === undefined || script.cachedDataRejected === true ? 0 : learn ? cached.generation + 1 : undefined;
  if (enabled && generation !== undefined && generation <= LEARNING_RUNS) {
    process.once('exit', () => writeCache(cacheFile, stamp, generation, script.createCachedData()));
  }
  return mod.exports;
}
