import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createArchive, restoreArchive } from '../archive/index.js';
import { VtError } from '../errors.js';
import type { SpawnItem } from '../plan/plan.js';
import type { LeafResult, NotCached, Outcome, RunSummary } from '../report/model.js';
import type { CachedItemRun, CachedRunner } from '../run/cached.js';
import { ChunkLog, readChunkLog, validateChunkLog } from '../run/chunk-log.js';
import { cachedEnv } from '../run/env.js';
import { TaskProcess } from '../run/process.js';
import { commandLine, type InlineStatus } from '../run/status.js';
import type { Workspace } from '../workspace/types.js';
import { writeLastSummary } from '../report/last-summary.js';
import { FileHasher, hashGlobbedInputs } from './fingerprint.js';
import {
  buildSpawnFingerprint, canonicalJson, entryKeyId, explainKeyChange, pathReason, taskKeyId,
  type EntryKey, type MissReason, type TaskKey,
} from './key.js';
import { cacheDir, cacheRoot } from './location.js';
import { globOutputs } from './outputs.js';
import { CacheStore, type EntryValue } from './store.js';
import { evictionLimits } from './eviction.js';

export interface CacheSession extends CachedRunner {
  /** Writes `last-summary.json`; failures are reported on stderr but never change the exit code. */
  saveSummary(summary: RunSummary): void;
  /** Eviction and cleanup after the run. */
  close(): Promise<void>;
}

type Lookup =
  | { readonly kind: 'hit'; readonly key: string; readonly value: EntryValue }
  | { readonly kind: 'miss'; readonly reason: MissReason | undefined }
  | { readonly kind: 'error'; readonly message: string };

const NOT_FOUND = 'no previous cache entry found';

/** Compares stored globbed inputs with the current ones in sorted path order (cache.md §6 2a). */
function diffGlobbed(stored: readonly (readonly [string, string])[], current: readonly (readonly [string, string])[]): MissReason | undefined {
  let i = 0;
  let j = 0;
  while (i < stored.length || j < current.length) {
    const s = stored[i];
    const c = current[j];
    if (s && (!c || s[0] < c[0])) return pathReason('removed', s[0]);
    if (c && (!s || c[0] < s[0])) return pathReason('added', c[0]);
    if (s![1] !== c![1]) return pathReason('modified', s![0]);
    i++;
    j++;
  }
  return undefined;
}

/** The cache for one `vt run`: opened lazily on the first cache-enabled item (cache.md §1). */
export function createCacheSession(opts: { ws: Workspace; env: NodeJS.ProcessEnv; color: boolean }): CacheSession {
  const { ws, color } = opts;
  let dir: string | undefined;
  let store: CacheStore | undefined;
  let openError: Error | undefined;
  let hasher: FileHasher | undefined;
  const filesToDelete: string[] = [];

  const resolveDir = (): string => (dir ??= cacheDir(cacheRoot(opts.env, ws.root)));

  function open(): CacheStore {
    if (store) return store;
    if (openError) throw openError;
    try {
      const root = cacheRoot(opts.env, ws.root);
      const d = resolveDir();
      fs.mkdirSync(d, { recursive: true });
      // The legacy single-dir layout left regular files directly in the root; directories (other schema
      // versions, ours included) are left alone.
      for (const e of fs.readdirSync(root, { withFileTypes: true })) {
        if (e.isFile()) fs.rmSync(path.join(root, e.name), { force: true });
      }
      store = CacheStore.open(d);
      hasher = new FileHasher(ws.root, store.memo);
      sweepOrphans(store, d);
      return store;
    } catch (err) {
      openError = err instanceof Error ? err : new Error(String(err));
      throw openError;
    }
  }

  async function lookup(s: CacheStore, key: EntryKey, keyId: string, taskKey: string, globbed: [string, string][]): Promise<Lookup> {
    const entry = s.entry(keyId);
    if (entry) {
      const reason = diffGlobbed(entry.value.globbed, globbed);
      if (reason) return { kind: 'miss', reason };
      return { kind: 'hit', key: keyId, value: entry.value };
    }
    const pointer = s.pointer(taskKey);
    if (pointer === undefined || pointer === keyId) return { kind: 'miss', reason: undefined };
    const previous = s.entry(pointer);
    if (!previous) return { kind: 'miss', reason: undefined };
    return { kind: 'miss', reason: explainKeyChange(JSON.parse(previous.keyJson) as EntryKey, key) };
  }

  async function run(r: CachedItemRun): Promise<LeafResult> {
    const { task, item, writer, display, executor } = r;
    const d = resolveDir();
    const relCwd = path.relative(ws.root, item.cwd).split(path.sep).join('/');
    const { env, declared } = cachedEnv(item, task, ws.root, {});
    const key: EntryKey = {
      spawn: buildSpawnFingerprint({ cwd: relCwd, program: item.programFingerprint, args: item.args, declared, untrackedEnv: task.untrackedEnv }),
      input: task.input,
      output: task.output,
    };
    const keyId = entryKeyId(key);
    const taskKey: TaskKey = { packageDir: task.pkg.relDir, taskName: task.name, index: item.index, taskArgs: item.taskArgs };
    const taskKeyStr = taskKeyId(taskKey);

    // 1. Lookup. Any failure here is reported after the run and never skips work (cache.md §6.4).
    let s: CacheStore | undefined;
    let globbed: [string, string][] = [];
    let found: Lookup;
    try {
      s = open();
      globbed = await hashGlobbedInputs(ws.root, task.input, hasher!, path.relative(ws.root, d));
      found = await lookup(s, key, keyId, taskKeyStr, globbed);
    } catch (err) {
      found = { kind: 'error', message: (err as Error).message };
    }

    // 2. Hit: restore outputs, check the log, then print and replay.
    let restoreFailure: string | undefined;
    if (found.kind === 'hit' && s) {
      const hit = found;
      try {
        validateChunkLog(path.join(d, hit.value.log.file), hit.value.log.bytes);
      } catch (err) {
        found = { kind: 'error', message: `the cached log is unreadable: ${(err as Error).message}` };
      }
      if (found.kind === 'hit' && hit.value.archive) {
        const restored = await restoreArchive({
          workspaceRoot: ws.root, archiveFile: path.join(d, hit.value.archive.file), manifest: hit.value.archive.manifest,
        });
        if (!restored.ok) {
          restoreFailure = restored.message;
          found = { kind: 'miss', reason: { inline: "the cached outputs couldn't be restored", detail: "the cached outputs couldn't be restored" } };
          try {
            filesToDelete.push(...s.remove(hit.key));
          } catch {
            // The entry stays; the next run will try (and fail) again rather than replay garbage.
          }
        } else {
          for (const w of restored.warnings) process.stderr.write(`${w}\n`);
        }
      }
      if (found.kind === 'hit') {
        writer.commandLine(commandLine(display, { kind: 'hit' }, color));
        for (const chunk of readChunkLog(path.join(d, hit.value.log.file))) writer.output(chunk.kind, chunk.data);
        writer.finish([]);
        try {
          s.markUsed(taskKeyStr, hit.key);
        } catch {
          // Only the miss explanation and LRU order depend on this; the hit itself is complete.
        }
        return { kind: 'hit', savedMs: hit.value.durationMs };
      }
    }

    // 3. Miss: run the item with piped stdio, capturing its output.
    const reason = found.kind === 'miss' ? found.reason : undefined;
    const status: InlineStatus = reason ? { kind: 'miss', text: reason.inline } : { kind: 'none' };
    writer.commandLine(commandLine(display, status, color));
    if (restoreFailure !== undefined) process.stderr.write(`✗ Failed to restore outputs: ${restoreFailure}\n`);

    const logName = `logs/${crypto.randomBytes(12).toString('hex')}.log`;
    const logTmp = path.join(d, `${logName}.tmp`);
    let log: ChunkLog | undefined;
    try {
      if (s) log = new ChunkLog(logTmp);
    } catch {
      log = undefined;
    }
    let logError: string | undefined;
    const started = Date.now();
    const proc = new TaskProcess({
      program: item.program,
      args: item.args,
      cwd: item.cwd,
      env,
      stdio: 'piped',
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
    executor.track(proc);
    const outcome = await proc.done;
    const durationMs = Date.now() - started;
    const cancelled = executor.stopped;
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
      result = await storeResult();
    }
    if (found.kind === 'error') {
      errorLines.push(`✗ Cache lookup failed: ${found.message}`);
      const infraError = { message: `Cache lookup failed: ${found.message}`, causes: [] };
      if (result.kind === 'success' || result.kind === 'failed') result = { ...result, infraError };
    }
    if (log && (result.kind !== 'success' || result.notCached || result.infraError)) fs.rmSync(logTmp, { force: true });
    writer.finish(errorLines);
    const missDetail = found.kind === 'miss' && found.reason ? found.reason.detail : NOT_FOUND;
    return { kind: 'spawned', cache: { kind: 'miss', reason: missDetail }, outcome: result };

    async function storeResult(): Promise<Outcome> {
      const needsTrace = task.input.auto || task.output.auto;
      const notCached: NotCached | undefined = needsTrace ? { kind: 'traceUnsupported' } : undefined;
      if (notCached) return { kind: 'success', notCached };
      if (!s || !log) return { kind: 'success', infraError: { message: 'Cache update failed: the cache is unavailable', causes: [] } };
      try {
        if (logError !== undefined) throw new Error(`could not write the log: ${logError}`);
        const fd = fs.openSync(logTmp, 'r');
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fs.renameSync(logTmp, path.join(d, logName));
        const archived = await archiveOutputs(ws.root, d, task.output);
        if (archived.kind === 'racing') {
          fs.rmSync(path.join(d, logName), { force: true });
          return { kind: 'success', notCached: { kind: 'outputsChanged', path: archived.path } };
        }
        const archive = archived.archive;
        const value: EntryValue = {
          globbed, inferred: [], trackedEnvs: [], envQueries: [], durationMs,
          log: { file: logName, bytes: log.bytes },
          archive: archive ? { file: path.relative(d, archive.file).split(path.sep).join('/'), manifest: archive.manifest } : null,
        };
        const size = log.bytes + (archive ? fs.statSync(archive.file).size : 0);
        filesToDelete.push(...s.commit(taskKeyStr, keyId, canonicalJson(key), value, size));
        return { kind: 'success' };
      } catch (err) {
        const message = `Cache update failed: ${(err as Error).message}`;
        errorLines.push(`✗ ${message}`);
        return { kind: 'success', infraError: { message, causes: [] } };
      }
    }
  }

  return {
    run,
    saveSummary(summary) {
      try {
        writeLastSummary(resolveDir(), summary);
      } catch (err) {
        if (err instanceof VtError) return;
        process.stderr.write(`✗ Failed to save the run summary: ${(err as Error).message}\n`);
      }
    },
    async close() {
      if (store) {
        try {
          const { maxBytes, maxAgeMs } = evictionLimits(opts.env);
          filesToDelete.push(...store.evict(maxBytes, maxAgeMs));
        } catch {
          // Eviction is housekeeping: a busy or broken store must not fail the run.
        }
        store.close();
      }
      for (const f of filesToDelete) fs.rmSync(path.join(resolveDir(), f), { force: true });
    },
  };
}

/**
 * Archives the outputs. Another process writing the same outputs at the same moment (two `vt` runs of one
 * workspace) makes the archive inconsistent; we retry, and if the outputs keep changing the run is simply
 * not stored: a racy snapshot must never become a cache entry, and the task itself did succeed.
 */
async function archiveOutputs(
  workspaceRoot: string,
  dir: string,
  io: EntryKeyOutput,
): Promise<{ kind: 'ok'; archive: Awaited<ReturnType<typeof createArchive>> } | { kind: 'racing'; path: string }> {
  let lastPath = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const outputs = await globOutputs(workspaceRoot, io, dir);
    try {
      return { kind: 'ok', archive: await createArchive({ workspaceRoot, outputsDir: path.join(dir, 'outputs'), paths: outputs }) };
    } catch (err) {
      const m = /^output '(.*)' changed while it was being archived$/.exec((err as Error).message);
      if (!m) throw err;
      lastPath = m[1]!;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
  return { kind: 'racing', path: lastPath };
}

type EntryKeyOutput = EntryKey['output'];

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

export type { SpawnItem };
