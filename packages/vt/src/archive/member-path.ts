/**
 * The one rule for names inside an archive and its manifest (outputs.md §4 rule 1). Creating and restoring
 * share it so an archive vt writes is always one vt accepts.
 */

/**
 * Why `path` may not be used as a workspace-relative member name, or `null` when it is safe.
 * Safe means: non-empty, relative, `/`-separated with no empty, `.` or `..` components, no NUL, and no
 * `.git` component (compared case-insensitively, because on case-insensitive file systems `.GIT` is the
 * repository directory too).
 */
export function unsafePathReason(path: string): string | null {
  if (path.length === 0) return 'the name is empty';
  if (path.includes('\0')) return 'the name contains a NUL byte';
  if (path.startsWith('/')) return 'the name is absolute';
  for (const component of path.split('/')) {
    if (component === '..') return "the name contains '..'";
    if (component === '' || component === '.') return 'the name is not a normalised relative path';
    if (component.toLowerCase() === '.git') return "the name contains a '.git' component";
  }
  return null;
}

/** Parent of a safe member path, `''` for a top-level member. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** Base name of a safe member path. */
export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Proper ancestors of a safe member path, outermost first (`a/b/c` → `a`, `a/b`). */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/** Orders paths by UTF-16 code units, so a parent always sorts before its children (archive order). */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
