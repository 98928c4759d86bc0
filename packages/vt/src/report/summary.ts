import { escapeGlob } from '../config/globs.js';
import { displayCommand, isFailure, leafLabel, type LeafRecord, type NotCached, type RunSummary } from './model.js';

const HEAVY = '━'.repeat(47);
const LIGHT = '─'.repeat(48);
const DOTS = `  ${'·'.repeat(55)}`;
const LAST_DETAILS_HINT = '(Run `vt run --last-details` for full details)';

/** `{n}ms` below a second, else seconds with two decimals and a trailing `.00` dropped (cache.md §10). */
export function formatSaved(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = (ms / 1000).toFixed(2);
  return `${s.endsWith('.00') ? s.slice(0, -3) : s}s`;
}

interface Stats {
  total: number;
  hits: number;
  misses: number;
  disabled: number;
  failed: number;
  savedMs: number;
  pct: number;
  overlaps: LeafRecord[];
}

function stats(leaves: readonly LeafRecord[]): Stats {
  const s: Stats = { total: leaves.length, hits: 0, misses: 0, disabled: 0, failed: 0, savedMs: 0, pct: 0, overlaps: [] };
  for (const leaf of leaves) {
    const r = leaf.result;
    if (r.kind === 'hit') {
      s.hits++;
      s.savedMs += r.savedMs;
    } else if (r.kind === 'builtin') s.disabled++;
    else {
      if (r.cache.kind === 'miss') s.misses++;
      else s.disabled++;
      if (r.outcome.kind === 'success' && r.outcome.notCached?.kind === 'readWriteOverlap') s.overlaps.push(leaf);
    }
    if (isFailure(leaf)) s.failed++;
  }
  s.pct = s.total === 0 ? 0 : Math.floor((100 * s.hits) / s.total);
  return s;
}

/** The compact summary printed after a run without `-v`, or '' (cache.md §10). */
export function compactSummary(leaves: readonly LeafRecord[]): string {
  const s = stats(leaves);
  if (s.total === 0) return '';
  if (s.total === 1) {
    if (s.hits === 1) return `---\nvt run: cache hit${s.savedMs > 0 ? `, ${formatSaved(s.savedMs)} saved` : ''}.\n`;
    if (s.overlaps.length === 1) {
      return `---\nvt run: ${leafLabel(s.overlaps[0]!)} not cached because it modified its inputs. ${LAST_DETAILS_HINT}\n`;
    }
    return '';
  }
  let line = `vt run: ${s.hits}/${s.total} cache hit (${s.pct}%)`;
  if (s.savedMs > 0) line += `, ${formatSaved(s.savedMs)} saved`;
  if (s.failed > 0) line += `, ${s.failed} failed`;
  line += '.';
  if (s.overlaps.length === 1) line += ` ${leafLabel(s.overlaps[0]!)} not cached because it modified its inputs.`;
  else if (s.overlaps.length > 1) {
    line += ` ${leafLabel(s.overlaps[0]!)} (and ${s.overlaps.length - 1} more) not cached because they modified their inputs.`;
  }
  return `---\n${line} ${LAST_DETAILS_HINT}\n`;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function notCachedLines(nc: NotCached): string[] {
  switch (nc.kind) {
    case 'optedOut':
      return ['→ Not cached: the task opted out of caching'];
    case 'ipcInvalidMessage':
      return ['→ Not cached: task communication failed (invalid message from the task)'];
    case 'ipcStartFailed':
      return ['→ Not cached: task communication failed (could not start the task communication server)'];
    case 'traceCapacity':
      return ['→ Not cached: this task used more files than automatic tracking can record. Configure `input` and `output` manually to enable caching.'];
    case 'traceIncomplete':
      return ['→ Not cached: automatic tracking could not follow every process of this task. Configure `input` and `output` manually to enable caching.'];
    case 'traceUnsupported':
      return ['→ Not cached: `input` auto-inference isn\'t supported on this OS. Configure `input` manually to enable caching.'];
    case 'inputChangedDuringRun':
      return [`→ Not cached: '${nc.path}' changed while the task was running`];
    case 'outputsChanged':
      return [`→ Not cached: '${nc.path}' kept changing while the outputs were archived (another process was writing it)`];
    case 'readWriteOverlap':
      return [`→ Not cached: the task read and wrote '${nc.path}'`, ...overlapHint(nc.path, nc.packageRelDir)];
  }
}

/** The exclusion hint under an overlap line; the pattern is package-relative when it can be. */
function overlapHint(wsPath: string, packageRelDir: string): string[] {
  if (wsPath === '') return [];
  const prefix = packageRelDir === '' ? '' : `${packageRelDir}/`;
  const inside = prefix === '' || wsPath.startsWith(prefix);
  const pattern = inside
    ? `"!${escapeGlob(wsPath.slice(prefix.length))}"`
    : `{ pattern: "!${escapeGlob(wsPath)}", base: "workspace" }`;
  return [
    "If this file is temporary or shouldn't affect caching, exclude it (or a glob matching it) in the task's `cache` config:",
    `  input: [{ auto: true }, ${pattern}],`,
    `  output: [{ auto: true }, ${pattern}],`,
  ];
}

function detailLines(leaf: LeafRecord): string[] {
  const r = leaf.result;
  const lines: string[] = [];
  const errors: { message: string; causes: readonly string[] }[] = [];
  if (r.kind === 'hit') lines.push(`→ Cache hit - output replayed - ${formatSaved(r.savedMs)} saved`);
  else if (r.kind === 'builtin') lines.push('→ Cache disabled for built-in command');
  else {
    const nc = r.outcome.kind === 'success' ? r.outcome.notCached : undefined;
    if (nc) lines.push(...notCachedLines(nc));
    else if (r.cache.kind === 'miss') lines.push(`→ Cache miss: ${r.cache.reason}`);
    else lines.push('→ Cache disabled in task configuration');
    if (r.outcome.kind === 'spawnError') errors.push(r.outcome.error);
    else if (r.outcome.infraError) errors.push(r.outcome.infraError);
  }
  // Detail lines are indented under the task line; hint lines one step further.
  const out = lines.map((l) => (l.startsWith('→') ? `      ${l}` : `        ${l}`));
  for (const e of errors) {
    out.push(`      ✗ Error: ${e.message}`);
    for (const c of e.causes) out.push(`        ↳ ${c}`);
  }
  return out;
}

function taskMark(leaf: LeafRecord): string {
  const r = leaf.result;
  if (r.kind !== 'spawned') return ' ✓';
  if (r.outcome.kind === 'success') return ' ✓';
  if (r.outcome.kind === 'failed') return ` ✗ (exit code: ${r.outcome.exitCode})`;
  return '';
}

/** The full summary (`-v` and `--last-details`), verbatim layout of cache.md §10. */
export function fullSummary(summary: Pick<RunSummary, 'tasks'>): string {
  const s = stats(summary.tasks);
  let statistics = `Statistics:   ${plural(s.total, 'task', 'tasks')} • ${plural(s.hits, 'cache hit', 'cache hits')} • ${plural(s.misses, 'cache miss', 'cache misses')}`;
  if (s.disabled > 0) statistics += ` • ${s.disabled} cache disabled`;
  if (s.failed > 0) statistics += ` • ${s.failed} failed`;
  let performance = `Performance:  ${s.pct}% cache hit rate`;
  if (s.savedMs > 0) performance += `, ${formatSaved(s.savedMs)} saved in total`;
  const lines = ['', HEAVY, '    Vite+ Task Runner • Execution Summary', HEAVY, '', statistics, performance, '', 'Task Details:', LIGHT];
  summary.tasks.forEach((leaf, i) => {
    if (i > 0) lines.push(DOTS);
    lines.push(`  [${i + 1}] ${leafLabel(leaf)}: ${displayCommand(leaf.cwd, leaf.command)}${taskMark(leaf)}`);
    lines.push(...detailLines(leaf));
  });
  lines.push(HEAVY);
  return `${lines.join('\n')}\n`;
}
