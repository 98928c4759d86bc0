#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "remote.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/decode.h"
#include "../common/ring.h"
#include "../common/syscalls.h"

#define MAX_EVENTS 4

typedef struct sv_event {
  unsigned mode, flags;
  size_t len;
  char path[VT_ABS_CAP];
  int moved; /* `from` is meaningful (VT_REC_MOVED) */
  size_t from_len;
  char from[VT_ABS_CAP];
} sv_event;

/* One notification being decoded. Accesses are buffered until the notification id has been re-validated:
 * only then do we know the pid still named the process that made the call when we read its memory. */
typedef struct sv_ctx {
  vt_tracee t; /* first: the decoder's callbacks get a vt_tracee* */
  pid_t pid;
  int nev;
  const char *lost;
  sv_event ev[MAX_EVENTS];
} sv_ctx;

static const char *sv_str(vt_tracee *t, uint64_t addr, char *buf, size_t cap, int *err) {
  sv_ctx *c = (sv_ctx *)t;
  size_t got = 0;
  while (got < cap) {
    /* Never cross a page boundary in one read: the string may end right before an unmapped page. */
    size_t page_left = 4096 - ((addr + got) & 4095);
    size_t want = cap - got < page_left ? cap - got : page_left;
    struct iovec l = {buf + got, want}, r = {(void *)(uintptr_t)(addr + got), want};
    ssize_t n = process_vm_readv(c->pid, &l, 1, &r, 1, 0);
    if (n <= 0) {
      *err = n == 0 ? EFAULT : errno;
      return NULL;
    }
    if (memchr(buf + got, 0, (size_t)n)) return buf;
    got += (size_t)n;
  }
  *err = ENAMETOOLONG;
  return NULL;
}

static int sv_mem(vt_tracee *t, uint64_t addr, void *out, size_t len) {
  sv_ctx *c = (sv_ctx *)t;
  struct iovec l = {out, len}, r = {(void *)(uintptr_t)addr, len};
  ssize_t n = process_vm_readv(c->pid, &l, 1, &r, 1, 0);
  return n == (ssize_t)len ? 0 : (n < 0 ? errno : EFAULT);
}

static int sv_dirpath(vt_tracee *t, int dirfd, char *buf, size_t cap) {
  sv_ctx *c = (sv_ctx *)t;
  char link[64];
  if (dirfd == -100) snprintf(link, sizeof link, "/proc/%d/cwd", (int)c->pid);
  else if (dirfd < 0) return -EBADF;
  else snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)c->pid, dirfd);
  ssize_t n = readlink(link, buf, cap - 1);
  if (n < 0) return -errno;
  buf[n] = 0;
  return (int)n;
}

static int sv_probe(vt_tracee *t, const char *path) {
  (void)t;
  struct stat st;
  if (lstat(path, &st) == 0) return S_ISDIR(st.st_mode) ? VT_PROBE_DIR : VT_PROBE_FILE;
  return errno == ENOENT || errno == ENOTDIR ? VT_PROBE_MISSING : VT_PROBE_UNKNOWN;
}

static int sv_is_dir(vt_tracee *t, const char *path) {
  (void)t;
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static long sv_head(vt_tracee *t, const char *path, char *buf, size_t cap) {
  (void)t;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, cap);
  close(fd);
  return n;
}

static void sv_emit_moved(vt_tracee *t, const char *path, size_t len, const char *from, size_t from_len,
                          unsigned mode, unsigned flags) {
  sv_ctx *c = (sv_ctx *)t;
  if (c->nev >= MAX_EVENTS || len >= VT_ABS_CAP || (from && from_len >= VT_ABS_CAP)) {
    if (!c->lost) c->lost = "more accesses in one syscall than the supervisor buffers";
    return;
  }
  sv_event *e = &c->ev[c->nev++];
  memcpy(e->path, path, len);
  e->path[len] = 0;
  e->len = len;
  e->mode = mode;
  e->flags = flags;
  e->moved = from != NULL;
  e->from_len = from ? from_len : 0;
  if (from) memcpy(e->from, from, from_len);
}

static void sv_emit(vt_tracee *t, const char *path, size_t len, unsigned mode, unsigned flags) {
  sv_emit_moved(t, path, len, NULL, 0, mode, flags);
}

static void sv_lost(vt_tracee *t, const char *why) {
  sv_ctx *c = (sv_ctx *)t;
  if (!c->lost) c->lost = why;
}

static sv_ctx ctx = {
    .t = {.str = sv_str, .mem = sv_mem, .dirpath = sv_dirpath, .probe = sv_probe, .is_dir = sv_is_dir, .head = sv_head,
          .emit = sv_emit, .emit_moved = sv_emit_moved, .lost = sv_lost},
};

void vt_remote_decode(pid_t pid, uint32_t arch, long nr, const uint64_t args[6]) {
  ctx.pid = pid;
  ctx.nev = 0;
  ctx.lost = NULL;
  if (arch != AUDIT_ARCH_X86_64 || (nr & 0x40000000))
    ctx.lost = "a process used a 32-bit or x32 syscall ABI, which the tracer does not decode";
  else if (nr == VT_NR_open_by_handle_at)
    ctx.lost = "a process opened a file by handle (open_by_handle_at), which names no path";
  else
    vt_decode(&ctx.t, nr, args);
}

void vt_remote_commit(vt_ring_header *ring) {
  for (int i = 0; i < ctx.nev; i++) {
    const sv_event *e = &ctx.ev[i];
    vt_ring_append(ring, e->path, e->len, e->moved ? e->from : NULL, e->from_len, e->mode, e->flags);
  }
  if (ctx.lost) vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, ctx.lost);
}

