import { constants } from 'node:os';

import type { RingSummary } from './native.js';
import { loadAddon } from './native.js';
import type { ExecError, IncompleteReason, PathAccess, TraceMode, TraceResult, TraceStats } from './types.js';

function modeName(mechanism: number): TraceMode {
  const c = loadAddon().constants;
  if (mechanism === c.MECH_UNOTIFY) return 'unotify';
  if (mechanism === c.MECH_PTRACE) return 'ptrace';
  return 'unavailable'; /* the launcher could not start either mechanism */
}

function accessesOf(s: RingSummary): Map<string, PathAccess> {
  const c = loadAddon().constants;
  const out = new Map<string, PathAccess>();
  const paths = s.paths.length === 0 ? [] : s.paths.slice(0, -1).split('\0');
  for (let i = 0; i < paths.length; i++) {
    const m = s.modes[i] ?? 0;
    out.set(paths[i]!, {
      read: (m & c.READ) !== 0,
      stat: (m & c.STAT) !== 0,
      readDir: (m & c.READ_DIR) !== 0,
      write: (m & c.WRITE) !== 0,
      writeDir: (m & c.WRITE_DIR) !== 0,
      readBeforeWrite: s.readBeforeWrite[i] === 1,
    });
  }
  return out;
}

/**
 * Turns the ring's summary into a result. `treeExited` is false when descendants were still alive after the grace
 * period: their later accesses can't be part of this trace, so it is incomplete.
 */
export function toResult(s: RingSummary, treeExited: boolean, limit: number | undefined): TraceResult {
  const c = loadAddon().constants;
  const stats: TraceStats = {
    mode: modeName(s.mechanism),
    notifications: s.notifications,
    shimEvents: s.shimEvents,
    supervisorCpuMs: s.supervisorCpuMs,
    records: s.records,
    syncWakeUp: s.syncWakeUp,
    droppedNonUtf8: s.droppedNonUtf8,
  };
  const accesses = accessesOf(s);
  let reason: IncompleteReason | undefined;
  let detail = '';
  if (s.status & c.STATUS_UNTRACEABLE) {
    reason = 'untraceable';
    detail = s.reason || 'a process could not be traced';
  } else if (!treeExited) {
    reason = 'untraceable';
    detail = 'processes of the task were still running after the grace period';
  } else if (!(s.status & c.STATUS_DONE)) {
    reason = 'untraceable';
    detail = 'the tracer did not see the whole process tree exit';
  } else if (s.torn) {
    reason = 'untraceable';
    detail = 'a process died while recording an access';
  } else if (s.status & c.STATUS_OVERFLOW) {
    reason = 'capacity';
    detail = s.reason || 'trace buffer full';
  } else if (s.truncated) {
    reason = 'capacity';
    detail = `more than ${limit} distinct paths`;
  }
  const execError = execErrorOf(s.execErrno);
  const extra = execError ? { execError } : {};
  return reason ? { complete: false, reason, detail, accesses, stats, ...extra } : { complete: true, accesses, stats, ...extra };
}

/** errno → its name (`ENOEXEC`...), as a Node spawn error's `code` spells it; libuv's own names miss some. */
function execErrorOf(errno: number): ExecError | undefined {
  if (errno <= 0) return undefined;
  const name = Object.entries(constants.errno).find(([, n]) => n === errno)?.[0];
  return { code: name ?? `errno ${errno}`, errno };
}
