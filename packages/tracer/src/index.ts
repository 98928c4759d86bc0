/**
 * @vt/tracer: records every path a task's whole process tree touches (tracing.md). Linux x86_64: a seccomp
 * user-notification supervisor sees every file syscall, including static binaries and raw syscalls, and an
 * LD_PRELOAD shim records glibc-level calls without stopping the task.
 */
export { beginTrace } from './session.js';
export { detectTraceMode, traceSupport } from './detect.js';
export type { TraceSupport } from './detect.js';
export type {
  BeginTraceOptions,
  ExecError,
  IncompleteReason,
  PathAccess,
  TraceMode,
  TraceResult,
  TraceSession,
  TraceStats,
} from './types.js';
