import fs from 'node:fs';
import { crc32 } from 'node:zlib';

export type StreamKind = 'stdout' | 'stderr';

/**
 * A task's output as ordered (stream, bytes) chunks, spooled to a file so that a task printing gigabytes
 * does not grow vt's memory. Consecutive writes to the same stream are coalesced before they hit the file.
 * Record format: 1 byte stream (1 = stdout, 2 = stderr), 4 bytes big-endian length, bytes.
 *
 * The CRC-32 of the whole file is kept with the entry: record headers alone cannot tell a flipped byte inside
 * a record, and a replay must never show bytes the task did not print. (Archives carry gzip's own CRC.)
 */
export class ChunkLog {
  private readonly fd: number;
  private pendingKind: StreamKind | undefined;
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private closed = false;
  bytes = 0;
  /** CRC-32 of everything written so far (complete once closed). */
  crc32 = 0;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w', 0o600);
  }

  append(kind: StreamKind, data: Buffer): void {
    if (data.length === 0) return;
    if (this.pendingKind !== kind || this.pendingSize >= 1 << 20) this.flushPending();
    this.pendingKind = kind;
    this.pending.push(data);
    this.pendingSize += data.length;
    this.bytes += data.length;
  }

  private flushPending(): void {
    if (this.pendingKind === undefined || this.pendingSize === 0) return;
    const header = Buffer.alloc(5);
    header[0] = this.pendingKind === 'stdout' ? 1 : 2;
    header.writeUInt32BE(this.pendingSize, 1);
    const record = Buffer.concat([header, ...this.pending]);
    this.crc32 = crc32(record, this.crc32);
    fs.writeSync(this.fd, record);
    this.pending = [];
    this.pendingSize = 0;
  }

  /** Flushes and closes; the file is then complete. */
  close(): void {
    if (this.closed) return;
    this.flushPending();
    fs.closeSync(this.fd);
    this.closed = true;
  }
}

/**
 * Reads a chunk log back, one chunk at a time, merging adjacent chunks of the same stream. Throws on a
 * truncated or malformed file, so a replay never shows half a log.
 */
export function* readChunkLog(file: string): Generator<{ kind: StreamKind; data: Buffer }> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let pos = 0;
    const header = Buffer.alloc(5);
    while (pos < size) {
      if (fs.readSync(fd, header, 0, 5, pos) !== 5) throw new Error(`truncated log ${file}`);
      const kind = header[0] === 1 ? 'stdout' : header[0] === 2 ? 'stderr' : undefined;
      if (kind === undefined) throw new Error(`malformed log ${file}`);
      const len = header.readUInt32BE(1);
      if (pos + 5 + len > size) throw new Error(`truncated log ${file}`);
      const data = Buffer.alloc(len);
      let got = 0;
      while (got < len) got += fs.readSync(fd, data, got, len - got, pos + 5 + got);
      pos += 5 + len;
      yield { kind, data };
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Bytes read at a time when checking a log's CRC: a gigabyte log is checked without holding it in memory. */
const CRC_BLOCK = 1 << 20;

/**
 * Checks that a log's record headers tile the file exactly (no truncation, no garbage) and that its content
 * is what was stored (CRC-32): a hit is only announced if its log can be replayed in full, unchanged.
 */
export function validateChunkLog(file: string, expected: { readonly bytes: number; readonly crc32: number }): void {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const header = Buffer.alloc(5);
    let pos = 0;
    let payload = 0;
    while (pos < size) {
      if (fs.readSync(fd, header, 0, 5, pos) !== 5) throw new Error(`truncated log ${file}`);
      if (header[0] !== 1 && header[0] !== 2) throw new Error(`malformed log ${file}`);
      const len = header.readUInt32BE(1);
      pos += 5 + len;
      payload += len;
    }
    if (pos !== size) throw new Error(`truncated log ${file}`);
    if (payload !== expected.bytes) throw new Error(`log ${file} has ${payload} bytes, expected ${expected.bytes}`);
    const block = Buffer.allocUnsafe(Math.min(size, CRC_BLOCK));
    let crc = 0;
    for (let at = 0; at < size; ) {
      const n = fs.readSync(fd, block, 0, Math.min(block.length, size - at), at);
      if (n === 0) throw new Error(`truncated log ${file}`);
      crc = crc32(block.subarray(0, n), crc);
      at += n;
    }
    if (crc !== expected.crc32) throw new Error(`log ${file} is damaged (its CRC-32 does not match the stored one)`);
  } finally {
    fs.closeSync(fd);
  }
}
