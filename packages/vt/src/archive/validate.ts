/**
 * Pass 1 of a restore: read the whole archive and prove it matches its manifest before anything is
 * written (outputs.md §4). A member that is unsafe, unknown to the manifest, of another type, of another
 * size or content, or missing, fails the restore here, so a hostile or corrupt archive writes nothing.
 */
import type { Header } from 'tar-stream';
import { RestoreError, quote } from './errors.js';
import { createContentHasher } from './hash.js';
import type { CheckedEntry } from './manifest.js';
import { unsafePathReason } from './member-path.js';
import { drain, readArchive } from './tar-reader.js';

/** Pass 1 for an archive too big to hold in memory: streams it once, checking every member. */
export async function validateArchive(archiveFile: string, manifest: ReadonlyMap<string, CheckedEntry>): Promise<void> {
  const check = new ArchiveCheck(manifest);
  for await (const { header, body } of readArchive(archiveFile)) {
    const entry = check.member(header);
    if (entry.type !== 'file') {
      await drain(body);
      continue;
    }
    const hasher = createContentHasher();
    let size = 0;
    for await (const chunk of body) {
      hasher.update(chunk);
      size += chunk.length;
    }
    check.content(entry, size, hasher.digest('hex'));
  }
  check.finish();
}

/**
 * The rules of pass 1 over a sequence of members, shared by the streaming pass above and the in-memory read
 * (in-memory.ts) so both accept exactly the same archives with exactly the same messages: call
 * {@link member} for each header in archive order, {@link content} for each file body, {@link finish} at the end.
 */
export class ArchiveCheck {
  private readonly seen = new Set<string>();

  constructor(private readonly manifest: ReadonlyMap<string, CheckedEntry>) {}

  /** The manifest row of the next member; throws on an unsafe, unknown, mismatched or repeated member. */
  member(header: Header): CheckedEntry {
    const entry = matchMember(header, this.manifest);
    if (this.seen.has(entry.path)) throw new RestoreError(`archive member ${quote(entry.path)} appears twice`);
    this.seen.add(entry.path);
    return entry;
  }

  /** Throws unless a file member's body had the manifest's size and hex content hash. */
  content(entry: Extract<CheckedEntry, { type: 'file' }>, size: number, hash: string): void {
    if (size !== entry.size || hash !== entry.hash) {
      throw new RestoreError(`the content of archive member ${quote(entry.path)} does not match the manifest`);
    }
  }

  /** Throws when the archive ended without a member the manifest lists. */
  finish(): void {
    for (const path of this.manifest.keys()) {
      if (!this.seen.has(path)) throw new RestoreError(`the archive is missing ${quote(path)}, which the manifest lists`);
    }
  }
}

/**
 * The manifest row a tar member stands for, after rule 1 (no absolute names, `..`, NUL or `.git`) and the
 * cross-check of type, size and link text. Used by both passes.
 */
export function matchMember(header: Header, manifest: ReadonlyMap<string, CheckedEntry>): CheckedEntry {
  const type = memberType(header.type);
  if (type === null) {
    throw new RestoreError(`archive member ${quote(header.name)} has an unsupported type (${String(header.type)})`);
  }
  // Directories are stored with a trailing '/' (outputs.md §3); exactly one is stripped.
  const name = type === 'dir' && header.name.endsWith('/') ? header.name.slice(0, -1) : header.name;
  const unsafe = unsafePathReason(name);
  if (unsafe !== null) throw new RestoreError(`unsafe archive member ${quote(header.name)}: ${unsafe}`);
  const entry = manifest.get(name);
  if (entry === undefined) throw new RestoreError(`archive member ${quote(name)} is not in the manifest`);
  if (entry.type !== type) {
    throw new RestoreError(`archive member ${quote(name)} is a ${type} but the manifest lists a ${entry.type}`);
  }
  if (entry.type === 'file' && header.size !== entry.size) {
    throw new RestoreError(`archive member ${quote(name)} has ${header.size} bytes but the manifest lists ${entry.size}`);
  }
  if (entry.type === 'symlink' && header.linkname !== entry.linkText) {
    throw new RestoreError(`the link text of archive member ${quote(name)} does not match the manifest`);
  }
  return entry;
}

function memberType(type: Header['type'] | string | null): CheckedEntry['type'] | null {
  switch (type) {
    case 'file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    default:
      return null;
  }
}
