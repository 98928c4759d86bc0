import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { createArchive, restoreArchive } from '../archive/index.js';
import { hashFileSync } from '../archive/hash.js';
import type { IoConfig } from '../config/globs.js';
import { writeLastSummary } from '../report/last-summary.js';
import type { ErrorInfo, LeafResult, NotCached, Outcome, RunSummary } from '../report/model.js';
import type { CachedItemRun, CachedRunner } from '../run/cached.js';
import { ChunkLog, readChunkLog, validateChunkLog } from '../run/chunk-log.js';
import { cachedEnv } from '../run/env.js';
import { describeExecFailure, TaskProcess } from '../run/process.js';
import { commandLine, type InlineStatus } from '../run/status.js';
import type { Workspace } from '../workspace/types.js';
import type { Terminal } from '../run/writers.js';
import { collectOutputs } from './collect.js';
import { evictionLimits } from './eviction.js';
import { DeferredInputs } from './deferred-inputs.js';
import { ctimeAfter, stampFiles } from './file-stamps.js';
import { encodeInputs, FileHasher, hashGlobbedInputs, type EncodedInputs } from './fingerprint.js';
import { buildSpawnFingerprint, canonicalJson, entryKeyId, taskKeyId, type EntryKey } from './key.js';
import { cacheDir, cacheRoot } from './location.js';
import { lookupEntry, type Lookup } from './lookup.js';
import { startIpc, startTrace, type IpcReport, type TraceOutcome } from './observe.js';
import { batchFingerprints, encodeInferred, type PathFingerprint } from './path-fingerprint.js';
import { RunWindow } from './run-window.js';
import { CacheStore, type EntryValue } from './store.js';
import { classifyTrace, underAny, type TraceClassification } from './trace-set.js';
import { storeTrackedEnvs, variantOf } from './tracked-env.js';
import { makeDirs } from '../make-dirs.js';
import { removePath } from '../remove-path.js';
import { mark } from '../cli/timings.js';

export interface CacheSession extends CachedRunner {
  /** Writes `last-summary.json`; a failure is reported on stderr and never changes the exit code. */
  saveSummary(summary: RunSummary): void;
  /** Eviction and cleanup after the run. */
  close(): Promise<void>;
}

const NOT_FOUND = 'no previous cache entry found';
/** Deferred inputs hashed before the task starts: a task with a handful behaves as if nothing were deferred. */
const INPUTS_BEFORE_START = 64;
/** Deferred inputs hashed per turn of the event loop while the task runs (~2-3 ms natively, one thread). */
const HASH_SLICE = 256;
/** Learned hashes written while the task still runs, once hashing is done (see CacheStore.tryFlushMemo). */
const MEMO_FLUSH_DURING_RUN = 1024;
const RESTORE_FAILED = "the cached outputs couldn't be restored";

/** Testing knobs of tracing.md §5, read from vt's own environment (never passed to tasks). */
function traceKnobs(env: NodeJS.ProcessEnv): { simulate: 'unsupported' | 'fail' | undefined; limit: number | undefined } {
  const sim = env.VT_INTERNAL_TRACER;
  const limit = Number(env.VT_INTERNAL_TRACE_LIMIT);
  return {
    simulate: sim === 'unsupported' || sim === 'fail' ? sim : undefined,
    limit: Number.isSafeInteger(limit) && limit > 0 ? limit : undefined,
  };
}

const relPosix = (root: string, abs: string): string => path.relative(root, abs).split(path.sep).join('/');

/** The cache for one `vt run`, opened lazily on the first cache-enabled item (cache.md §1). */
export function createCacheSession(opts: { ws: Workspace; env: NodeJS.ProcessEnv; color: boolean; terminal: Terminal }): CacheSession {
  const { ws, color, terminal } = opts;
  let dir: string | undefined;
  let store: CacheStore | undefined;
  let openError: Error | undefined;
  let warnedUnavailable = false;
  let hasher = new FileHasher(ws.root, undefined);
  const filesToDelete: string[] = [];
  /** Hits are recorded in one transaction when the run ends, not one write per hit. */
  const hitsToRecord: { taskKey: string; key: string; variant: string }[] = [];
  const knobs = traceKnobs(opts.env);
  let storedAny = false;

  const resolveDir = (): string => (dir ??= cacheDir(cacheRoot(opts.env, ws.root)));

  function open(): CacheStore {
    if (store) return store;
    if (openError) throw openError;
    try {
      const root = cacheRoot(opts.env, ws.root);
      const d = resolveDir();
      makeDirs(d);
      // The legacy single-dir layout left regular files directly in the root; directories (other schema
      // versions) are left alone.
      for (const e of fs.readdirSync(root, { withFileTypes: true })) {
        if (e.isFile()) fs.rmSync(path.join(root, e.name), { force: true });
      }
      store = CacheStore.open(d);
      hasher = new FileHasher(ws.root, store.memo);
      return store;
    } catch (err) {
      openError = err instanceof Error ? err : new Error(String(err));
      throw openError;
    }
  }

  async function run(r: CachedItemRun): Promise<LeafResult> {
    const { task, item, writer, display } = r;
    const d = resolveDir();
    const cacheDirRel = relPosix(ws.root, d);
    const queryEnv = { ...item.contextEnv, ...item.prefixEnv };
    const base = cachedEnv(item, task, ws.root);
    const key: EntryKey = {
      spawn: buildSpawnFingerprint({
        cwd: relPosix(ws.root, item.cwd), program: item.programFingerprint, args: item.args,
        declared: base.declared, untrackedEnv: task.untrackedEnv,
      }),
      input: task.input,
      output: task.output,
    };
    const keyId = entryKeyId(key);
    const taskKey = taskKeyId({ packageDir: task.pkg.relDir, taskName: task.name, index: item.index, taskArgs: item.taskArgs });

    // 1. Lookup. A failure here never skips work; it is reported after the run (cache.md §6.4). A cache
    // that cannot be opened at all (written by a newer vt, not a database) is never fatal: the run goes on
    // without it, said once.
    let s: CacheStore | undefined;
    /** Globbed inputs hashed before the run: only when an entry had to be compared with them. */
    let globbed: [string, string][] | undefined;
    let found: Lookup;
    try {
      s = open();
    } catch (err) {
      if (!warnedUnavailable) {
        warnedUnavailable = true;
        terminal.stderr(`✗ The cache at ${d} cannot be used (${(err as Error).message}); running without it. \`vt cache clean\` resets it.\n`);
      }
    }
    try {
      if (s) {
        const current = (): EncodedInputs => encodeInputs((globbed ??= hashGlobbedInputs(ws.root, task.input, hasher, cacheDirRel)));
        found = await lookupEntry({ store: s, key, keyId, taskKey, globbed: current, workspaceRoot: ws.root, hasher, env: queryEnv });
      } else found = { kind: 'miss', reason: undefined };
    } catch (err) {
      found = { kind: 'error', message: (err as Error).message };
    }

    mark(`${task.pkg.name}#${task.name} looked up`);
    // 2. Hit: the log must be replayable and the outputs restorable before the hit is announced.
    let restoreFailure: string | undefined;
    let restoreWarnings: readonly string[] = [];
    if (found.kind === 'hit' && s) {
      const hit = found;
      try {
        validateChunkLog(path.join(d, hit.value.log.file), hit.value.log);
      } catch (err) {
        found = { kind: 'error', message: `the cached log is unreadable: ${(err as Error).message}` };
      }
      if (found.kind === 'hit' && hit.value.archive) {
        const restored = await restoreArchive({
          workspaceRoot: ws.root, archiveFile: path.join(d, hit.value.archive.file), manifest: hit.value.archive.manifest,
          // Outputs still in place are recognised through the stat memo, not re-read on every hit.
          hashFile: (abs) => hasher.hash(relPosix(ws.root, abs)) ?? hashFileSync(abs, { noFollow: true }),
        });
        if (!restored.ok) {
          restoreFailure = restored.message;
          found = { kind: 'miss', reason: { inline: RESTORE_FAILED, detail: RESTORE_FAILED } };
          try {
            filesToDelete.push(...s.remove(hit.key, hit.variant));
          } catch {
            // The row stays; the next run fails the same restore and re-runs again — never a wrong hit.
          }
        } else {
          restoreWarnings = restored.warnings;
        }
      }
      if (found.kind === 'hit') {
        writer.commandLine(commandLine(display, { kind: 'hit' }, color));
        for (const w of restoreWarnings) terminal.stderr(`${w}\n`);
        for (const chunk of readChunkLog(path.join(d, hit.value.log.file))) writer.output(chunk.kind, chunk.data);
        writer.finish([]);
        hitsToRecord.push({ taskKey, key: hit.key, variant: hit.variant });
        return { kind: 'hit', savedMs: hit.value.durationMs };
      }
    }

    // 3. Miss: run with piped stdio under the tracer and an IPC server, capturing the output.
    const reason = found.kind === 'miss' ? found.reason : undefined;
    const status: InlineStatus = reason ? { kind: 'miss', text: reason.inline } : { kind: 'none' };
    writer.commandLine(commandLine(display, status, color));
    if (restoreFailure !== undefined) terminal.stderr(`✗ Failed to restore outputs: ${restoreFailure}\n`);

    const ipc = await startIpc(queryEnv);
    mark(`${task.pkg.name}#${task.name} ipc started`);
    const markers = ipc.kind === 'started' ? ipc.server.env : {};
    // The filtered env was already built for the key; only vt's own markers are added (env.md §6).
    const env = { ...base.env, ...markers };
    const needsTrace = task.input.auto || task.output.auto;
    const trace = needsTrace
      ? await startTrace({ program: item.program, args: item.args, env, cwd: item.cwd, limit: knobs.limit, simulate: knobs.simulate })
      : undefined;

    // Nothing stored needed the inputs' hashes (or the lookup failed before hashing them): take them while
    // the task runs (deferred-inputs.ts), so that what is stored always lists the real inputs.
    const deferred = s && globbed === undefined ? DeferredInputs.start(ws.root, task.input, hasher, cacheDirRel) : undefined;
    let hashing = deferred?.step(INPUTS_BEFORE_START, true) === true;
    mark(`${task.pkg.name}#${task.name} inputs listed`);
    const logName = `logs/${crypto.randomBytes(12).toString('hex')}.log`;
    const logTmp = path.join(d, `${logName}.tmp`);
    let log: ChunkLog | undefined;
    let logError: string | undefined;
    try {
      if (s) log = new ChunkLog(logTmp);
    } catch (err) {
      logError = (err as Error).message;
    }
    const started = Date.now();
    const runWindow = RunWindow.open();
    const proc = new TaskProcess({
      program: trace?.file ?? item.program,
      args: trace?.args ?? item.args,
      cwd: item.cwd,
      env: trace?.env ?? env,
      stdio: 'piped',
      describedAs: item.program,
      onOutput: (kind, data) => {
        writer.output(kind, data);
        if (log && logError === undefined) {
          try {
            log.append(kind, data);
          } catch (err) {
            logError = (err as Error).message;
          }
        }
      },
    });
    r.track(proc);
    // Hashing in slices keeps the task's output flowing.
    const hashSome = (): void => {
      if (!hashing) return;
      if (deferred!.step(HASH_SLICE)) setImmediate(hashSome);
      else if (s!.memo.pendingCount >= MEMO_FLUSH_DURING_RUN) {
        try {
          s!.tryFlushMemo();
        } catch {
          // Written again at the end of the run; the memo only ever saves time.
        }
      }
    };
    if (hashing) setImmediate(hashSome);
    let outcome = await proc.done;
    mark(`${task.pkg.name}#${task.name} exited`);
    hashing = false;
    const durationMs = Date.now() - started;
    const cancelled = r.stopped();
    let traced: TraceOutcome | undefined;
    try {
      traced = outcome.kind === 'spawnError' ? undefined : await trace?.finish();
    } finally {
      trace?.dispose();
    }
    /**
     * When the task's process tree ended: descendants may still write outputs during the tracer's grace
     * period after the root exits (tracing.md §2). A write after this is another process's.
     */
    const treeEndedMs = Date.now();
    runWindow.close();
    // The launcher could not exec the program: the task never ran, and its exit status is the launcher's own.
    if (traced?.execFailure) outcome = { kind: 'spawnError', message: describeExecFailure(traced.execFailure, { program: item.program, cwd: item.cwd }) };
    const report = ipc.kind === 'started' ? await ipc.server.stop() : undefined;
    if (report && opts.env.VT_LOG_IPC) {
      for (const line of report.requests) terminal.stderr(`[ipc] ${task.pkg.name}#${task.name}: ${line}\n`);
    }
    try {
      log?.close();
    } catch (err) {
      logError ??= (err as Error).message;
    }

    const errorLines: string[] = [];
    let result: Outcome;
    if (outcome.kind === 'spawnError') {
      result = { kind: 'spawnError', error: { message: `Failed to spawn process: ${outcome.message}`, causes: [] } };
      errorLines.push(`✗ Failed to spawn process: ${outcome.message}`);
    } else if (outcome.code !== 0) {
      result = { kind: 'failed', exitCode: outcome.code };
    } else if (cancelled) {
      result = { kind: 'success' };
    } else {
      const notCached = decideNotCached(ipc.kind === 'started' ? report : undefined, ipc.kind === 'failed', traced, needsTrace);
      if (notCached.kind === 'not-cached') result = { kind: 'success', notCached: notCached.why };
      else if (!s) result = { kind: 'success' };
      else if (!log) result = { kind: 'success', infraError: infra(`Cache update failed: ${logError ?? 'the log could not be created'}`) };
      else {
        try {
          result = await store(s, log, notCached.classification);
        } catch (err) {
          const message = `Cache update failed: ${(err as Error).message}`;
          errorLines.push(`✗ ${message}`);
          result = { kind: 'success', infraError: infra(message) };
        }
      }
    }
    if (found.kind === 'error') {
      errorLines.push(`✗ Cache lookup failed: ${found.message}`);
      if (result.kind !== 'spawnError') result = { ...result, infraError: infra(`Cache lookup failed: ${found.message}`) };
    }
    removePath(logTmp);
    writer.finish(errorLines);
    const detail = found.kind === 'miss' && found.reason ? found.reason.detail : NOT_FOUND;
    return { kind: 'spawned', cache: s ? { kind: 'miss', reason: detail } : { kind: 'disabled' }, outcome: result };

    /** IPC ignore roots, workspace-relative; roots outside the workspace are dropped (ipc.md §5). */
    function ignoreRoots(abs: readonly string[] | undefined): string[] {
      return (abs ?? []).map((a) => relPosix(ws.root, a)).filter((r) => !r.startsWith('..') && !path.isAbsolute(r));
    }

    /** cache.md §7 rows 3–9, in order; otherwise the classified trace to store. */
    function decideNotCached(
      rep: IpcReport | undefined,
      ipcFailed: boolean,
      tr: TraceOutcome | undefined,
      traceNeeded: boolean,
    ): { kind: 'not-cached'; why: NotCached } | { kind: 'store'; classification: TraceClassification | undefined } {
      if (rep?.cacheDisabled) return { kind: 'not-cached', why: { kind: 'optedOut' } };
      if (rep?.protocolError !== undefined) return { kind: 'not-cached', why: { kind: 'ipcInvalidMessage' } };
      if (ipcFailed) return { kind: 'not-cached', why: { kind: 'ipcStartFailed' } };
      let classification: TraceClassification | undefined;
      if (traceNeeded && tr) {
        classification = classifyTrace({
          accesses: tr.accesses, workspaceRoot: ws.root, cacheDirRel, input: task.input, output: task.output,
          ignoredInputs: ignoreRoots(rep?.ignoredInputs), ignoredOutputs: ignoreRoots(rep?.ignoredOutputs),
          globbed: new Set(deferred ? deferred.paths() : (globbed ?? []).map(([p]) => p)),
        });
        if (classification.overlap !== undefined) {
          return { kind: 'not-cached', why: { kind: 'readWriteOverlap', path: classification.overlap, packageRelDir: task.pkg.relDir } };
        }
        if (!tr.complete) {
          const why: NotCached =
            tr.reason === 'capacity' ? { kind: 'traceCapacity' } : tr.reason === 'untraceable' ? { kind: 'traceIncomplete' } : { kind: 'traceUnsupported' };
          return { kind: 'not-cached', why };
        }
      }
      return { kind: 'store', classification };
    }

    /** Writes log and archive, fsynced, then commits the row (cache.md §7, last paragraph). */
    async function store(st: CacheStore, chunkLog: ChunkLog, classification: TraceClassification | undefined): Promise<Outcome> {
      if (logError !== undefined) throw new Error(`could not write the log: ${logError}`);
      if (!deferred && !globbed) throw new Error('the inputs were neither hashed nor deferred'); // unreachable: one of them is set whenever a store is open
      const inputs = deferred ? deferred.finish() : ({ kind: 'ok', inputs: globbed! } as const);
      mark(`${task.pkg.name}#${task.name} inputs hashed`);
      if (inputs.kind === 'changed') return { kind: 'success', notCached: { kind: 'inputChangedDuringRun', path: inputs.path } };
      const reads = [...(classification?.inputs ?? [])];
      const fingerprints = batchFingerprints(ws.root, reads.map(([rel]) => rel), hasher);
      const inferred = fingerprints.all(reads.map(([, how]) => how)).map((fp, i): [string, PathFingerprint] => [reads[i]![0], fp]);
      // Inferred inputs are fingerprinted after the run: one changed while the task ran (an editor save, a
      // concurrent task) may not be what the task read, and storing it would make a stale hit possible.
      const wroteInto = classification?.wroteInto ?? new Set<string>();
      const changed = inferred.findIndex(([, fp], i) => fingerprints.changedDuring(i, fp, runWindow, wroteInto));
      if (changed >= 0) return { kind: 'success', notCached: { kind: 'inputChangedDuringRun', path: inferred[changed]![0] } };
      const ignoredOutputs = ignoreRoots(report?.ignoredOutputs);
      const outputNegative = compileNegatives(task.output);
      const archived = await archiveOutputs(ws.root, d, async () =>
        collectOutputs({
          workspaceRoot: ws.root, cacheDir: d, output: task.output,
          writes: classification?.writes ?? [], writtenDirs: classification?.writtenDirs ?? [],
          isExcluded: (rel) => rel === cacheDirRel || rel.startsWith(`${cacheDirRel}/`) || outputNegative(rel),
          isIgnoredWrite: (rel) => underAny(rel, ignoredOutputs),
        }),
      );
      mark(`${task.pkg.name}#${task.name} archived`);
      if (archived.kind === 'racing') return { kind: 'success', notCached: { kind: 'outputsChanged', path: archived.path } };
      // An output touched after the task's tree ended was written by someone else (another vt run of the same task):
      // the archive may hold their half-written file, so it must not become an entry.
      const archivedFiles = archived.archive?.manifest.filter((m) => m.type === 'file').map((m) => m.path) ?? [];
      const foreign = firstChangedSince(ws.root, archivedFiles, treeEndedMs);
      if (foreign !== undefined) {
        removePath(archived.archive!.file);
        return { kind: 'success', notCached: { kind: 'outputsChanged', path: foreign } };
      }
      const fd = fs.openSync(logTmp, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(logTmp, path.join(d, logName));
      const tracked = report ? storeTrackedEnvs(report, task) : { envs: [], queries: [] };
      const archive = archived.archive;
      const value: EntryValue = {
        globbed: encodeInputs(inputs.inputs), inferred: encodeInferred(inferred), trackedEnvs: tracked.envs, envQueries: tracked.queries, durationMs,
        log: { file: logName, bytes: chunkLog.bytes, crc32: chunkLog.crc32 },
        archive: archive ? { file: relPosix(d, archive.file), manifest: archive.manifest } : null,
      };
      const size = chunkLog.bytes + (archive ? fs.statSync(archive.file).size : 0);
      try {
        const variant = variantOf(tracked.envs, tracked.queries);
        filesToDelete.push(...st.commit(taskKey, keyId, variant, canonicalJson(key), value, size));
        storedAny = true;
        mark(`${task.pkg.name}#${task.name} stored`);
      } catch (err) {
        removePath(path.join(d, logName));
        if (archive) removePath(archive.file);
        throw err;
      }
      return { kind: 'success' };
    }
  }

  return {
    run,
    saveSummary(summary) {
      try {
        writeLastSummary(resolveDir(), summary);
      } catch (err) {
        // A cache already reported unusable fails here for the same reason: it has been said once.
        if (warnedUnavailable) return;
        terminal.stderr(`✗ Failed to save the run summary: ${(err as Error).message}\n`);
      }
    },
    async close() {
      if (store) {
        try {
          store.flushMemo();
          mark('memo flushed');
        } catch {
          // The memo only saves re-reading files; losing it costs time, never correctness.
        }
        try {
          store.markUsed(hitsToRecord);
        } catch {
          // Only miss explanations and LRU order depend on this; the hits themselves are complete.
        }
        if (housekeepingDue(resolveDir(), storedAny)) {
          try {
            const { maxBytes, maxAgeMs } = evictionLimits(opts.env);
            filesToDelete.push(...store.evict(maxBytes, maxAgeMs));
            sweepOrphans(store, resolveDir());
          } catch {
            // Eviction is housekeeping: a busy or broken store must not fail the run.
          }
        }
        store.close();
      }
      for (const f of filesToDelete) removePath(path.join(resolveDir(), f));
    },
  };
}

const infra = (message: string): ErrorInfo => ({ message, causes: [] });

/**
 * The first of `rels` (archived output files) whose status changed after `sinceMs` (its ctime), or that is
 * gone; stamped in one batch. Manifest paths are plain workspace-relative paths (createArchive refuses `..`
 * and absolute ones), so the batch resolves them as the workspace does.
 */
function firstChangedSince(root: string, rels: readonly string[], sinceMs: number): string | undefined {
  const since = BigInt(sinceMs) * 1_000_000n;
  const { stamps } = stampFiles(root, rels);
  return rels.find((_, i) => stamps[i] === undefined || ctimeAfter(stamps[i]!, since));
}

function compileNegatives(io: IoConfig): (rel: string) => boolean {
  if (io.negative.length === 0) return () => false;
  const m = picomatch(io.negative as string[], { dot: true });
  return (rel) => m(rel);
}

/**
 * Archives the outputs. Another process rewriting the same outputs at the same moment (two `vt` runs of one
 * workspace) makes the snapshot inconsistent: retry, and if they keep changing, do not store — a racy
 * snapshot must never become an entry, and the task itself did succeed.
 */
async function archiveOutputs(
  workspaceRoot: string,
  dir: string,
  collect: () => Promise<string[]>,
): Promise<{ kind: 'ok'; archive: Awaited<ReturnType<typeof createArchive>> } | { kind: 'racing'; path: string }> {
  let lastPath = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const paths = await collect();
    try {
      return { kind: 'ok', archive: await createArchive({ workspaceRoot, outputsDir: path.join(dir, 'outputs'), paths }) };
    } catch (err) {
      const m = /^output '(.*)' changed while it was being archived$/.exec((err as Error).message);
      if (!m) throw err;
      lastPath = m[1]!;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
  return { kind: 'racing', path: lastPath };
}

/** Marks the last eviction and orphan sweep; its mtime is all that matters. */
const HOUSEKEEPING_MARKER = 'housekeeping';
const HOUSEKEEPING_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Eviction and the orphan sweep read every row and list the cache dir, so they run after a run that stored
 * entries (the only way the cache grows) and otherwise at most once an hour (for age-based eviction), not
 * on every warm run. Claims the turn by touching the marker.
 */
function housekeepingDue(dir: string, storedAny: boolean): boolean {
  const marker = path.join(dir, HOUSEKEEPING_MARKER);
  const last = fs.statSync(marker, { throwIfNoEntry: false })?.mtimeMs;
  if (!storedAny && last !== undefined && Date.now() - last < HOUSEKEEPING_INTERVAL_MS) return false;
  try {
    fs.writeFileSync(marker, '');
  } catch {
    // Still due; the next run tries to mark it again.
  }
  return true;
}

/** Entry files that no row references and that are old enough not to belong to a concurrent writer. */
function sweepOrphans(store: CacheStore, dir: string): void {
  const referenced = store.referencedFiles();
  const cutoff = Date.now() - 60 * 60 * 1000;
  for (const sub of ['logs', 'outputs']) {
    for (const name of fs.readdirSync(path.join(dir, sub))) {
      const rel = `${sub}/${name}`;
      if (referenced.has(rel)) continue;
      const abs = path.join(dir, rel);
      try {
        if (fs.statSync(abs).mtimeMs < cutoff) fs.rmSync(abs, { force: true });
      } catch {
        // Raced with another process: fine.
      }
    }
  }
}
