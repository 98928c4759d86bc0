import fs from 'node:fs';

/**
 * True when `err` says that `target` does not exist. `ENOENT`, and also `ENOTDIR`: a path with a regular file
 * among its parents (`VITE_CACHE_PATH=/tmp/somefile/sub`, a file at `node_modules/.vite`) cannot exist.
 * `fs.rmSync`'s `force` ignores only ENOENT, so cleaning up below such a parent crashed vt.
 * ENOTDIR counts only for `target` itself: met deeper inside a recursive removal it is a real failure.
 */
export function isAbsentError(err: unknown, target: string): boolean {
  const e = err as NodeJS.ErrnoException;
  return e?.code === 'ENOENT' || (e?.code === 'ENOTDIR' && e.path === target);
}

/** `rm -f` (`rm -rf` with `recursive`): a path that does not exist, for either reason above, is not an error. */
export function removePath(target: string, opts: { readonly recursive?: boolean } = {}): void {
  try {
    fs.rmSync(target, { force: true, recursive: opts.recursive ?? false });
  } catch (err) {
    if (!isAbsentError(err, target)) throw err;
  }
}
