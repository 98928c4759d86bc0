/**
 * Hostile and broken archives (outputs.md §4): hand-made with tar-stream so they contain what vt would
 * never write. Every case checks that the `outside` sibling of the workspace stays empty and that a failed
 * restore wrote nothing at all, not even the harmless members that come before the bad one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestFor, sha256, tarBytes, type Member } from './support/tar-members.js';
import { createArchive, restoreArchive, type ManifestEntry } from '../src/archive/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** `base/ws` (the workspace), `base/outside` (must stay empty), `base/cache` (archives). */
function sandbox(): { base: string; ws: string; outside: string; cache: string } {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vt-hostile-')));
  dirs.push(base);
  const [ws, outside, cache] = ['ws', 'outside', 'cache'].map((d) => path.join(base, d)) as [string, string, string];
  for (const d of [ws, outside, cache]) fs.mkdirSync(d);
  return { base, ws, outside, cache };
}



function writeArchive(cache: string, bytes: Buffer): string {
  const file = path.join(cache, 'hostile.tar.gz');
  fs.writeFileSync(file, gzipSync(bytes));
  return file;
}



/** All entries below `dir`, recursively, as relative paths. */
function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe('hostile archives fail validation and write nothing', () => {
  const harmless: Member = { name: 'harmless.txt', content: 'fine' };

  async function expectRejected(
    members: readonly Member[],
    manifest: readonly ManifestEntry[],
    message: RegExp,
  ): Promise<void> {
    const { ws, outside, cache } = sandbox();
    const archiveFile = writeArchive(cache, await tarBytes(members));
    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.message).toMatch(message);
    expect(listing(ws)).toEqual([]);
    expect(listing(outside)).toEqual([]);
  }

  it("rejects '../' names", async () => {
    await expectRejected(
      [harmless, { name: '../outside/evil.txt', content: 'x' }],
      manifestFor([harmless]),
      /^unsafe archive member '\.\.\/outside\/evil\.txt': the name contains '\.\.'$/,
    );
    await expectRejected([{ name: 'a/../../outside/evil.txt', content: 'x' }], manifestFor([harmless]), /contains '\.\.'/);
  });

  it("rejects '..' in the manifest too", async () => {
    const evil: Member = { name: '../outside/evil.txt', content: 'x' };
    await expectRejected([harmless, evil], manifestFor([harmless, evil]), /^invalid manifest: '\.\.\/outside\/evil\.txt': the name contains '\.\.'$/);
  });

  it('rejects absolute names', async () => {
    const { outside } = sandbox();
    const evil: Member = { name: path.join(outside, 'evil.txt'), content: 'x' };
    await expectRejected([harmless, evil], manifestFor([harmless]), /^unsafe archive member '\/.*evil\.txt': the name is absolute$/);
  });

  it("rejects '.git' components", async () => {
    const hook: Member = { name: 'pkg/.git/hooks/pre-commit', content: '#!/bin/sh\n', mode: 0o755 };
    await expectRejected([harmless, hook], manifestFor([harmless]), /'\.git' component/);
  });

  it('rejects a name with a NUL byte (carried in a pax header)', async () => {
    // Non-ASCII forces tar-stream to write the name as a pax record, which can hold a NUL.
    const evil: Member = { name: 'ü/evil\0.txt', content: 'x' };
    const bytes = await tarBytes([harmless, evil]);
    expect(bytes.includes(Buffer.from('evil\0.txt'))).toBe(true);
    await expectRejected([harmless, evil], manifestFor([harmless]), /^unsafe archive member 'ü\/evil\\x00\.txt': the name contains a NUL byte$/);
  });

  it('rejects a symlink to an outside directory followed by a file under it', async () => {
    const { outside } = sandbox();
    for (const linkname of [outside, '../outside']) {
      const members: Member[] = [
        harmless,
        { name: 'escape', type: 'symlink', linkname },
        { name: 'escape/pwned.txt', content: 'pwned' },
      ];
      // With the attacker's own manifest, and with the archive alone against an honest one.
      await expectRejected(members, manifestFor(members), /^invalid manifest: 'escape\/pwned\.txt' lies under the symlink 'escape'$/);
      await expectRejected(members, manifestFor([harmless]), /^archive member 'escape' is not in the manifest$/);
    }
    expect(listing(outside)).toEqual([]);
  });

  it('rejects members missing from the manifest, of another type, size or content, and hard links', async () => {
    const file: Member = { name: 'out.txt', content: 'content' };
    await expectRejected([harmless, file], manifestFor([harmless]), /^archive member 'out\.txt' is not in the manifest$/);
    await expectRejected(
      [harmless, file],
      manifestFor([harmless, { name: 'out.txt', type: 'directory' }]),
      /^archive member 'out\.txt' is a file but the manifest lists a dir$/,
    );
    await expectRejected(
      [harmless, file],
      manifestFor([harmless, { name: 'out.txt', content: 'other content' }]),
      /^archive member 'out\.txt' has 7 bytes but the manifest lists 13$/,
    );
    await expectRejected(
      [harmless, file],
      manifestFor([harmless, { name: 'out.txt', content: 'CONTENT' }]),
      /^the content of archive member 'out\.txt' does not match the manifest$/,
    );
    await expectRejected(
      [harmless, { name: 'hard', type: 'link', linkname: 'harmless.txt' }],
      manifestFor([harmless]),
      /^archive member 'hard' has an unsupported type \(link\)$/,
    );
    await expectRejected(
      [harmless, { name: 'l', type: 'symlink', linkname: 'harmless.txt' }],
      manifestFor([harmless, { name: 'l', type: 'symlink', linkname: 'other.txt' }]),
      /^the link text of archive member 'l' does not match the manifest$/,
    );
  });

  it('rejects an archive that lacks a member the manifest lists, or repeats one', async () => {
    await expectRejected([harmless], manifestFor([harmless, { name: 'b.txt', content: 'b' }]), /^the archive is missing 'b\.txt', which the manifest lists$/);
    await expectRejected([harmless, harmless], manifestFor([harmless]), /^archive member 'harmless\.txt' appears twice$/);
  });
});

describe('corrupt archives fail and write nothing', () => {
  async function realArchive(): Promise<{ ws: string; outside: string; file: string; manifest: ManifestEntry[] }> {
    const { base, ws, outside, cache } = sandbox();
    const src = path.join(base, 'src');
    fs.mkdirSync(path.join(src, 'dist'), { recursive: true });
    for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(src, 'dist', `f${i}.js`), `export const v${i} = ${'x'.repeat(i * 40)};\n`);
    const paths = ['dist', ...Array.from({ length: 50 }, (_, i) => `dist/f${i}.js`)];
    const result = await createArchive({ workspaceRoot: src, outputsDir: cache, paths });
    return { ws, outside, ...result! };
  }

  async function expectCorrupt(ws: string, outside: string, file: string, manifest: ManifestEntry[], message: RegExp): Promise<void> {
    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile: file, manifest });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.message).toMatch(message);
    expect(listing(ws)).toEqual([]);
    expect(listing(outside)).toEqual([]);
  }

  it('a truncated archive', async () => {
    const { ws, outside, file, manifest } = await realArchive();
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    await expectCorrupt(ws, outside, file, manifest, /^corrupt or truncated archive: unexpected end of file$/);
  });

  it('a tar cut in the middle of a member, inside valid gzip', async () => {
    const { ws, outside, file, manifest } = await realArchive();
    const tar = (await import('node:zlib')).gunzipSync(fs.readFileSync(file));
    fs.writeFileSync(file, gzipSync(tar.subarray(0, 512 * 20 + 100)));
    await expectCorrupt(ws, outside, file, manifest, /^corrupt or truncated archive: Unexpected end of data$/);
  });

  it('a tar cut between members (no end-of-archive blocks) is caught by the manifest', async () => {
    const { ws, outside, file, manifest } = await realArchive();
    const tar = (await import('node:zlib')).gunzipSync(fs.readFileSync(file));
    fs.writeFileSync(file, gzipSync(tar.subarray(0, 512))); // just the 'dist/' directory header
    await expectCorrupt(ws, outside, file, manifest, /^the archive is missing 'dist\/f0\.js', which the manifest lists$/);
  });

  it('flipped bytes', async () => {
    const { ws, outside, file, manifest } = await realArchive();
    const bytes = fs.readFileSync(file);
    for (let i = 200; i < 260; i++) bytes[i] = bytes[i]! ^ 0x5a;
    fs.writeFileSync(file, bytes);
    await expectCorrupt(ws, outside, file, manifest, /^corrupt or truncated archive: /);
  });

  it('a file that is not an archive at all, and an empty file', async () => {
    const { ws, outside, file, manifest } = await realArchive();
    fs.writeFileSync(file, 'definitely not gzip');
    await expectCorrupt(ws, outside, file, manifest, /^corrupt or truncated archive: /);
    fs.writeFileSync(file, '');
    await expectCorrupt(ws, outside, file, manifest, /^corrupt or truncated archive: unexpected end of file$/);
  });

  it('an unsupported archive format', async () => {
    const { ws, outside, file, manifest } = await realArchive();
    const zst = file.replace(/\.tar\.gz$/, '.tar.zst');
    fs.renameSync(file, zst);
    await expectCorrupt(ws, outside, zst, manifest, /^unsupported archive format: .*\.tar\.zst/);
  });

  it('a manifest that is not one', async () => {
    const { ws, outside, file } = await realArchive();
    const bad = [{ path: 'dist/f0.js', type: 'file', size: 1, mode: 0o644, hash: 'nope' }] as ManifestEntry[];
    await expectCorrupt(ws, outside, file, bad, /^invalid manifest: 'dist\/f0\.js' has no valid content hash$/);
    const twice = [{ path: 'a', type: 'dir', size: 0, mode: 0o755 }, { path: 'a', type: 'dir', size: 0, mode: 0o755 }] as ManifestEntry[];
    await expectCorrupt(ws, outside, file, twice, /^invalid manifest: 'a' is listed twice$/);
    await expectCorrupt(ws, outside, file, [null] as unknown as ManifestEntry[], /^invalid manifest: a row has no path$/);
    await expectCorrupt(ws, outside, file, { length: 1 } as unknown as ManifestEntry[], /^invalid manifest: it is not a list of entries$/);
  });
});

describe('the workspace side of a restore', () => {
  it('replaces a pre-existing symlink that leads outside instead of writing through it', async () => {
    const { ws, outside, cache } = sandbox();
    const members: Member[] = [{ name: 'dist/a.js', content: 'a' }, { name: 'dist/sub/b.js', content: 'b' }];
    const archiveFile = writeArchive(cache, await tarBytes(members));
    fs.symlinkSync(outside, path.join(ws, 'dist'));

    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest: manifestFor(members) });

    expect(outcome).toEqual({ ok: true, written: 2, skippedUnchanged: 0, warnings: [] });
    expect(fs.lstatSync(path.join(ws, 'dist')).isDirectory()).toBe(true);
    expect(listing(ws)).toEqual(['dist', 'dist/a.js', 'dist/sub', 'dist/sub/b.js']);
    expect(listing(outside)).toEqual([]);
  });

  it('replaces a relative link leading outside, a dangling link, and a deeper foreign link', async () => {
    const { ws, outside, cache } = sandbox();
    fs.mkdirSync(path.join(outside, 'deeper'));
    fs.symlinkSync('../outside', path.join(ws, 'rel'));
    fs.symlinkSync('does-not-exist', path.join(ws, 'dangling'));
    fs.mkdirSync(path.join(ws, 'real'));
    fs.symlinkSync(path.join(outside, 'deeper'), path.join(ws, 'real', 'foreign'));
    fs.symlinkSync('real', path.join(ws, 'inside'));
    const members: Member[] = [
      { name: 'rel/x.txt', content: 'x' },
      { name: 'dangling/y.txt', content: 'y' },
      { name: 'inside/foreign/z.txt', content: 'z' },
    ];
    const archiveFile = writeArchive(cache, await tarBytes(members));

    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest: manifestFor(members) });

    expect(outcome.ok).toBe(true);
    expect(fs.readFileSync(path.join(ws, 'rel/x.txt'), 'utf8')).toBe('x');
    expect(fs.readFileSync(path.join(ws, 'dangling/y.txt'), 'utf8')).toBe('y');
    expect(fs.lstatSync(path.join(ws, 'inside')).isSymbolicLink()).toBe(true); // inside link followed
    expect(fs.lstatSync(path.join(ws, 'real/foreign')).isDirectory()).toBe(true); // foreign link replaced
    expect(fs.readFileSync(path.join(ws, 'real/foreign/z.txt'), 'utf8')).toBe('z');
    expect(listing(outside)).toEqual(['deeper']);
    expect(listing(path.join(outside, 'deeper'))).toEqual([]);
  });

  it('replaces a destination symlink leading outside with the file, leaving the outside file alone', async () => {
    const { ws, outside, cache } = sandbox();
    fs.writeFileSync(path.join(outside, 'target.txt'), 'outside content');
    fs.symlinkSync(path.join(outside, 'target.txt'), path.join(ws, 'out.txt'));
    fs.symlinkSync(outside, path.join(ws, 'outdir'));
    const members: Member[] = [{ name: 'out.txt', content: 'restored' }, { name: 'outdir/', type: 'directory', mode: 0o755 }];
    const archiveFile = writeArchive(cache, await tarBytes(members));

    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest: manifestFor(members) });

    expect(outcome.ok).toBe(true);
    expect(fs.lstatSync(path.join(ws, 'out.txt')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(ws, 'out.txt'), 'utf8')).toBe('restored');
    expect(fs.lstatSync(path.join(ws, 'outdir')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(outside, 'target.txt'), 'utf8')).toBe('outside content');
    expect(listing(outside)).toEqual(['target.txt']);
  });

  it('replaces an existing symlink where a directory member goes, even one that stays inside', async () => {
    const { ws, cache } = sandbox();
    fs.mkdirSync(path.join(ws, 'real/x'), { recursive: true });
    fs.symlinkSync('real', path.join(ws, 'out'));
    const members: Member[] = [{ name: 'out/', type: 'directory', mode: 0o755 }, { name: 'out/x', content: 'file now' }];
    const archiveFile = writeArchive(cache, await tarBytes(members));

    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest: manifestFor(members) });

    expect(outcome).toEqual({ ok: true, written: 2, skippedUnchanged: 0, warnings: [] });
    expect(fs.lstatSync(path.join(ws, 'out')).isDirectory()).toBe(true);
    expect(fs.readFileSync(path.join(ws, 'out/x'), 'utf8')).toBe('file now');
    expect(fs.lstatSync(path.join(ws, 'real/x')).isDirectory()).toBe(true);
  });

  it('strips setuid, setgid and sticky bits from archive modes', async () => {
    const { ws, cache } = sandbox();
    const members: Member[] = [
      { name: 'bin/', type: 'directory', mode: 0o1777 },
      { name: 'bin/tool', content: 'x', mode: 0o6755 },
    ];
    const archiveFile = writeArchive(cache, await tarBytes(members));

    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest: manifestFor(members) });

    expect(outcome.ok).toBe(true);
    expect(fs.statSync(path.join(ws, 'bin')).mode & 0o7777).toBe(0o777);
    expect(fs.statSync(path.join(ws, 'bin/tool')).mode & 0o7777).toBe(0o755);
  });
});

describe('symlink members whose text leads outside are skipped with a warning', () => {
  const warning = (p: string): string => `✗ Skipped restoring symlink '${p}': target outside the workspace`;

  it('absolute, escaping, and escaping through an existing link; the rest is restored', async () => {
    const { ws, outside, cache } = sandbox();
    fs.mkdirSync(path.join(ws, 'deep/er'), { recursive: true });
    fs.symlinkSync('deep/er', path.join(ws, 'hop'));
    const members: Member[] = [
      { name: 'abs', type: 'symlink', linkname: outside },
      { name: 'dir/up', type: 'symlink', linkname: '../../outside' },
      { name: 'via-hop', type: 'symlink', linkname: 'hop/../../../outside' }, // lexically inside, really outside
      { name: 'ok', type: 'symlink', linkname: 'dir/../file.txt' },
      { name: 'file.txt', content: 'f' },
    ];
    const archiveFile = writeArchive(cache, await tarBytes(members));

    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest: manifestFor(members) });

    expect(outcome).toEqual({
      ok: true,
      written: 2,
      skippedUnchanged: 0,
      warnings: [warning('abs'), warning('dir/up'), warning('via-hop')],
    });
    expect(fs.existsSync(path.join(ws, 'abs'))).toBe(false);
    expect(fs.existsSync(path.join(ws, 'via-hop'))).toBe(false);
    expect(fs.readlinkSync(path.join(ws, 'ok'))).toBe('dir/../file.txt');
    expect(fs.readFileSync(path.join(ws, 'ok'), 'utf8')).toBe('f');
    expect(listing(outside)).toEqual([]);
  });

  it('an identical outside link already in the workspace is left alone and still reported', async () => {
    const { ws, outside, cache } = sandbox();
    fs.symlinkSync(outside, path.join(ws, 'abs')); // e.g. the task itself made it on the run that was stored
    const members: Member[] = [{ name: 'abs', type: 'symlink', linkname: outside }];
    const archiveFile = writeArchive(cache, await tarBytes(members));

    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest: manifestFor(members) });

    expect(outcome).toEqual({ ok: true, written: 0, skippedUnchanged: 0, warnings: [warning('abs')] });
    expect(fs.readlinkSync(path.join(ws, 'abs'))).toBe(outside);
  });

  it('a link judged before another restored link existed is judged again once it does', async () => {
    const { ws, outside, cache } = sandbox();
    // 'a' is checked first, while 'b' does not exist yet, and lexically stays inside; once 'b' (a link to
    // the workspace root) exists, 'a' really resolves to ../outside/x.
    const members: Member[] = [
      { name: 'a', type: 'symlink', linkname: 'b/../outside/x' },
      { name: 'b', type: 'symlink', linkname: '.' },
    ];
    const archiveFile = writeArchive(cache, await tarBytes(members));

    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile, manifest: manifestFor(members) });

    expect(outcome).toEqual({ ok: true, written: 1, skippedUnchanged: 0, warnings: [warning('a')] });
    expect(fs.existsSync(path.join(ws, 'a'))).toBe(false);
    expect(fs.readlinkSync(path.join(ws, 'b'))).toBe('.');
    expect(listing(outside)).toEqual([]);
  });
});
