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

#include "remote.h"
#include "../common/ring.h"

/* Newer than the build host's kernel headers (6.6). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

static void handle(int listener, vt_ring_header *ring, const struct seccomp_notif *req) {
  uint64_t args[6];
  for (int i = 0; i < 6; i++) args[i] = req->data.args[i];
  vt_remote_decode((pid_t)req->pid, req->data.arch, req->data.nr, args);
  /* The pid may have been reused between RECV and our reads; only a still-valid id proves the data is the
   * caller's. An invalid id means the caller died or was interrupted (it then restarts and stops again). */
  __u64 id = req->id;
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) != 0) return;
  vt_remote_commit(ring);
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
