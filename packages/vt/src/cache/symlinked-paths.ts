import fs from 'node:fs';
import path from 'node:path';

/**
 * Traced paths outside the workspace that reach into it through a symlink, mapped to the workspace path they
 * name. The tracer records paths as the task spelled them; vt knows the workspace by its real path. A shell
 * started in a directory the user reached through a symlink keeps that spelling in `$PWD` (`cat "$PWD/a.txt"`
 * reads `/link/ws/a.txt`), and a dotfile in `$HOME` may be a link to a file in the repository. Dropped as
 * outside the workspace, such a read would be no input, and a change to the file a stale hit.
 *
 * Each outside directory is resolved once per run (most traced paths outside are a few system directories),
 * and each outside file is lstat'ed to catch a symlink to a file inside.
 */
export class SymlinkedPaths {
  /** An outside directory → its real path, when that lies in the workspace (or is its root); else null. */
  private readonly dirs = new Map<string, string | null>();

  constructor(private readonly workspaceRoot: string) {}

  /**
   * The real absolute path inside the workspace that `abs` (absolute, clean, outside the workspace and not a
   * kernel path) names, if any.
   */
  resolve(abs: string): string | undefined {
    const parent = path.dirname(abs);
    const realParent = this.inside(parent);
    if (realParent !== null) return realParent === parent ? undefined : path.join(realParent, path.basename(abs));
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(abs, { throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    if (!st?.isSymbolicLink()) return undefined;
    try {
      const real = fs.realpathSync.native(abs);
      return this.isInside(real) ? real : undefined;
    } catch {
      return undefined; // dangling: nothing inside is read through it
    }
  }

  private inside(dir: string): string | null {
    let real = this.dirs.get(dir);
    if (real !== undefined) return real;
    try {
      const resolved = fs.realpathSync.native(dir);
      real = this.isInside(resolved) ? resolved : null;
    } catch {
      real = null;
    }
    this.dirs.set(dir, real);
    return real;
  }

  private isInside(real: string): boolean {
    return real === this.workspaceRoot || real.startsWith(`${this.workspaceRoot}/`);
  }
}
