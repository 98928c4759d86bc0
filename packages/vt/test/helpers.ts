import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Writes a file tree (path → content; objects are JSON) under a fresh temp dir and returns its path. */
export function makeTree(files: Record<string, string | object>, prefix = 'vt-test-'): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return root;
}

export const VT_BIN = path.resolve(__dirname, '..', 'bin', 'vt');
