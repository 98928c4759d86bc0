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
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/raw_syscall.h"
#include "../common/syscalls.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif

/* Can we be a ptrace tracer that actually sees SECCOMP_RET_TRACE stops? A child installs a filter tracing
 * faccessat and calls it once; we must see the stop. Under an outer seccomp supervisor (vt inside vt) the outer
 * filter's USER_NOTIF takes precedence over our TRACE, we would see nothing, and ptrace would be blind. */
static int probe_ptrace(char *why, size_t cap) {
  int go[2];
  if (pipe(go) != 0) {
    snprintf(why, cap, "pipe: %s", strerror(errno));
    return 0;
  }
  pid_t child = fork();
  if (child < 0) {
    snprintf(why, cap, "fork: %s", strerror(errno));
    return 0;
  }
  if (child == 0) {
    close(go[1]);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(2);
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, VT_NR_faccessat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = 4, .filter = f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
      _exit(3);
    /* A raw syscall instruction: syscall(3) could be our own shim (inherited LD_PRELOAD when vt runs inside a vt
     * task), whose gate the outer filter lets through, which would hide exactly the blindness we test for. */
    vt_raw3(VT_NR_faccessat, -100, "/vt-tracer-ptrace-probe", 0);
    _exit(0);
  }
  close(go[0]);
  int ok = 0;
  if (ptrace(PTRACE_SEIZE, child, 0, (void *)(long)PTRACE_O_TRACESECCOMP) != 0) {
    snprintf(why, cap, "ptrace: %s", strerror(errno));
    kill(child, SIGKILL);
  } else {
    (void)!write(go[1], "g", 1);
    int st;
    while (waitpid(child, &st, __WALL) == child) {
      if (WIFEXITED(st) || WIFSIGNALED(st)) break;
      if (WIFSTOPPED(st) && ((unsigned)st >> 16) == PTRACE_EVENT_SECCOMP) ok = 1;
      int sig = WIFSTOPPED(st) && ((unsigned)st >> 16) == 0 ? WSTOPSIG(st) : 0;
      ptrace(PTRACE_CONT, child, 0, (void *)(long)sig);
    }
    if (!ok) snprintf(why, cap, "ptrace does not see seccomp stops (another seccomp supervisor is active)");
  }
  close(go[1]);
  waitpid(child, NULL, __WALL);
  return ok;
}

/* Output line, one of:
 *   unotify sync_wake_up=0|1
 *   ptrace <why user notification is unavailable>
 *   unavailable <reason>   this machine refuses both mechanisms (or the probe itself failed): the tracer cannot start
 *   unsupported <reason>   no tracer is implemented for this architecture
 * The checks run in throwaway children because a seccomp filter and NO_NEW_PRIVS can never be removed. */
int vt_probe_main(void) {
  if (!VT_ARCH_SUPPORTED) {
    printf("unsupported this CPU architecture has no tracer\n");
    return 0;
  }
  int p[2];
  if (pipe(p) != 0) {
    printf("unavailable pipe: %s\n", strerror(errno));
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
    printf("unavailable fork: %s\n", strerror(errno));
    return 0;
  }
  char buf[256];
  ssize_t n = 0, r;
  while ((r = read(p[0], buf + n, sizeof buf - 1 - (size_t)n)) > 0) n += r;
  buf[n] = 0;
  int st;
  waitpid(pid, &st, 0);
  if (n > 0 && strncmp(buf, "unotify ", 8) == 0) {
    fputs(buf, stdout);
    return 0;
  }
  /* No user notification: try the ptrace fallback. */
  char why[160];
  char *nl = strchr(buf, '\n');
  if (nl) *nl = 0;
  const char *unotify_why = n > 0 ? buf + (strncmp(buf, "unsupported ", 12) == 0 ? 12 : 0) : "probe child failed";
  if (probe_ptrace(why, sizeof why)) printf("ptrace %s\n", unotify_why);
  else printf("unavailable %s; %s\n", unotify_why, why);
  return 0;
}
