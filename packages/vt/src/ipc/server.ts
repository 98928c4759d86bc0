/**
 * The per-item IPC server (ipc.md §6 lifecycle): listens from before the item is spawned until its process tree
 * has exited, then drains its clients and removes its socket directory.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from './connection.js';
import { Recorder } from './recorder.js';
import type { IpcReport } from './report.js';

export interface IpcServer {
  /** The two variables to put into the item's environment (ipc.md §2). */
  readonly env: { readonly VP_RUN_IPC_NAME: string; readonly VP_RUN_NODE_CLIENT_PATH: string };
  /** After the task's process tree exited: stop accepting, drain, remove the socket dir, return the report. */
  stop(): Promise<IpcReport>;
}

export interface IpcServerOptions {
  /** The item's context env overlaid with its prefix env: what `getEnv`/`getEnvs` answer from (env.md §1). */
  readonly envForQueries: Readonly<Record<string, string>>;
  /** Absolute path of the client addon, passed to the task as `VP_RUN_NODE_CLIENT_PATH`. */
  readonly clientPath: string;
}

/** How long open clients may take to finish and hang up once the item is over. */
const DRAIN_MS = 500;

/** `sockaddr_un.sun_path` holds 108 bytes on Linux and 104 on macOS, including the terminating NUL. */
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/** Starts a server for one item execution. Rejects with a clear error when no socket can be created. */
export async function startIpcServer(opts: IpcServerOptions): Promise<IpcServer> {
  const { address, dir } = await createAddress();
  const recorder = new Recorder(opts.envForQueries);
  const connections = new Set<Connection>();
  const closed = new Map<Connection, Promise<void>>();
  let serial = 0;

  // Half-open: a client may finish sending and still read the answers to what it sent.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const connection = new Connection(socket, recorder, ++serial);
    connections.add(connection);
    closed.set(
      connection,
      new Promise((resolve) =>
        socket.once('close', () => {
          connections.delete(connection);
          resolve();
        }),
      ),
    );
  });
  // A failing accept must not crash vt; it shows up as a client that could not connect.
  server.on('error', () => {});

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot listen on ${address}: ${(error as Error).message}`);
  }

  let stopping: Promise<IpcReport> | undefined;
  const stop = async (): Promise<IpcReport> => {
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    const allClosed = Promise.all(closed.values());
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      allClosed.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DRAIN_MS))),
    ]);
    clearTimeout(timer);
    if (!drained) for (const connection of connections) connection.destroy();
    await serverClosed;
    // Synchronously, as it was created: one socket file and its directory (see createAddress).
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    return recorder.report();
  };

  return {
    env: { VP_RUN_IPC_NAME: address, VP_RUN_NODE_CLIENT_PATH: opts.clientPath },
    stop: () => (stopping ??= stop()),
  };
}

/**
 * A socket in a fresh private directory under the temp dir, or a random named pipe on Windows. Created
 * synchronously: two threadpool round trips cost more wall time (~5 ms, measured) than the calls themselves.
 */
async function createAddress(): Promise<{ address: string; dir: string | undefined }> {
  if (process.platform === 'win32') {
    return { address: `\\\\.\\pipe\\vt_ipc_${randomBytes(12).toString('hex')}`, dir: undefined };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vt-ipc-'));
  // mkdtemp already creates 0700; make it explicit since only this user's processes may connect.
  chmodSync(dir, 0o700);
  const address = path.join(dir, 's');
  if (Buffer.byteLength(address) > MAX_SOCKET_PATH) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `socket path ${address} is longer than ${MAX_SOCKET_PATH} bytes; point TMPDIR at a shorter directory`,
    );
  }
  return { address, dir };
}
