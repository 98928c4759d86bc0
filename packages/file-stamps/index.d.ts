/** Native stat stamps and content hashes; see native/stamps.cc. */
export interface FileStampsAddon {
  /**
   * For each `root/rel` (the `count` paths of `rels`, NUL-separated): the stamp `dev:ino:size:mtimeNs:ctimeNs`
   * of the regular file it names (symlinks followed), exactly as Node's bigint stats would print it, or an
   * empty string (missing, unreadable, not a regular file); NUL-separated. The second array flags stamps
   * whose mtime or ctime is at or after `racyFromNs`; the third says what each path is: 0 missing (or not
   * stat'able), 1 regular file, 2 directory, 3 anything else.
   */
  stampFiles(root: string, rels: string, count: number, racyFromNs: bigint): [string, Uint8Array, Uint8Array];
  /**
   * For each `root/rel`: the hex SHA-256 of its bytes if the open file has `stamps[i]` both before and after
   * it is read (so the bytes are the ones it had when stamped), else undefined. With `parallel`, long lists
   * are split over two threads; without, one thread (what vt uses while a task runs, leaving it the rest).
   */
  hashFiles(root: string, rels: readonly string[], stamps: readonly string[], parallel: boolean): (string | undefined)[];
  /**
   * Every entry below `root/base` (the base reached through symlinks, nothing below it: a symlink is listed,
   * never entered), without entries named
   * `.git` and without the root-relative path `skip` (nor anything below it). Returns the root-relative paths
   * NUL-separated; 1 for each real directory; the stamps NUL-separated, as stampFiles makes them (empty where
   * the entry is not a regular file after symlinks); and the racy flags as stampFiles sets them. With `sorted`
   * the paths come in JavaScript's default sort order (UTF-16 code units); without, depth first, each
   * directory followed by its own subtree.
   */
  /**
   * The kernel's coarse realtime clock (CLOCK_REALTIME_COARSE) in ns, the one file timestamps come from;
   * undefined if it cannot be read.
   */
  coarseClockNs(): bigint | undefined;
  walkFiles(root: string, base: string, skip: string, racyFromNs: bigint, sorted: boolean): [string, Uint8Array, string, Uint8Array];
}

/** The addon, or null where it is not built. */
export declare const addon: FileStampsAddon | null;
