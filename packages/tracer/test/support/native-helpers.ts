import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;

export interface Helpers {
  dir: string;
  /** fsop linked statically: every file syscall stops at the supervisor. */
  fsopStatic: string;
  /** fsop linked dynamically: file calls go through the LD_PRELOAD shim. */
  fsopDynamic: string;
  /** A user LD_PRELOAD library that interposes open(). */
  userPreload: string;
}

/** Compiles the C test helpers into a fresh temp dir (gcc is part of the build toolchain here). */
export function buildHelpers(): Helpers {
  const dir = mkdtempSync(join(tmpdir(), 'vt-tracer-helpers-'));
  const src = join(here, 'fsop.c');
  const fsopStatic = join(dir, 'fsop-static');
  const fsopDynamic = join(dir, 'fsop-dynamic');
  const userPreload = join(dir, 'libuserpreload.so');
  execFileSync('gcc', ['-O1', '-static', '-o', fsopStatic, src]);
  execFileSync('gcc', ['-O1', '-o', fsopDynamic, src]);
  execFileSync('gcc', ['-O1', '-shared', '-fPIC', '-o', userPreload, join(here, 'user-preload.c'), '-ldl']);
  return { dir, fsopStatic, fsopDynamic, userPreload };
}
