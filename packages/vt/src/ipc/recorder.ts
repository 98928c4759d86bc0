/**
 * The server's memory of one item execution: what was requested, what was served, the first protocol error.
 */
import path from 'node:path';
import { compileQuery, queryKey, type EnvQuery } from './env-query.js';
import type { IpcReport } from './report.js';
import type { WirePath } from './messages.js';

/** A served value; `tracked` only ever goes from false to true (ipc.md §4). */
interface Served<T> {
  readonly value: T;
  tracked: boolean;
}

/** A handler result: the served value, or why the request was refused. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export class Recorder {
  private readonly env: ReadonlyMap<string, string>;
  private readonly ignoredInputs = new Set<string>();
  private readonly ignoredOutputs = new Set<string>();
  private cacheDisabled = false;
  private readonly envs = new Map<string, Served<string | undefined>>();
  private readonly queries = new Map<string, Served<ReadonlyMap<string, string>>>();
  private protocolError: string | undefined;
  private readonly requests: string[] = [];

  /** `env` is copied: every answer comes from the env as it was when the item started. */
  constructor(env: Readonly<Record<string, string>>) {
    this.env = new Map(Object.entries(env));
  }

  log(line: string): void {
    this.requests.push(line);
  }

  /** Keeps the first error only: later ones are usually consequences of it. */
  fail(error: string): void {
    this.protocolError ??= error;
  }

  ignoreInput(wirePath: WirePath): Outcome<string> {
    return this.addRoot(this.ignoredInputs, wirePath);
  }

  ignoreOutput(wirePath: WirePath): Outcome<string> {
    return this.addRoot(this.ignoredOutputs, wirePath);
  }

  disableCache(): void {
    this.cacheDisabled = true;
  }

  /** The variable's first-served value; a tracked call makes the record tracked for good. */
  getEnv(name: string, tracked: boolean): string | undefined {
    let served = this.envs.get(name);
    if (served === undefined) {
      served = { value: this.env.get(name), tracked };
      this.envs.set(name, served);
    }
    served.tracked ||= tracked;
    return served.value;
  }

  /** The query's first-served match set, sorted by name. */
  getEnvs(query: EnvQuery, tracked: boolean): Outcome<ReadonlyMap<string, string>> {
    const key = queryKey(query);
    let served = this.queries.get(key);
    if (served === undefined) {
      const compiled = compileQuery(query);
      if (!compiled.ok) return compiled;
      const names = [...this.env.keys()].filter(compiled.matches).sort();
      served = { value: new Map(names.map((name) => [name, this.env.get(name) as string])), tracked };
      this.queries.set(key, served);
    }
    served.tracked ||= tracked;
    return { ok: true, value: served.value };
  }

  report(): IpcReport {
    const tracked = <T>(records: ReadonlyMap<string, Served<T>>): Map<string, T> =>
      new Map([...records].filter(([, served]) => served.tracked).map(([key, served]) => [key, served.value]));
    return Object.freeze({
      ignoredInputs: Object.freeze([...this.ignoredInputs]),
      ignoredOutputs: Object.freeze([...this.ignoredOutputs]),
      cacheDisabled: this.cacheDisabled,
      trackedEnvs: tracked(this.envs),
      trackedEnvQueries: tracked(this.queries),
      protocolError: this.protocolError,
      requests: Object.freeze([...this.requests]),
    });
  }

  /**
   * Paths that are not valid UTF-8 arrive as bytes; they are recorded with replacement characters, which at
   * worst makes the root match nothing, so the cache only ever ignores less than asked.
   */
  private addRoot(roots: Set<string>, wirePath: WirePath): Outcome<string> {
    const text = typeof wirePath === 'string' ? wirePath : Buffer.from(wirePath).toString('utf8');
    if (!path.isAbsolute(text)) return { ok: false, error: `path '${text}' is not absolute` };
    roots.add(text);
    return { ok: true, value: text };
  }
}
