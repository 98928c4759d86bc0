#include "syscalls.h"

#include <stddef.h>

#define D(nr_, op_, dfd_, p_, dfd2_, p2_, fl_, empty_, name_) \
  { nr_, op_, dfd_, p_, dfd2_, p2_, fl_, empty_, name_ }

/* Ordered roughly by frequency in JS tooling so the filter's linear scan finds the hot ones first. */
static const vt_sysdesc table[] = {
    D(332, VT_OP_STAT, 0, 1, -1, -1, 2, 1, "statx"),
    D(257, VT_OP_OPEN, 0, 1, -1, -1, 2, 0, "openat"),
    D(262, VT_OP_STAT, 0, 1, -1, -1, 3, 1, "newfstatat"),
    D(4, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "stat"),
    D(6, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "lstat"),
    D(2, VT_OP_OPEN, -1, 0, -1, -1, 1, 0, "open"),
    D(21, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "access"),
    D(269, VT_OP_STAT, 0, 1, -1, -1, -1, 0, "faccessat"),
    D(439, VT_OP_STAT, 0, 1, -1, -1, 3, 1, "faccessat2"),
    D(89, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "readlink"),
    D(267, VT_OP_STAT, 0, 1, -1, -1, -1, 0, "readlinkat"),
    D(217, VT_OP_GETDENTS, -1, 0, -1, -1, -1, 0, "getdents64"),
    D(78, VT_OP_GETDENTS, -1, 0, -1, -1, -1, 0, "getdents"),
    D(59, VT_OP_EXEC, -1, 0, -1, -1, -1, 0, "execve"),
    D(322, VT_OP_EXEC, 0, 1, -1, -1, 4, 1, "execveat"),
    D(437, VT_OP_OPENAT2, 0, 1, -1, -1, 2, 0, "openat2"),
    D(85, VT_OP_CREAT, -1, 0, -1, -1, -1, 0, "creat"),
    D(83, VT_OP_MKDIR, -1, 0, -1, -1, -1, 0, "mkdir"),
    D(258, VT_OP_MKDIR, 0, 1, -1, -1, -1, 0, "mkdirat"),
    D(84, VT_OP_RMDIR, -1, 0, -1, -1, -1, 0, "rmdir"),
    D(87, VT_OP_UNLINK, -1, 0, -1, -1, -1, 0, "unlink"),
    D(263, VT_OP_UNLINK, 0, 1, -1, -1, 2, 0, "unlinkat"),
    D(82, VT_OP_RENAME, -1, 0, -1, 1, -1, 0, "rename"),
    D(264, VT_OP_RENAME, 0, 1, 2, 3, -1, 0, "renameat"),
    D(316, VT_OP_RENAME, 0, 1, 2, 3, 4, 0, "renameat2"),
    D(86, VT_OP_LINK, -1, 0, -1, 1, -1, 0, "link"),
    D(265, VT_OP_LINK, 0, 1, 2, 3, 4, 1, "linkat"),
    D(88, VT_OP_SYMLINK, -1, -1, -1, 1, -1, 0, "symlink"),
    D(266, VT_OP_SYMLINK, -1, -1, 1, 2, -1, 0, "symlinkat"),
    D(133, VT_OP_MKNOD, -1, 0, -1, -1, -1, 0, "mknod"),
    D(259, VT_OP_MKNOD, 0, 1, -1, -1, -1, 0, "mknodat"),
    D(76, VT_OP_TRUNCATE, -1, 0, -1, -1, -1, 0, "truncate"),
    D(80, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "chdir"),
    D(161, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "chroot"),
    D(137, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "statfs"),
    D(90, VT_OP_META, -1, 0, -1, -1, -1, 0, "chmod"),
    D(268, VT_OP_META, 0, 1, -1, -1, -1, 0, "fchmodat"),
    D(452, VT_OP_META, 0, 1, -1, -1, 3, 1, "fchmodat2"),
    D(92, VT_OP_META, -1, 0, -1, -1, -1, 0, "chown"),
    D(94, VT_OP_META, -1, 0, -1, -1, -1, 0, "lchown"),
    D(260, VT_OP_META, 0, 1, -1, -1, 4, 1, "fchownat"),
    D(132, VT_OP_META, -1, 0, -1, -1, -1, 0, "utime"),
    D(235, VT_OP_META, -1, 0, -1, -1, -1, 0, "utimes"),
    D(261, VT_OP_META, 0, 1, -1, -1, -1, 0, "futimesat"),
    D(280, VT_OP_META, 0, 1, -1, -1, 3, 0, "utimensat"),
    D(188, VT_OP_META, -1, 0, -1, -1, -1, 0, "setxattr"),
    D(189, VT_OP_META, -1, 0, -1, -1, -1, 0, "lsetxattr"),
    D(197, VT_OP_META, -1, 0, -1, -1, -1, 0, "removexattr"),
    D(198, VT_OP_META, -1, 0, -1, -1, -1, 0, "lremovexattr"),
    D(463, VT_OP_META, 0, 1, -1, -1, 2, 1, "setxattrat"),
    D(466, VT_OP_META, 0, 1, -1, -1, 2, 1, "removexattrat"),
    D(191, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "getxattr"),
    D(192, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "lgetxattr"),
    D(194, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "listxattr"),
    D(195, VT_OP_STAT, -1, 0, -1, -1, -1, 0, "llistxattr"),
    D(464, VT_OP_STAT, 0, 1, -1, -1, 2, 1, "getxattrat"),
    D(465, VT_OP_STAT, 0, 1, -1, -1, 2, 1, "listxattrat"),
    D(254, VT_OP_STAT, -1, 1, -1, -1, -1, 0, "inotify_add_watch"),
    D(303, VT_OP_STAT, 0, 1, -1, -1, 4, 1, "name_to_handle_at"),
    D(428, VT_OP_STAT, 0, 1, -1, -1, 2, 1, "open_tree"),
    D(301, VT_OP_STAT, 3, 4, -1, -1, -1, 0, "fanotify_mark"),
};

#define INDEX_SIZE 512
/* nr -> table index + 1 (0 = not watched). Filled on first use; concurrent first uses write identical bytes. */
static uint8_t index_of[INDEX_SIZE];
static int index_ready;

static void build_index(void) {
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (table[i].nr >= 0 && table[i].nr < INDEX_SIZE) index_of[table[i].nr] = (uint8_t)(i + 1);
  __atomic_store_n(&index_ready, 1, __ATOMIC_RELEASE);
}

const vt_sysdesc *vt_sys_lookup(long nr) {
  if (nr < 0 || nr >= INDEX_SIZE) return NULL;
  if (!__atomic_load_n(&index_ready, __ATOMIC_ACQUIRE)) build_index();
  uint8_t i = index_of[nr];
  return i ? &table[i - 1] : NULL;
}

const vt_sysdesc *vt_sys_table(unsigned *count) {
  *count = (unsigned)(sizeof table / sizeof table[0]);
  return table;
}
