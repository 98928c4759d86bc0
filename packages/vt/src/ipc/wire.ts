/**
 * Frames and MessagePack on the wire (ipc.md §6): each frame is a u32 little-endian payload length followed by
 * one MessagePack value. The Rust client (crates/vt_ipc_protocol) encodes the same bytes; the shared vectors in
 * fixtures/ipc-protocol-vectors/ pin both.
 */
// The pure-JS entry points: the package root's Node entry probes for an optional native decoder at load time
// (it reads /usr/bin/ldd), several milliseconds on every run that starts an IPC server.
import { Packr } from 'msgpackr/pack';
import * as unpackEntry from 'msgpackr/unpack';

const { Unpackr } = unpackEntry;
/** msgpackr's marker for the reserved byte 0xc1: exported by the module, missing from its type declarations. */
const C1: unknown = (unpackEntry as unknown as { C1?: unknown }).C1;
if (C1 === undefined) throw new Error('msgpackr/unpack no longer exports C1; decodePayload cannot reject 0xc1');

/** Version exchanged in the handshake. */
export const PROTOCOL_VERSION = 1;
/** Largest accepted payload. A bigger announced length makes the stream unrecoverable, so the peer is dropped. */
export const MAX_PAYLOAD = 1024 * 1024;
export const HEADER_LEN = 4;

// Plain maps with the smallest headers (no msgpackr records or structured-clone extensions), nil for absent
// values: exactly what rmp-serde produces, so both ends agree byte for byte.
const packr = new Packr({ useRecords: false, variableMapSize: true, encodeUndefinedAsNil: true });
// Maps decode to `Map`, so keys like `__proto__` sent by a client can never reach an object's prototype.
// 64-bit integers decode as bigint (msgpackr's default), so large request ids survive unchanged.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false });

/** Encodes `message` and prefixes the length. */
export function encodeFrame(message: unknown): Buffer {
  const payload = packr.pack(message);
  const frame = Buffer.allocUnsafe(HEADER_LEN + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.set(payload, HEADER_LEN);
  return frame;
}

export type DecodedPayload =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** Decodes a payload that must hold exactly one MessagePack value. */
export function decodePayload(payload: Uint8Array): DecodedPayload {
  let value: unknown;
  try {
    value = unpackr.unpack(payload);
  } catch (error) {
    return { ok: false, error: `payload is not MessagePack: ${(error as Error).message}` };
  }
  // msgpackr hands back a marker object for the reserved byte 0xc1 instead of throwing.
  if (value === C1) return { ok: false, error: 'payload is not MessagePack: reserved byte 0xc1' };
  return { ok: true, value };
}

export type FrameEvent =
  { readonly kind: 'frame'; readonly payload: Buffer } | { readonly kind: 'tooLarge'; readonly length: number };

/**
 * Splits a byte stream into frames. Buffers at most one frame (≤ 1 MiB + header): a header announcing more is
 * reported at once, before its payload arrives, and the reader then refuses further input.
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private poisoned = false;

  push(chunk: Buffer): FrameEvent[] {
    if (this.poisoned) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: FrameEvent[] = [];
    while (this.buffer.length >= HEADER_LEN) {
      const length = this.buffer.readUInt32LE(0);
      if (length > MAX_PAYLOAD) {
        this.poisoned = true;
        this.buffer = Buffer.alloc(0);
        events.push({ kind: 'tooLarge', length });
        break;
      }
      if (this.buffer.length < HEADER_LEN + length) break;
      events.push({ kind: 'frame', payload: this.buffer.subarray(HEADER_LEN, HEADER_LEN + length) });
      this.buffer = this.buffer.subarray(HEADER_LEN + length);
    }
    return events;
  }

  /** Bytes of a frame that has started but not completed (a disconnect now truncates it). */
  get pendingBytes(): number {
    return this.buffer.length;
  }
}
