"""Runs one command in a fresh pseudo-terminal for the e2e harness (packages/e2e/src/pty-process.ts).

Why a Python driver and not node-pty: node-pty on Linux drops the tail of the output when a program writes more
than the kernel's 4 KiB tty buffer and exits quickly (microsoft/node-pty#85, #726), which makes snapshots flaky.
Plain blocking reads of the master until EIO, as below, never lose output. Only the standard library is used.

Invocation: python3 pty_driver.py CONFIG_JSON
  CONFIG_JSON = {"argv": [...], "cwd": "...", "env": {...}, "cols": N, "rows": N}
  The child gets exactly `env` (our own environment is not passed on, so nothing Python sets leaks into it).
Streams:
  stdin  -> written to the terminal (what a person types)
  stdout <- everything the terminal shows, raw
  fd 3   <- one JSON line, written after stdout is closed: {"exit": CODE} or {"signal": N}, plus "leftovers": how
            many processes were still running when the command ended. A reader that waits for all streams to close
            thus has the complete output and the status.
Processes: the driver is a child subreaper (Linux), so everything the command starts stays its descendant even when
  orphaned or daemonized. When the command ends, the driver SIGKILLs whatever is left; on SIGTERM (the harness's
  time limit) it SIGKILLs the command and all its descendants at once.
"""

import ctypes
import errno
import fcntl
import json
import os
import select
import signal
import struct
import sys
import termios
import time

# After the child exits, processes it left behind may keep the terminal open, so end-of-file never comes. Stop
# reading once the terminal has been quiet this long.
QUIET_AFTER_EXIT_S = 0.2


def spawn(config, master, slave):
    pid = os.fork()
    if pid != 0:
        return pid
    try:
        # A new session whose controlling terminal is the pty: Ctrl-C then signals the foreground process group.
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(slave)
        os.close(master)
        os.closerange(3, 256)
        # Python ignores these for itself; the child must start with the defaults, as under a normal shell.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        os.chdir(config["cwd"])
        os.execve(config["argv"][0], config["argv"], config["env"])
    except BaseException as error:  # noqa: BLE001 - report anything, then leave without running Python cleanup
        os.write(2, f"pty_driver: cannot start {config['argv'][0]}: {error}\n".encode())
    os._exit(127)


def become_subreaper():
    if sys.platform.startswith("linux"):
        PR_SET_CHILD_SUBREAPER = 36
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def descendants():
    """Pids of our living (non-zombie) descendants, read from /proc."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat_file:
                stat = stat_file.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses; the fields after it start past the last ')'.
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if state != "Z":
            children.setdefault(int(ppid), []).append(int(name))
    found, stack = [], [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


class Children:
    """Reaps every child we have (the command and adopted orphans), remembering the command's wait status."""

    def __init__(self, pid):
        self.pid = pid
        self.status = None

    def reap(self):
        while True:
            try:
                waited, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if waited == 0:
                return
            if waited == self.pid:
                self.status = status

    def kill_all(self):
        """SIGKILLs every descendant until none is left (they may fork meanwhile); returns how many there were."""
        killed = set()
        for _ in range(20):
            self.reap()
            pids = descendants()
            if not pids:
                break
            for pid in pids:
                killed.add(pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        self.reap()
        return len(killed)


def configure_terminal(slave, cols, rows):
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    attributes = termios.tcgetattr(slave)
    attributes[0] |= getattr(termios, "IUTF8", 0)  # iflag: backspace erases a whole UTF-8 character
    termios.tcsetattr(slave, termios.TCSANOW, attributes)


def write_all(fd, data):
    while data:
        written = os.write(fd, data)
        data = data[written:]


def relay(master, children, terminate_requested):
    """Copies terminal output to stdout and stdin to the terminal until the output ends."""
    stdin_open = True
    quiet_since = None
    while True:
        if terminate_requested():
            children.kill_all()
        readers = [master] + ([0] if stdin_open else [])
        ready, _, _ = select.select(readers, [], [], 0.05)
        if 0 in ready:
            data = os.read(0, 65536)
            if data:
                write_all(master, data)
            else:
                stdin_open = False
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError as error:
                if error.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                return  # every process closed the terminal: all output has been read
            write_all(1, data)
            quiet_since = None
        children.reap()
        if children.status is not None and master not in ready:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= QUIET_AFTER_EXIT_S:
                return


def main():
    config = json.loads(sys.argv[1])
    control = os.fdopen(3, "w")
    terminate = []
    signal.signal(signal.SIGTERM, lambda *_: terminate.append(True))
    become_subreaper()
    master, slave = os.openpty()
    configure_terminal(slave, config["cols"], config["rows"])
    children = Children(spawn(config, master, slave))
    os.close(slave)
    relay(master, children, lambda: bool(terminate))
    while children.status is None:  # the terminal is closed, but the command may still run without it
        if terminate:
            children.kill_all()
        children.reap()
        time.sleep(0.01)
    leftovers = children.kill_all()
    os.close(1)
    status = children.status
    if os.WIFSIGNALED(status):
        result = {"signal": os.WTERMSIG(status)}
    else:
        result = {"exit": os.WEXITSTATUS(status)}
    control.write(json.dumps({**result, "leftovers": leftovers}) + "\n")
    control.close()
    os.close(master)


if __name__ == "__main__":
    main()
