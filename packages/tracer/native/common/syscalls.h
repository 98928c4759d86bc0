/*
 * The path-taking syscalls the tracer watches, and how each one's arguments map to accesses. One table drives
 * three things that must agree: the seccomp filter (which syscalls stop), the supervisor's decoder and the shim's
 * decoder. Numbers are the x86_64 ABI; other architectures are reported as unsupported.
 */
#ifndef VT_SYSCALLS_H
#define VT_SYSCALLS_H

#include <stdint.h>

#if !defined(__x86_64__)
#define VT_ARCH_SUPPORTED 0
#else
#define VT_ARCH_SUPPORTED 1
#endif

/* What an operation does with its path(s). */
typedef enum vt_op {
  VT_OP_OPEN,     /* path + open flags: READ and/or WRITE, STAT for O_PATH / O_DIRECTORY */
  VT_OP_OPENAT2,  /* like OPEN, flags inside struct open_how */
  VT_OP_CREAT,    /* O_CREAT|O_WRONLY|O_TRUNC */
  VT_OP_STAT,     /* STAT: stat family, access, readlink, statfs, getxattr, chdir, ... */
  VT_OP_EXEC,     /* READ of the program (and of a #! interpreter) */
  VT_OP_GETDENTS, /* READ_DIR of the directory an fd refers to */
  VT_OP_MKDIR,    /* WRITE_DIR, fails if the path exists */
  VT_OP_RMDIR,    /* WRITE_DIR, fails if the path is missing */
  VT_OP_UNLINK,   /* WRITE (WRITE_DIR with AT_REMOVEDIR) */
  VT_OP_RENAME,   /* both paths WRITE, or WRITE_DIR when the source is a directory */
  VT_OP_LINK,     /* old path STAT, new path WRITE */
  VT_OP_SYMLINK,  /* new path WRITE (the target string is not an access) */
  VT_OP_MKNOD,    /* WRITE, fails if the path exists */
  VT_OP_TRUNCATE, /* WRITE of an existing file */
  VT_OP_META,     /* chmod/chown/utime/setxattr: WRITE of a file, STAT of a directory */
} vt_op;

typedef struct vt_sysdesc {
  int16_t nr;
  uint8_t op;      /* vt_op */
  int8_t dirfd;    /* argument index of the directory fd of `path`, -1 = relative to cwd */
  int8_t path;     /* argument index of the (first) path, or of the fd for GETDENTS */
  int8_t dirfd2;   /* second path (rename/link/symlink destination) */
  int8_t path2;
  int8_t flags;    /* argument index of an AT_* / open flags word, -1 = none */
  uint8_t empty_path_ok; /* flags may contain AT_EMPTY_PATH: "" then means the dirfd itself */
  const char *name;
} vt_sysdesc;

/* Returns the descriptor for an x86_64 syscall number, or NULL when the syscall is not watched. */
const vt_sysdesc *vt_sys_lookup(long nr);
/* All watched descriptors, for building the filter. */
const vt_sysdesc *vt_sys_table(unsigned *count);

/* Syscall numbers used directly (x86_64), including ones newer than the build host's headers. */
#define VT_NR_read 0
#define VT_NR_close 3
#define VT_NR_stat 4
#define VT_NR_lstat 6
#define VT_NR_madvise 28
#define VT_NR_getcwd 79
#define VT_NR_chdir 80
#define VT_NR_fchdir 81
#define VT_NR_chroot 161
#define VT_NR_openat 257
#define VT_NR_mkdirat 258
#define VT_NR_fchownat 260
#define VT_NR_newfstatat 262
#define VT_NR_unlinkat 263
#define VT_NR_renameat 264
#define VT_NR_renameat2 316
#define VT_NR_linkat 265
#define VT_NR_symlinkat 266
#define VT_NR_readlinkat 267
#define VT_NR_fchmodat 268
#define VT_NR_faccessat 269
#define VT_NR_utimensat 280
#define VT_NR_mknodat 259
#define VT_NR_truncate 76
#define VT_NR_statfs 137
#define VT_NR_statx 332
#define VT_NR_faccessat2 439
#define VT_NR_io_uring_setup 425
#define VT_NR_seccomp 317
#define VT_NR_open_by_handle_at 304
#define VT_NR_mmap 9
#define VT_NR_mprotect 10
#define VT_NR_munmap 11

#endif
