/**
 * Pass 1 for a small archive in a single read (outputs.md §4): the file is read whole, decompressed in one
 * call and parsed from memory; every member goes through the same checks as the streaming pass
 * (validate.ts's {@link ArchiveCheck}), and the file bodies are kept so pass 2 writes from memory instead of
 * reading and decompressing the archive a second time.
 *
 * Why: a typical cold hit restores one output directory with a few small files, and the streaming restore
 * spent most of its time (~4.7 ms per task in the 30-package benchmark) on two stream pipelines (read
 * stream → gunzip → tar parser, each hop asynchronous, reads and inflation on the thread pool) for a few KB.
 *
 * This path only ever declines, it never judges differently: for an archive above the limits, one that
 * cannot be read, data zlib rejects, or data that inflates beyond what an archive matching the manifest can
 * hold, it returns `null` and the streaming pass runs instead, so every failure keeps the exact message it
 * has always had. What it does judge (members, contents, completeness, tar structure) it judges with the
 * streaming pass's own code and in the same member order.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { extract, type Header } from 'tar-stream';
import { decompressSync } from './codec.js';
import { createContentHasher } from './hash.js';
import type { CheckedEntry } from './manifest.js';
import { corrupt } from './tar-reader.js';
import { ArchiveCheck } from './validate.js';

/** Up to which sizes an archive is restored from memory; larger ones are streamed (and read twice). */
export interface InMemoryLimits {
  /** Largest archive file, in compressed bytes, that is read whole. */
  readonly archiveBytes: number;
  /** Largest total size of the manifest's files that is held in memory at once. */
  readonly contentBytes: number;
}

/**
 * 8 MiB compressed and 64 MiB of content: far above the outputs of a typical package build (the benchmark's
 * are a few KB), while bounding what one restore holds in memory to well under 100 MiB. Above this, the
 * second read costs little next to writing that many bytes.
 */
export const IN_MEMORY_LIMITS: InMemoryLimits = { archiveBytes: 8 << 20, contentBytes: 64 << 20 };

/** File bodies by manifest path, each proven to match its manifest row. */
export type FileBodies = ReadonlyMap<string, Buffer>;

/**
 * Validates the archive against the manifest from memory and returns its file bodies, or `null` when the
 * streaming pass must decide instead (see the module comment). Throws {@link RestoreError} for a member or
 * tar structure the streaming pass would reject, with the same message.
 */
export async function readInMemory(
  archiveFile: string,
  manifest: ReadonlyMap<string, CheckedEntry>,
  limits: InMemoryLimits,
): Promise<FileBodies | null> {
  const size = tarSize(manifest);
  if (size.content > limits.contentBytes) return null;
  const compressed = readWhole(archiveFile, limits.archiveBytes);
  if (compressed === null) return null;
  let tar: Buffer;
  try {
    tar = decompressSync(archiveFile, compressed, size);
  } catch {
    return null; // corrupt, truncated, or bigger than the manifest allows: the streaming pass says which
  }
  return parse(tar, new ArchiveCheck(manifest));
}

/** Tar header bytes budgeted per member: its header block, and a pax header block plus records. */
const MEMBER_OVERHEAD = 4 << 10;
/** End-of-archive blocks, and record padding that tar writers other than vt's add (10 KiB for GNU tar). */
const END_SLACK = 64 << 10;

/**
 * The expected tar size of an archive matching the manifest, and a bound no such archive exceeds (pax
 * records repeat a name at most twice: path and link path). Content is counted separately for the limit.
 */
function tarSize(manifest: ReadonlyMap<string, CheckedEntry>): { content: number; expected: number; max: number } {
  let content = 0;
  let max = END_SLACK;
  for (const entry of manifest.values()) {
    const size = entry.type === 'file' ? entry.size : 0;
    const names = Buffer.byteLength(entry.path) + (entry.type === 'symlink' ? Buffer.byteLength(entry.linkText) : 0);
    content += size;
    max += MEMBER_OVERHEAD + 2 * names + Math.ceil(size / 512) * 512;
  }
  return { content, expected: content + manifest.size * 512 + 1024, max };
}

/** The whole file, or `null` when it is bigger than `maxBytes` or cannot be read (the stream reports why). */
function readWhole(archiveFile: string, maxBytes: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(archiveFile, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return null;
    const data = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const bytesRead = readSync(fd, data, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === size ? data : data.subarray(0, filled);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs the whole tar through tar-stream's parser in one write, checking each member as it is emitted (so
 * the first bad member is the one reported, as when streaming) and keeping file bodies. Bodies are views of
 * `tar`, not copies, unless the parser hands a body over in pieces.
 */
function parse(tar: Buffer, check: ArchiveCheck): Promise<FileBodies> {
  return new Promise((resolve, reject) => {
    const bodies = new Map<string, Buffer>();
    const members = extract();
    let failure: unknown = null;
    const fail = (err: unknown): void => {
      failure ??= err;
      members.destroy(err as Error);
    };
    members.on('entry', (header: Header, body, next) => {
      // First: destroying the parser below destroys this body too, with the parser's error.
      body.on('error', () => undefined); // the parser's own error is the one reported
      let entry: CheckedEntry;
      try {
        entry = check.member(header);
      } catch (err) {
        fail(err);
        return;
      }
      const chunks: Buffer[] = [];
      body.on('data', (chunk) => chunks.push(chunk as Buffer));
      body.on('end', () => {
        if (entry.type === 'file') {
          const content = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
          try {
            check.content(entry, content.length, createContentHasher().update(content).digest('hex'));
          } catch (err) {
            fail(err);
            return;
          }
          bodies.set(entry.path, content);
        }
        next();
      });
    });
    members.on('error', (err: Error) => {
      failure ??= err;
    });
    members.on('close', () => {
      if (failure !== null) {
        reject(corrupt(failure));
        return;
      }
      try {
        check.finish();
      } catch (err) {
        reject(err);
        return;
      }
      resolve(bodies);
    });
    members.end(tar);
  });
}
