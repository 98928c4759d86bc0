/**
 * Hand-made tar archives for the archive tests: members exactly as given (names, modes, link texts are not
 * sanitised), so they can hold what vt would never write, and the manifest an attacker who controls both the
 * archive and the database row would write for them.
 */
import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';
import type { ManifestEntry } from '../../src/archive/index.js';

export interface Member {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: string | Buffer;
  mode?: number;
  linkname?: string;
}

/** The raw tar bytes of `members`. */
export async function tarBytes(members: readonly Member[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => p.on('end', resolve));
  for (const m of members) {
    const type = m.type ?? 'file';
    await new Promise<void>((resolve, reject) => {
      const header = { name: m.name, type, mode: m.mode ?? 0o644, linkname: m.linkname, size: 0 };
      if (type === 'file') p.entry(header, m.content ?? '', (err) => (err ? reject(err) : resolve()));
      else p.entry(header, (err) => (err ? reject(err) : resolve()));
    });
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The manifest rows for `members`, as a matching database row would list them. */
export function manifestFor(members: readonly Member[]): ManifestEntry[] {
  return members.map((m): ManifestEntry => {
    const type = m.type ?? 'file';
    if (type === 'directory') return { path: m.name.replace(/\/$/, ''), type: 'dir', size: 0, mode: m.mode ?? 0o755 };
    if (type === 'symlink') return { path: m.name, type: 'symlink', size: 0, mode: 0o777, linkText: m.linkname! };
    const content = m.content ?? '';
    return { path: m.name, type: 'file', size: Buffer.byteLength(content), mode: m.mode ?? 0o644, hash: sha256(content) };
  });
}
