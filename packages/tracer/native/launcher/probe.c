#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "probe.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/syscalls.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif

/* Output line, one of:
 *   unotify sync_wake_up=0|1
 *   unsupported <reason>
 * The check runs in a throwaway child because a seccomp filter and NO_NEW_PRIVS can never be removed. */
int vt_probe_main(void) {
  if (!VT_ARCH_SUPPORTED) {
    printf("unsupported this CPU architecture has no tracer\n");
    return 0;
  }
  int p[2];
  if (pipe(p) != 0) {
    printf("unsupported pipe: %s\n", strerror(errno));
    return 0;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    char line[200];
    struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_fprog prog = {.len = 1, .filter = allow};
    int listener = -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      snprintf(line, sizeof line, "unsupported prctl(NO_NEW_PRIVS): %s\n", strerror(errno));
    else if ((listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                                      &prog)) < 0)
      snprintf(line, sizeof line, "unsupported seccomp user notification: %s%s\n", strerror(errno),
               errno == EBUSY ? " (another seccomp supervisor is already active)" : "");
    else {
      int sync = ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, (__u64)1) == 0;
      snprintf(line, sizeof line, "unotify sync_wake_up=%d\n", sync);
    }
    (void)!write(p[1], line, strlen(line));
    _exit(0);
  }
  close(p[1]);
  if (pid < 0) {
    printf("unsupported fork: %s\n", strerror(errno));
    return 0;
  }
  char buf[256];
  ssize_t n = 0, r;
  while ((r = read(p[0], buf + n, sizeof buf - 1 - (size_t)n)) > 0) n += r;
  buf[n] = 0;
  int st;
  waitpid(pid, &st, 0);
  fputs(n > 0 ? buf : "unsupported probe child failed\n", stdout);
  return 0;
}
