/**
 * RestoreOptions.hashFile (outputs.md §4 rule 5): the caller's content hash for the skip-unchanged check, so
 * a warm hit need not read output files again. It is asked only about an existing regular file that already
 * has the member's size and mode, and its answer decides whether the file is left alone.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createArchive, restoreArchive, type ArchiveResult } from '../src/archive/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** An archive of `dist/a.js` and `dist/b.js`, restored once into an empty workspace `ws`. */
async function restored(): Promise<{ ws: string; archive: ArchiveResult }> {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vt-hashfile-')));
  dirs.push(base);
  const src = path.join(base, 'src');
  const ws = path.join(base, 'ws');
  fs.mkdirSync(path.join(src, 'dist'), { recursive: true });
  fs.mkdirSync(ws);
  fs.writeFileSync(path.join(src, 'dist/a.js'), 'export const a = 1;\n');
  fs.writeFileSync(path.join(src, 'dist/b.js'), 'export const b = 2;\n');
  const archive = (await createArchive({ workspaceRoot: src, outputsDir: path.join(base, 'cache'), paths: ['dist', 'dist/a.js', 'dist/b.js'] }))!;
  const first = await restoreArchive({ workspaceRoot: ws, archiveFile: archive.file, manifest: archive.manifest });
  expect(first).toEqual({ ok: true, written: 3, skippedUnchanged: 0, warnings: [] });
  return { ws, archive };
}

/** A hashFile that hashes the real file and records what it was asked. */
function recording(): { asked: string[]; hashFile: (absPath: string) => string } {
  const asked: string[] = [];
  return { asked, hashFile: (absPath) => (asked.push(absPath), sha256(fs.readFileSync(absPath))) };
}

describe('RestoreOptions.hashFile', () => {
  it('answers the skip-unchanged check for files of the right size and mode', async () => {
    const { ws, archive } = await restored();
    const { asked, hashFile } = recording();
    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile: archive.file, manifest: archive.manifest, hashFile });
    expect(outcome).toEqual({ ok: true, written: 0, skippedUnchanged: 3, warnings: [] });
    expect(asked.sort()).toEqual([path.join(ws, 'dist/a.js'), path.join(ws, 'dist/b.js')]);
  });

  it('is not asked about a missing file, one of another size or mode, or a symlink', async () => {
    const { ws, archive } = await restored();
    fs.writeFileSync(path.join(ws, 'dist/a.js'), 'longer than the archived content\n');
    fs.chmodSync(path.join(ws, 'dist/b.js'), 0o600);
    let { asked, hashFile } = recording();
    expect(await restoreArchive({ workspaceRoot: ws, archiveFile: archive.file, manifest: archive.manifest, hashFile })).toEqual({
      ok: true,
      written: 2,
      skippedUnchanged: 1,
      warnings: [],
    });
    expect(asked).toEqual([]);

    fs.rmSync(path.join(ws, 'dist/a.js'));
    fs.rmSync(path.join(ws, 'dist/b.js'));
    fs.copyFileSync(path.join(ws, '../src/dist/b.js'), path.join(ws, 'b-copy.js'));
    fs.symlinkSync('../b-copy.js', path.join(ws, 'dist/b.js'));
    ({ asked, hashFile } = recording());
    await restoreArchive({ workspaceRoot: ws, archiveFile: archive.file, manifest: archive.manifest, hashFile });
    expect(asked).toEqual([]);
    expect(fs.lstatSync(path.join(ws, 'dist/b.js')).isFile()).toBe(true);
  });

  it('decides: a hash that differs from the manifest rewrites the file (new inode), a matching one keeps it', async () => {
    const { ws, archive } = await restored();
    const a = path.join(ws, 'dist/a.js');
    const inode = fs.statSync(a).ino;
    const stale = (): string => sha256('what the memo last saw');
    const outcome = await restoreArchive({ workspaceRoot: ws, archiveFile: archive.file, manifest: archive.manifest, hashFile: stale });
    expect(outcome).toEqual({ ok: true, written: 2, skippedUnchanged: 1, warnings: [] });
    expect(fs.statSync(a).ino).not.toBe(inode);
    expect(fs.readFileSync(a, 'utf8')).toBe('export const a = 1;\n');

    // The memo's word is taken as is: same size, other content, but the caller says it matches.
    fs.writeFileSync(a, 'export const a = 9;\n');
    const trusting = (absPath: string): string => archive.manifest.find((e) => path.join(ws, e.path) === absPath)!.hash!;
    await restoreArchive({ workspaceRoot: ws, archiveFile: archive.file, manifest: archive.manifest, hashFile: trusting });
    expect(fs.readFileSync(a, 'utf8')).toBe('export const a = 9;\n');
  });

  it('a hashFile that throws fails the restore with its message and writes nothing', async () => {
    const { ws, archive } = await restored();
    fs.rmSync(path.join(ws, 'dist/b.js'));
    const outcome = await restoreArchive({
      workspaceRoot: ws,
      archiveFile: archive.file,
      manifest: archive.manifest,
      hashFile: () => {
        throw new Error('EACCES: permission denied');
      },
    });
    expect(outcome).toEqual({ ok: false, message: 'EACCES: permission denied' });
    expect(fs.existsSync(path.join(ws, 'dist/b.js'))).toBe(false);
  });
});
