/*
 * LD_PRELOAD shim: the fast path of the tracer for dynamically linked glibc programs.
 *
 * It replaces the libc entry points that take paths, records each access into the shared ring itself (no
 * syscall, no context switch) and then makes the real syscall through the gate page, which the seccomp filter lets
 * through without stopping. It is an accelerator only: whatever it does not handle (exec, getdents, ld.so, glibc
 * internals, static binaries, children whose environment dropped LD_PRELOAD) still stops at the supervisor, so
 * correctness never depends on it. When the ring or the gate is unavailable it makes plain syscalls, which the
 * filter stops and the supervisor records.
 *
 * Rules: never touch errno except to report the call's own result, never allocate, never take a lock (these run
 * in signal handlers and vfork children too).
 */
/* node-gyp builds with _FILE_OFFSET_BITS=64, which makes glibc's headers rename open() to open64() and so on; the
 * shim must define both names itself. */
#undef _FILE_OFFSET_BITS
#include <dirent.h>
#include <sched.h>
#include <dlfcn.h>
#include <fts.h>
#include <ftw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "../common/decode.h"
#include "../common/gate.h"
#include "../common/raw_syscall.h"
#include "../common/ring.h"
#include "../common/syscalls.h"
#include "../common/vt_abi.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_RECS 4

static vt_ring_header *g_ring; /* NULL: record nothing, leave every call to the supervisor */
static vt_gate_fn g_gate;

/* ---- tracee callbacks: we are inside the process, so memory and fds are our own -------------------------- */

typedef struct shim_ctx {
  vt_tracee t; /* first */
  int punt;    /* decoding failed: let the supervisor see this call instead */
  int nrec;
  vt_record *recs[MAX_RECS];
} shim_ctx;

static const char *sh_str(vt_tracee *t, uint64_t addr, char *buf, size_t cap, int *err) {
  (void)t, (void)buf;
  const char *s = (const char *)(uintptr_t)addr;
  if (memchr(s, 0, cap) == NULL) {
    *err = ENAMETOOLONG;
    return NULL;
  }
  return s;
}

static int sh_mem(vt_tracee *t, uint64_t addr, void *out, size_t len) {
  (void)t;
  memcpy(out, (const void *)(uintptr_t)addr, len);
  return 0;
}

/*
 * cwd cache. Relative paths are common (shells, make) and a getcwd syscall per access is most of the shim's cost
 * for them. Each thread caches the cwd together with the value of a process-wide generation counter; every
 * cwd change the shim can see (chdir, fchdir, syscall(SYS_chdir...)) bumps the counter before and after the
 * call, so a cached value is only used when no change started since it was read.
 *  - glibc-internal cwd changes (nftw/fts walking with chdir, unshare/setns/chroot) are invisible to the shim:
 *    calling any of those functions turns the cache off for the rest of the process.
 *  - a vfork child shares the parent's memory and TLS, so what it caches after its own chdir would be read by
 *    the parent: our vfork bumps the counter in the parent when it resumes, and clone() with CLONE_VM but
 *    without a TLS of its own turns the cache off.
 */
unsigned long vt_shim_cwd_gen __attribute__((visibility("hidden"))); /* atomic; only equality matters */
#define g_cwd_gen vt_shim_cwd_gen
static int g_cwd_cache_off;        /* atomic: set forever once an invisible cwd change may happen */
static __thread unsigned long t_cwd_gen = ~0ul;
static __thread size_t t_cwd_len;
static __thread char t_cwd[VT_PATH_CAP];

static void cwd_changed(void) { __atomic_fetch_add(&g_cwd_gen, 1, __ATOMIC_SEQ_CST); }

static int cached_cwd(char *buf, size_t cap) {
  unsigned long gen = __atomic_load_n(&g_cwd_gen, __ATOMIC_SEQ_CST);
  int off = __atomic_load_n(&g_cwd_cache_off, __ATOMIC_RELAXED);
  if (!off && t_cwd_gen == gen && t_cwd_len < cap) {
    memcpy(buf, t_cwd, t_cwd_len + 1);
    return (int)t_cwd_len;
  }
  long n = vt_raw2(VT_NR_getcwd, buf, cap);
  if (n < 0) return (int)n;
  /* getcwd returns the length including the NUL; "(unreachable)/..." paths do not start with '/' */
  size_t len = n > 0 ? (size_t)(n - 1) : 0;
  if (!off && len < sizeof t_cwd && __atomic_load_n(&g_cwd_gen, __ATOMIC_SEQ_CST) == gen) {
    memcpy(t_cwd, buf, len + 1);
    t_cwd_len = len;
    t_cwd_gen = gen;
  }
  return (int)len;
}

static int sh_dirpath(vt_tracee *t, int dirfd, char *buf, size_t cap) {
  (void)t;
  if (dirfd == -100) return cached_cwd(buf, cap);
  if (dirfd < 0) return -EBADF;
  char link[32] = "/proc/self/fd/";
  char digits[12];
  int k = 0;
  unsigned v = (unsigned)dirfd;
  do digits[k++] = (char)('0' + v % 10);
  while ((v /= 10) && k < 11);
  size_t n = strlen(link);
  while (k > 0) link[n++] = digits[--k];
  link[n] = 0;
  long r = g_gate(VT_NR_readlinkat, -100, (long)link, (long)buf, (long)(cap - 1), 0, 0);
  if (r < 0) return r == -ENOENT ? -EBADF : (int)r;
  buf[r] = 0;
  return (int)r;
}

static int sh_probe(vt_tracee *t, const char *path) {
  (void)t;
  struct stat st;
  long r = g_gate(VT_NR_newfstatat, -100, (long)path, (long)&st, AT_SYMLINK_NOFOLLOW, 0, 0);
  if (r == 0) return S_ISDIR(st.st_mode) ? VT_PROBE_DIR : VT_PROBE_FILE;
  return r == -ENOENT || r == -ENOTDIR ? VT_PROBE_MISSING : VT_PROBE_UNKNOWN;
}

static void sh_emit_moved(vt_tracee *t, const char *path, size_t len, const char *from, size_t from_len,
                          unsigned mode, unsigned flags) {
  shim_ctx *c = (shim_ctx *)t;
  vt_record *r = vt_ring_append(g_ring, path, len, from, from_len, mode, flags);
  __atomic_fetch_add(&g_ring->shim_events, 1, __ATOMIC_RELAXED);
  if (r && c->nrec < MAX_RECS) c->recs[c->nrec++] = r;
}

static void sh_emit(vt_tracee *t, const char *path, size_t len, unsigned mode, unsigned flags) {
  sh_emit_moved(t, path, len, NULL, 0, mode, flags);
}

static void sh_lost(vt_tracee *t, const char *why) {
  (void)why;
  ((shim_ctx *)t)->punt = 1;
}

static const vt_tracee shim_ops = {
    .str = sh_str, .mem = sh_mem, .dirpath = sh_dirpath, .probe = sh_probe, .is_dir = NULL, .head = NULL,
    .emit = sh_emit, .emit_moved = sh_emit_moved, .lost = sh_lost,
};

/* ---- the one path every interceptor takes ------------------------------------------------------------------- */

/* Records the accesses of syscall `nr`, then makes it. Returns the raw result (-errno on failure). */
static long vt_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
  if (!g_ring) return vt_raw6(nr, a0, a1, a2, a3, a4, a5);
  shim_ctx c;
  c.t = shim_ops;
  c.punt = 0;
  c.nrec = 0;
  uint64_t a[6] = {(uint64_t)a0, (uint64_t)a1, (uint64_t)a2, (uint64_t)a3, (uint64_t)a4, (uint64_t)a5};
  vt_decode(&c.t, nr, a);
  /* Not via the gate: the filter stops it and the supervisor decodes it from outside. */
  if (c.punt) return vt_raw6(nr, a0, a1, a2, a3, a4, a5);
  long r = g_gate(nr, a0, a1, a2, a3, a4, a5);
  if (r >= 0 && nr == VT_NR_openat && c.nrec == 1 && c.recs[0]->mode == VT_MODE_READ) {
    /* A read-only open that turned out to be a directory is a STAT (spec), not a content read. fstat is an
     * fd-only call the filter lets through. */
    struct stat st;
    if (g_gate(VT_NR_newfstatat, r, (long)"", (long)&st, AT_EMPTY_PATH, 0, 0) == 0 && S_ISDIR(st.st_mode))
      __atomic_store_n(&c.recs[0]->mode, (uint8_t)VT_MODE_STAT, __ATOMIC_RELAXED);
  }
  if (r < 0 && r > -4096) {
    /* A write that failed changed nothing: keep only what it revealed (the path's existence or absence). */
    for (int i = 0; i < c.nrec; i++) {
      uint8_t m = c.recs[i]->mode;
      if (m & VT_MODE_WRITES) {
        m &= (uint8_t)~VT_MODE_WRITES;
        __atomic_store_n(&c.recs[i]->mode, (uint8_t)(m ? m : VT_MODE_STAT), __ATOMIC_RELAXED);
      }
    }
  }
  return r;
}

static inline long ret(long r) {
  if (r < 0 && r > -4096) {
    errno = (int)-r;
    return -1;
  }
  return r;
}

#define CALL(nr, ...) ret(call_n(nr, __VA_ARGS__))
#define call_n(nr, ...) call6(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define call6(nr, a, b, c, d, e, f, ...) vt_call((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* ---- initialisation ------------------------------------------------------------------------------------------ */

__attribute__((constructor)) static void vt_shim_init(void) {
  const char *path = getenv(VT_ENV_RING);
  if (!path || path[0] != '/') return;
  vt_gate_fn gate = vt_gate_map();
  if (!gate) return;
  long fd = gate(VT_NR_openat, -100, (long)path, O_RDWR | O_CLOEXEC, 0, 0, 0);
  if (fd < 0) return; /* the trace is over (ring removed) or not ours: stay on the supervised path */
  struct stat st;
  long size = -1;
  if (gate(VT_NR_newfstatat, fd, (long)"", (long)&st, AT_EMPTY_PATH, 0, 0) == 0) size = st.st_size;
  long p = size >= (long)VT_RING_DATA_OFFSET
               ? vt_raw6(VT_NR_mmap, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
               : -EINVAL;
  vt_raw1(VT_NR_close, fd);
  if (p < 0 && p > -4096) return;
  vt_ring_header *h = (vt_ring_header *)p;
  if (h->magic != VT_RING_MAGIC || h->version != VT_RING_VERSION || h->capacity != (uint64_t)size) {
    vt_raw2(VT_NR_munmap, p, size);
    return;
  }
  g_gate = gate;
  g_ring = h;
}

/* ---- open family --------------------------------------------------------------------------------------------- */

static inline int needs_mode(int flags) { return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE; }

#define VA_MODE(flags, last)        \
  mode_t mode = 0;                  \
  if (needs_mode(flags)) {          \
    va_list ap;                     \
    va_start(ap, last);             \
    mode = va_arg(ap, mode_t);      \
    va_end(ap);                     \
  }

EXPORT int open(const char *p, int flags, ...) {
  VA_MODE(flags, flags);
  return (int)CALL(VT_NR_openat, -100, p, flags, mode);
}
EXPORT int open64(const char *p, int flags, ...) {
  VA_MODE(flags, flags);
  return (int)CALL(VT_NR_openat, -100, p, flags, mode);
}
EXPORT int openat(int d, const char *p, int flags, ...) {
  VA_MODE(flags, flags);
  return (int)CALL(VT_NR_openat, d, p, flags, mode);
}
EXPORT int openat64(int d, const char *p, int flags, ...) {
  VA_MODE(flags, flags);
  return (int)CALL(VT_NR_openat, d, p, flags, mode);
}
EXPORT int __open_2(const char *p, int flags) { return (int)CALL(VT_NR_openat, -100, p, flags, 0); }
EXPORT int __open64_2(const char *p, int flags) { return (int)CALL(VT_NR_openat, -100, p, flags, 0); }
EXPORT int __openat_2(int d, const char *p, int flags) { return (int)CALL(VT_NR_openat, d, p, flags, 0); }
EXPORT int __openat64_2(int d, const char *p, int flags) { return (int)CALL(VT_NR_openat, d, p, flags, 0); }
EXPORT int creat(const char *p, mode_t m) { return (int)CALL(VT_NR_openat, -100, p, O_CREAT | O_WRONLY | O_TRUNC, m); }
EXPORT int creat64(const char *p, mode_t m) { return (int)CALL(VT_NR_openat, -100, p, O_CREAT | O_WRONLY | O_TRUNC, m); }

/* fopen opens through glibc-internal code the shim cannot see; open the fd here and wrap it instead. Modes we do
 * not fully understand (",ccs=") go to the real fopen, whose open the supervisor then records. */
typedef FILE *(*fopen_fn)(const char *, const char *);
static fopen_fn next_fopen, next_fopen64;

static FILE *real_fopen(const char *p, const char *m, const char *sym) {
  fopen_fn *slot = sym[5] ? &next_fopen64 : &next_fopen;
  fopen_fn f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (!f) {
    f = (fopen_fn)dlsym(RTLD_NEXT, sym);
    __atomic_store_n(slot, f, __ATOMIC_RELEASE);
  }
  if (!f) {
    errno = ENOSYS;
    return NULL;
  }
  return f(p, m);
}

static FILE *shim_fopen(const char *p, const char *m, const char *sym) {
  if (!g_ring || !m) return real_fopen(p, m, sym);
  int flags;
  switch (m[0]) {
    case 'r': flags = O_RDONLY; break;
    case 'w': flags = O_WRONLY | O_CREAT | O_TRUNC; break;
    case 'a': flags = O_WRONLY | O_CREAT | O_APPEND; break;
    default: errno = EINVAL; return NULL;
  }
  for (const char *c = m + 1; *c; c++) {
    if (*c == '+') flags = (flags & ~O_ACCMODE) | O_RDWR;
    else if (*c == 'x') flags |= O_EXCL;
    else if (*c == 'e') flags |= O_CLOEXEC;
    else if (*c == 'b' || *c == 'm' || *c == 'c' || *c == 't') continue;
    else return real_fopen(p, m, sym);
  }
  int fd = (int)CALL(VT_NR_openat, -100, p, flags, 0666);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, m);
  if (!f) {
    int e = errno;
    vt_raw1(VT_NR_close, fd);
    errno = e;
  }
  return f;
}
EXPORT FILE *fopen(const char *p, const char *m) { return shim_fopen(p, m, "fopen"); }
EXPORT FILE *fopen64(const char *p, const char *m) { return shim_fopen(p, m, "fopen64"); }

/* opendir's open is glibc-internal too. The getdents calls that follow still stop at the supervisor (they come
 * from inside readdir), which is where READ_DIR gets recorded. */
EXPORT DIR *opendir(const char *p) {
  int fd = (int)CALL(VT_NR_openat, -100, p, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) return NULL;
  DIR *d = fdopendir(fd);
  if (!d) {
    int e = errno;
    vt_raw1(VT_NR_close, fd);
    errno = e;
  }
  return d;
}

/* ---- stat family (x86_64: struct stat == struct stat64 == the kernel's) ---------------------------------------- */

EXPORT int stat(const char *p, struct stat *b) { return (int)CALL(VT_NR_newfstatat, -100, p, b, 0); }
EXPORT int stat64(const char *p, struct stat64 *b) { return (int)CALL(VT_NR_newfstatat, -100, p, b, 0); }
EXPORT int lstat(const char *p, struct stat *b) { return (int)CALL(VT_NR_newfstatat, -100, p, b, AT_SYMLINK_NOFOLLOW); }
EXPORT int lstat64(const char *p, struct stat64 *b) {
  return (int)CALL(VT_NR_newfstatat, -100, p, b, AT_SYMLINK_NOFOLLOW);
}
EXPORT int fstatat(int d, const char *p, struct stat *b, int fl) { return (int)CALL(VT_NR_newfstatat, d, p, b, fl); }
EXPORT int fstatat64(int d, const char *p, struct stat64 *b, int fl) { return (int)CALL(VT_NR_newfstatat, d, p, b, fl); }

/* The pre-2.33 symbols that older binaries (including Debian's node) import. _STAT_VER 0 and 1 are both the
 * kernel layout on x86_64; glibc rejects anything else with EINVAL. */
static inline int stat_ver_ok(int v) { return v == 0 || v == 1; }
EXPORT int __xstat(int v, const char *p, struct stat *b) {
  if (!stat_ver_ok(v)) return (int)ret(-EINVAL);
  return (int)CALL(VT_NR_newfstatat, -100, p, b, 0);
}
EXPORT int __xstat64(int v, const char *p, struct stat64 *b) {
  if (!stat_ver_ok(v)) return (int)ret(-EINVAL);
  return (int)CALL(VT_NR_newfstatat, -100, p, b, 0);
}
EXPORT int __lxstat(int v, const char *p, struct stat *b) {
  if (!stat_ver_ok(v)) return (int)ret(-EINVAL);
  return (int)CALL(VT_NR_newfstatat, -100, p, b, AT_SYMLINK_NOFOLLOW);
}
EXPORT int __lxstat64(int v, const char *p, struct stat64 *b) {
  if (!stat_ver_ok(v)) return (int)ret(-EINVAL);
  return (int)CALL(VT_NR_newfstatat, -100, p, b, AT_SYMLINK_NOFOLLOW);
}
EXPORT int __fxstatat(int v, int d, const char *p, struct stat *b, int fl) {
  if (!stat_ver_ok(v)) return (int)ret(-EINVAL);
  return (int)CALL(VT_NR_newfstatat, d, p, b, fl);
}
EXPORT int __fxstatat64(int v, int d, const char *p, struct stat64 *b, int fl) {
  if (!stat_ver_ok(v)) return (int)ret(-EINVAL);
  return (int)CALL(VT_NR_newfstatat, d, p, b, fl);
}
EXPORT int statx(int d, const char *p, int fl, unsigned mask, struct statx *b) {
  return (int)CALL(VT_NR_statx, d, p, fl, mask, b);
}
EXPORT int statfs(const char *p, struct statfs *b) { return (int)CALL(VT_NR_statfs, p, b); }
EXPORT int statfs64(const char *p, struct statfs64 *b) { return (int)CALL(VT_NR_statfs, p, b); }

/* ---- access, readlink ---------------------------------------------------------------------------------------- */

EXPORT int access(const char *p, int m) { return (int)CALL(VT_NR_faccessat, -100, p, m); }
EXPORT int faccessat(int d, const char *p, int m, int fl) {
  if (fl == 0) return (int)CALL(VT_NR_faccessat, d, p, m);
  long r = vt_call(VT_NR_faccessat2, d, (long)p, m, fl, 0, 0);
  if (r == -ENOSYS) {
    /* Kernel before 5.8: glibc emulates the flags; let it (the supervisor records its syscalls). */
    int (*f)(int, const char *, int, int) = (int (*)(int, const char *, int, int))dlsym(RTLD_NEXT, "faccessat");
    if (f) return f(d, p, m, fl);
  }
  return (int)ret(r);
}
EXPORT ssize_t readlink(const char *p, char *b, size_t n) { return CALL(VT_NR_readlinkat, -100, p, b, n); }
EXPORT ssize_t readlinkat(int d, const char *p, char *b, size_t n) { return CALL(VT_NR_readlinkat, d, p, b, n); }

/* ---- directory and namespace changes ------------------------------------------------------------------------- */

EXPORT int mkdir(const char *p, mode_t m) { return (int)CALL(VT_NR_mkdirat, -100, p, m); }
EXPORT int mkdirat(int d, const char *p, mode_t m) { return (int)CALL(VT_NR_mkdirat, d, p, m); }
EXPORT int rmdir(const char *p) { return (int)CALL(VT_NR_unlinkat, -100, p, AT_REMOVEDIR); }
EXPORT int unlink(const char *p) { return (int)CALL(VT_NR_unlinkat, -100, p, 0); }
EXPORT int unlinkat(int d, const char *p, int fl) { return (int)CALL(VT_NR_unlinkat, d, p, fl); }
EXPORT int rename(const char *a, const char *b) { return (int)CALL(VT_NR_renameat, -100, a, -100, b); }
EXPORT int renameat(int da, const char *a, int db, const char *b) { return (int)CALL(VT_NR_renameat, da, a, db, b); }
EXPORT int renameat2(int da, const char *a, int db, const char *b, unsigned fl) {
  return (int)CALL(VT_NR_renameat2, da, a, db, b, fl);
}
EXPORT int link(const char *a, const char *b) { return (int)CALL(VT_NR_linkat, -100, a, -100, b, 0); }
EXPORT int linkat(int da, const char *a, int db, const char *b, int fl) {
  return (int)CALL(VT_NR_linkat, da, a, db, b, fl);
}
EXPORT int symlink(const char *t, const char *p) { return (int)CALL(VT_NR_symlinkat, t, -100, p); }
EXPORT int symlinkat(const char *t, int d, const char *p) { return (int)CALL(VT_NR_symlinkat, t, d, p); }
EXPORT int mknod(const char *p, mode_t m, dev_t dev) { return (int)CALL(VT_NR_mknodat, -100, p, m, dev); }
EXPORT int mknodat(int d, const char *p, mode_t m, dev_t dev) { return (int)CALL(VT_NR_mknodat, d, p, m, dev); }
EXPORT int chdir(const char *p) {
  cwd_changed();
  int r = (int)CALL(VT_NR_chdir, p);
  cwd_changed();
  return r;
}
EXPORT int fchdir(int fd) {
  cwd_changed();
  long r = vt_raw1(VT_NR_fchdir, fd);
  cwd_changed();
  return (int)ret(r);
}

/* Functions that may change the cwd (or root) from inside glibc, where the shim cannot see it: turn the cwd
 * cache off for good, then run the real function. */
#define CWD_OPAQUE(ret_t, name, params, args)                                   \
  EXPORT ret_t name params {                                                    \
    __atomic_store_n(&g_cwd_cache_off, 1, __ATOMIC_SEQ_CST);                    \
    static ret_t(*next) params;                                                 \
    if (!next) next = (ret_t(*) params)dlsym(RTLD_NEXT, #name);                 \
    if (!next) {                                                                \
      errno = ENOSYS;                                                           \
      return (ret_t)-1;                                                         \
    }                                                                           \
    return next args;                                                           \
  }
typedef int (*ftw_cb)(const char *, const struct stat *, int);
typedef int (*ftw64_cb)(const char *, const struct stat64 *, int);
typedef int (*nftw_cb)(const char *, const struct stat *, int, struct FTW *);
typedef int (*nftw64_cb)(const char *, const struct stat64 *, int, struct FTW *);
CWD_OPAQUE(int, ftw, (const char *d, ftw_cb f, int n), (d, f, n))
CWD_OPAQUE(int, ftw64, (const char *d, ftw64_cb f, int n), (d, f, n))
CWD_OPAQUE(int, nftw, (const char *d, nftw_cb f, int n, int fl), (d, f, n, fl))
CWD_OPAQUE(int, nftw64, (const char *d, nftw64_cb f, int n, int fl), (d, f, n, fl))
typedef int (*fts_cmp)(const FTSENT **, const FTSENT **);
typedef int (*fts64_cmp)(const FTSENT64 **, const FTSENT64 **);
CWD_OPAQUE(FTS *, fts_open, (char *const *p, int o, fts_cmp c), (p, o, c))
CWD_OPAQUE(FTS64 *, fts64_open, (char *const *p, int o, fts64_cmp c), (p, o, c))
CWD_OPAQUE(int, unshare, (int f), (f))
CWD_OPAQUE(int, setns, (int fd, int t), (fd, t))
CWD_OPAQUE(int, chroot, (const char *p), (p))

/* clone(): a CLONE_VM child without its own TLS would share our per-thread cache. */
EXPORT int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...) {
  va_list ap;
  va_start(ap, arg);
  pid_t *ptid = va_arg(ap, pid_t *);
  void *tls = va_arg(ap, void *);
  pid_t *ctid = va_arg(ap, pid_t *);
  va_end(ap);
  if ((flags & CLONE_VM) && !(flags & CLONE_SETTLS)) __atomic_store_n(&g_cwd_cache_off, 1, __ATOMIC_SEQ_CST);
  static int (*next)(int (*)(void *), void *, int, void *, ...);
  if (!next) next = (int (*)(int (*)(void *), void *, int, void *, ...))dlsym(RTLD_NEXT, "clone");
  if (!next) {
    errno = ENOSYS;
    return -1;
  }
  return next(fn, stack, flags, arg, ptid, tls, ctid);
}

/* vfork() cannot be wrapped in C (the child would return through the parent's frame), so it is the usual
 * assembly: keep the return address in a register across the syscall. The parent, once it resumes, bumps the
 * cwd generation so nothing the child cached is trusted. */
long vt_shim_vfork_error(long r) __attribute__((visibility("hidden")));
long vt_shim_vfork_error(long r) {
  errno = (int)-r;
  return -1;
}
__asm__(".text\n"
        ".globl vfork\n"
        ".type vfork,@function\n"
        "vfork:\n"
        "  pop %rdi\n"
        "  mov $58, %eax\n"
        "  syscall\n"
        "  push %rdi\n"
        "  test %rax, %rax\n"
        "  jz 1f\n"
        "  lock addq $1, vt_shim_cwd_gen(%rip)\n"
        "  cmp $-4095, %rax\n"
        "  jae 2f\n"
        "1:\n"
        "  ret\n"
        "2:\n"
        "  mov %rax, %rdi\n"
        "  jmp vt_shim_vfork_error\n"
        ".size vfork, .-vfork\n");
EXPORT int truncate(const char *p, off_t len) { return (int)CALL(VT_NR_truncate, p, len); }
EXPORT int truncate64(const char *p, off_t len) { return (int)CALL(VT_NR_truncate, p, len); }

/* ---- metadata writes ----------------------------------------------------------------------------------------- */

EXPORT int chmod(const char *p, mode_t m) { return (int)CALL(VT_NR_fchmodat, -100, p, m); }
EXPORT int fchmodat(int d, const char *p, mode_t m, int fl) {
  if (fl == 0) return (int)CALL(VT_NR_fchmodat, d, p, m);
  /* AT_SYMLINK_NOFOLLOW needs glibc's emulation (or fchmodat2); its syscalls stop at the supervisor. */
  int (*f)(int, const char *, mode_t, int) = (int (*)(int, const char *, mode_t, int))dlsym(RTLD_NEXT, "fchmodat");
  if (!f) return (int)ret(-ENOSYS);
  return f(d, p, m, fl);
}
EXPORT int chown(const char *p, uid_t u, gid_t g) { return (int)CALL(VT_NR_fchownat, -100, p, u, g, 0); }
EXPORT int lchown(const char *p, uid_t u, gid_t g) {
  return (int)CALL(VT_NR_fchownat, -100, p, u, g, AT_SYMLINK_NOFOLLOW);
}
EXPORT int fchownat(int d, const char *p, uid_t u, gid_t g, int fl) { return (int)CALL(VT_NR_fchownat, d, p, u, g, fl); }
EXPORT int utimensat(int d, const char *p, const struct timespec t[2], int fl) {
  return (int)CALL(VT_NR_utimensat, d, p, t, fl);
}

static int utimes_common(const char *p, const struct timeval tv[2], int fl) {
  if (!tv) return (int)CALL(VT_NR_utimensat, -100, p, NULL, fl);
  if (tv[0].tv_usec < 0 || tv[0].tv_usec >= 1000000 || tv[1].tv_usec < 0 || tv[1].tv_usec >= 1000000)
    return (int)ret(-EINVAL);
  struct timespec ts[2] = {{tv[0].tv_sec, tv[0].tv_usec * 1000}, {tv[1].tv_sec, tv[1].tv_usec * 1000}};
  return (int)CALL(VT_NR_utimensat, -100, p, ts, fl);
}
EXPORT int utimes(const char *p, const struct timeval tv[2]) { return utimes_common(p, tv, 0); }
EXPORT int lutimes(const char *p, const struct timeval tv[2]) { return utimes_common(p, tv, AT_SYMLINK_NOFOLLOW); }
EXPORT int utime(const char *p, const struct utimbuf *u) {
  if (!u) return (int)CALL(VT_NR_utimensat, -100, p, NULL, 0);
  struct timespec ts[2] = {{u->actime, 0}, {u->modtime, 0}};
  return (int)CALL(VT_NR_utimensat, -100, p, ts, 0);
}

/* ---- syscall(2): libuv calls statx this way ------------------------------------------------------------------- */

EXPORT long syscall(long nr, ...) {
  va_list ap;
  va_start(ap, nr);
  long a0 = va_arg(ap, long), a1 = va_arg(ap, long), a2 = va_arg(ap, long);
  long a3 = va_arg(ap, long), a4 = va_arg(ap, long), a5 = va_arg(ap, long);
  va_end(ap);
  /* Only the watched ones are worth decoding; everything else (futex, getrandom, ...) goes straight through. */
  if (nr == VT_NR_chdir || nr == VT_NR_fchdir) {
    cwd_changed();
    long r = g_ring && nr == VT_NR_chdir ? vt_call(nr, a0, a1, a2, a3, a4, a5) : vt_raw6(nr, a0, a1, a2, a3, a4, a5);
    cwd_changed();
    return ret(r);
  }
  if (nr == 272 /* unshare */ || nr == 308 /* setns */ || nr == VT_NR_chroot)
    __atomic_store_n(&g_cwd_cache_off, 1, __ATOMIC_SEQ_CST);
  /* exec stays with the supervisor, which also records a #! script's interpreter. */
  const vt_sysdesc *d = g_ring ? vt_sys_lookup(nr) : NULL;
  if (d && d->op != VT_OP_EXEC) return ret(vt_call(nr, a0, a1, a2, a3, a4, a5));
  return ret(vt_raw6(nr, a0, a1, a2, a3, a4, a5));
}
