/*
 * libshortcircuit.so — an LD_PRELOAD library that answers read-only opens of any file named
 * `preload_test_short_circuit.txt` itself: it returns an in-memory file (memfd) holding fixed content, made with
 * raw system calls, and never calls libc's open for that path. All other opens go to the next definition
 * (RTLD_NEXT), i.e. to whatever vt's tracer or libc provides.
 *
 * Why: it proves vt keeps a user's LD_PRELOAD first in line. When this library wins, the real file is never opened,
 * so vt must neither see it as an input nor break the short-circuit by putting its own shim in front.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static const char TARGET_NAME[] = "preload_test_short_circuit.txt";
static const char CONTENT[] = "served by libshortcircuit.so\n";

/* A system call without libc (x86-64 and AArch64; other architectures fall back to syscall(2)). */
static long raw_syscall3(long number, long a, long b, long c) {
#if defined(__x86_64__)
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return result;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = number;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
#else
    long result = syscall(number, a, b, c);
    return result < 0 ? -1 : result;
#endif
}

/* Whether the last path component is TARGET_NAME, compared by hand (no libc). */
static int is_target(const char *path) {
    if (path == NULL) return 0;
    const char *base = path;
    for (const char *p = path; *p != '\0'; p++) {
        if (*p == '/') base = p + 1;
    }
    unsigned long i = 0;
    for (; TARGET_NAME[i] != '\0'; i++) {
        if (base[i] != TARGET_NAME[i]) return 0;
    }
    return base[i] == '\0';
}

static int wants_short_circuit(const char *path, int flags) {
    return is_target(path) && (flags & O_ACCMODE) == O_RDONLY && (flags & (O_CREAT | O_TRUNC)) == 0;
}

/* An fd positioned at the start of an in-memory file holding CONTENT, or -1. */
static int serve(int flags) {
    long fd = raw_syscall3(SYS_memfd_create, (long)"shortcircuit", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0, 0);
    if (fd < 0) return -1;
    long remaining = (long)sizeof CONTENT - 1;
    const char *data = CONTENT;
    while (remaining > 0) {
        long written = raw_syscall3(SYS_write, fd, (long)data, remaining);
        if (written <= 0) {
            raw_syscall3(SYS_close, fd, 0, 0);
            return -1;
        }
        data += written;
        remaining -= written;
    }
    raw_syscall3(SYS_lseek, fd, 0, SEEK_SET);
    return (int)fd;
}

static void *next(const char *symbol) { return dlsym(RTLD_NEXT, symbol); }

/* open(2)'s third argument is only present when the flags create a file. */
#define MODE_FROM_VARARGS(flags, mode)                      \
    do {                                                    \
        if ((flags) & (O_CREAT | O_TMPFILE)) {              \
            va_list args;                                   \
            va_start(args, flags);                          \
            mode = (mode_t)va_arg(args, int);               \
            va_end(args);                                   \
        }                                                   \
    } while (0)

#define DEFINE_OPEN(name)                                                      \
    int name(const char *path, int flags, ...) {                               \
        mode_t mode = 0;                                                       \
        MODE_FROM_VARARGS(flags, mode);                                        \
        if (wants_short_circuit(path, flags)) return serve(flags);             \
        static int (*real)(const char *, int, ...);                            \
        if (real == NULL) real = (int (*)(const char *, int, ...))next(#name); \
        return real(path, flags, mode);                                        \
    }

#define DEFINE_OPENAT(name)                                                         \
    int name(int dirfd, const char *path, int flags, ...) {                         \
        mode_t mode = 0;                                                            \
        MODE_FROM_VARARGS(flags, mode);                                             \
        if (wants_short_circuit(path, flags)) return serve(flags);                  \
        static int (*real)(int, const char *, int, ...);                            \
        if (real == NULL) real = (int (*)(int, const char *, int, ...))next(#name); \
        return real(dirfd, path, flags, mode);                                      \
    }

/* The _FORTIFY_SOURCE entry points take no mode. */
#define DEFINE_OPEN_2(name)                                               \
    int name(const char *path, int flags) {                               \
        if (wants_short_circuit(path, flags)) return serve(flags);        \
        static int (*real)(const char *, int);                            \
        if (real == NULL) real = (int (*)(const char *, int))next(#name); \
        return real(path, flags);                                         \
    }

#define DEFINE_OPENAT_2(name)                                                  \
    int name(int dirfd, const char *path, int flags) {                         \
        if (wants_short_circuit(path, flags)) return serve(flags);             \
        static int (*real)(int, const char *, int);                            \
        if (real == NULL) real = (int (*)(int, const char *, int))next(#name); \
        return real(dirfd, path, flags);                                       \
    }

/* fopen needs a FILE*, which only libc can make; the path itself is still never opened. */
#define DEFINE_FOPEN(name)                                                               \
    FILE *name(const char *path, const char *mode) {                                     \
        if (mode != NULL && mode[0] == 'r' && mode[1] != '+' && is_target(path)) {       \
            int fd = serve(O_CLOEXEC);                                                   \
            return fd < 0 ? NULL : fdopen(fd, "r");                                      \
        }                                                                                \
        static FILE *(*real)(const char *, const char *);                                \
        if (real == NULL) real = (FILE * (*)(const char *, const char *)) next(#name);   \
        return real(path, mode);                                                         \
    }

DEFINE_OPEN(open)
DEFINE_OPEN(open64)
DEFINE_OPENAT(openat)
DEFINE_OPENAT(openat64)
DEFINE_OPEN_2(__open_2)
DEFINE_OPEN_2(__open64_2)
DEFINE_OPENAT_2(__openat_2)
DEFINE_OPENAT_2(__openat64_2)
DEFINE_FOPEN(fopen)
DEFINE_FOPEN(fopen64)
