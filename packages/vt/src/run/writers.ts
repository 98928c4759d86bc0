import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogMode } from '../cli/args.js';
import { ColorStripper } from './ansi.js';
import { ChunkLog, readChunkLog, type StreamKind } from './chunk-log.js';

/** Where vt's own output goes; a seam so the same writers serve the terminal and tests. */
export interface Terminal {
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
}

/**
 * vt's real stdout/stderr. A reader that goes away (`vt run … | head -1`) must not crash vt or stop its
 * tasks: after EPIPE that stream's output is discarded.
 *
 * Writes are coalesced until the end of the current turn of the event loop: a warm run replays dozens of
 * logs in one go, and one write(2) per command line, chunk and separator was a measurable share of it. The
 * order across both streams is kept (a switch of stream starts a new write), so a terminal showing both
 * sees exactly what it would have seen; a large backlog is written at once rather than held.
 */
export function createProcessTerminal(): Terminal {
  const closed = { stdout: false, stderr: false };
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      closed[name] = true;
    });
  }
  const queue: { stream: 'stdout' | 'stderr'; parts: Buffer[] }[] = [];
  let queued = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    queued = 0;
    for (const { stream, parts } of queue.splice(0)) {
      if (!closed[stream]) process[stream].write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    }
  };
  const write = (stream: 'stdout' | 'stderr', data: string | Buffer): void => {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const last = queue[queue.length - 1];
    if (last?.stream === stream) last.parts.push(buf);
    else queue.push({ stream, parts: [buf] });
    queued += buf.length;
    if (queued >= MAX_COALESCED_BYTES) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return { stdout: (d) => write('stdout', d), stderr: (d) => write('stderr', d) };
}

/** Beyond this much pending output, write now (bounds memory when replaying big logs). */
const MAX_COALESCED_BYTES = 1 << 20;

/**
 * Writes one leaf's output in the run's log mode (cache.md §9). Live output and replay both go through
 * it, which is why an entry recorded in one mode replays correctly in another.
 */
export interface LeafWriter {
  /** The `{[label] }{~/cwd}$ {command}[ {status}]` line. */
  commandLine(text: string): void;
  output(kind: StreamKind, data: Buffer): void;
  /** Flushes buffered output, prints `✗ …` lines on stderr, then the one-`\n` separator. */
  finish(errorLines: readonly string[]): void;
}

export interface WriterOptions {
  readonly mode: LogMode;
  /** `pkg#task` (or `task` for a nameless package). */
  readonly label: string;
  readonly color: boolean;
  readonly terminal: Terminal;
}

function streamOut(t: Terminal, kind: StreamKind): (d: string | Buffer) => void {
  return kind === 'stdout' ? t.stdout : t.stderr;
}

/** Applies colour stripping per stream (sequences may be split across chunks). */
class Decolor {
  private readonly strippers = { stdout: new ColorStripper(), stderr: new ColorStripper() };
  constructor(private readonly enabled: boolean) {}
  push(kind: StreamKind, data: Buffer): Buffer {
    return this.enabled ? data : this.strippers[kind].push(data);
  }
  flush(kind: StreamKind): Buffer {
    return this.enabled ? Buffer.alloc(0) : this.strippers[kind].flush();
  }
}

class InterleavedWriter implements LeafWriter {
  private readonly decolor: Decolor;
  constructor(private readonly o: WriterOptions) {
    this.decolor = new Decolor(o.color);
  }
  commandLine(text: string): void {
    this.o.terminal.stdout(`${text}\n`);
  }
  output(kind: StreamKind, data: Buffer): void {
    const out = this.decolor.push(kind, data);
    if (out.length > 0) streamOut(this.o.terminal, kind)(out);
  }
  finish(errorLines: readonly string[]): void {
    for (const kind of ['stdout', 'stderr'] as const) {
      const rest = this.decolor.flush(kind);
      if (rest.length > 0) streamOut(this.o.terminal, kind)(rest);
    }
    for (const line of errorLines) this.o.terminal.stderr(`${line}\n`);
    this.o.terminal.stdout('\n');
  }
}

/**
 * A partial line longer than this is written out (prefix first) instead of being held: a task printing a
 * gigabyte without a newline must not grow vt's memory. The rest of that line then follows unprefixed.
 */
const MAX_HELD_LINE = 64 * 1024;

class LabeledWriter implements LeafWriter {
  private readonly decolor: Decolor;
  private readonly partial: Record<StreamKind, Buffer[]> = { stdout: [], stderr: [] };
  private readonly partialSize: Record<StreamKind, number> = { stdout: 0, stderr: 0 };
  /** A long line was already started on the terminal; its remainder goes out as is. */
  private readonly midLine: Record<StreamKind, boolean> = { stdout: false, stderr: false };
  private readonly prefix: Buffer;
  constructor(private readonly o: WriterOptions) {
    this.decolor = new Decolor(o.color);
    this.prefix = Buffer.from(`[${o.label}] `);
  }
  commandLine(text: string): void {
    this.o.terminal.stdout(Buffer.concat([this.prefix, Buffer.from(`${text}\n`)]));
  }
  output(kind: StreamKind, data: Buffer): void {
    let buf = this.decolor.push(kind, data);
    const write = streamOut(this.o.terminal, kind);
    let nl = buf.indexOf(0x0a);
    while (nl >= 0) {
      const rest = buf.subarray(0, nl + 1);
      if (this.midLine[kind]) write(rest);
      else write(Buffer.concat([this.prefix, ...this.partial[kind], rest]));
      this.partial[kind] = [];
      this.partialSize[kind] = 0;
      this.midLine[kind] = false;
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(0x0a);
    }
    if (buf.length === 0) return;
    if (this.midLine[kind]) {
      write(Buffer.from(buf));
      return;
    }
    this.partial[kind].push(Buffer.from(buf));
    this.partialSize[kind] += buf.length;
    if (this.partialSize[kind] > MAX_HELD_LINE) {
      write(Buffer.concat([this.prefix, ...this.partial[kind]]));
      this.partial[kind] = [];
      this.partialSize[kind] = 0;
      this.midLine[kind] = true;
    }
  }
  finish(errorLines: readonly string[]): void {
    for (const kind of ['stdout', 'stderr'] as const) {
      const rest = this.decolor.flush(kind);
      if (rest.length > 0) this.output(kind, rest);
      if (this.partial[kind].length > 0 || this.midLine[kind]) {
        const head = this.midLine[kind] ? [] : [this.prefix];
        streamOut(this.o.terminal, kind)(Buffer.concat([...head, ...this.partial[kind], Buffer.from('\n')]));
        this.partial[kind] = [];
        this.partialSize[kind] = 0;
        this.midLine[kind] = false;
      }
    }
    for (const line of errorLines) this.o.terminal.stderr(`${line}\n`);
    this.o.terminal.stdout('\n');
  }
}

/** Buffers a task's output (spooled to a temp file) and prints it as one block when the task ends. */
class GroupedWriter implements LeafWriter {
  private readonly decolor: Decolor;
  private log: ChunkLog | undefined;
  private dir: string | undefined;
  constructor(private readonly o: WriterOptions) {
    this.decolor = new Decolor(o.color);
  }
  commandLine(text: string): void {
    this.o.terminal.stdout(`[${this.o.label}] ${text}\n`);
  }
  output(kind: StreamKind, data: Buffer): void {
    const out = this.decolor.push(kind, data);
    if (out.length === 0) return;
    if (!this.log) {
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-group-'));
      this.log = new ChunkLog(path.join(this.dir, 'out.log'));
    }
    this.log.append(kind, out);
  }
  finish(errorLines: readonly string[]): void {
    for (const kind of ['stdout', 'stderr'] as const) {
      const rest = this.decolor.flush(kind);
      if (rest.length > 0) this.output(kind, rest);
    }
    if (this.log) {
      this.log.close();
      this.o.terminal.stdout(`── [${this.o.label}] ──\n`);
      for (const chunk of readChunkLog(this.log.file)) this.o.terminal.stdout(chunk.data);
      fs.rmSync(this.dir!, { recursive: true, force: true });
    }
    for (const line of errorLines) this.o.terminal.stderr(`${line}\n`);
    this.o.terminal.stdout('\n');
  }
}

export function createLeafWriter(o: WriterOptions): LeafWriter {
  switch (o.mode) {
    case 'interleaved':
      return new InterleavedWriter(o);
    case 'labeled':
      return new LabeledWriter(o);
    case 'grouped':
      return new GroupedWriter(o);
  }
}
