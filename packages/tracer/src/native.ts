import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Shape of the compiled addon (native/addon/addon.cc). */
export interface RingSummary {
  status: number;
  mechanism: number;
  syncWakeUp: boolean;
  notifications: number;
  shimEvents: number;
  supervisorCpuMs: number;
  records: number;
  droppedNonUtf8: number;
  torn: boolean;
  truncated: boolean;
  reason: string;
  /** errno of the launcher's failed exec of the task's program; 0 when it did exec. */
  execErrno: number;
  /** All paths, each followed by a NUL (one string crosses the N-API boundary faster than thousands). */
  paths: string;
  modes: Uint8Array;
  readBeforeWrite: Uint8Array;
}

interface Addon {
  createRing(path: string, capacity: number): void;
  readRing(path: string, limit: number): RingSummary;
  constants: {
    READ: number;
    STAT: number;
    READ_DIR: number;
    WRITE: number;
    WRITE_DIR: number;
    STATUS_OVERFLOW: number;
    STATUS_UNTRACEABLE: number;
    STATUS_STARTED: number;
    STATUS_DONE: number;
    MECH_UNOTIFY: number;
    MECH_PTRACE: number;
    DEFAULT_CAPACITY: number;
  };
}

/** The native artifacts node-gyp builds; same location whether this runs from src/ (tests) or dist/. */
const buildDir = fileURLToPath(new URL('../build/Release/', import.meta.url));

export const launcherPath = `${buildDir}vt-trace-launcher`;
export const shimPath = `${buildDir}vt_trace_shim.so`;
const addonPath = `${buildDir}vt_tracer.node`;

let addon: Addon | undefined;

/** Loads the addon, with an actionable error when the package was never built. */
export function loadAddon(): Addon {
  if (addon) return addon;
  if (!existsSync(addonPath) || !existsSync(launcherPath)) {
    throw new Error(
      `@vt/tracer is not built (missing ${addonPath}); run \`pnpm --filter @vt/tracer build\` (node-gyp + tsc)`,
    );
  }
  addon = createRequire(import.meta.url)(addonPath) as Addon;
  return addon;
}
