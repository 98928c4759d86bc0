/**
 * Output archives (outputs.md §3-§4): create an archive of a task's outputs after a stored run, restore it
 * safely on a hit. `hashFile` is the content hash the manifest uses, shared with the cache layer.
 */
export { createArchive, type ArchiveResult, type CreateArchiveOptions } from './create.js';
export { restoreArchive, type RestoreOutcome, type RestoreOptions } from './restore.js';
export type { InMemoryLimits } from './in-memory.js';
export type { ManifestEntry } from './manifest.js';
export { hashFile, HASH_HEX_LENGTH } from './hash.js';
export { ARCHIVE_EXTENSION } from './codec.js';
