// Workloads shared by the recall tests and bench/overhead.mjs. Plain JS so the benchmark runs without a TS loader.
// Each workload generates its files under `dir` and returns how to run it plus a reset() that removes its outputs,
// so that two runs (strace vs tracer, traced vs untraced) see the same filesystem.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** A small, stable environment: no NODE_OPTIONS or test-runner variables leaking into the workloads. */
export function workloadEnv(extra = {}) {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8', ...extra };
}

/** Node requiring `count` generated packages (each with a few relative modules) through node_modules lookups. */
export function requireWorkload(dir, count = 300) {
  mkdirSync(dir, { recursive: true });
  const nm = join(dir, 'node_modules');
  const names = [];
  for (let i = 0; i < count; i++) {
    const name = i % 10 === 0 ? `@scope/pkg${i}` : `pkg${i}`;
    names.push(name);
    const p = join(nm, name);
    mkdirSync(join(p, 'lib'), { recursive: true });
    writeFileSync(join(p, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'lib/index.js' }));
    writeFileSync(join(p, 'lib', 'index.js'), `module.exports = require('./a') + require('./b.js') + ${i};\n`);
    writeFileSync(join(p, 'lib', 'a.js'), `module.exports = require('../lib/b');\n`);
    writeFileSync(join(p, 'lib', 'b.js'), `module.exports = 1;\n`);
  }
  const main = join(dir, 'main.js');
  writeFileSync(
    main,
    `let s = 0;\n${names.map((n) => `s += require(${JSON.stringify(n)});`).join('\n')}\n` +
      `try { require('not-installed-anywhere'); } catch {}\nconsole.log(s);\n`,
  );
  return { name: 'require', program: process.execPath, args: [main], cwd: dir, reset() {} };
}

/** A shell script that globs, stats and reads `dirs * files` small files, plus a few execs. */
export function shellWorkload(dir, dirs = 20, files = 100) {
  mkdirSync(dir, { recursive: true });
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(dir, `d${d}`), { recursive: true });
    for (let f = 0; f < files; f++) writeFileSync(join(dir, `d${d}`, `f${f}.txt`), `line ${d} ${f}\n`);
  }
  const script = join(dir, 'script.sh');
  writeFileSync(
    script,
    [
      'n=0',
      'for f in d*/*.txt; do',
      '  if [ -f "$f" ] && [ -r "$f" ]; then read -r line < "$f"; n=$((n+1)); fi',
      '  [ -e "$f.missing" ] || true',
      'done',
      'cat d0/f0.txt > /dev/null',
      'ls d1 > /dev/null',
      'mkdir -p out && echo "$n" > out/count.txt',
      'echo "$n"',
      '',
    ].join('\n'),
  );
  return {
    name: 'shell',
    program: '/bin/bash',
    args: [script],
    cwd: dir,
    reset() {
      rmSync(join(dir, 'out'), { recursive: true, force: true });
    },
  };
}

const STATIC_PROBE_C = String.raw`
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Raw syscalls on purpose: a static binary never goes through a preloaded library. */
static void touch_files(const char *tag) {
  char buf[64];
  struct stat st;
  int fd = open("data/input.txt", O_RDONLY);
  if (fd >= 0) { (void)!read(fd, buf, sizeof buf); close(fd); }
  stat("data/missing-static.txt", &st);
  int d = open("data", O_RDONLY | O_DIRECTORY);
  if (d >= 0) {
    int f = openat(d, "relative-to-dirfd.txt", O_RDONLY);
    if (f >= 0) close(f);
    char sx[256];
    syscall(SYS_statx, d, "statx-target.txt", 0, 0x7ff, sx);
    char dents[4096];
    while (syscall(SYS_getdents64, d, dents, sizeof dents) > 0) {}
    close(d);
  }
  char out[64];
  snprintf(out, sizeof out, "out/%s.txt", tag);
  mkdir("out", 0777);
  fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) { (void)!write(fd, tag, strlen(tag)); close(fd); }
  access("/etc/static-probe-access", F_OK);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "child") == 0) { touch_files("child"); return 0; }
  touch_files("parent");
  pid_t p = fork();
  if (p == 0) {
    execl("/proc/self/exe", argv[0], "child", (char *)0);
    _exit(127);
  }
  int st;
  waitpid(p, &st, 0);
  pid_t q = fork();
  if (q == 0) { touch_files("forked"); _exit(0); }
  waitpid(q, &st, 0);
  return 0;
}
`;

/** A `gcc -static` program that forks, re-execs itself and touches files with raw syscalls. */
export function staticWorkload(dir) {
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'input.txt'), 'input\n');
  writeFileSync(join(dir, 'data', 'relative-to-dirfd.txt'), 'x\n');
  writeFileSync(join(dir, 'data', 'statx-target.txt'), 'x\n');
  writeFileSync(join(dir, 'probe.c'), STATIC_PROBE_C);
  const bin = join(dir, 'static-probe');
  execFileSync('gcc', ['-static', '-O1', '-o', bin, join(dir, 'probe.c')]);
  return {
    name: 'static',
    program: bin,
    args: [],
    cwd: dir,
    reset() {
      rmSync(join(dir, 'out'), { recursive: true, force: true });
    },
  };
}

/** Node calling esbuild's JS API, which spawns esbuild's static Go binary, to bundle `count` modules. */
export function esbuildWorkload(dir, count = 100) {
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  for (let i = 0; i < count; i++) {
    const imports = [1, 2, 3].map((k) => i + k).filter((j) => j < count);
    writeFileSync(
      join(src, `m${i}.js`),
      `${imports.map((j) => `import { v${j} } from './m${j}.js';`).join('\n')}\n` +
        `export const v${i} = ${imports.map((j) => `v${j}`).join(' + ') || '0'} + ${i};\n`,
    );
  }
  writeFileSync(join(src, 'entry.js'), `import { v0 } from './m0.js';\nconsole.log(v0);\n`);
  const esbuild = require.resolve('esbuild');
  const build = join(dir, 'build.js');
  writeFileSync(
    build,
    `require(${JSON.stringify(esbuild)}).buildSync({ entryPoints: [${JSON.stringify(join(src, 'entry.js'))}],` +
      ` bundle: true, minify: true, sourcemap: true, outfile: ${JSON.stringify(join(dir, 'dist', 'out.js'))}, logLevel: 'silent' });\n`,
  );
  return {
    name: 'esbuild',
    program: process.execPath,
    args: [build],
    cwd: dir,
    reset() {
      rmSync(join(dir, 'dist'), { recursive: true, force: true });
    },
  };
}

/** tsc (from the repository's typescript) on a small generated project that emits JS, declarations and maps. */
export function tscWorkload(dir, count = 30) {
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, outDir: 'out', declaration: true, sourceMap: true, types: [] },
      include: ['src'],
    }),
  );
  for (let i = 0; i < count; i++) {
    const dep = i + 1 < count ? `import { C${i + 1} } from './f${i + 1}';\n` : '';
    writeFileSync(
      join(src, `f${i}.ts`),
      `${dep}export type U${i} = { kind: 'a'; a: number } | { kind: 'b'; b: string };\n` +
        `export class C${i} { constructor(readonly u: U${i}) {} get n(): number { return this.u.kind === 'a' ? this.u.a : this.u.b.length; } }\n` +
        (dep ? `export const x${i} = new C${i + 1}({ kind: 'a', a: ${i} }).n;\n` : ''),
    );
  }
  const tsc = require.resolve('typescript/lib/tsc.js');
  return {
    name: 'tsc',
    program: process.execPath,
    args: [tsc, '-p', dir],
    cwd: dir,
    reset() {
      rmSync(join(dir, 'out'), { recursive: true, force: true });
    },
  };
}
