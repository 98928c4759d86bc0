/*
 * static-cat FILE — prints FILE using raw system calls from a statically linked binary.
 *
 * Why: a static binary loads no shared libraries, so an LD_PRELOAD-based file tracer never sees it. vt's tracer
 * must still record that FILE was read (tracing.md); this program is the test subject for that.
 * Every file operation goes through syscall(2) directly, never through open()/read() wrappers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void write_all(int fd, const char *data, long length) {
    while (length > 0) {
        long written = syscall(SYS_write, fd, data, length);
        if (written <= 0) return;
        data += written;
        length -= written;
    }
}

static void say(int fd, const char *a, const char *b) {
    write_all(fd, a, (long)strlen(a));
    write_all(fd, b, (long)strlen(b));
}

int main(int argc, char **argv) {
    if (argc != 2) {
        say(2, "static-cat: expected exactly one file\n", "usage: static-cat FILE\n");
        return 2;
    }
    long fd = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        say(2, argv[1], ": not found\n");
        return 1;
    }
    char buffer[65536];
    for (;;) {
        long count = syscall(SYS_read, fd, buffer, sizeof buffer);
        if (count < 0) {
            say(2, argv[1], ": read failed\n");
            return 1;
        }
        if (count == 0) break;
        write_all(1, buffer, count);
    }
    syscall(SYS_close, fd);
    return 0;
}
