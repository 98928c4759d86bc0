import { lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { hasStrace, straced, tool } from './run.ts';
import { tempDir } from './temp-dir.ts';

const dir = tempDir('file-tools');
const run = (name: string, ...args: string[]) => tool(name, args, { cwd: dir });

describe('touch-file', () => {
  test('leaves content and size unchanged', () => {
    writeFileSync(`${dir}/touched.txt`, 'keep me\n');
    const result = run('touch-file', 'touched.txt');
    expect(result.status).toBe(0);
    expect(readFileSync(`${dir}/touched.txt`, 'utf8')).toBe('keep me\n');
  });

  test.skipIf(!hasStrace)('opens the file exactly once, read-write, and never for writing only', () => {
    writeFileSync(`${dir}/rw.txt`, 'x');
    const opens = straced(['touch-file', 'rw.txt'], dir, '"rw.txt"');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatch(/O_RDWR/);
    expect(opens[0]).not.toMatch(/O_CREAT|O_TRUNC/);
  });

  test('fails clearly on a missing file instead of creating it', () => {
    const result = run('touch-file', 'absent.txt');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('touch-file: absent.txt: not found\n');
    expect(() => statSync(`${dir}/absent.txt`)).toThrow();
  });
});

describe('replace-file-content', () => {
  test('replaces only the first occurrence, literally', () => {
    writeFileSync(`${dir}/r.txt`, 'a $& a\n');
    expect(run('replace-file-content', 'r.txt', 'a', '$1').status).toBe(0);
    expect(readFileSync(`${dir}/r.txt`, 'utf8')).toBe('$1 $& a\n');
  });

  test('reports a missing SEARCH with the exact message and leaves the file alone', () => {
    writeFileSync(`${dir}/n.txt`, 'content');
    const result = run('replace-file-content', 'n.txt', 'zzz', 'y');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("replace-file-content: 'zzz' not found in n.txt\n");
    expect(readFileSync(`${dir}/n.txt`, 'utf8')).toBe('content');
  });

  test('reports a missing file', () => {
    const result = run('replace-file-content', 'nowhere.txt', 'a', 'b');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('replace-file-content: nowhere.txt: No such file or directory\n');
  });

  test.skipIf(!hasStrace)('reads through a read-only open and writes through a separate write-only open', () => {
    writeFileSync(`${dir}/t.txt`, 'abc');
    const opens = straced(['replace-file-content', 't.txt', 'b', 'B'], dir, '"t.txt"');
    expect(opens).toHaveLength(2);
    expect(opens[0]).toMatch(/O_RDONLY/);
    expect(opens[1]).toMatch(/O_WRONLY\|O_CREAT\|O_TRUNC/);
  });
});

describe('write-file', () => {
  test('creates parent directories and writes the content exactly', () => {
    expect(run('write-file', 'deep/er/f.txt', 'no newline').status).toBe(0);
    expect(readFileSync(`${dir}/deep/er/f.txt`, 'utf8')).toBe('no newline');
  });

  test.skipIf(!hasStrace)('uses a single write-only open', () => {
    const opens = straced(['write-file', 'w.txt', 'x'], dir, '"w.txt"');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatch(/O_WRONLY\|O_CREAT\|O_TRUNC/);
  });
});

describe('exists', () => {
  test('prints true or false', () => {
    writeFileSync(`${dir}/e.txt`, '');
    expect(run('exists', 'e.txt').stdout).toBe('true\n');
    expect(run('exists', 'missing').stdout).toBe('false\n');
  });

  test.skipIf(!hasStrace)('checks with a raw statx, not an open', () => {
    const calls = straced(['exists', 'probe.txt'], dir, '"probe.txt"');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^\d+\s+statx\(/);
  });
});

describe('json-edit', () => {
  test('runs the statement with the value bound to _ and writes 2-space JSON with a final newline', () => {
    writeFileSync(`${dir}/p.json`, '{"scripts":{"a":"print hello"}}');
    expect(run('json-edit', 'p.json', '_.scripts.a = "print world"; delete _.missing').status).toBe(0);
    expect(readFileSync(`${dir}/p.json`, 'utf8')).toBe('{\n  "scripts": {\n    "a": "print world"\n  }\n}\n');
    expect(run('json-edit', 'p.json', '_ = [1] // replaced').status).toBe(0);
    expect(readFileSync(`${dir}/p.json`, 'utf8')).toBe('[\n  1\n]\n');
  });

  test('reports invalid JSON and failing expressions', () => {
    writeFileSync(`${dir}/bad.json`, '{');
    expect(run('json-edit', 'bad.json', '_.a = 1').stderr).toMatch(/^json-edit: bad\.json: invalid JSON: /);
    writeFileSync(`${dir}/ok.json`, '{}');
    const result = run('json-edit', 'ok.json', '_.a.b = 1');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^json-edit: '_\.a\.b = 1' failed: /);
    expect(readFileSync(`${dir}/ok.json`, 'utf8')).toBe('{}');
  });
});

describe('rm, mkdir, cp, mv, ln-s, list-dir, read-link', () => {
  test('follow POSIX semantics', () => {
    expect(run('mkdir', 'm/n').stderr).toBe("mkdir: cannot create directory 'm/n': No such file or directory\n");
    expect(run('mkdir', '-p', 'm/n').status).toBe(0);
    expect(run('mkdir', 'm').stderr).toBe("mkdir: cannot create directory 'm': File exists\n");
    expect(run('write-file', 'm/n/f.txt', 'F').status).toBe(0);
    expect(run('cp', 'm/n/f.txt', 'm').status).toBe(0);
    expect(readFileSync(`${dir}/m/f.txt`, 'utf8')).toBe('F');
    expect(run('cp', 'm', 'elsewhere').stderr).toBe("cp: -r not specified; omitting directory 'm'\n");
    expect(run('mv', 'm/f.txt', 'm/g.txt').status).toBe(0);
    expect(run('list-dir', 'm').stdout).toBe('g.txt\nn\n');
    expect(run('list-dir', 'm', '--count').stdout).toBe('2\n');
    expect(run('list-dir', 'no-such-dir').stdout).toBe('');
    expect(run('list-dir', 'no-such-dir', '--count').stdout).toBe('0\n');
    expect(run('ln-s', 'g.txt', 'm/link').status).toBe(0);
    expect(readlinkSync(`${dir}/m/link`)).toBe('g.txt');
    expect(run('read-link', 'm/link').stdout).toBe('g.txt\n');
    expect(run('read-link', 'm/g.txt').stdout).toBe('not a symlink\n');
    expect(run('rm', 'm').stderr).toBe("rm: cannot remove 'm': Is a directory\n");
    expect(run('rm', 'm/link').status).toBe(0);
    expect(lstatSync(`${dir}/m/g.txt`).isFile()).toBe(true);
    expect(run('rm', 'nothing-here').status).toBe(1);
    expect(run('rm', '-f', 'nothing-here').status).toBe(0);
    expect(run('rm', '-rf', 'm').status).toBe(0);
    expect(run('exists', 'm').stdout).toBe('false\n');
  });
});

describe('file-stamp', () => {
  test('reports unchanged until the file is rewritten, even with the same bytes', () => {
    writeFileSync(`${dir}/package.json`, '{}');
    writeFileSync(`${dir}/s.txt`, 'same');
    expect(run('file-stamp', 'save', 's.txt').status).toBe(0);
    expect(run('file-stamp', 'check', 's.txt').stdout).toBe('unchanged\n');
    // Same content, new inode: a restore that rewrote the file must show up.
    expect(run('rm', 's.txt').status).toBe(0);
    writeFileSync(`${dir}/s.txt`, 'same');
    expect(run('file-stamp', 'check', 's.txt').stdout).toBe('changed\n');
    expect(run('file-stamp', 'check', 'never-saved.txt').stderr).toMatch(/no stamp saved for never-saved\.txt/);
  });
});
