// The real napi addon (crates/vt_node_client, built by @vt/node-client) talking to the real server, loaded in
// child `node` processes and worker threads through the *published* @voidzero-dev/vite-task-client wrapper —
// the same code Vite bundles.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeClientPath, startIpcServer, type IpcServer } from '../src/ipc/index.js';

const require = createRequire(import.meta.url);
const WRAPPER = pathToFileURL(require.resolve('@voidzero-dev/vite-task-client')).href;
const ADDON = nodeClientPath();
const TOOLS = fileURLToPath(new URL('../../test-tools/bin/', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface NodeOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Called with each stdout line as it arrives; may write to the child's stdin. */
  onLine?: (line: string, stdin: NodeJS.WritableStream) => void | Promise<void>;
  args?: string[];
}

/** Runs `node` with `args`, with the server's variables (unless overridden) and nothing else from the test. */
function node(args: string[], opts: NodeOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(
      Object.entries({ PATH: process.env.PATH, ...opts.env }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const child = spawn(process.execPath, args, { env, cwd: opts.cwd ?? os.tmpdir(), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) void opts.onLine?.(line, child.stdin);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (!opts.onLine) child.stdin.end();
  });
}

/** Runs an ES module snippet that has the published wrapper imported as `client`. */
function withClient(body: string, opts: NodeOptions = {}): Promise<Run> {
  const code = `import * as client from ${JSON.stringify(WRAPPER)};\nconst print = (v) => console.log(JSON.stringify(v));\n${body}`;
  return node(['--input-type=module', '-e', code], opts);
}

const servers: IpcServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(envForQueries: Record<string, string> = {}): Promise<IpcServer> {
  const server = await startIpcServer({ envForQueries, clientPath: ADDON });
  servers.push(server);
  return server;
}

function tempDir(): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'vt-ipc-client-')));
  dirs.push(dir);
  return dir;
}

function expectOk(run: Run): void {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
}

describe('node client addon via the published wrapper', () => {
  it('serves every call and vt records it', async () => {
    const server = await start({ NODE_ENV: 'production', PROBE_B: 'b', PROBE_A: 'a', VITE_X: 'x', OTHER: 'o' });
    const cwd = tempDir();
    const run = await withClient(
      `print(client.getEnv('NODE_ENV'));
       print(client.getEnv('OTHER', { tracked: false }));
       print(client.getEnvs('PROBE_*'));
       print(client.getEnvs({ prefix: 'VITE_' }, { tracked: false }));
       print([client.ignoreInput('cache/dir'), client.ignoreOutput('/abs/out'), client.disableCache()].map((r) => typeof r));`,
      { env: server.env, cwd },
    );
    expectOk(run);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      'production',
      'o',
      { PROBE_A: 'a', PROBE_B: 'b' },
      { VITE_X: 'x' },
      ['undefined', 'undefined', 'undefined'],
    ]);
    const report = await server.stop();
    expect(report.ignoredInputs).toEqual([path.join(cwd, 'cache/dir')]);
    expect(report.ignoredOutputs).toEqual(['/abs/out']);
    expect(report.cacheDisabled).toBe(true);
    expect(report.trackedEnvs).toEqual(new Map([['NODE_ENV', 'production']]));
    expect(report.trackedEnvQueries).toEqual(
      new Map([
        [
          'glob:PROBE_*',
          new Map([
            ['PROBE_A', 'a'],
            ['PROBE_B', 'b'],
          ]),
        ],
      ]),
    );
    expect(report.protocolError).toBeUndefined();
    expect(report.requests).toHaveLength(7);
    expect(report.requests[0]).toMatch(/^pid \d+ #1 getEnv NODE_ENV \(tracked\)$/);
  });

  it('returns undefined (never null) for an absent variable and a plain object with sorted keys', async () => {
    const server = await start({ Z_LAST: '3', A_FIRST: '1', M_MIDDLE: '2' });
    const run = await withClient(
      `const absent = client.getEnv('ABSENT');
       const all = client.getEnvs('*');
       print({ absent: absent === undefined, type: typeof absent, keys: Object.keys(all),
               plain: Object.getPrototypeOf(all) === Object.prototype, none: client.getEnvs('NOPE_*') });`,
      { env: server.env },
    );
    expectOk(run);
    expect(JSON.parse(run.stdout)).toEqual({
      absent: true,
      type: 'undefined',
      keys: ['A_FIRST', 'M_MIDDLE', 'Z_LAST'],
      plain: true,
      none: {},
    });
    expect((await server.stop()).trackedEnvs).toEqual(new Map([['ABSENT', undefined]]));
  });

  it('throws a TypeError for arguments of the wrong type without sending anything', async () => {
    const server = await start({ X: '1' });
    const run = await withClient(
      `const calls = [
         () => client.ignoreInput(42), () => client.ignoreOutput(undefined), () => client.ignoreInput(Buffer.from('/x')),
         () => client.getEnv(1), () => client.getEnv('X', 'yes'), () => client.getEnv('X', 5),
         () => client.getEnvs(5), () => client.getEnvs(null), () => client.getEnvs({ prefix: 1 }), () => client.getEnvs({}),
         () => client.getEnvs('X', true),
       ];
       print(calls.map((call) => { try { call(); return 'no error'; } catch (e) { return e instanceof TypeError ? 'TypeError: ' + e.message : String(e); } }));`,
      { env: server.env },
    );
    expectOk(run);
    expect(JSON.parse(run.stdout)).toEqual([
      'TypeError: ignoreInput: path must be a string, got number',
      'TypeError: ignoreOutput: path must be a string, got undefined',
      'TypeError: ignoreInput: path must be a string, got object',
      'TypeError: getEnv: name must be a string, got number',
      'TypeError: getEnv: options must be an object, got string',
      'TypeError: getEnv: options must be an object, got number',
      'TypeError: getEnvs: query must be a glob string or { prefix: string }, got number',
      'TypeError: getEnvs: query must be a glob string or { prefix: string }, got null',
      'TypeError: getEnvs: query.prefix must be a string, got number',
      'TypeError: getEnvs: query.prefix must be a string, got undefined',
      'TypeError: getEnvs: options must be an object, got boolean',
    ]);
    const report = await server.stop();
    expect(report.requests).toEqual([]);
    expect(report.protocolError).toBeUndefined();
  });

  it('treats tracked as true unless it is exactly false', async () => {
    const server = await start({ A: 'a', B: 'b', C: 'c', D: 'd', E1: 'e' });
    const run = await withClient(
      `client.getEnv('A', { tracked: 0 }); client.getEnv('B', null); client.getEnv('C', {});
       client.getEnv('D', { tracked: false }); client.getEnvs('E*', { tracked: 'false' }); client.getEnvs('D*', { tracked: false });`,
      { env: server.env },
    );
    expectOk(run);
    const report = await server.stop();
    expect([...report.trackedEnvs.keys()]).toEqual(['A', 'B', 'C']);
    expect([...report.trackedEnvQueries.keys()]).toEqual(['glob:E*']);
  });

  it('answers a refused request as outside a runner, without throwing, and keeps the connection', async () => {
    const server = await start({ A1: 'x' });
    const run = await withClient(`print(client.getEnvs('A[')); print(client.getEnvs('A*'));`, { env: server.env });
    expectOk(run);
    const [refused, after] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(refused).toEqual({});
    expect(after).toEqual({ A1: 'x' });
    // vt recorded the refusal: the run is not stored.
    expect((await server.stop()).protocolError).toMatch(/invalid glob 'A\['/);
  });

  it('throws for a request too large to send, without giving up the connection', async () => {
    const server = await start({ K: 'v' });
    const run = await withClient(
      `try { client.getEnv('N'.repeat(2 * 1024 * 1024)); } catch (e) { print(e.message); }
       print(client.getEnv('K'));`,
      { env: server.env },
    );
    expectOk(run);
    expect(run.stdout).toMatch(/^"request not sent: message of \d+ bytes exceeds the 1048576-byte frame limit"\n"v"\n$/);
    expect((await server.stop()).requests).toHaveLength(1);
  });

  it('becomes a no-op once the server is gone, without throwing', async () => {
    const server = await start({ A: 'a' });
    let stopped: Promise<unknown> | undefined;
    const run = await withClient(
      `import { createInterface } from 'node:readline';
       print(client.getEnv('A'));
       for await (const line of createInterface({ input: process.stdin })) break;
       print([client.getEnv('A'), typeof client.getEnv('A'), client.getEnvs('*'), client.ignoreInput('/x'), client.ignoreOutput('/y'), client.disableCache()]);
       process.exit(0);`,
      {
        env: server.env,
        onLine: async (_line, stdin) => {
          stopped ??= server.stop();
          await stopped;
          stdin.write('go\n');
        },
      },
    );
    expectOk(run);
    expect(run.stdout.trim().split('\n')).toEqual(['"a"', '[null,"undefined",{},null,null,null]']);
    const report = (await stopped) as Awaited<ReturnType<IpcServer['stop']>>;
    expect(report.cacheDisabled).toBe(false);
    expect(report.requests).toHaveLength(1);
  });

  it('makes load() throw without a runner, so the wrapper becomes a no-op', async () => {
    const server = await start();
    const direct = (env: Record<string, string | undefined>) =>
      node(
        [
          '-e',
          `try { require(${JSON.stringify(ADDON)}).load(); console.log('loaded'); } catch (e) { console.log(e.message); }`,
        ],
        { env },
      );
    expect((await direct({})).stdout).toBe('VP_RUN_IPC_NAME is not set: not running inside vt\n');
    const dead = path.join(path.dirname(server.env.VP_RUN_IPC_NAME), 'missing');
    expect((await direct({ VP_RUN_IPC_NAME: dead })).stdout).toMatch(
      /^cannot connect to vt at .*missing: connection to vt failed: .*No such file/,
    );
    const viaWrapper = await withClient(
      `print([client.getEnv('PATH'), client.getEnvs('*'), client.ignoreInput('/x'), client.disableCache()]);`,
      { env: { VP_RUN_NODE_CLIENT_PATH: ADDON } },
    );
    expectOk(viaWrapper);
    expect(viaWrapper.stdout).toBe('[null,{},null,null]\n');
  });

  it('loads with a plain CommonJS require of the absolute path', async () => {
    const server = await start({ K: 'v' });
    const run = await node(
      [
        '-e',
        `const c = require(process.env.VP_RUN_NODE_CLIENT_PATH).load({ future: 1 }); c.disableCache(); console.log(c.getEnv('K'));`,
      ],
      {
        env: server.env,
      },
    );
    expectOk(run);
    expect(run.stdout).toBe('v\n');
    expect((await server.stop()).cacheDisabled).toBe(true);
  });

  it('serves several processes with several worker threads at once, one connection each', async () => {
    const server = await start({ SHARED: 's' });
    const perThread = 25;
    const body = (who: string) =>
      `for (let i = 0; i < ${perThread}; i++) client.ignoreInput('/' + ${who} + '/' + i);
       if (client.getEnv('SHARED') !== 's') throw new Error('wrong value');`;
    const processes = Array.from({ length: 4 }, (_, p) =>
      withClient(
        `import { Worker } from 'node:worker_threads';
         // Works whether the eval'd worker runs as a script or (inheriting --input-type=module) as a module.
         const workerCode = 'Promise.all([import(' + JSON.stringify(${JSON.stringify(WRAPPER)}) + '), import("node:worker_threads")])' +
           '.then(([client, { threadId }]) => {' + ${JSON.stringify(body("'p' + process.pid + 'w' + threadId"))} + '})';
         const workers = Array.from({ length: 3 }, () => new Promise((resolve, reject) => {
           const w = new Worker(workerCode, { eval: true });
           w.on('error', reject); w.on('exit', (code) => code === 0 ? resolve() : reject(new Error('worker exit ' + code)));
         }));
         ${body(`'p${p}main'`)}
         await Promise.all(workers);
         print('done');`,
        { env: server.env },
      ),
    );
    const runs = await Promise.all(processes);
    for (const run of runs) {
      expectOk(run);
      expect(run.stdout).toBe('"done"\n');
    }
    const report = await server.stop();
    expect(new Set(report.ignoredInputs).size).toBe(4 * 4 * perThread);
    // Every connection numbers its requests from 1: one "#1" per process and per worker thread.
    expect(report.requests.filter((line) => / #1 /.test(line))).toHaveLength(16);
    expect(report.trackedEnvs).toEqual(new Map([['SHARED', 's']]));
    expect(report.protocolError).toBeUndefined();
  });
});

describe('IPC helper tools (e2e.md §7)', () => {
  it('vt-client runs its operations through the published client', async () => {
    const server = await start({ PROBE_B: 'b', PROBE_A: 'a', OTHER: 'o' });
    const cwd = tempDir();
    const run = await node(
      [
        path.join(TOOLS, 'vt-client'),
        'get-env',
        'OTHER',
        'get-env',
        'MISSING',
        '--untracked',
        'get-envs',
        'PROBE_*',
        'get-envs',
        '--prefix',
        'PROBE_',
        '--untracked',
        'ignore-input',
        'cache-dir',
        'ignore-output',
        'sidecar',
        'write',
        'sub/f.txt',
        'hi',
        'read',
        'sub/f.txt',
        'rw',
        'sub/f.txt',
        'disable-cache',
      ],
      { env: server.env, cwd },
    );
    expectOk(run);
    expect(run.stdout).toBe(
      'OTHER=o\nMISSING=(undefined)\ntypeof=undefined\nPROBE_A=a\nPROBE_B=b\nPROBE_A=a\nPROBE_B=b\n',
    );
    expect(readFileSync(path.join(cwd, 'sub/f.txt'), 'utf8')).toBe('hi');
    const report = await server.stop();
    expect(report.ignoredInputs).toEqual([path.join(cwd, 'cache-dir')]);
    expect(report.ignoredOutputs).toEqual([path.join(cwd, 'sidecar')]);
    expect(report.cacheDisabled).toBe(true);
    expect([...report.trackedEnvs.keys()]).toEqual(['OTHER']);
    expect([...report.trackedEnvQueries.keys()]).toEqual(['glob:PROBE_*']);
  });

  it('vt-client is a no-op outside vt', async () => {
    const run = await node([path.join(TOOLS, 'vt-client'), 'get-env', 'HOME', 'disable-cache'], {
      env: { HOME: '/root' },
    });
    expectOk(run);
    expect(run.stdout).toBe('HOME=(undefined)\ntypeof=undefined\n');
  });

  it('ipc-bad-frame completes the handshake, then makes vt record a protocol error', async () => {
    const server = await start();
    const run = await node([path.join(TOOLS, 'ipc-bad-frame')], { env: server.env });
    expectOk(run);
    const report = await server.stop();
    expect(report.protocolError).toMatch(/^pid \d+: payload is not MessagePack/);
  });
});
