import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';

/**
 * Ground truth for recall tests: every path `strace -f` saw the same workload access. Lexically normalised,
 * excluding fd-only calls (AT_EMPTY_PATH with "", NULL paths) and symlink targets (a string, not an access).
 */
export function straceRun(program: string, args: string[], cwd: string, env: Record<string, string>): Set<string> {
  const out = join(tmpdir(), `vt-strace-${process.pid}-${Date.now()}.txt`);
  const r = spawnSync(
    '/usr/bin/strace',
    ['-f', '-qq', '-y', '-s', '8192', '-e', 'trace=%file,getdents,getdents64', '-o', out, '--', program, ...args],
    { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (r.status !== 0) throw new Error(`strace run failed (${r.status}): ${r.stderr.slice(-2000)}`);
  try {
    return parseStrace(readFileSync(out, 'utf8'), cwd);
  } finally {
    rmSync(out, { force: true });
  }
}

/** Which arguments are paths, as [dirfd index | -1, path index] pairs. */
const PATH_ARGS: Record<string, Array<[number, number]>> = {};
for (const n of ['open', 'creat', 'stat', 'lstat', 'access', 'readlink', 'chdir', 'chroot', 'statfs', 'mkdir', 'rmdir',
  'unlink', 'truncate', 'chmod', 'chown', 'lchown', 'utime', 'utimes', 'getxattr', 'lgetxattr', 'listxattr',
  'llistxattr', 'setxattr', 'lsetxattr', 'removexattr', 'lremovexattr', 'mknod', 'execve', 'uselib'])
  PATH_ARGS[n] = [[-1, 0]];
for (const n of ['openat', 'openat2', 'newfstatat', 'statx', 'faccessat', 'faccessat2', 'readlinkat', 'mkdirat',
  'unlinkat', 'fchmodat', 'fchmodat2', 'fchownat', 'utimensat', 'mknodat', 'name_to_handle_at', 'execveat',
  'open_tree', 'futimesat'])
  PATH_ARGS[n] = [[0, 1]];
PATH_ARGS.rename = [[-1, 0], [-1, 1]];
PATH_ARGS.link = [[-1, 0], [-1, 1]];
PATH_ARGS.renameat = [[0, 1], [2, 3]];
PATH_ARGS.renameat2 = [[0, 1], [2, 3]];
PATH_ARGS.linkat = [[0, 1], [2, 3]];
PATH_ARGS.symlink = [[-1, 1]];
PATH_ARGS.symlinkat = [[1, 2]];
PATH_ARGS.inotify_add_watch = [[-1, 1]];

interface Arg {
  str?: string; // a quoted string argument
  fdPath?: string; // the </path> decoration of an fd argument (-y)
}

/** Splits strace's argument text into top-level arguments (strings, fd decorations, anything else). */
function splitArgs(s: string): Arg[] {
  const args: Arg[] = [];
  let cur: Arg = {};
  let depth = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\') {
          const e = s[j + 1];
          if (e === 'x') {
            v += String.fromCharCode(parseInt(s.slice(j + 2, j + 4), 16));
            j += 4;
            continue;
          }
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e ?? '';
          j += 2;
          continue;
        }
        v += s[j];
        j++;
      }
      if (depth === 0 && cur.str === undefined) cur.str = v;
      i = j + 1;
      continue;
    }
    if (c === '<' && depth === 0) {
      const end = s.indexOf('>', i);
      if (end > i && cur.fdPath === undefined) cur.fdPath = s.slice(i + 1, end);
      i = end > i ? end + 1 : i + 1;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      args.push(cur);
      cur = {};
    }
    i++;
  }
  args.push(cur);
  return args;
}

export function parseStrace(text: string, cwd: string): Set<string> {
  const paths = new Set<string>();
  const cwdOf = new Map<string, string>();
  const add = (p: string) => paths.add(posix.normalize(p).replace(/(.)\/$/, '$1'));
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+([a-z0-9_]+)\((.*)$/.exec(line);
    if (!m) continue;
    const [, pid, name, rest] = m as unknown as [string, string, string, string];
    let argText = rest;
    const unfinished = argText.lastIndexOf(' <unfinished ...>');
    if (unfinished >= 0) argText = argText.slice(0, unfinished);
    else {
      const close = argText.lastIndexOf(') = ');
      argText = close >= 0 ? argText.slice(0, close) : argText.replace(/\) = .*$/, '');
    }
    const args = splitArgs(argText);
    // -y decorates AT_FDCWD with the caller's cwd: the best source for relative paths of non-*at calls.
    if (argText.startsWith('AT_FDCWD<') && args[0]?.fdPath) cwdOf.set(pid, args[0].fdPath);
    if (name === 'getdents' || name === 'getdents64') {
      const d = args[0]?.fdPath;
      if (d?.startsWith('/')) add(d);
      continue;
    }
    const spec = PATH_ARGS[name];
    if (!spec) continue;
    for (const [di, pi] of spec) {
      const p = args[pi]?.str;
      if (p === undefined || p === '') continue;
      if (p.startsWith('/')) {
        add(p);
        continue;
      }
      const base = di >= 0 ? args[di]?.fdPath : cwdOf.get(pid) ?? cwd;
      if (base?.startsWith('/')) add(posix.join(base, p));
    }
    if (name === 'chdir' && args[0]?.str) {
      const p = args[0].str;
      cwdOf.set(pid, p.startsWith('/') ? p : posix.join(cwdOf.get(pid) ?? cwd, p));
    }
  }
  return paths;
}
