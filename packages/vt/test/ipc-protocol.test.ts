// The TypeScript side of the wire protocol against the shared vectors (the Rust side checks the same file in
// crates/vt_ipc_protocol/tests/vectors.rs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import {
  ack,
  entriesAnswer,
  failure,
  helloAccepted,
  helloRejected,
  parseHello,
  parseRequest,
  valueAnswer,
  type Request,
} from '../src/ipc/messages.js';
import { decodePayload, encodeFrame, FrameReader, MAX_PAYLOAD, PROTOCOL_VERSION } from '../src/ipc/wire.js';

type Json = null | boolean | number | string | { [key: string]: Json };
interface Vector {
  name: string;
  kind: 'clientHello' | 'helloReply' | 'request' | 'response';
  message?: { [key: string]: Json };
  frame: string;
  error?: 'frameTooLarge' | 'invalidPayload' | 'invalidMessage';
  answerId?: number | null;
}
const file = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../fixtures/ipc-protocol-vectors/vectors.json', import.meta.url)), 'utf8'),
) as { protocolVersion: number; maxPayload: number; valid: Vector[]; invalid: Vector[] };

/** A decoded message in the vectors' JSON notation: maps as objects, bin as {"$bin": hex}, safe ints as numbers. */
function toJson(value: unknown): Json {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]));
  if (value instanceof Uint8Array) return { $bin: Buffer.from(value).toString('hex') };
  if (typeof value === 'bigint') return Number(value);
  if (value === undefined) return null;
  return value as Json;
}

/** The single payload in `frame`, read through the server's own frame reader. */
function payloadOf(hex: string): Buffer {
  const events = new FrameReader().push(Buffer.from(hex, 'hex'));
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event?.kind !== 'frame') throw new Error(`not a frame: ${JSON.stringify(event)}`);
  return event.payload;
}

/** How the server would encode the answer the vector means. */
function serverEncoding(message: { [key: string]: Json }): Buffer {
  if (message.t === 'hello') return encodeFrame(helloAccepted());
  const id = message.id as number;
  if (message.ok === false)
    return encodeFrame('id' in message ? failure(id, message.error as string) : helloRejected(message.error as string));
  if ('value' in message) return encodeFrame(valueAnswer(id, (message.value ?? undefined) as string | undefined));
  if ('entries' in message)
    return encodeFrame(entriesAnswer(id, new Map(Object.entries(message.entries as Record<string, string>))));
  return encodeFrame(ack(id));
}

describe('ipc protocol vectors', () => {
  it('agree on version and limit', () => {
    expect(file.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(file.maxPayload).toBe(MAX_PAYLOAD);
  });

  const clientMessages = file.valid.filter((v) => v.kind === 'clientHello' || v.kind === 'request');
  const serverMessages = file.valid.filter((v) => v.kind === 'helloReply' || v.kind === 'response');

  it.each(clientMessages.map((v) => [v.name, v] as const))('server understands %s', (_name, vector) => {
    const decoded = decodePayload(payloadOf(vector.frame));
    if (!decoded.ok) throw new Error(decoded.error);
    expect(toJson(decoded.value)).toEqual(vector.message);
    if (vector.kind === 'clientHello') {
      expect(parseHello(decoded.value)).toEqual({
        ok: true,
        value: { v: vector.message?.v, pid: vector.message?.pid },
      });
    } else {
      const parsed = parseRequest(decoded.value);
      if (!parsed.ok) throw new Error(parsed.error);
      // Back to the wire notation: the parsed request must mean exactly what the vector says.
      const { query, ...rest } = parsed.value as Request & { query?: object };
      expect(toJson(new Map(Object.entries({ ...rest, ...query })))).toEqual(vector.message);
    }
  });

  it.each(serverMessages.map((v) => [v.name, v] as const))('server encodes %s byte for byte', (_name, vector) => {
    expect(serverEncoding(vector.message!).toString('hex')).toBe(vector.frame);
    const generic = new Unpackr({ useRecords: false, mapsAsObjects: false }).unpack(payloadOf(vector.frame));
    expect(toJson(generic)).toEqual(vector.message);
  });

  it.each(file.invalid.map((v) => [v.name, v] as const))('server rejects %s', (_name, vector) => {
    const events = new FrameReader().push(Buffer.from(vector.frame, 'hex'));
    if (vector.error === 'frameTooLarge') {
      expect(events).toEqual([{ kind: 'tooLarge', length: expect.any(Number) }]);
      return;
    }
    const decoded = decodePayload(payloadOf(vector.frame));
    if (vector.error === 'invalidPayload') {
      expect(decoded.ok).toBe(false);
      return;
    }
    if (!decoded.ok) throw new Error(`${vector.name}: ${decoded.error}`);
    if (vector.kind === 'clientHello') {
      expect(parseHello(decoded.value).ok).toBe(false);
    } else if (vector.kind === 'request') {
      const parsed = parseRequest(decoded.value);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.id === undefined ? null : Number(parsed.id)).toBe(vector.answerId);
    }
    // Invalid server messages (kind "response") concern the Rust client only.
  });
});

describe('frame reader', () => {
  const frame = encodeFrame({ id: 1, t: 'disableCache' });

  it('reassembles frames split at any byte and several frames in one chunk', () => {
    const stream = Buffer.concat([frame, frame, frame]);
    for (let cut = 1; cut < stream.length; cut++) {
      const reader = new FrameReader();
      const events = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(events.map((e) => e.kind)).toEqual(['frame', 'frame', 'frame']);
      expect(reader.pendingBytes).toBe(0);
    }
  });

  it('reports a partial frame as pending', () => {
    const reader = new FrameReader();
    expect(reader.push(frame.subarray(0, 6))).toEqual([]);
    expect(reader.pendingBytes).toBe(6);
  });

  it('accepts exactly the limit and refuses one byte more before the payload arrives', () => {
    const header = (n: number) => {
      const h = Buffer.alloc(4);
      h.writeUInt32LE(n);
      return h;
    };
    const atLimit = new FrameReader().push(Buffer.concat([header(MAX_PAYLOAD), Buffer.alloc(MAX_PAYLOAD, 0xc0)]));
    expect(atLimit.map((e) => e.kind)).toEqual(['frame']);
    const reader = new FrameReader();
    expect(reader.push(header(MAX_PAYLOAD + 1))).toEqual([{ kind: 'tooLarge', length: MAX_PAYLOAD + 1 }]);
    expect(reader.push(frame)).toEqual([]);
  });
});
