/** Native stat stamps; see native/stamps.cc. */
export interface FileStampsAddon {
  /**
   * For each `root/rel`: the stamp `dev:ino:size:mtimeNs:ctimeNs` of the regular file it names (symlinks
   * followed), exactly as Node's bigint stats would print it, or undefined (missing, unreadable, not a regular
   * file). The second array flags stamps whose mtime or ctime is at or after `racyFromNs`.
   */
  stampFiles(root: string, rels: readonly string[], racyFromNs: bigint): [(string | undefined)[], Uint8Array];
}

/** The addon, or null where it is not built. */
export declare const addon: FileStampsAddon | null;
