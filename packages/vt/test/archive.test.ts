/**
 * Output archives on real files: what createArchive stores and what restoreArchive puts back (outputs.md
 * §3-§4). Hostile archives are in archive-hostile.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { IN_MEMORY_CONTENT } from '../src/archive/create.js';
import { createArchive, hashFile, restoreArchive, type ManifestEntry } from '../src/archive/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temp dir with `src` (where outputs are made), `dest` (an empty workspace), `cache/outputs`. */
function sandbox(): { src: string; dest: string; outputs: string } {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vt-archive-')));
  dirs.push(base);
  for (const d of ['src', 'dest']) fs.mkdirSync(path.join(base, d));
  return { src: path.join(base, 'src'), dest: path.join(base, 'dest'), outputs: path.join(base, 'cache', 'outputs') };
}

function write(root: string, rel: string, content: string | Buffer, mode = 0o644): void {
  const abs = path.join(root, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, content);
  fs.chmodSync(abs, mode);
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Every entry below `root` as path → description, for comparing two trees. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, child);
      const st = fs.lstatSync(abs);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[child] = `symlink -> ${fs.readlinkSync(abs)}`;
      else if (st.isDirectory()) {
        out[child] = `dir ${mode}`;
        walk(child);
      } else out[child] = `file ${mode} ${sha256(fs.readFileSync(abs))}`;
    }
  };
  walk('');
  return out;
}

async function tarHeaders(file: string): Promise<Header[]> {
  const headers: Header[] = [];
  const members = extract();
  fs.createReadStream(file).pipe(createGunzip()).pipe(members);
  for await (const entry of members) {
    headers.push(entry.header);
    entry.resume();
  }
  return headers;
}

describe('createArchive', () => {
  it('stores files, directories and symlinks with normalised headers and a matching manifest', async () => {
    const { src, outputs } = sandbox();
    write(src, 'dist/a.js', 'console.log(1)\n');
    write(src, 'dist/run.sh', '#!/bin/sh\necho hi\n', 0o755);
    fs.mkdirSync(path.join(src, 'dist/empty'));
    fs.symlinkSync('a.js', path.join(src, 'dist/link.js'));
    const old = new Date('2001-02-03T04:05:06Z');
    fs.utimesSync(path.join(src, 'dist/a.js'), old, old);

    const result = await createArchive({
      workspaceRoot: src,
      outputsDir: outputs,
      paths: ['dist/run.sh', 'dist', 'dist/a.js', 'dist/link.js', 'dist/empty', 'dist/a.js'],
    });

    expect(result).not.toBeNull();
    const { file, manifest } = result!;
    expect(path.dirname(file)).toBe(outputs);
    expect(path.basename(file)).toMatch(/^[0-9a-f]{32}\.tar\.gz$/);
    expect(fs.readdirSync(outputs)).toEqual([path.basename(file)]);
    expect(manifest).toEqual([
      { path: 'dist', type: 'dir', size: 0, mode: 0o755 },
      { path: 'dist/a.js', type: 'file', size: 15, mode: 0o644, hash: sha256('console.log(1)\n') },
      { path: 'dist/empty', type: 'dir', size: 0, mode: 0o755 },
      { path: 'dist/link.js', type: 'symlink', size: 0, mode: 0o777, linkText: 'a.js' },
      { path: 'dist/run.sh', type: 'file', size: 18, mode: 0o755, hash: sha256('#!/bin/sh\necho hi\n') },
    ]);

    const headers = await tarHeaders(file);
    expect(headers.map((h) => [h.name, h.type])).toEqual([
      ['dist/', 'directory'],
      ['dist/a.js', 'file'],
      ['dist/empty/', 'directory'],
      ['dist/link.js', 'symlink'],
      ['dist/run.sh', 'file'],
    ]);
    for (const h of headers) {
      expect([h.uid, h.gid, h.uname, h.gname]).toEqual([0, 0, '', '']);
    }
    expect(headers[1]!.mtime.getTime()).toBe(old.getTime());
    expect(headers[3]!.linkname).toBe('a.js');
  });

  it('skips paths that no longer exist, FIFOs, and paths behind a symlink leading out of the workspace; returns null when nothing is left', async () => {
    const { src, outputs } = sandbox();
    const outside = path.join(path.dirname(src), 'outside');
    write(outside, 'secret.txt', 'secret');
    fs.symlinkSync(outside, path.join(src, 'escape'));
    expect(spawnSync('mkfifo', [path.join(src, 'pipe')]).status).toBe(0);

    const none = await createArchive({ workspaceRoot: src, outputsDir: outputs, paths: ['gone.txt', 'gone/x', 'pipe', 'escape/secret.txt'] });
    expect(none).toBeNull();
    expect(fs.existsSync(outputs)).toBe(false);

    write(src, 'kept.txt', 'kept');
    const some = await createArchive({ workspaceRoot: src, outputsDir: outputs, paths: ['gone.txt', 'pipe', 'kept.txt', 'escape/secret.txt'] });
    expect(some!.manifest.map((e) => e.path)).toEqual(['kept.txt']);
  });

  it('stores a symlink as a symlink even when it points at a directory outside', async () => {
    const { src, outputs } = sandbox();
    fs.symlinkSync('/etc', path.join(src, 'etc-link'));
    const result = await createArchive({ workspaceRoot: src, outputsDir: outputs, paths: ['etc-link'] });
    expect(result!.manifest).toEqual([{ path: 'etc-link', type: 'symlink', size: 0, mode: 0o777, linkText: '/etc' }]);
    expect((await tarHeaders(result!.file)).length).toBe(1);
  });

  it('rejects unsafe output paths with a clear error', async () => {
    const { src, outputs } = sandbox();
    for (const [bad, reason] of [
      ['../x', "contains '..'"],
      ['/etc/passwd', 'is absolute'],
      ['a/.git/config', "'.git' component"],
      ['a\0b', 'NUL'],
      ['a//b', 'not a normalised'],
    ] as const) {
      await expect(createArchive({ workspaceRoot: src, outputsDir: outputs, paths: [bad] })).rejects.toThrow(reason);
    }
  });

  it('strips setuid, setgid and sticky bits from stored modes', async () => {
    const { src, outputs } = sandbox();
    write(src, 'tool', 'x', 0o4755);
    fs.mkdirSync(path.join(src, 'shared'));
    fs.chmodSync(path.join(src, 'shared'), 0o3775);
    const result = await createArchive({ workspaceRoot: src, outputsDir: outputs, paths: ['shared', 'tool'] });
    expect(result!.manifest.map((e) => e.mode)).toEqual([0o775, 0o755]);
    expect((await tarHeaders(result!.file)).map((h) => h.mode)).toEqual([0o775, 0o755]);
  });
});

describe('restoreArchive round trip', () => {
  async function roundTrip(build: (src: string) => string[]): Promise<{ src: string; dest: string; manifest: ManifestEntry[]; file: string }> {
    const { src, dest, outputs } = sandbox();
    const paths = build(src);
    const result = await createArchive({ workspaceRoot: src, outputsDir: outputs, paths });
    if (result === null) throw new Error('nothing archived');
    const outcome = await restoreArchive({ workspaceRoot: dest, archiveFile: result.file, manifest: result.manifest });
    expect(outcome).toEqual({ ok: true, written: result.manifest.length, skippedUnchanged: 0, warnings: [] });
    return { src, dest, ...result };
  }

  it('restores modes, directories, empty directories, symlinks, unicode and long names, empty and large files', async () => {
    const longDir = `${'deep-directory-name-'.repeat(6)}x`;
    const big = Buffer.concat([fs.readFileSync(process.execPath).subarray(0, 3 << 20), Buffer.from('tail')]);
    const { src, dest } = await roundTrip((src) => {
      write(src, 'dist/index.js', 'export {}\n');
      write(src, 'dist/cli.sh', '#!/bin/sh\n', 0o755);
      write(src, 'dist/private.key', 'k', 0o600);
      write(src, 'dist/readonly.txt', 'r', 0o444);
      write(src, 'dist/empty.txt', '');
      write(src, 'dist/big.bin', big);
      write(src, 'dist/ünïcødé/日本語 file.txt', 'ü');
      write(src, `dist/${longDir}/${'long-file-name-'.repeat(8)}.js`, 'long');
      fs.mkdirSync(path.join(src, 'dist/empty-dir'));
      fs.mkdirSync(path.join(src, 'dist/private-dir'), { mode: 0o700 });
      fs.chmodSync(path.join(src, 'dist/private-dir'), 0o700);
      fs.symlinkSync('index.js', path.join(src, 'dist/relative-link.js'));
      fs.symlinkSync('../not-built-yet/x.js', path.join(src, 'dist/dangling-inside.js'));
      fs.symlinkSync(`${longDir}/${'long-file-name-'.repeat(8)}.js`, path.join(src, 'dist/long-link.js'));
      fs.symlinkSync('ünïcødé', path.join(src, 'dist/dir-link'));
      return [
        'dist', 'dist/index.js', 'dist/cli.sh', 'dist/private.key', 'dist/readonly.txt', 'dist/empty.txt', 'dist/big.bin',
        'dist/ünïcødé', 'dist/ünïcødé/日本語 file.txt', `dist/${longDir}`, `dist/${longDir}/${'long-file-name-'.repeat(8)}.js`,
        'dist/empty-dir', 'dist/private-dir', 'dist/relative-link.js', 'dist/dangling-inside.js', 'dist/long-link.js', 'dist/dir-link',
      ];
    });
    expect(snapshot(dest)).toEqual(snapshot(src));
    expect(fs.lstatSync(path.join(dest, 'dist/dir-link')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dest, 'dist/big.bin')).equals(big)).toBe(true);
  });

  it('streams outputs too large to archive in memory, with the same result', async () => {
    // Two files just over the in-memory limit together; either alone would fit.
    const half = (IN_MEMORY_CONTENT >> 1) + 4096;
    const exe = fs.readFileSync(process.execPath);
    const a = exe.subarray(0, half);
    const b = Buffer.concat([exe.subarray(half, 2 * half - 5), Buffer.from('tail\n')]);
    const { src, dest, manifest, file } = await roundTrip((src) => {
      write(src, 'dist/a.bin', a);
      write(src, 'dist/b.bin', b);
      write(src, 'dist/small.js', 'export {}\n');
      return ['dist', 'dist/a.bin', 'dist/b.bin', 'dist/small.js'];
    });
    expect(a.length + b.length).toBeGreaterThan(IN_MEMORY_CONTENT);
    expect(snapshot(dest)).toEqual(snapshot(src));
    expect(manifest.map((m) => m.path)).toEqual(['dist', 'dist/a.bin', 'dist/b.bin', 'dist/small.js']);
    expect(fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('restores files with the current time as mtime, not the archived one', async () => {
    const before = Date.now() - 2000;
    const { dest } = await roundTrip((src) => {
      write(src, 'out.txt', 'x');
      fs.utimesSync(path.join(src, 'out.txt'), new Date('2001-01-01'), new Date('2001-01-01'));
      return ['out.txt'];
    });
    expect(fs.statSync(path.join(dest, 'out.txt')).mtimeMs).toBeGreaterThan(before);
  });

  it('restores setuid files without the setuid bit', async () => {
    const { dest } = await roundTrip((src) => {
      write(src, 'tool', 'x', 0o6755);
      return ['tool'];
    });
    expect(fs.statSync(path.join(dest, 'tool')).mode & 0o7777).toBe(0o755);
  });

  it('creates missing parents of members whose directories were not archived', async () => {
    const { dest } = await roundTrip((src) => {
      write(src, 'a/b/c/file.txt', 'deep');
      return ['a/b/c/file.txt'];
    });
    expect(fs.readFileSync(path.join(dest, 'a/b/c/file.txt'), 'utf8')).toBe('deep');
  });

  it('skips unchanged files (inode and mtime kept), rewrites changed ones, and never deletes', async () => {
    const { dest, file, manifest } = await roundTrip((src) => {
      write(src, 'dist/same.js', 'same');
      write(src, 'dist/edited.js', 'original');
      write(src, 'dist/chmodded.sh', 'x', 0o755);
      fs.symlinkSync('same.js', path.join(src, 'dist/link.js'));
      return ['dist', 'dist/same.js', 'dist/edited.js', 'dist/chmodded.sh', 'dist/link.js'];
    });
    const past = new Date('2010-05-05T00:00:00Z');
    const same = path.join(dest, 'dist/same.js');
    fs.utimesSync(same, past, past);
    const sameBefore = fs.statSync(same);
    fs.writeFileSync(path.join(dest, 'dist/edited.js'), 'EDITED!!'); // same size, other content
    fs.chmodSync(path.join(dest, 'dist/chmodded.sh'), 0o644);
    write(dest, 'dist/extra.txt', 'not in the archive');

    const outcome = await restoreArchive({ workspaceRoot: dest, archiveFile: file, manifest });

    expect(outcome).toEqual({ ok: true, written: 2, skippedUnchanged: 3, warnings: [] });
    const sameAfter = fs.statSync(same);
    expect(sameAfter.ino).toBe(sameBefore.ino);
    expect(sameAfter.mtimeMs).toBe(past.getTime());
    expect(fs.readFileSync(path.join(dest, 'dist/edited.js'), 'utf8')).toBe('original');
    expect(fs.statSync(path.join(dest, 'dist/chmodded.sh')).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(dest, 'dist/extra.txt'), 'utf8')).toBe('not in the archive');

    const again = await restoreArchive({ workspaceRoot: dest, archiveFile: file, manifest });
    expect(again).toEqual({ ok: true, written: 0, skippedUnchanged: manifest.length, warnings: [] });
  });

  it('does not read the archive when every member is already in place, and does when one is not', async () => {
    const { dest, file, manifest } = await roundTrip((src) => {
      write(src, 'dist/a.js', 'a');
      fs.symlinkSync('a.js', path.join(src, 'dist/link.js'));
      return ['dist', 'dist/a.js', 'dist/link.js'];
    });
    fs.writeFileSync(file, 'garbage: the archive must not be needed');
    expect(await restoreArchive({ workspaceRoot: dest, archiveFile: file, manifest })).toEqual({
      ok: true,
      written: 0,
      skippedUnchanged: 3,
      warnings: [],
    });

    fs.rmSync(path.join(dest, 'dist/link.js'));
    const outcome = await restoreArchive({ workspaceRoot: dest, archiveFile: file, manifest });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.message).toMatch(/^corrupt or truncated archive: /);

    fs.rmSync(file);
    const gone = await restoreArchive({ workspaceRoot: dest, archiveFile: file, manifest });
    expect(!gone.ok && gone.message).toMatch(/^cannot read the archive: ENOENT/);
  });

  it('replaces a read-only destination file instead of failing', async () => {
    const { dest, file, manifest } = await roundTrip((src) => {
      write(src, 'gen/out.txt', 'fresh content', 0o644);
      return ['gen/out.txt'];
    });
    const target = path.join(dest, 'gen/out.txt');
    fs.writeFileSync(target, 'stale');
    fs.chmodSync(target, 0o444);
    const inode = fs.statSync(target).ino;

    const outcome = await restoreArchive({ workspaceRoot: dest, archiveFile: file, manifest });

    expect(outcome).toMatchObject({ ok: true, written: 1 });
    expect(fs.readFileSync(target, 'utf8')).toBe('fresh content');
    expect(fs.statSync(target).mode & 0o777).toBe(0o644);
    expect(fs.statSync(target).ino).not.toBe(inode);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['out.txt']); // no temp file left behind
  });

  it('replaces an existing symlink at a file destination, and follows a parent symlink that stays inside', async () => {
    const { dest, file, manifest } = await roundTrip((src) => {
      write(src, 'out/a.txt', 'a');
      write(src, 'b.txt', 'b');
      return ['out/a.txt', 'b.txt'];
    });
    for (const rel of ['out/a.txt', 'b.txt']) fs.rmSync(path.join(dest, rel));
    fs.rmdirSync(path.join(dest, 'out'));
    fs.mkdirSync(path.join(dest, 'real-out'));
    fs.symlinkSync('real-out', path.join(dest, 'out'));
    write(dest, 'elsewhere.txt', 'keep me');
    fs.symlinkSync('elsewhere.txt', path.join(dest, 'b.txt'));

    const outcome = await restoreArchive({ workspaceRoot: dest, archiveFile: file, manifest });

    expect(outcome.ok).toBe(true);
    expect(fs.lstatSync(path.join(dest, 'out')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dest, 'real-out/a.txt'), 'utf8')).toBe('a');
    expect(fs.lstatSync(path.join(dest, 'b.txt')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(dest, 'elsewhere.txt'), 'utf8')).toBe('keep me');
  });

  it('fails without writing anything when a directory is in the way of a file', async () => {
    const { src, dest, outputs } = sandbox();
    write(src, 'a.txt', 'a');
    write(src, 'b.txt', 'b');
    const result = await createArchive({ workspaceRoot: src, outputsDir: outputs, paths: ['a.txt', 'b.txt'] });
    fs.mkdirSync(path.join(dest, 'b.txt'));

    const outcome = await restoreArchive({ workspaceRoot: dest, archiveFile: result!.file, manifest: result!.manifest });

    expect(outcome).toEqual({ ok: false, message: "cannot restore 'b.txt': a directory is in the way" });
    expect(fs.readdirSync(dest)).toEqual(['b.txt']);
  });

  it('reports a missing archive file as a failure, not a crash', async () => {
    const { dest } = sandbox();
    const outcome = await restoreArchive({ workspaceRoot: dest, archiveFile: path.join(dest, 'nope.tar.gz'), manifest: [] });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.message).toMatch(/^cannot read the archive: ENOENT/);
  });
});

describe('hashFile', () => {
  it('is the SHA-256 of the content for small and chunked (> 1 MiB) files', async () => {
    const { src } = sandbox();
    const big = Buffer.alloc((1 << 20) * 3 + 17, 7);
    write(src, 'small', 'hello');
    write(src, 'big', big);
    expect(await hashFile(path.join(src, 'small'))).toBe(sha256('hello'));
    expect(await hashFile(path.join(src, 'big'))).toBe(sha256(big));
    await expect(hashFile(path.join(src, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});

describe('createArchive on outputs that are still being written', () => {
  /** Runs `body` while a shell rewrites `file` (`>>` appends, `>` truncates and writes) as fast as it can. */
  async function whileWriting(file: string, redirect: '>>' | '>', body: () => Promise<void>): Promise<void> {
    const writer = spawn('sh', ['-c', `while :; do echo more ${redirect} '${file}'; done`], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await body();
    } finally {
      writer.kill('SIGKILL');
    }
  }

  it('rejects with the path of a large file that changes while it is read, and leaves no archive behind', async () => {
    const { src, outputs } = sandbox();
    write(src, 'dist/after.js', 'x');
    write(src, 'dist/growing.log', Buffer.alloc(8 << 20, 97));
    await whileWriting(path.join(src, 'dist/growing.log'), '>>', async () => {
      await expect(
        createArchive({ workspaceRoot: src, outputsDir: outputs, paths: ['dist/after.js', 'dist/growing.log'] }),
      ).rejects.toThrow(/^output 'dist\/growing\.log' changed while it was being archived$/);
    });
    expect(fs.readdirSync(outputs)).toEqual([]);
  });

  it('rejects (and does not crash) when a member of a small archive changes', async () => {
    // A small archive is packed before the compression pipeline starts pulling, so tar-stream's error
    // event has no listener of its own when the change is seen. One attempt may read the file between two
    // writes, so retry until the change is seen — for up to 20 s, yielding between attempts so that the
    // writer gets the CPU even on a loaded 2-core machine (a fixed 200 attempts was flaky there).
    const { src, outputs } = sandbox();
    write(src, 'a.log', 'start\n');
    write(src, 'b.js', 'x');
    let rejected: unknown = null;
    await whileWriting(path.join(src, 'a.log'), '>', async () => {
      const deadline = Date.now() + 20_000;
      while (rejected === null && Date.now() < deadline) {
        await createArchive({ workspaceRoot: src, outputsDir: outputs, paths: ['a.log', 'b.js'] }).catch((err: unknown) => {
          rejected = err;
        });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    expect((rejected as Error | null)?.message).toBe("output 'a.log' changed while it was being archived");
    expect(fs.readdirSync(outputs).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 30_000);
});
