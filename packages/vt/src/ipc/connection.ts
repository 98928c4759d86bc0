/**
 * One client connection: handshake, then requests answered strictly in arrival order. Every decision about a
 * bad client is local to its connection; the server and other clients keep going.
 */
import type { Socket } from 'node:net';
import {
  ack,
  entriesAnswer,
  failure,
  helloAccepted,
  helloRejected,
  parseHello,
  requestIdOf,
  parseRequest,
  valueAnswer,
  type Request,
  type RequestId,
} from './messages.js';
import { queryKey } from './env-query.js';
import type { Recorder } from './recorder.js';
import {
  decodePayload,
  encodeFrame,
  FrameReader,
  HEADER_LEN,
  MAX_PAYLOAD,
  PROTOCOL_VERSION,
  type FrameEvent,
} from './wire.js';

type State =
  { readonly phase: 'handshake' } | { readonly phase: 'ready'; readonly pid: number } | { readonly phase: 'closed' };

export class Connection {
  private state: State = { phase: 'handshake' };
  private readonly reader = new FrameReader();
  /** Frames received but not yet handled, because the client is not reading its answers fast enough. */
  private queue: FrameEvent[] = [];
  private next = 0;
  private blocked = false;
  private ended = false;

  constructor(
    private readonly socket: Socket,
    private readonly recorder: Recorder,
    /** Distinguishes connections in messages until the client has told its pid. */
    private readonly serial: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    // A client that vanishes (ECONNRESET, EPIPE) is not vt's problem; without a listener Node would throw.
    socket.on('error', () => this.close());
  }

  /** Stops serving: used by the server once the item is over and clients had their grace period. */
  destroy(): void {
    this.checkTruncated();
    this.state = { phase: 'closed' };
    this.socket.destroy();
  }

  private get who(): string {
    return this.state.phase === 'ready' ? `pid ${this.state.pid}` : `connection ${this.serial}`;
  }

  private onData(chunk: Buffer): void {
    for (const event of this.reader.push(chunk)) this.queue.push(event);
    this.pump();
  }

  /**
   * Handles queued frames in order. Stops while the socket's write buffer is full, so a client that sends
   * requests without reading answers makes vt wait instead of buffering answers without bound.
   */
  private pump(): void {
    while (!this.blocked && this.next < this.queue.length && this.state.phase !== 'closed') {
      const event = this.queue[this.next++] as FrameEvent;
      if (event.kind === 'tooLarge') {
        this.protocolError(`frame of ${event.length} bytes exceeds the ${MAX_PAYLOAD}-byte limit`);
      } else {
        this.onFrame(event.payload);
      }
    }
    if (this.next === this.queue.length) {
      this.queue = [];
      this.next = 0;
      if (this.ended) this.close();
    }
  }

  /** The client closed its side: answer what it sent, then close ours. */
  private onEnd(): void {
    this.ended = true;
    this.checkTruncated();
    this.pump();
  }

  /** A partial frame left over when the client is gone means a request was cut off. */
  private checkTruncated(): void {
    if (this.state.phase !== 'closed' && this.reader.pendingBytes > 0) {
      this.protocolError(`connection closed in the middle of a frame (${this.reader.pendingBytes} bytes received)`);
    }
  }

  private onFrame(payload: Buffer): void {
    const decoded = decodePayload(payload);
    if (!decoded.ok) return this.protocolError(decoded.error);
    if (this.state.phase === 'handshake') return this.onHello(decoded.value);
    const parsed = parseRequest(decoded.value);
    if (parsed.ok) return this.serve(parsed.value);
    if (parsed.id === undefined) return this.protocolError(parsed.error);
    this.refuse(parsed.id, parsed.error);
  }

  private onHello(value: unknown): void {
    const hello = parseHello(value);
    if (!hello.ok) {
      // A request before the handshake is still answered when it has an id (ipc.md §6); the hello may follow.
      const id = requestIdOf(value);
      return id === undefined ? this.protocolError(hello.error) : this.refuse(id, hello.error);
    }
    const { v, pid } = hello.value;
    if (v !== PROTOCOL_VERSION) {
      // A client from another vt version is not a malformed one: it is refused, and the run is unaffected.
      this.recorder.log(`pid ${pid}: refused handshake for protocol version ${v}`);
      this.send(helloRejected(`unsupported protocol version ${v}`));
      this.close();
      return;
    }
    this.state = { phase: 'ready', pid };
    this.send(helloAccepted());
  }

  private serve(request: Request): void {
    const prefix = `${this.who} #${request.id}`;
    switch (request.t) {
      case 'ignoreInput':
      case 'ignoreOutput': {
        const root =
          request.t === 'ignoreInput'
            ? this.recorder.ignoreInput(request.path)
            : this.recorder.ignoreOutput(request.path);
        if (!root.ok) return this.refuse(request.id, `${request.t}: ${root.error}`);
        this.recorder.log(`${prefix} ${request.t} ${root.value}`);
        return this.send(ack(request.id));
      }
      case 'disableCache':
        this.recorder.disableCache();
        this.recorder.log(`${prefix} disableCache`);
        return this.send(ack(request.id));
      case 'getEnv': {
        const value = this.recorder.getEnv(request.name, request.tracked);
        this.recorder.log(`${prefix} getEnv ${request.name}${tracking(request.tracked)}`);
        return this.send(valueAnswer(request.id, value));
      }
      case 'getEnvs': {
        const entries = this.recorder.getEnvs(request.query, request.tracked);
        if (!entries.ok) return this.refuse(request.id, `getEnvs: ${entries.error}`);
        this.recorder.log(`${prefix} getEnvs ${queryKey(request.query)}${tracking(request.tracked)}`);
        const answer = encodeFrame(entriesAnswer(request.id, entries.value));
        // The client would reject a frame over the limit and give up on vt altogether; refusing keeps it working,
        // and the recorded error keeps a run whose tool did not get its answer out of the cache.
        const size = answer.length - HEADER_LEN;
        if (size > MAX_PAYLOAD) return this.refuse(request.id, `getEnvs: answer of ${size} bytes exceeds the frame limit`);
        return this.write(answer);
      }
    }
  }

  /** Answers `ok: false` and records the protocol error; the connection stays usable. */
  private refuse(id: RequestId, error: string): void {
    this.recorder.log(`${this.who} #${id} refused: ${error}`);
    this.recorder.fail(`${this.who}: ${error}`);
    this.send(failure(id, error));
  }

  /** Records a protocol error that cannot be answered and drops the connection. */
  private protocolError(error: string): void {
    this.recorder.log(`${this.who} dropped: ${error}`);
    this.recorder.fail(`${this.who}: ${error}`);
    this.close();
  }

  /** Writes one frame; a full write buffer pauses reading and handling until the client catches up. */
  private send(message: unknown): void {
    this.write(encodeFrame(message));
  }

  private write(frame: Buffer): void {
    if (this.socket.destroyed) return;
    if (!this.socket.write(frame)) {
      this.blocked = true;
      this.socket.pause();
      this.socket.once('drain', () => {
        this.blocked = false;
        this.pump();
        if (!this.blocked) this.socket.resume();
      });
    }
  }

  /** Ends the connection after pending answers are flushed, and ignores anything the client still sends. */
  private close(): void {
    if (this.state.phase === 'closed') return;
    this.state = { phase: 'closed' };
    this.socket.destroySoon();
  }
}

function tracking(tracked: boolean): string {
  return tracked ? ' (tracked)' : ' (untracked)';
}
