// The launcher's V8 code cache (src/launch/code-cache.ts), run in real Node processes against a small
// CommonJS "bundle": the cache is written, reused, never runs code of an older bundle, survives garbage and
// can be switched off. The real bundle goes through the same loader in every test that runs bin/vt.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree, VT_BIN } from './helpers.js';

/** The launcher exactly as bin/vt requires it. */
const LAUNCHER = path.resolve(__dirname, '..', 'dist', 'bundle', 'launch.cjs');

/** A bundle big enough that V8 has real functions to cache; `answer` tells which version ran. */
function bundleSource(answer: string): string {
  const fns = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i % 7}; }`).join('\n');
  return `${fns}\nexports.answer = () => '${answer}' + [${Array.from({ length: 200 }, (_, i) => `f${i}(1)`).join(',')}].reduce((a, b) => a + b, 0);\n` +
    // Relative to the bundle, as the bundle requires the node client.
    `exports.viaRequire = () => typeof require('./helper.cjs').helper;\n`;
}

function runBundle(dir: string, env: Record<string, string> = {}, learn = false): string {
  fs.writeFileSync(path.join(dir, 'helper.cjs'), 'exports.helper = () => 1;\n');
  const script = `const { loadBundle } = require(${JSON.stringify(LAUNCHER)});
const b = loadBundle(${JSON.stringify(path.join(dir, 'bundle.cjs'))}, { learn: ${learn} });
process.stdout.write(b.answer() + ' ' + b.viaRequire());`;
  const res = spawnSync(process.execPath, ['-e', script], {
    env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache'), VT_CODE_CACHE: '', ...env },
    encoding: 'utf8',
  });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  return res.stdout;
}

function cacheFiles(dir: string): string[] {
  const d = path.join(dir, 'cache', 'vt', 'code-cache');
  return fs.existsSync(d) ? fs.readdirSync(d).map((f) => path.join(d, f)) : [];
}

describe('code cache', () => {
  it('is written on the first run and reused, unchanged, on the next', () => {
    const dir = makeTree({ 'bundle.cjs': bundleSource('A') });
    expect(runBundle(dir)).toBe('A20494 function');
    const [file] = cacheFiles(dir);
    expect(file).toBeDefined();
    const first = fs.readFileSync(file!);
    const header = first.subarray(0, first.indexOf(0x0a)).toString();
    expect(header.endsWith(' 0')).toBe(true);
    expect(JSON.parse(header.slice(0, -2))).toContain(process.version);
    expect(first.length).toBeGreaterThan(header.length + 1000);
    expect(fs.statSync(file!).mode & 0o777).toBe(0o600);
    const mtime = fs.statSync(file!).mtimeMs;

    expect(runBundle(dir)).toBe('A20494 function');
    expect(fs.statSync(file!).mtimeMs).toBe(mtime);
    expect(fs.readFileSync(file!).equals(first)).toBe(true);
  });

  it('is rewritten by the next three runs that may learn, then left alone', () => {
    const dir = makeTree({ 'bundle.cjs': bundleSource('A') });
    runBundle(dir);
    const [file] = cacheFiles(dir);
    const generation = (): string => {
      const buf = fs.readFileSync(file!);
      return buf.subarray(0, buf.indexOf(0x0a)).toString().split(' ')[1]!;
    };
    expect(generation()).toBe('0');
    for (const expected of ['1', '2', '3', '3']) {
      expect(runBundle(dir, {}, true)).toBe('A20494 function');
      expect(generation()).toBe(expected);
    }
    const mtime = fs.statSync(file!).mtimeMs;
    runBundle(dir, {}, true);
    expect(fs.statSync(file!).mtimeMs).toBe(mtime);
  });

  it('never runs the code of an older bundle, even one of the same length', () => {
    const dir = makeTree({ 'bundle.cjs': bundleSource('A') });
    const bundle = path.join(dir, 'bundle.cjs');
    expect(runBundle(dir)).toBe('A20494 function');
    const before = fs.readFileSync(cacheFiles(dir)[0]!);
    // Same length, new content; the mtime is set apart explicitly so the test does not depend on its granularity.
    fs.writeFileSync(bundle, bundleSource('B'));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(bundle, later, later);
    expect(runBundle(dir)).toBe('B20494 function');
    expect(fs.readFileSync(cacheFiles(dir)[0]!).equals(before)).toBe(false);
    expect(runBundle(dir)).toBe('B20494 function');
  });

  it('survives a garbage cache file and replaces it', () => {
    const dir = makeTree({ 'bundle.cjs': bundleSource('A') });
    runBundle(dir);
    const [file] = cacheFiles(dir);
    const good = fs.readFileSync(file!);
    const header = good.subarray(0, good.indexOf(0x0a) + 1);
    fs.writeFileSync(file!, Buffer.concat([header, Buffer.alloc(good.length - header.length, 0xab)]));
    expect(runBundle(dir)).toBe('A20494 function');
    expect(fs.readFileSync(file!).subarray(header.length).every((b) => b === 0xab)).toBe(false);
  });

  it('is neither read nor written with VT_CODE_CACHE=0, and a relative XDG_CACHE_HOME is ignored', () => {
    const dir = makeTree({ 'bundle.cjs': bundleSource('A') });
    expect(runBundle(dir, { VT_CODE_CACHE: '0' })).toBe('A20494 function');
    expect(cacheFiles(dir)).toEqual([]);
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    const res = spawnSync(process.execPath, [VT_BIN, '--version'], {
      cwd: dir, env: { ...process.env, HOME: home, XDG_CACHE_HOME: 'rel' }, encoding: 'utf8',
    });
    expect(res.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'rel'))).toBe(false);
    expect(fs.readdirSync(path.join(home, '.cache', 'vt', 'code-cache'))).toHaveLength(1);
  });

  it('a home where the cache dir cannot be created (under /proc) costs nothing and never hangs', () => {
    const res = spawnSync(process.execPath, [VT_BIN, '--version'], {
      env: { ...process.env, HOME: '/proc', XDG_CACHE_HOME: '' }, encoding: 'utf8', timeout: 30_000,
    });
    expect(res.signal).toBeNull();
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^vt /);
  });
});
