/**
 * POSIX-style reasons for file-system errors, so `rm`, `mkdir` & co. read like their coreutils namesakes
 * (`rm: cannot remove 'x': No such file or directory`) rather than echoing libuv's `ENOENT: ..., lstat 'x'`.
 */

/** @type {Record<string, string>} */
const REASONS = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ENOTEMPTY: 'Directory not empty',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
  EBUSY: 'Device or resource busy',
};

/** @param {unknown} error @returns {string} */
export function errnoReason(error) {
  const code = /** @type {{ code?: unknown }} */ (error)?.code;
  if (typeof code === 'string' && code in REASONS) return /** @type {string} */ (REASONS[code]);
  return error instanceof Error ? error.message : String(error);
}

/** @param {unknown} error @param {string} code */
export function hasCode(error, code) {
  return /** @type {{ code?: unknown }} */ (error)?.code === code;
}
