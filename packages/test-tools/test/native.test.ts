/** The two native artifacts (Linux only), built by `pnpm build` (native/Makefile). */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BIN, hasStrace, isBuilt, straced, tool } from './run.ts';
import { tempDir } from './temp-dir.ts';

const linux = process.platform === 'linux';
const dir = tempDir('native');

function requireBuilt(file: string) {
  if (!isBuilt(file)) throw new Error(`${BIN}/${file} is missing: run \`pnpm build\` first`);
}

describe.skipIf(!linux)('static-cat', () => {
  test('prints a file and fails clearly on a missing one', () => {
    requireBuilt('static-cat');
    writeFileSync(`${dir}/data.txt`, 'static\nbytes');
    expect(tool('static-cat', ['data.txt'], { cwd: dir }).stdout).toBe('static\nbytes');
    expect(tool('static-cat', ['nope.txt'], { cwd: dir })).toMatchObject({ status: 1, stderr: 'nope.txt: not found\n' });
  });

  test('is statically linked: no program interpreter, so no LD_PRELOAD shim ever loads into it', () => {
    requireBuilt('static-cat');
    expect(programHeaderTypes(readFileSync(`${BIN}/static-cat`))).not.toContain(PT_INTERP);
    // The check itself works: a dynamic executable has one.
    expect(programHeaderTypes(readFileSync('/bin/sh'))).toContain(PT_INTERP);
  });
});

const PT_INTERP = 3;

/** Segment types of a 64-bit little-endian ELF file. */
function programHeaderTypes(elf: Buffer): number[] {
  expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  expect(elf[4]).toBe(2); // ELFCLASS64
  const offset = Number(elf.readBigUInt64LE(0x20));
  const entrySize = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  return Array.from({ length: count }, (_, i) => elf.readUInt32LE(offset + i * entrySize));
}

describe.skipIf(!linux)('libshortcircuit.so', () => {
  const preload = () => ({ LD_PRELOAD: `${BIN}/libshortcircuit.so` });

  test('serves preload_test_short_circuit.txt itself, leaving other files alone', () => {
    requireBuilt('libshortcircuit.so');
    writeFileSync(`${dir}/preload_test_short_circuit.txt`, 'the real content\n');
    writeFileSync(`${dir}/real.txt`, 'real\n');
    const result = tool('print-file', ['real.txt', 'preload_test_short_circuit.txt'], { cwd: dir, env: preload() });
    expect(result.stdout).toBe('real\nserved by libshortcircuit.so\n');
    // Also for programs that use stdio's fopen, and through directories.
    const viaCat = spawnSync('cat', [`${dir}/preload_test_short_circuit.txt`], { encoding: 'utf8', env: { ...process.env, ...preload() } });
    expect(viaCat.stdout).toBe('served by libshortcircuit.so\n');
  });

  test('does not short-circuit writes', () => {
    requireBuilt('libshortcircuit.so');
    expect(tool('write-file', ['preload_test_short_circuit.txt', 'written'], { cwd: dir, env: preload() }).status).toBe(0);
    expect(readFileSync(`${dir}/preload_test_short_circuit.txt`, 'utf8')).toBe('written');
  });

  test.skipIf(!hasStrace)('never issues an open system call for the short-circuited file', () => {
    requireBuilt('libshortcircuit.so');
    writeFileSync(`${dir}/preload_test_short_circuit.txt`, 'x');
    const log = straced(['env', `LD_PRELOAD=${BIN}/libshortcircuit.so`, 'print-file', 'preload_test_short_circuit.txt'], dir, 'preload_test_short_circuit');
    expect(log).toEqual([]);
  });
});
