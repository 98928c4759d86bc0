#include "decode.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "syscalls.h"
#include "vt_abi.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef O_PATH
#define O_PATH 010000000
#endif
#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif
#define VT_RENAME_NOREPLACE 1u
#define VT_RENAME_EXCHANGE 2u
#define VT_AT_FDCWD (-100)
#define VT_AT_REMOVEDIR 0x200

/* An absolute path argument: either the original string (absolute already) or `abs` after joining. */
typedef struct apath {
  const char *p;
  size_t len;
} apath;

enum { PATH_SKIP = 0, PATH_OK = 1, PATH_FD_ONLY = 2, PATH_LOST = -1 };

static int arg_int(const uint64_t a[6], int idx) { return idx < 0 ? 0 : (int)(uint32_t)a[idx]; }

/* Absolute path of `dirfd`'s directory joined with `rel` (which may be empty). */
static int join_dir(vt_tracee *t, int dirfd, const char *rel, char *abs, apath *out) {
  int n = t->dirpath(t, dirfd, abs, VT_ABS_CAP);
  if (n < 0) {
    /* A closed fd makes the syscall fail with EBADF: nothing is accessed. */
    if (n == -EBADF || n == -ENOENT) return PATH_SKIP;
    t->lost(t, "could not resolve a directory fd or cwd");
    return PATH_LOST;
  }
  if (n == 0 || abs[0] != '/') return PATH_SKIP; /* pipe:[..], socket:[..]: ENOTDIR */
  size_t rl = strlen(rel);
  if (rl == 0) {
    out->p = abs;
    out->len = (size_t)n;
    return PATH_OK;
  }
  if ((size_t)n + 1 + rl + 1 > VT_ABS_CAP) {
    t->lost(t, "a path relative to a very deep directory is longer than the tracer's buffer");
    return PATH_LOST;
  }
  if (abs[n - 1] != '/') abs[n++] = '/';
  memcpy(abs + n, rel, rl + 1);
  out->p = abs;
  out->len = (size_t)n + rl;
  return PATH_OK;
}

/* "/proc/self/fd/N/rest" names a path below an open directory, and so do "/dev/fd/N/rest" (/dev/fd is a symlink to
 * /proc/self/fd) and "/dev/stdin/rest" (fd 0; stdout 1, stderr 2): returns `rest` and sets *fd, so that the real
 * path is recorded, since consumers drop /proc and /dev paths. NULL for anything else; a bare "/dev/fd/N" is the
 * fd itself, not a path below it, and stays as spelled. */
static const char *fd_relative(const char *s, int *fd) {
  static const char *const fd_dirs[] = {"/proc/self/fd/", "/proc/thread-self/fd/", "/dev/fd/"};
  static const char *const std_names[] = {"/dev/stdin/", "/dev/stdout/", "/dev/stderr/"};
  const char *q = NULL;
  for (size_t i = 0; i < sizeof std_names / sizeof *std_names; i++) {
    size_t n = strlen(std_names[i]);
    if (strncmp(s, std_names[i], n) == 0) {
      *fd = (int)i;
      return s[n] != 0 ? s + n : NULL;
    }
  }
  for (size_t i = 0; i < sizeof fd_dirs / sizeof *fd_dirs && !q; i++) {
    size_t n = strlen(fd_dirs[i]);
    if (strncmp(s, fd_dirs[i], n) == 0) q = s + n;
  }
  if (!q || *q < '0' || *q > '9') return NULL;
  long n = 0;
  while (*q >= '0' && *q <= '9' && n < 1000000000) n = n * 10 + (*q++ - '0');
  if (*q != '/' || q[1] == 0) return NULL;
  *fd = (int)n;
  return q + 1;
}

/* Reads and resolves the path argument `path_idx` (relative to `dirfd_idx`). */
static int get_path(vt_tracee *t, const uint64_t a[6], int dirfd_idx, int path_idx, int empty_ok, char *raw,
                    char *abs, apath *out) {
  if (path_idx < 0 || a[path_idx] == 0) return PATH_SKIP; /* NULL: EFAULT, or the fd-based form (utimensat) */
  int err = 0;
  const char *s = t->str(t, a[path_idx], raw, VT_PATH_CAP, &err);
  if (!s) {
    if (err == EFAULT || err == ENAMETOOLONG) return PATH_SKIP; /* the kernel rejects it as well */
    t->lost(t, "could not read a path argument");
    return PATH_LOST;
  }
  if (s[0] == '/') {
    int fd;
    const char *rest = fd_relative(s, &fd);
    if (rest) return join_dir(t, fd, rest, abs, out);
    out->p = s;
    out->len = strlen(s);
    return PATH_OK;
  }
  int dirfd = dirfd_idx < 0 ? VT_AT_FDCWD : arg_int(a, dirfd_idx);
  if (s[0] == 0) {
    if (!empty_ok) return PATH_SKIP; /* ENOENT */
    int r = join_dir(t, dirfd, "", abs, out);
    return r == PATH_OK ? PATH_FD_ONLY : r;
  }
  return join_dir(t, dirfd, s, abs, out);
}

/* Probes the parent directory of an absolute path (used only when a create is about to fail or not). */
static __attribute__((noinline)) int probe_parent(vt_tracee *t, const apath *p) {
  char buf[VT_ABS_CAP];
  size_t n = p->len;
  while (n > 0 && p->p[n - 1] == '/') n--; /* trailing slashes */
  while (n > 0 && p->p[n - 1] != '/') n--;
  if (n <= 1) return VT_PROBE_DIR; /* parent is "/" */
  memcpy(buf, p->p, n - 1);
  buf[n - 1] = 0;
  return t->probe(t, buf);
}

/* Mode of a path that a successful create would make (O_CREAT, mkdir, mknod, symlink, link's new name). */
static void emit_create(vt_tracee *t, const apath *p, unsigned mode, int exclusive) {
  int st = t->probe(t, p->p);
  if (st == VT_PROBE_MISSING) {
    /* Only creatable when the parent directory exists; otherwise the call fails with ENOENT. */
    if (probe_parent(t, p) == VT_PROBE_MISSING) mode = VT_MODE_STAT;
    t->emit(t, p->p, p->len, mode, 0);
    return;
  }
  /* EEXIST: the call reveals only that the path exists. */
  if (exclusive) mode = VT_MODE_STAT;
  t->emit(t, p->p, p->len, mode, VT_REC_EXISTED);
}

/* Write that needs an existing non-directory (truncate, unlink, chmod of a file, ...); `kept`: VT_REC_KEPT if the
 * write leaves (some of) the file's bytes in place. */
static void emit_modify(vt_tracee *t, const apath *p, unsigned mode, unsigned kept) {
  int st = t->probe(t, p->p);
  if (st == VT_PROBE_MISSING || st == VT_PROBE_DIR) mode = VT_MODE_STAT;
  t->emit(t, p->p, p->len, mode, st == VT_PROBE_MISSING ? 0 : VT_REC_EXISTED | (mode == VT_MODE_STAT ? 0 : kept));
}

static unsigned decode_open(vt_tracee *t, const apath *p, long flags) {
  int acc = (int)(flags & O_ACCMODE);
  if ((flags & __O_TMPFILE) == __O_TMPFILE || (flags & O_PATH)) {
    t->emit(t, p->p, p->len, VT_MODE_STAT, 0);
    return VT_MODE_STAT;
  }
  int wr = acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
  int rd = acc != O_WRONLY;
  if (!wr) {
    /* Opening a directory (to list it, fstat it or use it as a dirfd) is not a content read (spec: STAT). */
    int dir = (flags & O_DIRECTORY) || (t->is_dir && t->is_dir(t, p->p) == 1);
    unsigned m = dir ? VT_MODE_STAT : VT_MODE_READ;
    t->emit(t, p->p, p->len, m, 0);
    return m;
  }
  unsigned mode = VT_MODE_WRITE | (rd ? VT_MODE_READ : 0);
  unsigned failed = rd ? VT_MODE_READ : VT_MODE_STAT;
  /* Without O_TRUNC an existing file keeps its bytes (an append, a write over part of it). */
  unsigned kept = (flags & O_TRUNC) ? 0 : VT_REC_KEPT;
  if (flags & O_CREAT) {
    int st = t->probe(t, p->p);
    if (st == VT_PROBE_DIR) mode = VT_MODE_STAT; /* EISDIR */
    else if (st == VT_PROBE_MISSING) {
      if (probe_parent(t, p) == VT_PROBE_MISSING) mode = failed;
      t->emit(t, p->p, p->len, mode, 0);
      return mode;
    } else if (flags & O_EXCL) mode = VT_MODE_STAT;
    t->emit(t, p->p, p->len, mode, VT_REC_EXISTED | (mode & VT_MODE_WRITE ? kept : 0));
    return mode;
  }
  int st = t->probe(t, p->p);
  if (st == VT_PROBE_MISSING) mode = failed;
  else if (st == VT_PROBE_DIR) mode = VT_MODE_STAT;
  t->emit(t, p->p, p->len, mode, st == VT_PROBE_MISSING ? 0 : VT_REC_EXISTED | (mode & VT_MODE_WRITE ? kept : 0));
  return mode;
}

/* The kernel opens a #! script's interpreter without a syscall of its own; record it as READ. */
static void decode_shebang(vt_tracee *t, const apath *p) {
  if (!t->head) return;
  char head[256];
  long n = t->head(t, p->p, head, sizeof head - 1);
  if (n < 3 || head[0] != '#' || head[1] != '!') return;
  head[n] = 0;
  char *s = head + 2;
  while (*s == ' ' || *s == '\t') s++;
  char *e = s;
  while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r') e++;
  if (e == s || *e == 0) return; /* no terminating newline within 255 bytes: the kernel would not exec it */
  *e = 0;
  if (s[0] == '/') {
    t->emit(t, s, (size_t)(e - s), VT_MODE_READ, 0);
    return;
  }
  char abs[VT_ABS_CAP];
  apath ip;
  if (join_dir(t, VT_AT_FDCWD, s, abs, &ip) == PATH_OK) t->emit(t, ip.p, ip.len, VT_MODE_READ, 0);
}

static __attribute__((noinline)) unsigned decode_rename(vt_tracee *t, const vt_sysdesc *d, const uint64_t a[6]) {
  char raw1[VT_PATH_CAP], abs1[VT_ABS_CAP], raw2[VT_PATH_CAP], abs2[VT_ABS_CAP];
  apath src, dst;
  int r1 = get_path(t, a, d->dirfd, d->path, 0, raw1, abs1, &src);
  int r2 = get_path(t, a, d->dirfd2, d->path2, 0, raw2, abs2, &dst);
  if (r1 != PATH_OK || r2 != PATH_OK) return 0; /* the syscall fails (or the loss is already reported) */
  unsigned flags = d->flags >= 0 ? (unsigned)a[d->flags] : 0;
  int ps = t->probe(t, src.p);
  int pd = t->probe(t, dst.p);
  int fails = ps == VT_PROBE_MISSING || ((flags & VT_RENAME_NOREPLACE) && pd != VT_PROBE_MISSING) ||
              ((flags & VT_RENAME_EXCHANGE) && pd == VT_PROBE_MISSING) ||
              (!(flags & VT_RENAME_EXCHANGE) && ps == VT_PROBE_FILE && pd == VT_PROBE_DIR) ||
              (!(flags & VT_RENAME_EXCHANGE) && ps == VT_PROBE_DIR && pd == VT_PROBE_FILE);
  if (fails) {
    t->emit(t, src.p, src.len, VT_MODE_STAT, 0);
    t->emit(t, dst.p, dst.len, VT_MODE_STAT, 0);
    return VT_MODE_STAT;
  }
  unsigned ms = ps == VT_PROBE_DIR ? VT_MODE_WRITE_DIR : VT_MODE_WRITE;
  unsigned md = (flags & VT_RENAME_EXCHANGE) ? (pd == VT_PROBE_DIR ? VT_MODE_WRITE_DIR : VT_MODE_WRITE) : ms;
  /* The destination now holds the source's content (and, for a directory, everything below it): recorded with its
   * source, and before the source's own record, so that the reader looks up the source's history up to the move
   * and not the move itself. An exchange swaps two contents at once, which one pair of records cannot express:
   * both sides are recorded as holding content of unknown origin. */
  if (flags & VT_RENAME_EXCHANGE) {
    t->emit_moved(t, dst.p, dst.len, "", 0, md, VT_REC_EXISTED);
    t->emit_moved(t, src.p, src.len, "", 0, ms, VT_REC_EXISTED);
  } else {
    t->emit_moved(t, dst.p, dst.len, src.p, src.len, md, pd == VT_PROBE_MISSING ? 0 : VT_REC_EXISTED);
    t->emit(t, src.p, src.len, ms, VT_REC_EXISTED);
  }
  return ms | md;
}

static __attribute__((noinline)) unsigned decode_link(vt_tracee *t, const vt_sysdesc *d, const uint64_t a[6]) {
  char raw[VT_PATH_CAP], abs[VT_ABS_CAP];
  apath p;
  unsigned flags = d->flags >= 0 ? (unsigned)a[d->flags] : 0;
  int old_missing = 0;
  if (d->op == VT_OP_LINK) {
    int r = get_path(t, a, d->dirfd, d->path, (flags & AT_EMPTY_PATH) != 0, raw, abs, &p);
    if (r == PATH_LOST || r == PATH_SKIP) return 0;
    if (r == PATH_OK) {
      old_missing = t->probe(t, p.p) == VT_PROBE_MISSING;
      t->emit(t, p.p, p.len, VT_MODE_STAT, 0);
    }
  }
  if (get_path(t, a, d->dirfd2, d->path2, 0, raw, abs, &p) != PATH_OK) return VT_MODE_STAT;
  if (old_missing) {
    t->emit(t, p.p, p.len, VT_MODE_STAT, 0);
    return VT_MODE_STAT;
  }
  emit_create(t, &p, VT_MODE_WRITE, 1);
  return VT_MODE_WRITE;
}

/* Every operation with a single path (or an fd). Kept out of vt_decode so that only one set of path buffers is
 * on the stack at a time: the shim runs on arbitrary application threads. */
static __attribute__((noinline)) unsigned decode_single(vt_tracee *t, const vt_sysdesc *d, const uint64_t a[6]) {
  char raw[VT_PATH_CAP], abs[VT_ABS_CAP];
  apath p;
  if (d->op == VT_OP_GETDENTS) {
    if (join_dir(t, arg_int(a, d->path), "", abs, &p) != PATH_OK) return 0;
    t->emit(t, p.p, p.len, VT_MODE_READ_DIR, 0);
    return VT_MODE_READ_DIR;
  }

  long flags = d->flags >= 0 ? (long)a[d->flags] : 0;
  int empty_ok = d->empty_path_ok && (flags & AT_EMPTY_PATH);
  int r = get_path(t, a, d->dirfd, d->path, empty_ok, raw, abs, &p);
  if (r == PATH_SKIP || r == PATH_LOST) return 0;
  if (r == PATH_FD_ONLY && d->op != VT_OP_EXEC) return 0; /* fstat-like: an fd, not a path */

  switch (d->op) {
    case VT_OP_OPEN: return decode_open(t, &p, flags);
    case VT_OP_CREAT: return decode_open(t, &p, O_CREAT | O_WRONLY | O_TRUNC);
    case VT_OP_OPENAT2: {
      uint64_t how_flags = 0;
      if (a[3] < 8 || t->mem(t, a[2], &how_flags, sizeof how_flags) != 0) return 0; /* EINVAL / EFAULT */
      return decode_open(t, &p, (long)how_flags);
    }
    case VT_OP_STAT: t->emit(t, p.p, p.len, VT_MODE_STAT, 0); return VT_MODE_STAT;
    case VT_OP_EXEC:
      t->emit(t, p.p, p.len, VT_MODE_READ, 0);
      decode_shebang(t, &p);
      return VT_MODE_READ;
    case VT_OP_MKDIR: emit_create(t, &p, VT_MODE_WRITE_DIR, 1); return VT_MODE_WRITE_DIR;
    case VT_OP_MKNOD: emit_create(t, &p, VT_MODE_WRITE, 1); return VT_MODE_WRITE;
    case VT_OP_UNLINK:
      if (!(flags & VT_AT_REMOVEDIR)) {
        emit_modify(t, &p, VT_MODE_WRITE, 0);
        return VT_MODE_WRITE;
      }
      /* fallthrough */
    case VT_OP_RMDIR: {
      int st = t->probe(t, p.p);
      unsigned m = (st == VT_PROBE_MISSING || st == VT_PROBE_FILE) ? VT_MODE_STAT : VT_MODE_WRITE_DIR;
      t->emit(t, p.p, p.len, m, st == VT_PROBE_MISSING ? 0 : VT_REC_EXISTED);
      return m;
    }
    case VT_OP_TRUNCATE: emit_modify(t, &p, VT_MODE_WRITE, a[1] != 0 ? VT_REC_KEPT : 0); return VT_MODE_WRITE;
    case VT_OP_META: emit_modify(t, &p, VT_MODE_WRITE, VT_REC_KEPT); return VT_MODE_WRITE;
    default: return 0;
  }
}

unsigned vt_decode(vt_tracee *t, long nr, const uint64_t a[6]) {
  const vt_sysdesc *d = vt_sys_lookup(nr);
  if (!d) return 0;
  switch (d->op) {
    case VT_OP_RENAME: return decode_rename(t, d, a);
    case VT_OP_LINK:
    case VT_OP_SYMLINK: return decode_link(t, d, a);
    default: return decode_single(t, d, a);
  }
}
