/**
 * Where members land in the workspace, enforcing outputs.md §4 rule 2: never write through a symlink that
 * leads outside the workspace or dangles (it is replaced by a real directory), follow links that stay
 * inside, create missing parents, and check that every destination's real parent lies inside the root.
 *
 * Two modes over the same rules: {@link DestinationTree.check} only looks (pass 1, so a member that cannot
 * be placed without deleting something fails the restore before anything is written), and
 * {@link DestinationTree.ensureDir} acts (pass 2). Synchronous for speed, see lstat-or-null.ts.
 */
import { chmodSync, mkdirSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RestoreError, quote } from './errors.js';
import { isInside } from './link-target.js';
import { lstatOrNull } from './lstat-or-null.js';
import type { CheckedEntry } from './manifest.js';
import { baseOf, parentOf } from './member-path.js';

/** What pass 1 expects at a directory path: an existing real directory, or one pass 2 will create empty. */
type PlannedDir = { readonly kind: 'existing'; readonly real: string } | { readonly kind: 'fresh' };

export interface EnsuredDir {
  /** Absolute real path, inside the workspace root. */
  readonly real: string;
  /** True when this call created it (or replaced a symlink with it). */
  readonly created: boolean;
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

  /** Pass 1: throws {@link RestoreError} when `entry` could not be placed without deleting something. */
  check(entry: CheckedEntry): void {
    if (entry.type === 'dir') {
      this.plan(entry.path, entry.path);
      return;
    }
    const parent = this.plan(parentOf(entry.path), entry.path);
    if (parent.kind === 'fresh') return;
    if (lstatOrNull(join(parent.real, baseOf(entry.path)))?.isDirectory() === true) {
      throw new RestoreError(`cannot restore ${quote(entry.path)}: a directory is in the way`);
    }
  }

  /**
   * Read-only: the real path `entry` occupies now, or `null` when its place does not exist yet or will be
   * replaced (a missing parent, a foreign or dangling symlink on the way, a symlink where a directory
   * member goes).
   */
  locate(entry: CheckedEntry): string | null {
    if (entry.type === 'dir') {
      const dir = this.plan(entry.path, entry.path);
      return dir.kind === 'existing' ? dir.real : null;
    }
    const parent = this.plan(parentOf(entry.path), entry.path);
    return parent.kind === 'existing' ? join(parent.real, baseOf(entry.path)) : null;
  }

  /**
   * Pass 2: the real directory at workspace-relative `path` (`''` is the root), created if missing, with
   * foreign or dangling symlinks on the way replaced by real directories.
   */
  ensureDir(path: string): EnsuredDir {
    if (path === '') return { real: this.root, created: false };
    let dir = this.ensured.get(path);
    if (dir === undefined) {
      dir = this.makeDir(path);
      this.ensured.set(path, dir);
    }
    return dir;
  }

  private plan(path: string, member: string): PlannedDir {
    if (path === '') return { kind: 'existing', real: this.root };
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
    if (stats.isDirectory()) return { kind: 'existing', real: here };
    if (!stats.isSymbolicLink()) throw notADirectory(member, path);
    if (this.dirMembers.has(path)) return { kind: 'fresh' };
    const target = this.followInside(here);
    if (target === null) return { kind: 'fresh' };
    if (!statSync(target).isDirectory()) throw notADirectory(member, path);
    return { kind: 'existing', real: target };
  }

  private makeDir(path: string): EnsuredDir {
    const parent = this.ensureDir(parentOf(path));
    const here = join(parent.real, baseOf(path));
    const stats = lstatOrNull(here);
    let result: EnsuredDir;
    if (stats === null) {
      result = create(here);
    } else if (stats.isDirectory()) {
      result = { real: here, created: false };
      // A read-only member directory from an earlier restore must take new files; its stored mode is
      // applied again after all files are written.
      if (this.dirMembers.has(path) && (stats.mode & 0o700) !== 0o700) chmodSync(here, (stats.mode & 0o777) | 0o700);
    } else if (!stats.isSymbolicLink()) {
      throw notADirectory(path, path);
    } else if (this.dirMembers.has(path)) {
      unlinkSync(here);
      result = create(here);
    } else {
      const target = this.followInside(here);
      if (target === null) {
        unlinkSync(here);
        result = create(here);
      } else if (statSync(target).isDirectory()) {
        result = { real: target, created: false };
      } else {
        throw notADirectory(path, path);
      }
    }
    // Whatever happened above, the directory handed out must really be inside the root.
    const real = realpathSync.native(result.real);
    if (!isInside(this.root, real)) {
      throw new RestoreError(`cannot restore under ${quote(path)}: it lies outside the workspace`);
    }
    return { real, created: result.created };
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
  return { real: path, created: true };
}

function notADirectory(member: string, path: string): RestoreError {
  return new RestoreError(`cannot restore ${quote(member)}: ${quote(path)} in the workspace is not a directory`);
}
