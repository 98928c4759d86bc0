/*
 * Direct syscalls that never touch errno. The shim must leave the application's errno exactly as libc would, and
 * the ring writer runs inside the shim, so both use these instead of libc wrappers.
 */
#ifndef VT_RAW_SYSCALL_H
#define VT_RAW_SYSCALL_H

#if defined(__x86_64__)
static inline long vt_raw6(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
  long ret;
  register long r10 __asm__("r10") = a3;
  register long r8 __asm__("r8") = a4;
  register long r9 __asm__("r9") = a5;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}
#else
#include <unistd.h>
#include <errno.h>
static inline long vt_raw6(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
  int saved = errno;
  long r = syscall(nr, a0, a1, a2, a3, a4, a5);
  if (r == -1) r = -errno;
  errno = saved;
  return r;
}
#endif

#define vt_raw0(nr) vt_raw6((nr), 0, 0, 0, 0, 0, 0)
#define vt_raw1(nr, a) vt_raw6((nr), (long)(a), 0, 0, 0, 0, 0)
#define vt_raw2(nr, a, b) vt_raw6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define vt_raw3(nr, a, b, c) vt_raw6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define vt_raw4(nr, a, b, c, d) vt_raw6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

#endif
