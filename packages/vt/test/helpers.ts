import { spawnSync } from 'node:child_process';
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
export const GENERATOR = path.resolve(__dirname, '..', '..', '..', 'bench', 'generate.mjs');

export interface VtResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real vt CLI (a child process) with colour off and an optional env overlay. */
export function runVt(cwd: string, args: readonly string[], env: Record<string, string | undefined> = {}): VtResult {
  const res = spawnSync(VT_BIN, [...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
