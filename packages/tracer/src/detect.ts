import { spawnSync } from 'node:child_process';

import { launcherPath, loadAddon } from './native.js';
import type { TraceMode } from './types.js';

export interface TraceSupport {
  mode: TraceMode;
  /** Why tracing is unavailable, or which optional speed-ups are missing. */
  detail: string;
  /** SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (kernel 6.6+): without it every stop costs several times more. */
  syncWakeUp: boolean;
}

let cached: TraceSupport | undefined;

/**
 * Probes (once per process) which mechanism works here. The probe runs in a throwaway child of the launcher
 * binary, because installing a seccomp filter is irreversible and must never touch vt's own process.
 */
export function traceSupport(): TraceSupport {
  if (cached) return cached;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    cached = { mode: 'unsupported', detail: `no tracer for ${process.platform}/${process.arch}`, syncWakeUp: false };
    return cached;
  }
  try {
    loadAddon();
  } catch (e) {
    // Tracing is implemented here; a native part that does not load is a tracer failing to start.
    cached = { mode: 'unavailable', detail: (e as Error).message, syncWakeUp: false };
    return cached;
  }
  const r = spawnSync(launcherPath, ['--probe'], { encoding: 'utf8', timeout: 10_000 });
  const line = (r.stdout ?? '').trim();
  const m = /^unotify sync_wake_up=([01])$/.exec(line);
  if (r.status === 0 && m) {
    const sync = m[1] === '1';
    cached = { mode: 'unotify', detail: sync ? '' : 'kernel lacks SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP', syncWakeUp: sync };
  } else if (r.status === 0 && line.startsWith('ptrace ')) {
    cached = { mode: 'ptrace', detail: `seccomp user notification unavailable: ${line.slice(7)}`, syncWakeUp: false };
  } else if (r.status === 0 && line.startsWith('unsupported ')) {
    cached = { mode: 'unsupported', detail: line.slice('unsupported '.length), syncWakeUp: false };
  } else {
    // The kernel refused both mechanisms (or the probe failed): the tracer exists but cannot start here.
    const why = line.startsWith('unavailable ') ? line.slice('unavailable '.length) : r.error?.message ?? (line || 'probe failed');
    cached = { mode: 'unavailable', detail: why, syncWakeUp: false };
  }
  return cached;
}

export function detectTraceMode(): TraceMode {
  return traceSupport().mode;
}
