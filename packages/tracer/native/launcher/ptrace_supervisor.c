#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ptrace_supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "../common/ring.h"
#include "../common/syscalls.h"
#include "remote.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

#define AUDIT_ARCH_X86_64_VALUE 0xc000003eu

int vt_ptrace_attach(pid_t root) {
  long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
              PTRACE_O_TRACEEXEC;
  return ptrace(PTRACE_SEIZE, root, 0, (void *)opts) == 0 ? 0 : errno;
}

/* Reads the stopped syscall: PTRACE_GET_SYSCALL_INFO (5.3+) reports the ABI too; registers as a fallback. */
static int read_syscall(pid_t pid, uint32_t *arch, long *nr, uint64_t args[6]) {
  struct __ptrace_syscall_info info;
  memset(&info, 0, sizeof info);
  long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info);
  if (n > 0 && info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
    *arch = info.arch;
    *nr = (long)info.seccomp.nr;
    for (int i = 0; i < 6; i++) args[i] = info.seccomp.args[i];
    return 0;
  }
  struct user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0) return -1;
  *arch = AUDIT_ARCH_X86_64_VALUE; /* best effort: an int 0x80 caller is indistinguishable here */
  *nr = (long)regs.orig_rax;
  uint64_t r[6] = {regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9};
  memcpy(args, r, sizeof r);
  return 0;
}

int vt_supervise_ptrace(vt_ring_header *ring) {
  ring->mechanism = VT_MECH_PTRACE;
  __atomic_fetch_or(&ring->status, VT_STATUS_STARTED, __ATOMIC_ACQ_REL);
  for (;;) {
    int st;
    pid_t pid = waitpid(-1, &st, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      if (errno == ECHILD) return 0; /* no tracee left: the whole tree has exited */
      vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "ptrace supervisor: waitpid failed");
      return -1;
    }
    if (!WIFSTOPPED(st)) continue; /* exited or killed */
    int sig = WSTOPSIG(st);
    int event = (int)((unsigned)st >> 16);
    switch (event) {
      case PTRACE_EVENT_SECCOMP: {
        __atomic_fetch_add(&ring->notifications, 1, __ATOMIC_RELAXED);
        uint32_t arch;
        long nr;
        uint64_t args[6];
        if (read_syscall(pid, &arch, &nr, args) != 0) {
          if (errno != ESRCH) vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "ptrace supervisor could not read a stopped syscall");
        } else if (arch == AUDIT_ARCH_X86_64_VALUE && nr == VT_NR_seccomp) {
          /* SECCOMP_SET_MODE_FILTER (1) with SECCOMP_FILTER_FLAG_NEW_LISTENER (8): the task's own supervisor
           * would see (and could continue) calls before our TRACE action gets a say. */
          if (args[0] == 1 && (args[1] & 8))
            vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "a process installed its own seccomp user-notification filter");
        } else {
          /* The tracee is stopped, so its pid cannot be reused while we read: no re-validation needed. */
          vt_remote_decode(pid, arch, nr, args);
          vt_remote_commit(ring);
        }
        ptrace(PTRACE_CONT, pid, 0, 0);
        break;
      }
      case PTRACE_EVENT_STOP:
        /* Under PTRACE_SEIZE: SIGTRAP = the initial stop of an auto-attached child (or an interrupt); a stop
         * signal = a real group-stop, which must stay stopped until SIGCONT. */
        if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) ptrace(PTRACE_LISTEN, pid, 0, 0);
        else ptrace(PTRACE_CONT, pid, 0, 0);
        break;
      case 0:
        /* Signal-delivery stop: deliver the signal as if nobody were watching. */
        ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig);
        break;
      default: /* fork, vfork, clone, exec events */
        ptrace(PTRACE_CONT, pid, 0, 0);
        break;
    }
  }
}
