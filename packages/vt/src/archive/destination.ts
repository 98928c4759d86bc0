/**
 * Where members land in the workspace, enforcing outputs.md §4 rule 2: never write through a symlink that
 * leads outside the workspace or dangles (it is replaced by a real directory), follow links that stay
 * inside, create missing parents, and check that every destination's real parent lies inside the root.
 *
 * Two modes over the same rules: {@link DestinationTree.locate} only looks (pass 1, so a member that cannot
 * be placed without deleting something fails the restore before anything is written), and
 * {@link DestinationTree.ensureDir} acts (pass 2). Pass 2 looks again rather than trusting what pass 1 saw,
 * because the workspace may have changed while the archive was being validated; within each pass, every
 * directory is looked at once. Synchronous for speed, see lstat-or-null.ts.
 */
import { chmodSync, mkdirSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RestoreError, quote } from './errors.js';
import { isInside } from './link-target.js';
import { lstatOrNull } from './lstat-or-null.js';
import type { CheckedEntry } from './manifest.js';
import { baseOf, parentOf } from './member-path.js';

/**
 * What pass 1 expects at a directory path: an existing real directory, or one pass 2 will create empty.
 * `mode` is its permission bits (`& 0o777`), `null` for the root, which is never looked at.
 */
type PlannedDir = { readonly kind: 'existing'; readonly real: string; readonly mode: number | null } | { readonly kind: 'fresh' };

export interface EnsuredDir {
  /** Absolute real path, inside the workspace root. */
  readonly real: string;
  /** True when this call created it (or replaced a symlink with it). */
  readonly created: boolean;
  /**
   * Permission bits (`& 0o777`) as found, `null` when not looked at: the root, or a directory just created
   * (mkdir's mode depends on the umask or a default ACL, so it is not assumed).
   */
  readonly mode: number | null;
}

export class DestinationTree {
  private readonly planned = new Map<string, PlannedDir>();
  private readonly ensured = new Map<string, EnsuredDir>();

  /**
   * @param root real path of the workspace root
   * @param dirMembers paths of directory members: an existing symlink there is replaced, never followed
   */
  constructor(
    private readonly root: string,
    private readonly dirMembers: ReadonlySet<string>,
  ) {}

  /**
   * Pass 1, read-only: the real path `entry` occupies now, or `null` when its place does not exist yet or
   * will be replaced (a missing parent, a foreign or dangling symlink on the way, a symlink where a
   * directory member goes). Throws {@link RestoreError} when a non-directory is in the way of a parent.
   */
  locate(entry: CheckedEntry): string | null {
    if (entry.type === 'dir') {
      const dir = this.plan(entry.path, entry.path);
      return dir.kind === 'existing' ? dir.real : null;
    }
    const parent = this.plan(parentOf(entry.path), entry.path);
    return parent.kind === 'existing' ? join(parent.real, baseOf(entry.path)) : null;
  }

  /** Pass 1: permission bits of the existing real directory at a directory member's path, `null` if none. */
  existingMode(path: string): number | null {
    const dir = this.plan(path, path);
    return dir.kind === 'existing' ? dir.mode : null;
  }

  /**
   * Pass 2: the real directory at workspace-relative `path` (`''` is the root), created if missing, with
   * foreign or dangling symlinks on the way replaced by real directories. Each directory is looked at (and
   * created) once per restore.
   */
  ensureDir(path: string): EnsuredDir {
    if (path === '') return { real: this.root, created: false, mode: null };
    let dir = this.ensured.get(path);
    if (dir === undefined) {
      dir = this.makeDir(path);
      this.ensured.set(path, dir);
    }
    return dir;
  }

  private plan(path: string, member: string): PlannedDir {
    if (path === '') return { kind: 'existing', real: this.root, mode: null };
    let dir = this.planned.get(path);
    if (dir === undefined) {
      dir = this.planDir(path, member);
      this.planned.set(path, dir);
    }
    return dir;
  }

  private planDir(path: string, member: string): PlannedDir {
    const parent = this.plan(parentOf(path), member);
    if (parent.kind === 'fresh') return parent;
    const here = join(parent.real, baseOf(path));
    const stats = lstatOrNull(here);
    if (stats === null) return { kind: 'fresh' };
    if (stats.isDirectory()) return { kind: 'existing', real: here, mode: stats.mode & 0o777 };
    if (!stats.isSymbolicLink()) throw notADirectory(member, path);
    if (this.dirMembers.has(path)) return { kind: 'fresh' };
    const target = this.followInside(here);
    if (target === null) return { kind: 'fresh' };
    const targetStats = statSync(target);
    if (!targetStats.isDirectory()) throw notADirectory(member, path);
    return { kind: 'existing', real: target, mode: targetStats.mode & 0o777 };
  }

  /**
   * One directory of pass 2, its parent already ensured. Every path handed out is real and inside the root
   * by construction, so none is passed to realpath again: the root is a real path; a directory made by
   * mkdir in a real directory, or found by lstat to be a directory (not a symlink), is real; a symlink is
   * only followed to a realpath that was checked to lie inside the root. The final isInside is a guard on
   * that reasoning, not a system call. (A realpath of every directory here used to re-check it: that cost a
   * readlink per path component per directory, and against another process swapping a directory for a
   * symlink it only narrowed a window it could not close, since files are opened later anyway.)
   */
  private makeDir(path: string): EnsuredDir {
    const parent = this.ensureDir(parentOf(path));
    const here = join(parent.real, baseOf(path));
    const result = this.placeDir(path, here, parent.created || this.planned.get(path)?.kind === 'fresh');
    if (!isInside(this.root, result.real)) {
      throw new RestoreError(`cannot restore under ${quote(path)}: it lies outside the workspace`);
    }
    return result;
  }

  /**
   * @param probablyMissing pass 1 found nothing usable here, or the parent was just created: mkdir is tried
   *   first and the path is only looked at when something is there after all (mkdir never follows a
   *   symlink at its last component, so EEXIST is the only outcome that needs a closer look).
   */
  private placeDir(path: string, here: string, probablyMissing: boolean): EnsuredDir {
    if (probablyMissing && createdNow(here)) return { real: here, created: true, mode: null };
    const stats = lstatOrNull(here);
    if (stats === null) return create(here);
    if (stats.isDirectory()) {
      const mode = stats.mode & 0o777;
      // A read-only member directory from an earlier restore must take new files; its stored mode is
      // applied again after all files are written.
      if (this.dirMembers.has(path) && (mode & 0o700) !== 0o700) {
        chmodSync(here, mode | 0o700);
        return { real: here, created: false, mode: mode | 0o700 };
      }
      return { real: here, created: false, mode };
    }
    if (!stats.isSymbolicLink()) throw notADirectory(path, path);
    if (this.dirMembers.has(path)) {
      unlinkSync(here);
      return create(here);
    }
    const target = this.followInside(here);
    if (target === null) {
      unlinkSync(here);
      return create(here);
    }
    const targetStats = statSync(target);
    if (!targetStats.isDirectory()) throw notADirectory(path, path);
    return { real: target, created: false, mode: targetStats.mode & 0o777 };
  }

  /** Real target of the symlink at `path` if it exists and lies inside the root; `null` if foreign or dangling. */
  private followInside(path: string): string | null {
    let target: string;
    try {
      target = realpathSync.native(path);
    } catch {
      return null;
    }
    return isInside(this.root, target) ? target : null;
  }
}

function create(path: string): EnsuredDir {
  mkdirSync(path);
  return { real: path, created: true, mode: null };
}

/** mkdir that reports an existing entry (of any kind) as `false` instead of throwing. */
function createdNow(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function notADirectory(member: string, path: string): RestoreError {
  return new RestoreError(`cannot restore ${quote(member)}: ${quote(path)} in the workspace is not a directory`);
}
