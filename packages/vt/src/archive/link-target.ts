/**
 * Where a symlink would lead (outputs.md §4 rule 3): a restored link whose text is absolute or resolves
 * outside the workspace is skipped, because a later write through it (by vt or by the tool) would escape.
 */
import { readlinkSync, type Stats } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { lstatOrNull } from './lstat-or-null.js';

/** Symlink hops before a chain is treated as a loop (Linux's own limit). */
const MAX_HOPS = 40;

/** True when `path` is `root` or below it; both absolute and free of symlinks. */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Whether a link with text `linkText` placed in the real directory `linkDir` resolves inside `root`.
 *
 * Resolves like the kernel, one component at a time: existing symlinks on the way are followed (so
 * `sub/../../x` through a link `sub` is judged where it really goes, not lexically), and once a component
 * does not exist the rest is applied lexically (the link dangles; where it would point is still judged).
 * Loops count as outside: nothing sensible can be said about them.
 */
export function linkTargetInside(root: string, linkDir: string, linkText: string): boolean {
  if (linkText.startsWith('/')) return false;
  let current = linkDir;
  const pending = linkText.split('/');
  let missing = false;
  let hops = 0;
  while (pending.length > 0) {
    const component = pending.shift() as string;
    if (component === '' || component === '.') continue;
    if (component === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, component);
    const stats: Stats | null = missing ? null : lstatOrNull(next);
    if (stats?.isSymbolicLink() === true) {
      if (++hops > MAX_HOPS) return false;
      const text = readlinkSync(next);
      pending.unshift(...text.split('/'));
      if (text.startsWith('/')) current = '/';
    } else {
      missing ||= stats === null;
      current = next;
    }
  }
  return isInside(root, current);
}
