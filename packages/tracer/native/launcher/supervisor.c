#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/decode.h"
#include "../common/ring.h"

/* Newer than the build host's kernel headers (6.6). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define MAX_EVENTS 4

typedef struct sv_event {
  unsigned mode, flags;
  size_t len;
  char path[VT_ABS_CAP];
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

static long sv_head(vt_tracee *t, const char *path, char *buf, size_t cap) {
  (void)t;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, cap);
  close(fd);
  return n;
}

static void sv_emit(vt_tracee *t, const char *path, size_t len, unsigned mode, unsigned flags) {
  sv_ctx *c = (sv_ctx *)t;
  if (c->nev >= MAX_EVENTS || len >= VT_ABS_CAP) return;
  sv_event *e = &c->ev[c->nev++];
  memcpy(e->path, path, len);
  e->path[len] = 0;
  e->len = len;
  e->mode = mode;
  e->flags = flags;
}

static void sv_lost(vt_tracee *t, const char *why) {
  sv_ctx *c = (sv_ctx *)t;
  if (!c->lost) c->lost = why;
}

static sv_ctx ctx = {
    .t = {.str = sv_str, .mem = sv_mem, .dirpath = sv_dirpath, .probe = sv_probe, .head = sv_head,
          .emit = sv_emit, .lost = sv_lost},
};

static void handle(int listener, vt_ring_header *ring, const struct seccomp_notif *req) {
  ctx.pid = (pid_t)req->pid;
  ctx.nev = 0;
  ctx.lost = NULL;
  if (req->data.arch != AUDIT_ARCH_X86_64 || (req->data.nr & 0x40000000)) {
    ctx.lost = "a process used a 32-bit or x32 syscall ABI, which the tracer does not decode";
  } else {
    uint64_t args[6];
    for (int i = 0; i < 6; i++) args[i] = req->data.args[i];
    vt_decode(&ctx.t, req->data.nr, args);
  }
  /* The pid may have been reused between RECV and our reads; only a still-valid id proves the data is the
   * caller's. An invalid id means the caller died or was interrupted (it then restarts and stops again). */
  __u64 id = req->id;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) return;
  for (int i = 0; i < ctx.nev; i++) vt_ring_append(ring, ctx.ev[i].path, ctx.ev[i].len, ctx.ev[i].mode, ctx.ev[i].flags);
  if (ctx.lost) vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, ctx.lost);
}

int vt_supervise_unotify(int listener, vt_ring_header *ring) {
  ring->mechanism = VT_MECH_UNOTIFY;
  /* Kernel 6.6+: wake the supervisor on the CPU of the stopped task and hand the CPU back on reply, instead of
   * bouncing between two CPUs for every event (measured: ~50 us -> ~8 us per event on a 2-vCPU VM). */
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, (__u64)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0)
    ring->sync_wake_up = 1;

  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
    sizes.seccomp_notif = sizeof(struct seccomp_notif);
    sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
  }
  size_t req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif : sizeof(struct seccomp_notif);
  size_t resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp) ? sizes.seccomp_notif_resp
                                                                                   : sizeof(struct seccomp_notif_resp);
  struct seccomp_notif *req = calloc(1, req_size);
  struct seccomp_notif_resp *resp = calloc(1, resp_size);
  if (!req || !resp) {
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "supervisor out of memory");
    return -1;
  }
  __atomic_fetch_or(&ring->status, VT_STATUS_STARTED, __ATOMIC_ACQ_REL);

  for (;;) {
    struct pollfd p = {.fd = listener, .events = POLLIN};
    int r = poll(&p, 1, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "supervisor poll failed");
      return -1;
    }
    if (p.revents & POLLIN) {
      memset(req, 0, req_size);
      if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
        /* ENOENT: the caller was interrupted before we got to it; it will stop again. */
        if (errno == EINTR || errno == ENOENT) continue;
        vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "supervisor could not receive a notification");
        return -1;
      }
      __atomic_fetch_add(&ring->notifications, 1, __ATOMIC_RELAXED);
      handle(listener, ring, req);
      memset(resp, 0, resp_size);
      resp->id = req->id;
      resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      /* ENOENT: the caller is gone or was interrupted; nothing to answer. */
      (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
      continue;
    }
    /* POLLHUP: the filter has no users left, i.e. every process of the tree has exited. */
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) return 0;
  }
}
