// bin/vt, the shell-and-CommonJS launcher: run as a program it starts Node without NODE_EXTRA_CA_CERTS (which
// Node 20 loads eagerly) and puts the value back for the tasks, exactly; run as `node bin/vt` it still works.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTree, VT_BIN } from './helpers.js';

/** The task reports its own NODE_EXTRA_CA_CERTS and whether its parent (vt's Node) was started with one. */
const REPORT = `node -e "const p=require('fs').readFileSync('/proc/'+process.ppid+'/environ','utf8').split('\\\\0');console.log(JSON.stringify({task:process.env.NODE_EXTRA_CA_CERTS??null,marker:process.env.VT_LAUNCHER_CA_CERTS??null,vt:p.some(e=>e.startsWith('NODE_EXTRA_CA_CERTS='))}))"`;

function report(env: Record<string, string | undefined>): { task: string | null; marker: string | null; vt: boolean } {
  const root = makeTree({ 'package.json': { name: 'ws', scripts: { report: REPORT } } });
  const base = { ...process.env, NO_COLOR: '1' };
  delete base.NODE_EXTRA_CA_CERTS;
  delete base.VT_LAUNCHER_CA_CERTS;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) base[k] = v;
  const res = spawnSync(VT_BIN, ['run', 'report'], { cwd: root, env: base, encoding: 'utf8' });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
  return JSON.parse(line!) as { task: string | null; marker: string | null; vt: boolean };
}

describe('bin/vt launcher', () => {
  const certs = path.join(makeTree({ 'ca.pem': '' }), 'ca.pem');

  it('starts vt without NODE_EXTRA_CA_CERTS and gives tasks the value back', () => {
    expect(report({ NODE_EXTRA_CA_CERTS: certs })).toEqual({ task: certs, marker: null, vt: false });
  });

  it('keeps an empty value empty and an unset one unset', () => {
    expect(report({ NODE_EXTRA_CA_CERTS: '' })).toEqual({ task: '', marker: null, vt: false });
    expect(report({})).toEqual({ task: null, marker: null, vt: false });
  });

  it('ignores a stray marker variable from the environment', () => {
    expect(report({ VT_LAUNCHER_CA_CERTS: '/nowhere' })).toEqual({ task: null, marker: null, vt: false });
  });

  it('still runs as `node bin/vt`', () => {
    const res = spawnSync(process.execPath, [VT_BIN, '--version'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^vt \d+\.\d+\.\d+\n$/);
    expect(fs.readFileSync(VT_BIN, 'utf8').startsWith('#!/bin/sh\n')).toBe(true);
  });

  it('VT_TIMINGS=1 reports when each phase ended, in order', () => {
    const root = makeTree({ 'package.json': { name: 'ws', scripts: { hi: 'node -e 0' } } });
    const res = spawnSync(VT_BIN, ['run', 'hi'], { cwd: root, env: { ...process.env, VT_TIMINGS: '1' }, encoding: 'utf8' });
    expect(res.status).toBe(0);
    const line = res.stderr.split('\n').find((l) => l.startsWith('vt timings (ms since start): '))!;
    const marks = line.slice('vt timings (ms since start): '.length).split(', ').map((m) => m.split(' '));
    expect(marks.map(([p]) => p)).toEqual(['loaded', 'discovered', 'configured', 'planned', 'executed', 'closed', 'exit']);
    const times = marks.map(([, t]) => Number(t));
    expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]!))).toBe(true);
    expect(spawnSync(VT_BIN, ['run', 'hi'], { cwd: root, encoding: 'utf8' }).stderr).not.toContain('vt timings');
  });

  it('a full cache hit does not load child_process, nor zlib when the log is empty (build.mjs makes them lazy); a miss uses both', () => {
    const write = "require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/x','x')";
    const root = makeTree({
      'package.json': { name: 'ws' },
      'vite-task.json': {
        tasks: {
          silent: { command: `node -e "${write}"`, input: [], output: ['dist/**'] },
          loud: { command: `node -e "${write};console.log('hi')"`, input: [], output: ['dist/**'] },
        },
      },
    });
    // Preloaded into vt's own Node (not the task's): the builtins vt loaded, written at exit.
    const preload = path.join(root, 'modules.cjs');
    const out = path.join(root, 'modules.txt');
    fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));`);
    const builtins = (task: string): string[] => {
      const res = spawnSync(process.execPath, ['-r', preload, VT_BIN, 'run', task], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
      expect(res.status).toBe(0);
      return fs.readFileSync(out, 'utf8').split('\n').filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
    };
    expect(builtins('silent')).toEqual(expect.arrayContaining(['child_process', 'zlib']));
    const silentHit = builtins('silent');
    expect(fs.readFileSync(path.join(root, 'dist/x'), 'utf8')).toBe('x');
    expect(silentHit).not.toContain('child_process');
    expect(silentHit).not.toContain('zlib');
    builtins('loud');
    const loudHit = builtins('loud');
    expect(loudHit).not.toContain('child_process');
    expect(loudHit).toContain('zlib'); // the replayed log's CRC-32
  });

  it("opens the cache with better-sqlite3's addon named by the bundle, without asking the module resolver for the package", () => {
    const root = makeTree({
      'package.json': { name: 'ws' },
      'vite-task.json': { tasks: { t: { command: 'node -e 0', input: [], output: [] } } },
    });
    // Preloaded into vt's own Node: every module request that names better-sqlite3, written as it is made.
    const preload = path.join(root, 'requests.cjs');
    const out = path.join(root, 'requests.txt');
    fs.writeFileSync(
      preload,
      `const M = require('module'); const resolve = M._resolveFilename;
       M._resolveFilename = function (request, ...rest) {
         if (request.includes('better-sqlite3') || request.includes('better_sqlite3')) require('fs').appendFileSync(${JSON.stringify(out)}, request + '\\n');
         return resolve.call(this, request, ...rest);
       };`,
    );
    const res = spawnSync(process.execPath, ['-r', preload, VT_BIN, 'run', 't'], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(fs.existsSync(path.join(root, 'node_modules', '.vite', 'task-cache'))).toBe(true);
    const requests = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(requests).not.toContain('better-sqlite3/package.json');
    expect(requests).toEqual([expect.stringMatching(/\/node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/)]);
  });
});
