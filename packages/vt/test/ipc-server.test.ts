// The IPC server against raw socket clients that write exact bytes: handshake, every request kind, tracking,
// malformed input of every kind, concurrency, and the stop() lifecycle.
import { statSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Packr, Unpackr } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import { startIpcServer, type IpcServer } from '../src/ipc/index.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

function frame(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(payload.length);
  return Buffer.concat([header, payload]);
}

const pack = (message: unknown): Buffer => frame(packr.pack(message));

/** A protocol client with full control over the bytes it sends. */
class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    openClients.add(this);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        openClients.delete(this);
        for (const wake of this.waiters.splice(0)) wake();
        resolve();
      }),
    );
  }

  static connect(address: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(address);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and completes the handshake. */
  static async hello(address: string, pid = 4242): Promise<RawClient> {
    const client = await RawClient.connect(address);
    client.send(pack({ t: 'hello', v: 1, pid }));
    const reply = await client.receive();
    if (JSON.stringify(reply) !== '{"t":"hello","v":1}') throw new Error(`handshake failed: ${JSON.stringify(reply)}`);
    return client;
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next answer, or `undefined` when the server closed the connection first. */
  async receive(): Promise<Record<string, unknown> | undefined> {
    for (;;) {
      if (this.buffer.length >= 4) {
        const length = this.buffer.readUInt32LE(0);
        if (this.buffer.length >= 4 + length) {
          const payload = this.buffer.subarray(4, 4 + length);
          this.buffer = this.buffer.subarray(4 + length);
          return unpackr.unpack(payload) as Record<string, unknown>;
        }
      }
      if (this.socket.destroyed || this.socket.readableEnded) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Sends a request and returns its answer. */
  async call(request: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    this.send(pack(request));
    return this.receive();
  }

  close(): void {
    this.socket.end();
  }
}

const openClients = new Set<RawClient>();
const running: IpcServer[] = [];
afterEach(async () => {
  for (const client of openClients) client.socket.destroy();
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

/** A server that is stopped after the test if the test did not stop it. */
async function startServer(
  envForQueries: Record<string, string> = {},
  clientPath = '/nonexistent/addon.node',
): Promise<IpcServer> {
  const server = await startIpcServer({ envForQueries, clientPath });
  running.push(server);
  return server;
}

const dirOf = (server: IpcServer) => path.dirname(server.env.VP_RUN_IPC_NAME);

describe('ipc server lifecycle', () => {
  it('listens on a socket in a private directory under the temp dir and removes it on stop', async () => {
    const server = await startServer({}, '/opt/addon.node');
    const dir = dirOf(server);
    expect(server.env.VP_RUN_NODE_CLIENT_PATH).toBe('/opt/addon.node');
    expect(path.dirname(dir)).toBe(os.tmpdir());
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(server.env.VP_RUN_IPC_NAME).isSocket()).toBe(true);
    const report = await server.stop();
    expect(existsSync(dir)).toBe(false);
    expect(report).toMatchObject({ ignoredInputs: [], cacheDisabled: false, protocolError: undefined, requests: [] });
    expect(server.stop()).toBe(server.stop());
  });

  it('gives every execution its own socket', async () => {
    const [a, b] = await Promise.all([startServer(), startServer()]);
    expect(a.env.VP_RUN_IPC_NAME).not.toBe(b.env.VP_RUN_IPC_NAME);
  });

  it('refuses new connections after stop', async () => {
    const server = await startServer();
    await server.stop();
    await expect(RawClient.connect(server.env.VP_RUN_IPC_NAME)).rejects.toThrow(/ENOENT|ECONNREFUSED/);
  });

  it('answers a request that arrives while stopping, then returns once the client hangs up', async () => {
    const server = await startServer();
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    const stopped = server.stop();
    expect(await client.call({ id: 1, t: 'disableCache' })).toEqual({ id: 1, ok: true });
    client.close();
    const started = Date.now();
    const report = await stopped;
    expect(Date.now() - started).toBeLessThan(400);
    expect(report.cacheDisabled).toBe(true);
  });

  it('closes clients that linger after a 500 ms grace period', async () => {
    const server = await startServer();
    const idle = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    const silent = await RawClient.connect(server.env.VP_RUN_IPC_NAME); // never even says hello
    const started = Date.now();
    const report = await server.stop();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(2000);
    await Promise.all([idle.closed, silent.closed]);
    expect(report.protocolError).toBeUndefined();
    expect(existsSync(dirOf(server))).toBe(false);
  });
});

describe('ipc server requests', () => {
  it('answers every kind and reports what was asked', async () => {
    const server = await startServer({ NODE_ENV: 'production', PROBE_B: 'b', PROBE_A: 'a', OTHER: 'o', VITE_X: '1' });
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME, 777);
    expect(await client.call({ id: 1, t: 'ignoreInput', path: '/w/node_modules/.vite' })).toEqual({ id: 1, ok: true });
    expect(await client.call({ id: 2, t: 'ignoreInput', path: '/w/node_modules/.vite' })).toEqual({ id: 2, ok: true });
    expect(await client.call({ id: 3, t: 'ignoreOutput', path: Buffer.from('/w/\xff', 'latin1') })).toEqual({
      id: 3,
      ok: true,
    });
    expect(await client.call({ id: 4, t: 'disableCache' })).toEqual({ id: 4, ok: true });
    expect(await client.call({ id: 5, t: 'getEnv', name: 'NODE_ENV', tracked: true })).toEqual({
      id: 5,
      ok: true,
      value: 'production',
    });
    expect(await client.call({ id: 6, t: 'getEnv', name: 'MISSING', tracked: true })).toEqual({
      id: 6,
      ok: true,
      value: null,
    });
    expect(await client.call({ id: 7, t: 'getEnv', name: 'OTHER', tracked: false })).toEqual({
      id: 7,
      ok: true,
      value: 'o',
    });
    const globbed = await client.call({ id: 8, t: 'getEnvs', glob: 'PROBE_*', tracked: true });
    expect(globbed).toEqual({ id: 8, ok: true, entries: { PROBE_A: 'a', PROBE_B: 'b' } });
    expect(Object.keys(globbed?.entries as object)).toEqual(['PROBE_A', 'PROBE_B']);
    expect(await client.call({ id: 9, t: 'getEnvs', prefix: 'VITE_', tracked: false })).toEqual({
      id: 9,
      ok: true,
      entries: { VITE_X: '1' },
    });
    expect(await client.call({ id: 10, t: 'getEnvs', glob: '{OTHER,NODE_?NV}', tracked: true })).toEqual({
      id: 10,
      ok: true,
      entries: { NODE_ENV: 'production', OTHER: 'o' },
    });
    client.close();
    const report = await server.stop();
    expect(report.ignoredInputs).toEqual(['/w/node_modules/.vite']);
    expect(report.ignoredOutputs).toEqual(['/w/\ufffd']);
    expect(report.cacheDisabled).toBe(true);
    expect(report.trackedEnvs).toEqual(
      new Map([
        ['NODE_ENV', 'production'],
        ['MISSING', undefined],
      ]),
    );
    expect(report.trackedEnvQueries).toEqual(
      new Map([
        [
          'glob:PROBE_*',
          new Map([
            ['PROBE_A', 'a'],
            ['PROBE_B', 'b'],
          ]),
        ],
        [
          'glob:{OTHER,NODE_?NV}',
          new Map([
            ['NODE_ENV', 'production'],
            ['OTHER', 'o'],
          ]),
        ],
      ]),
    );
    expect(report.protocolError).toBeUndefined();
    expect(report.requests).toEqual([
      'pid 777 #1 ignoreInput /w/node_modules/.vite',
      'pid 777 #2 ignoreInput /w/node_modules/.vite',
      'pid 777 #3 ignoreOutput /w/\ufffd',
      'pid 777 #4 disableCache',
      'pid 777 #5 getEnv NODE_ENV (tracked)',
      'pid 777 #6 getEnv MISSING (tracked)',
      'pid 777 #7 getEnv OTHER (untracked)',
      'pid 777 #8 getEnvs glob:PROBE_* (tracked)',
      'pid 777 #9 getEnvs prefix:VITE_ (untracked)',
      'pid 777 #10 getEnvs glob:{OTHER,NODE_?NV} (tracked)',
    ]);
    expect(report.requests.join('\n')).not.toContain('production');
  });

  it('makes tracking sticky per name and per query, and serves the first snapshot', async () => {
    const env: Record<string, string> = { A: '1', P_X: 'x' };
    const server = await startServer(env);
    env.A = 'changed later'; // the server answers from its own copy
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    const answers = [
      await client.call({ id: 1, t: 'getEnv', name: 'A', tracked: false }),
      await client.call({ id: 2, t: 'getEnv', name: 'A', tracked: true }),
      await client.call({ id: 3, t: 'getEnv', name: 'A', tracked: false }),
      await client.call({ id: 4, t: 'getEnvs', prefix: 'P_', tracked: true }),
      await client.call({ id: 5, t: 'getEnvs', prefix: 'P_', tracked: false }),
      await client.call({ id: 6, t: 'getEnvs', glob: 'P_', tracked: false }),
      await client.call({ id: 7, t: 'getEnv', name: 'P_X', tracked: false }),
    ];
    expect(answers.map((a) => a?.value ?? a?.entries)).toEqual(['1', '1', '1', { P_X: 'x' }, { P_X: 'x' }, {}, 'x']);
    client.close();
    const report = await server.stop();
    expect(report.trackedEnvs).toEqual(new Map([['A', '1']]));
    expect([...report.trackedEnvQueries.keys()]).toEqual(['prefix:P_']);
  });

  it('never answers from the prototype chain', async () => {
    const server = await startServer({ REAL: 'r' });
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    for (const [id, name] of ['constructor', '__proto__', 'toString', 'hasOwnProperty'].entries()) {
      expect(await client.call({ id, t: 'getEnv', name, tracked: true })).toEqual({ id, ok: true, value: null });
    }
  });

  it('echoes large request ids exactly', async () => {
    const server = await startServer();
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    client.send(frame(Buffer.from('82a26964cf0000010000000001a174ac64697361626c654361636865', 'hex')));
    expect(await client.receive()).toEqual({ id: 2n ** 40n + 1n, ok: true });
    client.send(pack({ id: 2 ** 40, t: 'disableCache' })); // msgpackr sends this as a float64
    expect(await client.receive()).toEqual({ id: 2n ** 40n, ok: true });
  });

  it('serves many clients at once, each in order', async () => {
    const server = await startServer({ N: 'v' });
    const clients = await Promise.all(
      Array.from({ length: 16 }, (_, i) => RawClient.hello(server.env.VP_RUN_IPC_NAME, 1000 + i)),
    );
    await Promise.all(
      clients.map(async (client, c) => {
        // Pipelined: all requests in one write, answers must come back in the same order.
        const requests = Array.from({ length: 50 }, (_, i) => ({ id: i + 1, t: 'ignoreInput', path: `/c${c}/p${i}` }));
        client.send(Buffer.concat(requests.map(pack)));
        for (let i = 0; i < 50; i++) expect(await client.receive()).toEqual({ id: i + 1, ok: true });
        client.close();
      }),
    );
    const report = await server.stop();
    expect(report.ignoredInputs).toHaveLength(16 * 50);
    expect(report.requests).toHaveLength(16 * 50);
  });

  it('keeps working for a client that does not read its answers for a while', async () => {
    // 64 variables of 1 KiB: each answer is ~66 KiB, far more than a socket buffer holds.
    const env = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`BIG_${i}`, 'v'.repeat(1024)]));
    const server = await startServer(env);
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    client.socket.pause();
    const count = 300;
    client.send(
      Buffer.concat(
        Array.from({ length: count }, (_, i) => pack({ id: i + 1, t: 'getEnvs', glob: 'BIG_*', tracked: false })),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.socket.resume();
    for (let i = 0; i < count; i++) {
      const answer = await client.receive();
      expect(answer?.id).toBe(i + 1);
      expect(Object.keys(answer?.entries as object)).toHaveLength(64);
    }
    client.close();
    expect((await server.stop()).requests).toHaveLength(count);
  });
});

describe('ipc server protocol errors', () => {
  async function expectDropped(client: RawClient): Promise<void> {
    expect(await client.receive()).toBeUndefined();
    await client.closed;
  }

  it('refuses an unsupported version without recording an error', async () => {
    const server = await startServer();
    const client = await RawClient.connect(server.env.VP_RUN_IPC_NAME);
    client.send(pack({ t: 'hello', v: 2, pid: 1 }));
    expect(await client.receive()).toEqual({ ok: false, error: 'unsupported protocol version 2' });
    await expectDropped(client);
    const report = await server.stop();
    expect(report.protocolError).toBeUndefined();
    expect(report.requests).toEqual(['pid 1: refused handshake for protocol version 2']);
  });

  it('answers a request with an id sent before the handshake with ok: false, records it, and still accepts the hello', async () => {
    const server = await startServer({ K: 'v' });
    const client = await RawClient.connect(server.env.VP_RUN_IPC_NAME);
    client.send(pack({ id: 1, t: 'getEnv', name: 'K', tracked: false }));
    expect(await client.receive()).toEqual({ id: 1, ok: false, error: 'first message is not a hello' });
    client.send(pack({ t: 'hello', v: 1, pid: 7 }));
    expect(await client.receive()).toEqual({ t: 'hello', v: 1 });
    client.send(pack({ id: 2, t: 'getEnv', name: 'K', tracked: false }));
    expect(await client.receive()).toEqual({ id: 2, ok: true, value: 'v' });
    const report = await server.stop();
    expect(report.protocolError).toMatch(/first message is not a hello/);
  });

  it.each([
    ['a message without an id before the handshake', pack({ t: 'disableCache' }), /first message is not a hello/],
    ['a hello without pid', pack({ t: 'hello', v: 1 }), /hello without a valid `pid`/],
    ['a payload that is not MessagePack', frame(Buffer.from([0xc1])), /not MessagePack/],
    ['a truncated MessagePack value', frame(Buffer.from('81a161', 'hex')), /not MessagePack/],
  ])('drops a client that sends %s', async (_what, bytes, error) => {
    const server = await startServer();
    const client = await RawClient.connect(server.env.VP_RUN_IPC_NAME);
    client.send(bytes);
    await expectDropped(client);
    const report = await server.stop();
    expect(report.protocolError).toMatch(/^connection 1: /);
    expect(report.protocolError).toMatch(error);
  });

  it.each([
    ['garbage', frame(Buffer.from([0xc1])), /pid 4242: payload is not MessagePack/],
    [
      'trailing bytes',
      frame(Buffer.from('81a1610100', 'hex')),
      /not MessagePack: Data read, but end of buffer not reached/,
    ],
    ['a map without id', pack({ t: 'disableCache' }), /request without `id`/],
    ['a non-map', pack('hello'), /request is not a map/],
    [
      'an oversize frame header',
      Buffer.from('01001000', 'hex'),
      /frame of 1048577 bytes exceeds the 1048576-byte limit/,
    ],
  ])('drops a client after the handshake that sends %s, and keeps serving others', async (_what, bytes, error) => {
    const server = await startServer({ K: 'v' });
    const good = await RawClient.hello(server.env.VP_RUN_IPC_NAME, 1);
    const bad = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    bad.send(bytes);
    await expectDropped(bad);
    expect(await good.call({ id: 1, t: 'getEnv', name: 'K', tracked: true })).toEqual({ id: 1, ok: true, value: 'v' });
    good.close();
    const report = await server.stop();
    expect(report.protocolError).toMatch(error);
    expect(report.trackedEnvs.get('K')).toBe('v');
  });

  it('drops an oversize frame without waiting for its payload', async () => {
    const server = await startServer();
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(64 * 1024 * 1024);
    client.send(Buffer.concat([header, Buffer.alloc(1024)]));
    await expectDropped(client);
  });

  it.each([
    [{ id: 7, t: 'explode' }, "unknown request kind 'explode'"],
    [{ id: 7, t: 'ignoreInput' }, 'ignoreInput request without `path`'],
    [{ id: 7, t: 'getEnv', name: 'X', tracked: 'yes' }, 'getEnv request with a non-boolean `tracked`'],
    [
      { id: 7, t: 'getEnvs', glob: 'A*', prefix: 'A', tracked: true },
      'getEnvs request needs exactly one of `glob` and `prefix`',
    ],
    [{ id: 7, t: 'ignoreInput', path: 'relative/dir' }, "ignoreInput: path 'relative/dir' is not absolute"],
    [{ id: 7, t: 'getEnvs', glob: 'A[', tracked: true }, /^getEnvs: invalid glob 'A\['/],
    [{ id: 7, t: 'getEnvs', glob: '!A', tracked: true }, "getEnvs: invalid glob '!A': negation is not supported"],
  ])('answers %j with an error, records it, and keeps the connection', async (request, error) => {
    const server = await startServer({ A1: 'x' });
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    const answer = await client.call(request);
    expect(answer).toMatchObject({ id: 7, ok: false });
    expect(answer?.error).toMatch(error);
    expect(await client.call({ id: 8, t: 'getEnvs', prefix: 'A', tracked: true })).toEqual({
      id: 8,
      ok: true,
      entries: { A1: 'x' },
    });
    client.close();
    const report = await server.stop();
    expect(report.protocolError).toBe(`pid 4242: ${answer?.error as string}`);
    expect(report.requests[0]).toBe(`pid 4242 #7 refused: ${answer?.error as string}`);
  });

  it('refuses a getEnvs answer that would exceed the frame limit, and keeps the connection', async () => {
    const env = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`BIG_${i}`, 'v'.repeat(1024)]));
    const server = await startServer({ ...env, SMALL: 's' });
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    const answer = await client.call({ id: 1, t: 'getEnvs', glob: 'BIG_*', tracked: true });
    expect(answer).toMatchObject({ id: 1, ok: false });
    expect(answer?.error).toMatch(/^getEnvs: answer of \d+ bytes exceeds the frame limit$/);
    expect(await client.call({ id: 2, t: 'getEnv', name: 'SMALL', tracked: true })).toEqual({ id: 2, ok: true, value: 's' });
    client.close();
    expect((await server.stop()).protocolError).toMatch(/exceeds the frame limit/);
  });

  it('records only the first error', async () => {
    const server = await startServer();
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME);
    await client.call({ id: 1, t: 'first' });
    await client.call({ id: 2, t: 'second' });
    client.close();
    expect((await server.stop()).protocolError).toBe("pid 4242: unknown request kind 'first'");
  });

  it('records a client that disconnects in the middle of a frame', async () => {
    const server = await startServer({ K: 'v' });
    const other = await RawClient.hello(server.env.VP_RUN_IPC_NAME, 1);
    const client = await RawClient.hello(server.env.VP_RUN_IPC_NAME, 2);
    const request = pack({ id: 1, t: 'disableCache' });
    client.socket.end(request.subarray(0, request.length - 3));
    await client.closed;
    expect(await other.call({ id: 1, t: 'getEnv', name: 'K', tracked: false })).toEqual({
      id: 1,
      ok: true,
      value: 'v',
    });
    other.close();
    const report = await server.stop();
    expect(report.protocolError).toBe(
      `pid 2: connection closed in the middle of a frame (${request.length - 3} bytes received)`,
    );
    expect(report.cacheDisabled).toBe(false);
  });

  it('is not affected by a client that connects and leaves without a word', async () => {
    const server = await startServer();
    const client = await RawClient.connect(server.env.VP_RUN_IPC_NAME);
    client.socket.destroy();
    await client.closed;
    expect((await server.stop()).protocolError).toBeUndefined();
  });
});
