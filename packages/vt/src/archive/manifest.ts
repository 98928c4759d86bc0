/**
 * The manifest stored with a cache entry next to its archive (outputs.md §3): one row per member. It is
 * what restore trusts for types, modes, sizes, hashes and link texts; the archive is cross-checked
 * against it before anything is written.
 */
import { HASH_HEX_LENGTH } from './hash.js';
import { RestoreError, quote } from './errors.js';
import { ancestorsOf, unsafePathReason } from './member-path.js';

export interface ManifestEntry {
  /** Workspace-relative, `/`-separated; directories without a trailing `/`. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  /** Bytes of content for files; 0 for directories and symlinks. */
  size: number;
  /** Permission bits (`& 0o777`; anything above is ignored on restore). */
  mode: number;
  /** Hex SHA-256 of the content (files only), see hash.ts. */
  hash?: string;
  /** Stored link text, verbatim (symlinks only). */
  linkText?: string;
}

/** A manifest row after validation: exactly the fields its type needs, mode already reduced to 0o777. */
export type CheckedEntry =
  | { readonly type: 'file'; readonly path: string; readonly size: number; readonly mode: number; readonly hash: string }
  | { readonly type: 'dir'; readonly path: string; readonly mode: number }
  | { readonly type: 'symlink'; readonly path: string; readonly linkText: string };

const HEX_HASH = new RegExp(`^[0-9a-f]{${HASH_HEX_LENGTH}}$`);

/**
 * Checks every row (the manifest comes from the cache database and is not trusted blindly) and returns
 * them by path. Throws {@link RestoreError} on the first bad row.
 */
export function checkManifest(entries: readonly ManifestEntry[]): Map<string, CheckedEntry> {
  if (!Array.isArray(entries)) throw invalid('it is not a list of entries');
  const byPath = new Map<string, CheckedEntry>();
  for (const entry of entries) {
    const checked = checkEntry(entry);
    if (byPath.has(checked.path)) throw invalid(`${quote(checked.path)} is listed twice`);
    byPath.set(checked.path, checked);
  }
  for (const entry of byPath.values()) {
    for (const ancestor of ancestorsOf(entry.path)) {
      const above = byPath.get(ancestor);
      if (above !== undefined && above.type !== 'dir') {
        throw invalid(`${quote(entry.path)} lies under the ${above.type} ${quote(ancestor)}`);
      }
    }
  }
  return byPath;
}

function checkEntry(entry: ManifestEntry): CheckedEntry {
  if (typeof entry !== 'object' || entry === null || typeof entry.path !== 'string') {
    throw invalid('a row has no path');
  }
  const { path } = entry;
  const unsafe = unsafePathReason(path);
  if (unsafe !== null) throw invalid(`${quote(path)}: ${unsafe}`);
  const modeOk = Number.isInteger(entry.mode) && entry.mode >= 0 && entry.mode <= 0o7777;
  switch (entry.type) {
    case 'file':
      if (!modeOk) throw invalid(`${quote(path)} has an invalid mode`);
      if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw invalid(`${quote(path)} has an invalid size`);
      if (typeof entry.hash !== 'string' || !HEX_HASH.test(entry.hash)) {
        throw invalid(`${quote(path)} has no valid content hash`);
      }
      return { type: 'file', path, size: entry.size, mode: entry.mode & 0o777, hash: entry.hash };
    case 'dir':
      if (!modeOk) throw invalid(`${quote(path)} has an invalid mode`);
      return { type: 'dir', path, mode: entry.mode & 0o777 };
    case 'symlink':
      if (typeof entry.linkText !== 'string' || entry.linkText === '' || entry.linkText.includes('\0')) {
        throw invalid(`${quote(path)} has no valid link text`);
      }
      return { type: 'symlink', path, linkText: entry.linkText };
    default:
      throw invalid(`${quote(path)} has an unknown type`);
  }
}

function invalid(detail: string): RestoreError {
  return new RestoreError(`invalid manifest: ${detail}`);
}
