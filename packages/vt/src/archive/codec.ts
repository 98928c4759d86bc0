/**
 * Compression of output archives: gzip through node:zlib, written as `.tar.gz`.
 *
 * outputs.md §3 prefers zstd and allows gzip when zstd is unavailable. Node 20 has no zstd in node:zlib
 * (it arrives in 22.15), so zstd would need an npm binding. Measured on this 2-core box (Node 20.20) on
 * a 9.7 MiB tar of 2,000 small JS-like files + one 4 MiB file (half random), median of 7, whole buffer:
 *
 *   codec                            size      compress  decompress
 *   gzip level 1 (node:zlib)         4.06 MiB  113 ms    24 ms
 *   gzip level 2 (node:zlib)         4.00 MiB  112 ms    17-21 ms   ← chosen
 *   gzip level 4 (node:zlib)         3.87 MiB  148 ms    17-20 ms
 *   gzip level 6 (node:zlib)         3.70 MiB  356 ms    19 ms
 *   zstd 3, zstd-napi 0.0.13         2.83 MiB   26 ms     4 ms
 *   zstd 3, @toondepauw/node-zstd    2.84 MiB   24 ms    17 ms
 *   zstd 3, @bokuweb/zstd-wasm       2.83 MiB   49 ms    23 ms
 *
 * End to end (bench/archive/restore.bench.mts: similar data, 2,022 members, 3.3 MiB .tar.gz): restoring into an empty
 * workspace took ~370 ms CPU (~300 ms wall on a quiet machine), of which gunzip was ~2 x 18 ms (the
 * archive was read twice: validate, then write; archives up to 8 MiB are now read once, see in-memory.ts).
 * zstd-napi would save ~25 ms of it (~7 %); the rest is creating 2,000 files. A restore over outputs already in place reads no archive at all (~55 ms CPU).
 *
 * Why not zstd: the fast native bindings (zstd-napi, @mongodb-js/zstd) install through prebuild-install,
 * which downloads binaries from GitHub at install time (not allowed here) before falling back to a
 * node-gyp build, and pnpm would also have to be allowed to run their build scripts (zstd-napi measured
 * above was built from its bundled sources by hand). @toondepauw/node-zstd installs offline (binary inside
 * its npm package) but is little used (~7k downloads a month), has only a whole-buffer API (a large
 * archive would be held in memory whole) and decompresses no faster than gunzip.
 * The WASM builds decompress slower than gunzip. gzip costs ~40 % more disk and a slower store, and is
 * streaming, built in and dependency-free. When Node ≥ 22.15 is the floor, add `.tar.zst` here with
 * zlib's zstd streams: restore picks the codec from the file extension, so old `.tar.gz` archives keep
 * restoring.
 *
 * Level 2: level 1 decompressed measurably slower here (24 vs 17-21 ms, repeated runs), levels 3-6
 * restore no faster and store slower.
 */
import { createGunzip, createGzip, gunzipSync, gzipSync, type Gunzip, type Gzip } from 'node:zlib';
import { RestoreError } from './errors.js';

/** Extension of archives this build writes. */
export const ARCHIVE_EXTENSION = '.tar.gz';

/** Read-side buffering: 1 MiB file reads and 256 KiB inflate chunks (64 KiB/16 KiB defaults ran 4x slower). */
export const READ_HIGH_WATER_MARK = 1 << 20;
const INFLATE_CHUNK = 256 << 10;

const GZIP_LEVEL = 2;

/** A compressing stream for a new archive. */
export function createCompressor(): Gzip {
  return createGzip({ level: GZIP_LEVEL, chunkSize: INFLATE_CHUNK });
}

/** A whole new archive compressed at once, for archives small enough to be built in memory. */
export function compressSync(tar: Buffer): Buffer {
  return gzipSync(tar, { level: GZIP_LEVEL });
}

/** A decompressing stream for an existing archive, chosen by its extension. */
export function createDecompressor(archiveFile: string): Gunzip {
  assertReadable(archiveFile);
  return createGunzip({ chunkSize: INFLATE_CHUNK });
}

/**
 * Decompresses a whole archive held in memory (the codec chosen by the file's extension, as for
 * {@link createDecompressor}). Throws when the data is corrupt or truncated, or when the result would exceed
 * `limits.max` bytes (a RangeError), so a small file cannot inflate into an unbounded buffer.
 * `limits.expected` sizes zlib's output chunks: one chunk for a small archive instead of a 256 KiB buffer
 * (which malloc would map and unmap for every restore), never more than the streaming chunk size.
 */
export function decompressSync(archiveFile: string, data: Buffer, limits: { expected: number; max: number }): Buffer {
  assertReadable(archiveFile);
  const chunkSize = Math.min(INFLATE_CHUNK, Math.max(MIN_INFLATE_CHUNK, limits.expected));
  return gunzipSync(data, { chunkSize, maxOutputLength: limits.max });
}

/** Smallest output chunk worth asking zlib for (its own default). */
const MIN_INFLATE_CHUNK = 16 << 10;

/** Throws {@link RestoreError} for an archive this build cannot decompress, before its file is opened. */
export function assertReadable(archiveFile: string): void {
  if (!archiveFile.endsWith('.tar.gz')) {
    throw new RestoreError(`unsupported archive format: ${archiveFile} (this vt reads .tar.gz archives)`);
  }
}
