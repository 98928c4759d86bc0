import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree, runVt } from './helpers.js';

const REPO = path.resolve(__dirname, '..', '..', '..');
const TSC = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const ESBUILD = path.join(REPO, 'node_modules', 'esbuild', 'bin', 'esbuild');
const firstLine = (s: string): string => s.split('\n')[0]!;

/**
 * Real build tools cache with no `input`/`output` config: they probe their output dirs before writing
 * (tsc checks `outDir`, esbuild lists `dist`, `mkdir -p` stats each level), and none of that may count
 * as an input or a read-write overlap.
 */
describe('real tools cache with automatic inputs and outputs', () => {
  it.each([
    ['tsc -p .', `node ${TSC} -p .`, 'dist/index.js'],
    ['esbuild --bundle --outdir=dist', `${ESBUILD} src/index.ts --bundle --outdir=dist --log-level=warning`, 'dist/index.js'],
    [
      'node mkdirSync + writeFileSync',
      `node -e "const fs=require('fs');fs.mkdirSync('dist/deep',{recursive:true});fs.writeFileSync('dist/deep/out.txt',fs.readFileSync('src/util.ts'))"`,
      'dist/deep/out.txt',
    ],
  ])('%s: hit, restore after rm -rf dist, miss after a source change', (_name, command, product) => {
    const root = makeTree({
      'package.json': { name: 'real', scripts: { build: command } },
      'vite-task.json': { cache: true },
      'tsconfig.json': { compilerOptions: { outDir: 'dist', module: 'commonjs', target: 'es2020', strict: true }, include: ['src'] },
      'src/index.ts': "import { twice } from './util';\nconsole.log(twice(21));\n",
      'src/util.ts': 'export function twice(n: number): number {\n  return n * 2;\n}\n',
    });
    const first = runVt(root, ['run', '-v', 'build']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('→ Cache miss: no previous cache entry found');
    const second = runVt(root, ['run', 'build']);
    expect(firstLine(second.stdout), second.stdout).toContain('◉ cache hit, replaying');
    const built = fs.readFileSync(path.join(root, product), 'utf8');
    fs.rmSync(path.join(root, 'dist'), { recursive: true });
    const restored = runVt(root, ['run', 'build']);
    expect(firstLine(restored.stdout), restored.stdout).toContain('◉ cache hit, replaying');
    expect(fs.readFileSync(path.join(root, product), 'utf8')).toBe(built);
    fs.appendFileSync(path.join(root, 'src/util.ts'), 'export const extra = 1;\n');
    const changed = runVt(root, ['run', 'build']);
    expect(firstLine(changed.stdout)).toContain("○ cache miss: 'src/util.ts' modified, executing");
  }, 120_000);

  it('read-modify-write of a source file and an O_RDWR open stay uncached', () => {
    const root = makeTree({
      'package.json': {
        name: 'rmw',
        scripts: {
          bump: `node -e "const fs=require('fs');fs.writeFileSync('src/n.txt',String(Number(fs.readFileSync('src/n.txt','utf8'))+1))"`,
          rdwr: `node -e "require('fs').closeSync(require('fs').openSync('src/n.txt','r+'))"`,
        },
      },
      'vite-task.json': { cache: true },
      'src/n.txt': '1',
    });
    for (const task of ['bump', 'rdwr']) {
      const v = runVt(root, ['run', '-v', task]);
      expect(v.status).toBe(0);
      expect(v.stdout).toContain("→ Not cached: the task read and wrote 'src/n.txt'");
      expect(v.stdout).toContain('  input: [{ auto: true }, "!src/n.txt"],');
      expect(firstLine(runVt(root, ['run', task]).stdout)).not.toContain('cache hit');
    }
  }, 60_000);
});
