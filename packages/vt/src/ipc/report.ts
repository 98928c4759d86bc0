/** What the tools of one item execution told vt (ipc.md §4), consumed by the cache decision (ipc.md §5). */
export interface IpcReport {
  /** Absolute paths whose reads are not inputs, in arrival order, without duplicates. */
  readonly ignoredInputs: readonly string[];
  /** Absolute paths whose writes are not outputs, in arrival order, without duplicates. */
  readonly ignoredOutputs: readonly string[];
  /** A tool called `disableCache()`: the run must not be stored. */
  readonly cacheDisabled: boolean;
  /** Tracked `getEnv` results: name → value served (`undefined` = absent). */
  readonly trackedEnvs: ReadonlyMap<string, string | undefined>;
  /** Tracked `getEnvs` results: canonical query (`glob:PROBE_*`, `prefix:VITE_`) → name → value served. */
  readonly trackedEnvQueries: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The first protocol error (malformed frame or message); the run must not be stored. */
  readonly protocolError: string | undefined;
  /** One line per request, in arrival order, for a verbose log. Never contains env values. */
  readonly requests: readonly string[];
}
