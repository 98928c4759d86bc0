/*
 * Turns one watched syscall (number + raw arguments) into path accesses. Shared by the supervisor, which reads
 * the traced process's memory from outside, and by the shim, which runs inside it; `vt_tracee` abstracts the
 * difference so both record exactly the same thing for the same call.
 */
#ifndef VT_DECODE_H
#define VT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define VT_PATH_CAP 4096     /* kernel PATH_MAX: longer path arguments fail with ENAMETOOLONG */
#define VT_ABS_CAP (2 * VT_PATH_CAP + 2)

/* Result of probing a path before a write. */
#define VT_PROBE_MISSING 0
#define VT_PROBE_FILE 1 /* anything that is not a directory */
#define VT_PROBE_DIR 2
#define VT_PROBE_UNKNOWN 3

typedef struct vt_tracee vt_tracee;
struct vt_tracee {
  /* Copies the NUL-terminated string at `addr` (at most cap bytes incl. NUL) and returns a pointer to it, which
   * may be `buf` or the original memory. NULL with *err = EFAULT when the address is bad (the syscall will fail
   * too) or another errno when the tracee could not be read. */
  const char *(*str)(vt_tracee *t, uint64_t addr, char *buf, size_t cap, int *err);
  /* Reads `len` bytes at `addr`; 0 on success, else an errno. */
  int (*mem)(vt_tracee *t, uint64_t addr, void *out, size_t len);
  /* Absolute path of the cwd (dirfd == AT_FDCWD) or of an open fd; length, or -errno. */
  int (*dirpath)(vt_tracee *t, int dirfd, char *buf, size_t cap);
  /* lstat-like existence probe of an absolute path: VT_PROBE_*. */
  int (*probe)(vt_tracee *t, const char *abspath);
  /* Whether an absolute path is a directory after following symlinks: 1 yes, 0 no or unknown. May be NULL when
   * the caller classifies read-only opens itself once the call has returned (the shim). */
  int (*is_dir)(vt_tracee *t, const char *abspath);
  /* Reads up to `cap` bytes from the start of a file (for #! lines); returns the count, or -1. May be NULL. */
  long (*head)(vt_tracee *t, const char *abspath, char *buf, size_t cap);
  /* One access. */
  void (*emit)(vt_tracee *t, const char *abspath, size_t len, unsigned mode, unsigned flags);
  /* One write that moves content to `abspath` (a rename's destination), with the path it comes from; `from` is
   * "" when it cannot be named. Recorded so the reader can tell whether content read there later is the tree's. */
  void (*emit_moved)(vt_tracee *t, const char *abspath, size_t len, const char *from, size_t from_len, unsigned mode,
                     unsigned flags);
  /* An access that happened but could not be decoded: the trace must be marked incomplete. */
  void (*lost)(vt_tracee *t, const char *why);
};

/* Decodes syscall `nr` with arguments `a`. Returns a bit set of VT_MODE_* that were emitted. */
unsigned vt_decode(vt_tracee *t, long nr, const uint64_t a[6]);

#endif
