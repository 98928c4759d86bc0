/* Test helper: performs file operations named on the command line, in order. Built twice by the tests, static
 * (every call stops at the supervisor) and dynamic (calls go through the LD_PRELOAD shim). */
#define _GNU_SOURCE
#include <dirent.h>
#include <ftw.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* With FTW_CHDIR, nftw changes the cwd from inside glibc: stat the entry by its bare name. */
static int stat_basename(const char *fpath, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb, (void)type;
  struct stat st;
  stat(fpath + ftw->base, &st);
  return 0;
}

static int fail(const char *op, const char *p) {
  fprintf(stderr, "%s %s: %s\n", op, p, strerror(errno));
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *op = argv[i];
    const char *p = i + 1 < argc ? argv[i + 1] : "";
    char buf[256];
    if (!strcmp(op, "read")) {
      int fd = open(p, O_RDONLY);
      if (fd < 0) fail(op, p); else { (void)!read(fd, buf, sizeof buf); close(fd); }
      i++;
    } else if (!strcmp(op, "write")) {
      int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) fail(op, p); else { (void)!write(fd, "data\n", 5); close(fd); }
      i++;
    } else if (!strcmp(op, "rdwr")) {
      int fd = open(p, O_RDWR);
      if (fd < 0) fail(op, p); else { (void)!read(fd, buf, sizeof buf); (void)!write(fd, "more\n", 5); close(fd); }
      i++;
    } else if (!strcmp(op, "append")) {
      int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd < 0) fail(op, p); else { (void)!write(fd, "more\n", 5); close(fd); }
      i++;
    } else if (!strcmp(op, "chmod")) {
      if (chmod(p, 0755) != 0) fail(op, p);
      i++;
    } else if (!strcmp(op, "truncate") || !strcmp(op, "truncate0")) {
      if (truncate(p, !strcmp(op, "truncate") ? 2 : 0) != 0) fail(op, p);
      i++;
    } else if (!strcmp(op, "stat")) {
      struct stat st;
      if (stat(p, &st) != 0) fail(op, p);
      i++;
    } else if (!strcmp(op, "mkdir")) {
      if (mkdir(p, 0755) != 0) fail(op, p);
      i++;
    } else if (!strcmp(op, "rmdir")) {
      if (rmdir(p) != 0) fail(op, p);
      i++;
    } else if (!strcmp(op, "unlink")) {
      if (unlink(p) != 0) fail(op, p);
      i++;
    } else if (!strcmp(op, "rename")) {
      const char *q = i + 2 < argc ? argv[i + 2] : "";
      if (rename(p, q) != 0) fail(op, p);
      i += 2;
    } else if (!strcmp(op, "list")) {
      DIR *d = opendir(p);
      if (!d) fail(op, p);
      else { while (readdir(d)) {} closedir(d); }
      i++;
    } else if (!strcmp(op, "chdir")) {
      if (chdir(p) != 0) fail(op, p);
      i++;
    } else if (!strcmp(op, "vforkchdir")) {
      /* The vfork child shares our memory: what it does to its cwd must not leak into our view of ours. */
      pid_t c = vfork();
      if (c == 0) {
        struct stat st;
        if (chdir(p) == 0) stat("in-vfork-child", &st);
        _exit(0);
      }
      int ws;
      waitpid(c, &ws, 0);
      i++;
    } else if (!strcmp(op, "nftw")) {
      if (nftw(p, stat_basename, 8, FTW_CHDIR | FTW_PHYS) != 0) fail(op, p);
      i++;
    } else if (!strcmp(op, "procfd") || !strcmp(op, "devfd")) {
      /* A path through /proc/self/fd/N/ or /dev/fd/N/: must be recorded as the real path below the directory. */
      const char *f = i + 2 < argc ? argv[i + 2] : "";
      int d = open(p, O_RDONLY | O_DIRECTORY);
      char path[512];
      snprintf(path, sizeof path, "%s/%d/%s", !strcmp(op, "procfd") ? "/proc/self/fd" : "/dev/fd", d, f);
      int fd = open(path, O_RDONLY);
      if (fd < 0) fail(op, path); else close(fd);
      if (d >= 0) close(d);
      i += 2;
    } else if (!strcmp(op, "env")) {
      const char *v = getenv(p);
      printf("%s=%s\n", p, v ? v : "(unset)");
      i++;
    } else if (!strcmp(op, "uring")) {
      char params[120];
      memset(params, 0, sizeof params);
      long r = syscall(425 /* io_uring_setup */, 1, params);
      printf("io_uring_setup: %s\n", r >= 0 ? "ok" : (errno == ENOSYS ? "ENOSYS" : strerror(errno)));
    } else if (!strcmp(op, "int80")) {
      /* An i386-ABI syscall from a 64-bit process (getpid = 20). */
      long r;
      __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
      printf("int80: %ld\n", r);
    } else if (!strcmp(op, "sleep")) {
      usleep((useconds_t)atoi(p) * 1000);
      i++;
    } else {
      fprintf(stderr, "unknown op %s\n", op);
      return 2;
    }
  }
  fflush(stdout);
  return 0;
}
