import fs from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one level at a time. Not `fs.mkdirSync(dir, { recursive: true })`: where mkdir fails with
 * ENOENT under a parent that exists (procfs and other special file systems), Node's recursive mkdir retries
 * forever, so `VITE_CACHE_PATH=/proc/x` hung vt instead of reporting the error. Throws anything but EEXIST.
 */
export function makeDirs(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d, mode === undefined ? undefined : { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
