/**
 * Restores an output archive into the workspace on a cache hit (outputs.md §4).
 *
 * First, without reading the archive: if every member is already in place (same file content and mode,
 * same link text, same directory mode), nothing is read or written — the usual case when a task's outputs
 * are still on disk, and the biggest saving a restore can make (peers.md §8.2).
 *
 * Otherwise pass 1 validates: the manifest, every archive member against it (reading the whole archive and
 * hashing file contents), and every destination against the workspace (read-only). Only then does pass 2 write:
 * directories first, then files streamed from a second read of the archive, then symlinks (so a restored
 * link never redirects another member), then directory modes (so a read-only directory is closed last).
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { DestinationTree } from './destination.js';
import { lstatOrNull } from './lstat-or-null.js';
import { RestoreError, messageOf, quote } from './errors.js';
import { createContentHasher, hashFileSync } from './hash.js';
import { linkTargetInside } from './link-target.js';
import { checkManifest, type CheckedEntry, type ManifestEntry } from './manifest.js';
import { baseOf, comparePaths, parentOf } from './member-path.js';
import { drain, readArchive } from './tar-reader.js';
import { matchMember, validateArchive } from './validate.js';

export type RestoreOutcome =
  | { ok: true; written: number; skippedUnchanged: number; warnings: string[] }
  | { ok: false; message: string };

export interface RestoreOptions {
  /** Absolute workspace root; nothing outside it is ever written. */
  workspaceRoot: string;
  /** The entry's archive (`.tar.gz`). */
  archiveFile: string;
  /** The manifest stored with the entry. */
  manifest: readonly ManifestEntry[];
}

/**
 * Restores `archiveFile` into `workspaceRoot`. Never throws: failures come back as `{ ok: false }` with a
 * message for `✗ Failed to restore outputs: {message}`. `written` counts members whose file, link or
 * directory (or directory mode) was changed; `skippedUnchanged` those already identical; symlinks skipped
 * for pointing outside the workspace count in neither and produce a warning line each.
 */
export async function restoreArchive(opts: RestoreOptions): Promise<RestoreOutcome> {
  try {
    return await restore(opts);
  } catch (err) {
    return { ok: false, message: messageOf(err) };
  }
}

async function restore(opts: RestoreOptions): Promise<RestoreOutcome> {
  const manifest = checkManifest(opts.manifest);
  const root = realpathSync.native(opts.workspaceRoot);
  const entries = [...manifest.values()].sort((a, b) => comparePaths(a.path, b.path));
  const dirs = entries.filter((e): e is Extract<CheckedEntry, { type: 'dir' }> => e.type === 'dir');
  const links = entries.filter((e): e is Extract<CheckedEntry, { type: 'symlink' }> => e.type === 'symlink');

  const tree = new DestinationTree(root, new Set(dirs.map((d) => d.path)));
  const inPlace = new Set(entries.filter((e) => isInPlace(root, tree, e)).map((e) => e.path));
  if (inPlace.size === entries.length) {
    mustExist(opts.archiveFile); // a row must still have its archive (peers.md §8.3)
    return { ok: true, written: 0, skippedUnchanged: entries.length, warnings: [] };
  }

  // Pass 1: nothing below writes.
  await validateArchive(opts.archiveFile, manifest);
  for (const entry of entries) tree.check(entry);

  // Pass 2.
  const tally = { written: 0, skippedUnchanged: 0, warnings: [] as string[] };
  const dirCreated = new Map<string, boolean>();
  for (const dir of dirs) dirCreated.set(dir.path, tree.ensureDir(dir.path).created);
  await restoreFiles(opts.archiveFile, manifest, inPlace, tree, tally);
  restoreLinks(root, links, tree, tally);
  for (const dir of [...dirs].reverse()) {
    const { real } = tree.ensureDir(dir.path);
    const current = lstatSync(real).mode & 0o777;
    if (current !== dir.mode) chmodSync(real, dir.mode);
    if (dirCreated.get(dir.path) === true || current !== dir.mode) tally.written++;
    else tally.skippedUnchanged++;
  }
  return { ok: true, ...tally };
}

/**
 * Whether `entry` is already in the workspace exactly as it would be restored. Read-only. A symlink whose
 * text leads outside never counts, so its warning is still printed.
 */
function isInPlace(root: string, tree: DestinationTree, entry: CheckedEntry): boolean {
  const at = tree.locate(entry);
  if (at === null) return false;
  switch (entry.type) {
    case 'dir':
      return (lstatSync(at).mode & 0o777) === entry.mode;
    case 'file':
      return isUnchanged(at, entry);
    case 'symlink': {
      const stats = lstatOrNull(at);
      return (
        stats?.isSymbolicLink() === true &&
        readlinkSync(at) === entry.linkText &&
        linkTargetInside(root, dirname(at), entry.linkText)
      );
    }
  }
}

interface Tally {
  written: number;
  skippedUnchanged: number;
  warnings: string[];
}

async function restoreFiles(
  archiveFile: string,
  manifest: ReadonlyMap<string, CheckedEntry>,
  inPlace: ReadonlySet<string>,
  tree: DestinationTree,
  tally: Tally,
): Promise<void> {
  const expected = new Set([...manifest.values()].filter((e) => e.type === 'file').map((e) => e.path));
  for await (const { header, body } of readArchive(archiveFile)) {
    const entry = matchMember(header, manifest);
    if (entry.type !== 'file') {
      await drain(body);
      continue;
    }
    if (!expected.delete(entry.path)) throw changedDuringRestore();
    if (inPlace.has(entry.path)) {
      await drain(body);
      tally.skippedUnchanged++;
    } else {
      const { real: parent } = tree.ensureDir(parentOf(entry.path));
      await writeFile(parent, join(parent, baseOf(entry.path)), entry, body);
      tally.written++;
    }
  }
  if (expected.size > 0) throw changedDuringRestore();
}

/** Rule 5: same type, size, mode and content hash means the file is left alone (inode and mtime kept). */
function isUnchanged(dest: string, entry: Extract<CheckedEntry, { type: 'file' }>): boolean {
  const stats = lstatOrNull(dest);
  if (stats === null) return false;
  if (stats.isDirectory()) throw new RestoreError(`cannot restore ${quote(entry.path)}: a directory is in the way`);
  if (!stats.isFile() || stats.size !== entry.size || (stats.mode & 0o7777) !== entry.mode) return false;
  return hashFileSync(dest, { noFollow: true }) === entry.hash;
}

/**
 * Writes to a temp name in the destination's directory and renames over the destination, so readers never
 * see half a file and an existing symlink or read-only file there is replaced rather than written through.
 */
async function writeFile(
  parent: string,
  dest: string,
  entry: Extract<CheckedEntry, { type: 'file' }>,
  body: AsyncIterable<Buffer>,
): Promise<void> {
  const temp = tempName(parent);
  let fd: number | null = openSync(temp, 'wx', 0o600);
  try {
    const hasher = createContentHasher();
    for await (const chunk of body) {
      hasher.update(chunk);
      for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
    }
    fchmodSync(fd, entry.mode);
    closeSync(fd);
    fd = null;
    if (hasher.digest('hex') !== entry.hash) throw changedDuringRestore();
    replace(temp, dest);
  } catch (err) {
    if (fd !== null) closeSync(fd);
    unlinkQuietly(temp);
    throw err;
  }
}

function restoreLinks(
  root: string,
  links: readonly Extract<CheckedEntry, { type: 'symlink' }>[],
  tree: DestinationTree,
  tally: Tally,
): void {
  const skip = (path: string): void => {
    tally.warnings.push(`✗ Skipped restoring symlink '${path}': target outside the workspace`);
  };
  const created: { path: string; dest: string; linkText: string }[] = [];
  for (const link of links) {
    if (link.linkText.startsWith('/')) {
      skip(link.path);
      continue;
    }
    const { real: parent } = tree.ensureDir(parentOf(link.path));
    if (!linkTargetInside(root, parent, link.linkText)) {
      skip(link.path);
      continue;
    }
    const dest = join(parent, baseOf(link.path));
    const stats = lstatOrNull(dest);
    if (stats?.isSymbolicLink() === true && readlinkSync(dest) === link.linkText) {
      tally.skippedUnchanged++;
      continue;
    }
    if (stats?.isDirectory() === true) {
      throw new RestoreError(`cannot restore ${quote(link.path)}: a directory is in the way`);
    }
    const temp = tempName(parent);
    symlinkSync(link.linkText, temp);
    try {
      replace(temp, dest);
    } catch (err) {
      unlinkQuietly(temp);
      throw err;
    }
    created.push({ path: link.path, dest, linkText: link.linkText });
    tally.written++;
  }
  // Each link was judged with the links before it in place; a link judged before a later one existed
  // could now lead out through it. Judge them again with all of them in place.
  for (const link of created) {
    if (!linkTargetInside(root, dirname(link.dest), link.linkText)) {
      unlinkSync(link.dest);
      tally.written--;
      skip(link.path);
    }
  }
}

/** rename(2) over the destination; a destination we may not replace in place is unlinked first (rule 4). */
function replace(temp: string, dest: string): void {
  try {
    renameSync(temp, dest);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'EACCES') throw err;
    unlinkSync(dest);
    renameSync(temp, dest);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or the original error is the one worth reporting
  }
}

function mustExist(archiveFile: string): void {
  try {
    statSync(archiveFile);
  } catch (err) {
    throw new RestoreError(`cannot read the archive: ${messageOf(err)}`);
  }
}

function tempName(dir: string): string {
  return join(dir, `.vt-restore-${randomBytes(6).toString('hex')}`);
}


function changedDuringRestore(): RestoreError {
  return new RestoreError('the archive changed while it was being restored');
}
