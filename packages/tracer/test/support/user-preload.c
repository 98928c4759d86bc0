/* A user's own LD_PRELOAD interposer: it must still come first when vt appends its shim. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

int open(const char *p, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int mode = va_arg(ap, int);
  va_end(ap);
  if (strstr(p, "user-preload-marker")) (void)!write(2, "user-open\n", 10);
  int (*next)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
  return next(p, flags, mode);
}
