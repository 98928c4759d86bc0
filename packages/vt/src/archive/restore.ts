/**
 * Restores an output archive into the workspace on a cache hit (outputs.md §4).
 *
 * First, without reading the archive: if every member is already in place (same file content and mode,
 * same link text, same directory mode), nothing is read or written — the usual case when a task's outputs
 * are still on disk, and the biggest saving a restore can make (peers.md §8.2).
 *
 * Otherwise pass 1 validates: the manifest, every archive member against it (reading the whole archive and
 * hashing file contents), and every destination against the workspace (read-only). Only then does pass 2 write:
 * directories first, then files, then symlinks (so a restored link never redirects another member), then
 * directory modes (so a read-only directory is closed last).
 *
 * A small archive (in-memory.ts: up to 8 MiB compressed, 64 MiB of content) is read and decompressed once
 * and pass 2 writes the bodies pass 1 checked; a larger one is streamed in pass 1 and streamed again in
 * pass 2, every body hashed again before it replaces anything. Both paths share the member checks, so
 * they accept the same archives with the same messages.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
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
import { IN_MEMORY_LIMITS, readInMemory, type FileBodies, type InMemoryLimits } from './in-memory.js';
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
  /**
   * Hex SHA-256 of the content of the existing regular file at absolute `absPath` (what hash.ts computes).
   * The skip-unchanged check (outputs.md §4 rule 5) calls it only for a destination that lstat shows is a
   * regular file with the member's size and mode, so a caller holding a memo of files it has just hashed
   * (keyed by their stat) can answer without reading the file again. It should throw when it cannot read
   * the file; the restore then fails with that message. Default: open (without following a symlink) and
   * hash the file.
   */
  hashFile?: (absPath: string) => string;
  /**
   * For tests: archives within these limits are validated and restored from memory, read once; larger ones
   * are streamed, validated in one read and written from a second. Default {@link IN_MEMORY_LIMITS}.
   */
  inMemoryLimits?: InMemoryLimits;
}

type FileEntry = Extract<CheckedEntry, { type: 'file' }>;
type DirEntry = Extract<CheckedEntry, { type: 'dir' }>;
type LinkEntry = Extract<CheckedEntry, { type: 'symlink' }>;

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
  const dirs = entries.filter((e): e is DirEntry => e.type === 'dir');
  const files = entries.filter((e): e is FileEntry => e.type === 'file');
  const links = entries.filter((e): e is LinkEntry => e.type === 'symlink');

  const tree = new DestinationTree(root, new Set(dirs.map((d) => d.path)));
  const hashFile = opts.hashFile ?? ((path: string) => hashFileSync(path, { noFollow: true }));
  const found = new Map(entries.map((e) => [e.path, inspect(root, tree, e, hashFile)]));
  const inPlace = new Set(entries.filter((e) => found.get(e.path) === 'in place').map((e) => e.path));
  if (inPlace.size === entries.length) {
    mustExist(opts.archiveFile); // a row must still have its archive (peers.md §8.3)
    return { ok: true, written: 0, skippedUnchanged: entries.length, warnings: [] };
  }

  // Pass 1: nothing below writes.
  const bodies = await readInMemory(opts.archiveFile, manifest, opts.inMemoryLimits ?? IN_MEMORY_LIMITS);
  if (bodies === null) await validateArchive(opts.archiveFile, manifest);
  for (const link of links) if (found.get(link.path) === 'directory in the way') throw directoryInTheWay(link.path);

  // Pass 2.
  const tally = { written: 0, skippedUnchanged: 0, warnings: [] as string[] };
  for (const dir of dirs) tree.ensureDir(dir.path);
  if (bodies !== null) writeFiles(files, bodies, inPlace, tree, tally);
  else await restoreFiles(opts.archiveFile, manifest, inPlace, tree, tally);
  restoreLinks(root, links, tree, tally);
  for (const dir of [...dirs].reverse()) {
    // The mode seen when the directory was ensured (files written since do not change it); one just
    // created has an unknown mode and always gets the stored one.
    const { real, created, mode } = tree.ensureDir(dir.path);
    if (mode !== dir.mode) chmodSync(real, dir.mode);
    if (created || mode !== dir.mode) tally.written++;
    else tally.skippedUnchanged++;
  }
  return { ok: true, ...tally };
}

/** What pass 1 finds where a member goes. */
type Found = 'in place' | 'to write' | 'directory in the way';

/**
 * Read-only: whether `entry` is already exactly as it would be restored (a symlink whose text leads outside
 * never counts, so its warning is still printed), is to be written, or is a symlink member blocked by a
 * directory (reported once the archive is validated, as before this check was folded in here). A file
 * member blocked by a directory fails at once. Each destination is looked at once in pass 1.
 */
function inspect(root: string, tree: DestinationTree, entry: CheckedEntry, hashFile: (path: string) => string): Found {
  const at = tree.locate(entry);
  if (at === null) return 'to write';
  switch (entry.type) {
    case 'dir':
      return tree.existingMode(entry.path) === entry.mode ? 'in place' : 'to write';
    case 'file':
      return isUnchanged(at, entry, hashFile) ? 'in place' : 'to write';
    case 'symlink': {
      const stats = lstatOrNull(at);
      if (stats?.isDirectory() === true) return 'directory in the way';
      const same =
        stats?.isSymbolicLink() === true &&
        readlinkSync(at) === entry.linkText &&
        linkTargetInside(root, dirname(at), entry.linkText);
      return same ? 'in place' : 'to write';
    }
  }
}

interface Tally {
  written: number;
  skippedUnchanged: number;
  warnings: string[];
}

/** Pass 2 for an archive read into memory: its bodies were checked against the manifest in pass 1. */
function writeFiles(
  files: readonly FileEntry[],
  bodies: FileBodies,
  inPlace: ReadonlySet<string>,
  tree: DestinationTree,
  tally: Tally,
): void {
  for (const entry of files) {
    if (inPlace.has(entry.path)) {
      tally.skippedUnchanged++;
      continue;
    }
    const body = bodies.get(entry.path);
    if (body === undefined) throw changedDuringRestore(); // cannot happen: pass 1 saw every file
    const { real: parent } = tree.ensureDir(parentOf(entry.path));
    writeFile(parent, join(parent, baseOf(entry.path)), entry.mode, body);
    tally.written++;
  }
}

/** Pass 2 for a streamed archive: read again, so every body is hashed again before it replaces anything. */
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
      await writeStreamedFile(parent, join(parent, baseOf(entry.path)), entry, body);
      tally.written++;
    }
  }
  if (expected.size > 0) throw changedDuringRestore();
}

/**
 * Rule 5: same type, size, mode and content hash means the file is left alone (inode and mtime kept).
 * Throws when a directory is where the file goes.
 */
function isUnchanged(dest: string, entry: FileEntry, hashFile: (path: string) => string): boolean {
  const stats = lstatOrNull(dest);
  if (stats === null) return false;
  if (stats.isDirectory()) throw directoryInTheWay(entry.path);
  if (!stats.isFile() || stats.size !== entry.size || (stats.mode & 0o7777) !== entry.mode) return false;
  return hashFile(dest) === entry.hash;
}

/**
 * Files are written to a temp name in the destination's directory and renamed over the destination, so
 * readers never see half a file and an existing symlink or read-only file there is replaced rather than
 * written through.
 */
function writeFile(parent: string, dest: string, mode: number, data: Buffer): void {
  const temp = openTemp(parent);
  try {
    writeAll(temp.fd, data);
  } catch (err) {
    temp.abandon();
    throw err;
  }
  temp.commit(dest, mode);
}

/** {@link writeFile} from a stream, checking the content hash before the file replaces anything. */
async function writeStreamedFile(parent: string, dest: string, entry: FileEntry, body: AsyncIterable<Buffer>): Promise<void> {
  const temp = openTemp(parent);
  try {
    const hasher = createContentHasher();
    for await (const chunk of body) {
      hasher.update(chunk);
      writeAll(temp.fd, chunk);
    }
    if (hasher.digest('hex') !== entry.hash) throw changedDuringRestore();
  } catch (err) {
    temp.abandon();
    throw err;
  }
  temp.commit(dest, entry.mode);
}

interface TempFile {
  readonly fd: number;
  /** Applies the mode, closes, renames over `dest`; removes the temp file if any step fails. */
  commit(dest: string, mode: number): void;
  /** Closes and removes the temp file. */
  abandon(): void;
}

function openTemp(dir: string): TempFile {
  const path = tempName(dir);
  const fd = openSync(path, 'wx', 0o600);
  let open = true;
  const abandon = (): void => {
    if (open) closeSync(fd);
    open = false;
    unlinkQuietly(path);
  };
  return {
    fd,
    abandon,
    commit(dest, mode) {
      try {
        fchmodSync(fd, mode);
        open = false;
        closeSync(fd);
        replace(path, dest);
      } catch (err) {
        abandon();
        throw err;
      }
    },
  };
}

function writeAll(fd: number, data: Buffer): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset);
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
    if (stats?.isDirectory() === true) throw directoryInTheWay(link.path);
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

function directoryInTheWay(path: string): RestoreError {
  return new RestoreError(`cannot restore ${quote(path)}: a directory is in the way`);
}

function changedDuringRestore(): RestoreError {
  return new RestoreError('the archive changed while it was being restored');
}
