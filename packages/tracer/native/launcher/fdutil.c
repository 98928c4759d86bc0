#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fdutil.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int vt_send_fd(int sock, char tag, int fd) {
  char buf[CMSG_SPACE(sizeof(int))];
  memset(buf, 0, sizeof buf);
  struct iovec iov = {&tag, 1};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
  if (fd >= 0) {
    m.msg_control = buf;
    m.msg_controllen = sizeof buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  ssize_t r;
  do r = sendmsg(sock, &m, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r == 1 ? 0 : -1;
}

int vt_recv_fd(int sock, char *tag) {
  char buf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {tag, 1};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
  ssize_t r;
  do r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r != 1) return -2;
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

int vt_read_byte(int fd, char *out) {
  ssize_t r;
  do r = read(fd, out, 1);
  while (r < 0 && errno == EINTR);
  return r == 1 ? 0 : -1;
}

static void close_range_compat(unsigned lo, unsigned hi) {
  if (lo > hi) return;
  if (syscall(SYS_close_range, lo, hi, 0) == 0) return;
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (long fd = lo; fd <= (long)hi && fd < max; fd++) close((int)fd);
}

void vt_close_all_except(int a, int b) {
  if (a > b) { int t = a; a = b; b = t; }
  unsigned lo = 3;
  int keep[2] = {a, b};
  for (int i = 0; i < 2; i++) {
    if (keep[i] < 3) continue;
    if ((unsigned)keep[i] > lo) close_range_compat(lo, (unsigned)keep[i] - 1);
    lo = (unsigned)keep[i] + 1;
  }
  close_range_compat(lo, ~0U);
}

