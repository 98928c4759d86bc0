/**
 * Content hashing for outputs (manifest hashes, skip-unchanged on restore); exported for the cache layer.
 *
 * SHA-256 from node:crypto rather than xxhash: it needs no dependency, it is collision-resistant (these
 * hashes decide whether a restore may skip a file and will key shared/remote entries, where a crafted
 * collision must not be cheap), and with SHA-NI it is not the bottleneck — measured here 1.36 GB/s on
 * 64 MiB and 4.4 µs for a 2 KB file, i.e. below the cost of opening the file.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Length of a hex digest produced by {@link hashFile}. */
export const HASH_HEX_LENGTH = 64;

/** Files up to this size are hashed with synchronous reads; larger ones in chunks of this size. */
const CHUNK = 1 << 20;

/** A fresh incremental hasher of the same kind as {@link hashFile}. */
export function createContentHasher(): Hash {
  return createHash('sha256');
}

/**
 * Hex SHA-256 of a file's bytes. Follows symlinks; rejects (like `open`) when the file is unreadable.
 * Files up to 1 MiB are read synchronously (one promise-based read costs ~25x a sync one on our 2-core
 * machines, see lstat-or-null.ts); larger files are read in 1 MiB chunks without blocking the event loop.
 */
export async function hashFile(path: string): Promise<string> {
  const fd = openSync(path, constants.O_RDONLY);
  let size: number;
  try {
    size = fstatSync(fd).size;
    if (size <= CHUNK) return hashFd(fd);
  } finally {
    closeSync(fd);
  }
  const handle = await open(path, constants.O_RDONLY);
  try {
    const hasher = createContentHasher();
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
    }
    return hasher.digest('hex');
  } finally {
    await handle.close();
  }
}

/** Synchronous {@link hashFile}; with `noFollow`, a symlink at `path` itself fails (ELOOP) instead of being followed. */
export function hashFileSync(path: string, opts: { noFollow?: boolean } = {}): string {
  const fd = openSync(path, constants.O_RDONLY | (opts.noFollow === true ? constants.O_NOFOLLOW : 0));
  try {
    return hashFd(fd);
  } finally {
    closeSync(fd);
  }
}

let scratch: Buffer | null = null;

/** Hex SHA-256 of what is left to read from an open file descriptor (read synchronously). */
export function hashFd(fd: number): string {
  scratch ??= Buffer.allocUnsafe(CHUNK);
  const hasher = createContentHasher();
  for (;;) {
    const bytesRead = readSync(fd, scratch, 0, CHUNK, null);
    if (bytesRead === 0) break;
    hasher.update(scratch.subarray(0, bytesRead));
  }
  return hasher.digest('hex');
}
