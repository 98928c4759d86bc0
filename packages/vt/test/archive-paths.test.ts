/**
 * The two ways a restore reads an archive (outputs.md §4): small archives are read once into memory
 * (in-memory.ts), larger ones are streamed twice (validate.ts, then restore.ts). Both must accept and refuse
 * exactly the same archives with the same messages and leave the same workspace, so every scenario here is
 * restored through both (the streaming one by setting the in-memory limits to zero) and the results compared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestFor, sha256, tarBytes, type Member } from './support/tar-members.js';
import { IN_MEMORY_LIMITS, readInMemory, type InMemoryLimits } from '../src/archive/in-memory.js';
import { createArchive, restoreArchive, type ManifestEntry, type RestoreOutcome } from '../src/archive/index.js';
import { checkManifest } from '../src/archive/manifest.js';

const STREAMING: InMemoryLimits = { archiveBytes: 0, contentBytes: 0 };

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    // Read-only directories left by a scenario must be opened up before they can be removed.
    for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
      const abs = path.join(dir, rel);
      if (fs.lstatSync(abs).isDirectory()) fs.chmodSync(abs, 0o755);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** `base/ws` (the workspace), `base/outside` (must stay empty), `base/cache` (archives), `base/src`. */
function sandbox(): { ws: string; outside: string; cache: string; src: string } {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vt-paths-')));
  dirs.push(base);
  const [ws, outside, cache, src] = ['ws', 'outside', 'cache', 'src'].map((d) => path.join(base, d)) as [string, string, string, string];
  for (const d of [ws, outside, cache, src]) fs.mkdirSync(d);
  return { ws, outside, cache, src };
}





/** Every entry below `root`: type, mode, content hash or link text. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of (fs.readdirSync(root, { recursive: true }) as string[]).sort()) {
    const abs = path.join(root, rel);
    const st = fs.lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[rel] = `symlink -> ${fs.readlinkSync(abs)}`;
    else if (st.isDirectory()) out[rel] = `dir ${mode}`;
    else out[rel] = `file ${mode} ${sha256(fs.readFileSync(abs))}`;
  }
  return out;
}

/** One restore situation: prepares a fresh sandbox and returns the archive and manifest to restore. */
type Scenario = (box: ReturnType<typeof sandbox>) => Promise<{ archiveFile: string; manifest: ManifestEntry[] }>;

/** Archive of hand-made members (tar as given, gzip by node:zlib), with the manifest `manifest` or their own. */
function hostile(members: readonly Member[], manifest?: readonly Member[], mangle?: (tar: Buffer) => Buffer): Scenario {
  return async ({ cache }) => {
    const tar = await tarBytes(members);
    const archiveFile = path.join(cache, 'a.tar.gz');
    fs.writeFileSync(archiveFile, gzipSync(mangle ? mangle(tar) : tar));
    return { archiveFile, manifest: manifestFor(manifest ?? members) };
  };
}

interface Result {
  outcome: RestoreOutcome;
  ws: Record<string, string>;
  outside: Record<string, string>;
}

/** Runs `scenario` in a fresh sandbox, restoring with the given limits. */
async function run(scenario: Scenario, limits: InMemoryLimits, setup?: (box: ReturnType<typeof sandbox>) => void): Promise<Result> {
  const box = sandbox();
  const { archiveFile, manifest } = await scenario(box);
  setup?.(box);
  const outcome = await restoreArchive({ workspaceRoot: box.ws, archiveFile, manifest, inMemoryLimits: limits });
  return { outcome, ws: snapshot(box.ws), outside: snapshot(box.outside) };
}

/** Restores through both paths and expects the same outcome and trees; returns the in-memory result. */
async function bothPaths(scenario: Scenario, setup?: (box: ReturnType<typeof sandbox>) => void): Promise<Result> {
  const inMemory = await run(scenario, IN_MEMORY_LIMITS, setup);
  const streamed = await run(scenario, STREAMING, setup);
  expect(streamed).toEqual(inMemory);
  expect(inMemory.outside).toEqual({});
  return inMemory;
}

describe('in-memory and streaming restores agree', () => {
  const harmless: Member = { name: 'harmless.txt', content: 'fine' };

  it('on a real archive of files, directories, modes, symlinks and a file larger than one read chunk', async () => {
    const big = Buffer.concat([fs.readFileSync(process.execPath).subarray(0, (1 << 20) + 4097), Buffer.from('tail')]);
    const result = await bothPaths(async ({ src, cache }) => {
      fs.mkdirSync(path.join(src, 'dist/sub/deeper'), { recursive: true });
      fs.mkdirSync(path.join(src, 'dist/locked'));
      fs.writeFileSync(path.join(src, 'dist/index.js'), 'export {}\n');
      fs.writeFileSync(path.join(src, 'dist/sub/run.sh'), '#!/bin/sh\n', { mode: 0o755 });
      fs.writeFileSync(path.join(src, 'dist/sub/deeper/big.bin'), big);
      fs.writeFileSync(path.join(src, 'dist/locked/inside.txt'), 'in a read-only dir');
      fs.writeFileSync(path.join(src, 'dist/empty.txt'), '');
      fs.symlinkSync('sub/run.sh', path.join(src, 'dist/link'));
      fs.chmodSync(path.join(src, 'dist/locked'), 0o555);
      const paths = [
        'dist', 'dist/index.js', 'dist/sub', 'dist/sub/run.sh', 'dist/sub/deeper', 'dist/sub/deeper/big.bin',
        'dist/locked', 'dist/locked/inside.txt', 'dist/empty.txt', 'dist/link', 'loose/parentless.txt',
      ];
      fs.mkdirSync(path.join(src, 'loose'));
      fs.writeFileSync(path.join(src, 'loose/parentless.txt'), 'its directory is not a member');
      const result = await createArchive({ workspaceRoot: src, outputsDir: cache, paths });
      fs.chmodSync(path.join(src, 'dist/locked'), 0o755);
      return { archiveFile: result!.file, manifest: result!.manifest };
    });
    expect(result.outcome).toEqual({ ok: true, written: 11, skippedUnchanged: 0, warnings: [] });
    expect(result.ws['dist/locked']).toBe('dir 555');
    expect(result.ws['dist/sub/deeper/big.bin']).toBe(`file 644 ${sha256(big)}`);
  });

  it('over a partly restored workspace: unchanged members skipped, others written, read-only ones replaced', async () => {
    const members: Member[] = [
      { name: 'out/', type: 'directory', mode: 0o500 },
      { name: 'out/same.txt', content: 'same' },
      { name: 'out/changed.txt', content: 'new content' },
      { name: 'out/readonly.txt', content: 'fresh', mode: 0o444 },
      { name: 'link', type: 'symlink', linkname: 'out/same.txt' },
    ];
    const result = await bothPaths(hostile(members), ({ ws }) => {
      fs.mkdirSync(path.join(ws, 'out'));
      fs.writeFileSync(path.join(ws, 'out/same.txt'), 'same');
      fs.writeFileSync(path.join(ws, 'out/changed.txt'), 'old content');
      fs.writeFileSync(path.join(ws, 'out/readonly.txt'), 'stale', { mode: 0o444 });
      fs.chmodSync(path.join(ws, 'out'), 0o500);
    });
    expect(result.outcome).toEqual({ ok: true, written: 4, skippedUnchanged: 1, warnings: [] });
    expect(result.ws['out/readonly.txt']).toBe(`file 444 ${sha256('fresh')}`);
  });

  it('on hostile members: unsafe names, unknown, mistyped, resized, altered, missing and repeated members', async () => {
    const cases: [Scenario, RegExp][] = [
      [hostile([harmless, { name: '../outside/evil.txt', content: 'x' }], [harmless]), /contains '\.\.'$/],
      [hostile([harmless, { name: 'a/.git/hooks/x', content: 'x' }], [harmless]), /'\.git' component$/],
      [hostile([harmless, { name: 'extra.txt', content: 'x' }], [harmless]), /^archive member 'extra\.txt' is not in the manifest$/],
      [hostile([harmless, { name: 'd', content: 'x' }], [harmless, { name: 'd/', type: 'directory' }]), /is a file but the manifest lists a dir$/],
      [hostile([harmless, { name: 'f', content: 'abc' }], [harmless, { name: 'f', content: 'abcd' }]), /has 3 bytes but the manifest lists 4$/],
      [hostile([harmless, { name: 'f', content: 'abc' }], [harmless, { name: 'f', content: 'ABC' }]), /^the content of archive member 'f' does not match/],
      [hostile([harmless], [harmless, { name: 'b.txt', content: 'b' }]), /^the archive is missing 'b\.txt'/],
      [hostile([harmless, harmless], [harmless]), /^archive member 'harmless\.txt' appears twice$/],
      [hostile([harmless, { name: 'l', type: 'symlink', linkname: 'a' }], [harmless, { name: 'l', type: 'symlink', linkname: 'b' }]), /link text/],
    ];
    for (const [scenario, message] of cases) {
      const { outcome, ws } = await bothPaths(scenario);
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.message).toMatch(message);
      expect(ws).toEqual({});
    }
  });

  it('on corrupt data: a tar cut inside a member, gzip cut short, garbage, an empty file', async () => {
    const members: Member[] = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.js`, content: `export const v = ${'x'.repeat(i * 50)};\n` }));
    const cutGzip: Scenario = async (box) => {
      const made = await hostile(members)(box);
      const bytes = fs.readFileSync(made.archiveFile);
      fs.writeFileSync(made.archiveFile, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
      return made;
    };
    const replaced = (content: string): Scenario => async (box) => {
      const made = await hostile(members)(box);
      fs.writeFileSync(made.archiveFile, content);
      return made;
    };
    const cases: [Scenario, RegExp][] = [
      [hostile(members, members, (tar) => tar.subarray(0, 512 * 6 + 100)), /^corrupt or truncated archive: Unexpected end of data$/],
      [cutGzip, /^corrupt or truncated archive: unexpected end of file$/],
      [replaced('definitely not gzip'), /^corrupt or truncated archive: incorrect header check$/],
      [replaced(''), /^corrupt or truncated archive: unexpected end of file$/],
    ];
    for (const [scenario, message] of cases) {
      const { outcome, ws } = await bothPaths(scenario);
      expect(!outcome.ok && outcome.message).toMatch(message);
      expect(ws).toEqual({});
    }
  });

  it('on the workspace side: foreign and dangling symlinks replaced, a directory in the way of a file or a link', async () => {
    const members: Member[] = [{ name: 'dist/a.js', content: 'a' }, { name: 'gone/b.js', content: 'b' }];
    const replacedLinks = await bothPaths(hostile(members), ({ ws, outside }) => {
      fs.symlinkSync(outside, path.join(ws, 'dist'));
      fs.symlinkSync('nowhere', path.join(ws, 'gone'));
    });
    expect(replacedLinks.outcome).toEqual({ ok: true, written: 2, skippedUnchanged: 0, warnings: [] });
    expect(replacedLinks.ws).toMatchObject({ dist: 'dir 755', gone: 'dir 755' });

    for (const blocked of ['file.txt', 'link']) {
      const withBlock: Member[] = [harmless, { name: 'file.txt', content: 'f' }, { name: 'link', type: 'symlink', linkname: 'file.txt' }];
      const result = await bothPaths(hostile(withBlock), ({ ws }) => fs.mkdirSync(path.join(ws, blocked)));
      expect(result.outcome).toEqual({ ok: false, message: `cannot restore '${blocked}': a directory is in the way` });
      expect(result.ws).toEqual({ [blocked]: 'dir 755' });
    }
  });

  it('on a symlink member leading outside: skipped with a warning', async () => {
    const result = await bothPaths(hostile([harmless, { name: 'up', type: 'symlink', linkname: '../outside' }]));
    expect(result.outcome).toEqual({
      ok: true,
      written: 1,
      skippedUnchanged: 0,
      warnings: ["✗ Skipped restoring symlink 'up': target outside the workspace"],
    });
  });
});

describe('readInMemory', () => {
  async function small(): Promise<{ archiveFile: string; manifest: ManifestEntry[] }> {
    return hostile([{ name: 'd/', type: 'directory' }, { name: 'd/a.txt', content: 'aaa' }, { name: 'b.txt', content: '' }])(sandbox());
  }

  it('returns every file body of a small archive, checked against the manifest', async () => {
    const { archiveFile, manifest } = await small();
    const bodies = await readInMemory(archiveFile, checkManifest(manifest), IN_MEMORY_LIMITS);
    expect(bodies && Object.fromEntries([...bodies].map(([p, b]) => [p, b.toString()]))).toEqual({ 'd/a.txt': 'aaa', 'b.txt': '' });
  });

  it('declines (null) an archive above either limit, so the streaming path handles it', async () => {
    const { archiveFile, manifest } = await small();
    const checked = checkManifest(manifest);
    const compressed = fs.statSync(archiveFile).size;
    expect(await readInMemory(archiveFile, checked, { archiveBytes: compressed, contentBytes: 3 })).not.toBeNull();
    expect(await readInMemory(archiveFile, checked, { archiveBytes: compressed - 1, contentBytes: 3 })).toBeNull();
    expect(await readInMemory(archiveFile, checked, { archiveBytes: compressed, contentBytes: 2 })).toBeNull();
  });

  it('declines data zlib rejects and a missing file, leaving the message to the streaming path', async () => {
    const { archiveFile, manifest } = await small();
    const checked = checkManifest(manifest);
    fs.writeFileSync(archiveFile, gzipSync(Buffer.from('x')).subarray(0, 10));
    expect(await readInMemory(archiveFile, checked, IN_MEMORY_LIMITS)).toBeNull();
    fs.rmSync(archiveFile);
    expect(await readInMemory(archiveFile, checked, IN_MEMORY_LIMITS)).toBeNull();
  });

  it('declines an archive that inflates far beyond what its manifest allows; streaming then judges it', async () => {
    // A valid archive followed by 8 MiB of zero blocks: tar readers skip them, but held in memory this
    // would be a small file growing into a big buffer. The bound stops inflation; streaming accepts it.
    const box = sandbox();
    const { archiveFile, manifest } = await hostile([{ name: 'a.txt', content: 'a' }], undefined, (tar) =>
      Buffer.concat([tar, Buffer.alloc(8 << 20)]),
    )(box);
    expect(fs.statSync(archiveFile).size).toBeLessThan(64 << 10);
    expect(gunzipSync(fs.readFileSync(archiveFile)).length).toBeGreaterThan(8 << 20);
    expect(await readInMemory(archiveFile, checkManifest(manifest), IN_MEMORY_LIMITS)).toBeNull();

    const outcome = await restoreArchive({ workspaceRoot: box.ws, archiveFile, manifest });
    expect(outcome).toEqual({ ok: true, written: 1, skippedUnchanged: 0, warnings: [] });
    expect(fs.readFileSync(path.join(box.ws, 'a.txt'), 'utf8')).toBe('a');
  });

  it('rejects a bad member with the streaming message rather than declining', async () => {
    const { archiveFile } = await small();
    const wrong = manifestFor([{ name: 'd/', type: 'directory' }, { name: 'd/a.txt', content: 'AAA' }, { name: 'b.txt', content: '' }]);
    await expect(readInMemory(archiveFile, checkManifest(wrong), IN_MEMORY_LIMITS)).rejects.toThrow(
      /^the content of archive member 'd\/a\.txt' does not match the manifest$/,
    );
  });
});
