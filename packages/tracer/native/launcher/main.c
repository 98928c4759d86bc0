/*
 * vt-trace-launcher: what vt spawns instead of a traced task's program.
 *
 *   vt-trace-launcher --probe
 *   vt-trace-launcher --ring FILE --notify SOCKET [--shim LIB] [--fail] -- PROGRAM [ARG...]
 *
 * Node cannot install a seccomp filter between fork and exec, so this small program does it and then execs the
 * real program in the same process: the task keeps the pid, process group and stdio Node gave it. Before that it
 * forks the supervisor (see supervisor.h) and hands it the filter's listener fd.
 *
 * Whatever goes wrong, the task still runs, untraced and with its original environment, and the ring is marked
 * untraceable so vt will not cache it. The launcher's connection to vt's socket is how vt learns that tracing is
 * over: it closes when the last holder (the launcher at exec, or the supervisor when the tree has exited) is gone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/gate.h"
#include "../common/ring.h"
#include "../common/vt_abi.h"
#include "fdutil.h"
#include "filter.h"
#include "probe.h"
#include "ptrace_supervisor.h"
#include "supervisor.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

extern char **environ;

typedef struct options {
  const char *ring_path;
  const char *notify_path;
  const char *shim_path;
  int simulate_fail;
  int use_ptrace; /* --mechanism ptrace: the fallback when user notification is unavailable */
  char **argv;    /* program and its arguments */
} options;

static pid_t g_launcher_pid;

static void usage_exit(const char *why) {
  fprintf(stderr, "vt-trace-launcher: %s\n", why);
  fprintf(stderr, "usage: vt-trace-launcher --ring FILE --notify SOCKET [--shim LIB] [--mechanism unotify|ptrace] [--fail]\n"
                  "                         -- PROGRAM [ARG...]\n"
                  "       vt-trace-launcher --probe\n");
  exit(127);
}

static options parse(int argc, char **argv) {
  options o = {0};
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { i++; break; }
    if (strcmp(a, "--fail") == 0) { o.simulate_fail = 1; continue; }
    if (i + 1 >= argc) usage_exit("missing value for an option");
    if (strcmp(a, "--ring") == 0) o.ring_path = argv[++i];
    else if (strcmp(a, "--notify") == 0) o.notify_path = argv[++i];
    else if (strcmp(a, "--shim") == 0) o.shim_path = argv[++i];
    else if (strcmp(a, "--mechanism") == 0) {
      const char *m = argv[++i];
      if (strcmp(m, "ptrace") == 0) o.use_ptrace = 1;
      else if (strcmp(m, "unotify") != 0) usage_exit("--mechanism must be unotify or ptrace");
    }
    else usage_exit("unknown option");
  }
  if (!o.ring_path || !o.notify_path) usage_exit("--ring and --notify are required");
  if (i >= argc) usage_exit("no program given after --");
  o.argv = argv + i;
  return o;
}

static vt_ring_header *map_ring(const char *path) {
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  void *p = MAP_FAILED;
  if (fstat(fd, &st) == 0 && st.st_size >= (off_t)VT_RING_DATA_OFFSET)
    p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return NULL;
  vt_ring_header *h = p;
  if (h->magic != VT_RING_MAGIC || h->version != VT_RING_VERSION || h->capacity != (uint64_t)st.st_size) return NULL;
  return h;
}

/* Connects to vt's completion socket (a filesystem path, or an abstract name when it starts with '@'). */
static int connect_notify(const char *path) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof sa.sun_path) return -1;
  memcpy(sa.sun_path, path, n);
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
  if (path[0] == '@') sa.sun_path[0] = 0;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&sa, len) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Execs the task's program. On failure the task never ran: the errno goes to vt through the ring (see exec_errno
 * in vt_abi.h), and only when there is no ring to carry it is it printed and turned into an exit status. */
static void exec_task(const options *o, char **env, vt_ring_header *ring) {
  execve(o->argv[0], o->argv, env);
  int e = errno;
  if (e == ENOEXEC) {
    /* Node spawns through execvp, which runs a file the kernel does not recognise (a script without "#!") with
     * /bin/sh: so must we, or tracing would make such a task fail. */
    size_t n = 0;
    while (o->argv[n]) n++;
    char **sh = calloc(n + 2, sizeof *sh);
    if (sh) {
      sh[0] = (char *)"/bin/sh";
      memcpy(sh + 1, o->argv, n * sizeof *sh);
      sh[n + 1] = NULL;
      execve("/bin/sh", sh, env);
    }
    errno = e;
  }
  if (ring) {
    __atomic_store_n(&ring->exec_errno, e, __ATOMIC_RELEASE);
    _exit(127);
  }
  fprintf(stderr, "vt: failed to execute %s: %s\n", o->argv[0], strerror(e));
  _exit(e == ENOENT ? 127 : 126);
}

/* Runs the program untraced, exactly as vt would have without tracing. */
static void exec_untraced(const options *o, vt_ring_header *ring) { exec_task(o, environ, ring); }

/* Environment for the traced program: the user's LD_PRELOAD keeps precedence, the shim comes after it. */
static char **traced_env(const options *o) {
  size_t n = 0;
  while (environ[n]) n++;
  char **env = calloc(n + 3, sizeof *env);
  if (!env) return NULL;
  const char *user_preload = NULL;
  size_t k = 0;
  size_t ring_key = strlen(VT_ENV_RING);
  for (size_t i = 0; i < n; i++) {
    if (strncmp(environ[i], "LD_PRELOAD=", 11) == 0) { user_preload = environ[i] + 11; continue; }
    if (strncmp(environ[i], VT_ENV_RING, ring_key) == 0 && environ[i][ring_key] == '=') continue;
    env[k++] = environ[i];
  }
  /* ld.so splits LD_PRELOAD at spaces and colons: a shim path containing one could not be preloaded (and ld.so
   * would complain on the task's stderr), so such an install simply runs without the fast path. */
  int shim_ok = o->shim_path && o->shim_path[0] == '/' && !strpbrk(o->shim_path, " :\t") &&
                access(o->shim_path, R_OK) == 0;
  if (shim_ok) {
    size_t len = 11 + (user_preload ? strlen(user_preload) + 1 : 0) + strlen(o->shim_path) + 1;
    char *v = malloc(len);
    if (!v) return NULL;
    if (user_preload && user_preload[0]) snprintf(v, len, "LD_PRELOAD=%s:%s", user_preload, o->shim_path);
    else snprintf(v, len, "LD_PRELOAD=%s", o->shim_path);
    env[k++] = v;
    size_t rl = ring_key + 1 + strlen(o->ring_path) + 1;
    char *r = malloc(rl);
    if (!r) return NULL;
    snprintf(r, rl, "%s=%s", VT_ENV_RING, o->ring_path);
    env[k++] = r;
  } else if (user_preload) {
    env[k++] = (char *)(user_preload - 11);
  }
  env[k] = NULL;
  return env;
}

static void record_cpu(vt_ring_header *ring) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return;
  ring->supervisor_cpu_us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
                            (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* The supervisor process. Never returns. */
static void supervisor_main(int ctl, int notify_fd, vt_ring_header *ring) {
  /* Own session: Ctrl-C or a kill of the task's process group must not stop the supervisor while processes of
   * the tree still make (stopping) syscalls. Stdio goes to /dev/null so vt's pipes close when the task's do. */
  setsid();
  signal(SIGPIPE, SIG_IGN);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2) close(null);
  }
  /* Keep only the control socket and vt's notify socket (the ring is mapped, not an fd): an inherited pipe end
   * (an extra stdio pipe given to the task) must not stay open in here after the task has closed it. */
  vt_close_all_except(ctl, notify_fd);
  /* notify_fd stays open until exit: its close tells vt the trace is over. */
  char hello[1 + sizeof(pid_t)] = {'R'};
  pid_t self = getpid();
  memcpy(hello + 1, &self, sizeof self);
  if (ctl < 0 || write(ctl, hello, sizeof hello) != (ssize_t)sizeof hello) _exit(1);
  char tag = 0;
  int listener = vt_recv_fd(ctl, &tag);
  if (tag == 'P') {
    int err = vt_ptrace_attach(g_launcher_pid);
    if (err != 0) {
      char why[VT_REASON_LEN];
      snprintf(why, sizeof why, "ptrace attach failed: %s", strerror(err));
      vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, why);
      (void)!write(ctl, "F", 1);
      _exit(0);
    }
    if (write(ctl, "A", 1) != 1) _exit(1);
    close(ctl);
    vt_supervise_ptrace(ring);
    record_cpu(ring);
    __atomic_fetch_or(&ring->status, VT_STATUS_DONE, __ATOMIC_ACQ_REL);
    _exit(0);
  }
  if (tag != 'U' || listener < 0) _exit(0); /* the launcher gave up; it has marked the ring itself */
  if (write(ctl, "A", 1) != 1) _exit(1);
  close(ctl);
  vt_supervise_unotify(listener, ring);
  record_cpu(ring);
  __atomic_fetch_or(&ring->status, VT_STATUS_DONE, __ATOMIC_ACQ_REL);
  _exit(0);
}

/* ptrace fallback: the supervisor attaches to us first, then the filter sends watched syscalls to it. */
static int start_ptrace(vt_ring_header *ring, int ctl, pid_t sup_pid) {
  /* With Yama ptrace_scope=1 only ancestors may attach; the supervisor is our grandchild, so allow it. */
  prctl(PR_SET_PTRACER, (unsigned long)sup_pid, 0, 0, 0);
  char c = 0;
  if (vt_send_fd(ctl, 'P', -1) != 0 || vt_read_byte(ctl, &c) != 0 || c != 'A') {
    close(ctl); /* the supervisor recorded why */
    return -1;
  }
  close(ctl);
  struct sock_filter prog[VT_FILTER_MAX];
  int n = vt_filter_build(prog, VT_FILTER_MAX, SECCOMP_RET_TRACE, VT_GATE_ADDR + vt_gate_ip_offset());
  struct sock_fprog fprog = {.len = (unsigned short)(n > 0 ? n : 0), .filter = prog};
  if (n < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) {
    /* Still traced, but nothing stops: the supervisor just follows the tree until it exits. */
    char why[VT_REASON_LEN];
    snprintf(why, sizeof why, "seccomp filter for ptrace unavailable: %s", strerror(errno));
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, why);
    return -1;
  }
  return 0;
}

/* Starts the supervisor and installs the filter. Returns 0 when the program may exec traced. */
static int start_tracing(const options *o, vt_ring_header *ring, int notify_fd) {
  int sp[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "socketpair failed");
    return -1;
  }
  pid_t mid = fork();
  if (mid < 0) {
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "fork failed");
    return -1;
  }
  if (mid == 0) {
    /* Double fork: the supervisor must not be a child of the task (a task reaping all its children, like
     * make, would otherwise collect it). */
    close(sp[0]);
    pid_t sup = fork();
    if (sup == 0) supervisor_main(sp[1], notify_fd, ring);
    _exit(sup < 0 ? 1 : 0);
  }
  close(sp[1]);
  int st = 0;
  while (waitpid(mid, &st, 0) < 0 && errno == EINTR) {}
  char c = 0;
  char hello[1 + sizeof(pid_t)];
  ssize_t got;
  do got = read(sp[0], hello, sizeof hello);
  while (got < 0 && errno == EINTR);
  pid_t sup_pid = 0;
  if (got == (ssize_t)sizeof hello) memcpy(&sup_pid, hello + 1, sizeof sup_pid);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || got != (ssize_t)sizeof hello || hello[0] != 'R') {
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "the supervisor process did not start");
    close(sp[0]);
    return -1;
  }

  if (o->simulate_fail) {
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "tracer injection failed (simulated by VT_INTERNAL_TRACER=fail)");
    vt_send_fd(sp[0], 'X', -1);
    close(sp[0]);
    return -1;
  }

  if (o->use_ptrace) return start_ptrace(ring, sp[0], sup_pid);

  struct sock_filter prog[VT_FILTER_MAX];
  int n = vt_filter_build(prog, VT_FILTER_MAX, SECCOMP_RET_USER_NOTIF, VT_GATE_ADDR + vt_gate_ip_offset());
  if (n < 0) {
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "seccomp filter does not fit");
    vt_send_fd(sp[0], 'X', -1);
    close(sp[0]);
    return -1;
  }
  struct sock_fprog fprog = {.len = (unsigned short)n, .filter = prog};
  int listener = -1;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
    listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                            SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &fprog);
    /* WAIT_KILLABLE_RECV (5.19+) keeps Go's preemption signals from restarting received calls; optional. */
    if (listener < 0 && errno == EINVAL)
      listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
  }
  if (listener < 0) {
    char why[VT_REASON_LEN];
    snprintf(why, sizeof why, "seccomp user notification unavailable: %s%s", strerror(errno),
             errno == EBUSY ? " (another seccomp supervisor is already active)" : "");
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, why);
    vt_send_fd(sp[0], 'X', -1);
    close(sp[0]);
    return -1;
  }
  if (vt_send_fd(sp[0], 'U', listener) != 0 || vt_read_byte(sp[0], &c) != 0 || c != 'A') {
    /* The filter is in place but nobody serves it: every watched syscall would now fail with ENOSYS, so the
     * program cannot run correctly. This only happens if the supervisor crashed. */
    fprintf(stderr, "vt: the file-access tracer's supervisor died before the task started\n");
    _exit(127);
  }
  close(listener);
  close(sp[0]);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--probe") == 0) return vt_probe_main();
  options o = parse(argc, argv);
  g_launcher_pid = getpid();
  vt_ring_header *ring = map_ring(o.ring_path);
  if (!ring) {
    fprintf(stderr, "vt: file-access tracer: cannot open trace ring %s\n", o.ring_path);
    exec_untraced(&o, NULL);
  }
  int notify_fd = connect_notify(o.notify_path);
  if (notify_fd < 0) {
    vt_ring_fail(ring, VT_STATUS_UNTRACEABLE, "could not connect to vt's notify socket");
    exec_untraced(&o, ring);
  }
  /* Built before the filter exists: its access() check would otherwise stop at the supervisor. */
  char **env = traced_env(&o);
  if (start_tracing(&o, ring, notify_fd) != 0) exec_untraced(&o, ring); /* notify_fd is CLOEXEC: vt sees it close */
  exec_task(&o, env ? env : environ, ring);
}
