#!/usr/bin/env node
/**
 * Generates a realistic pnpm workspace for tests and benchmarks.
 *
 *   node bench/generate.mjs --packages 30 --out DIR [--files 24] [--layer 5] [--deps 2] [--explicit-io]
 *
 * Packages come in layers of `--layer`; each package depends (workspace:*) on `--deps` packages of the
 * layer before it. Each package has `--files` source modules; its `build` script (tools/build.mjs) reads
 * them and writes dist/index.js. `BUILD_FAIL={package name}` makes that package's build exit 3 after
 * 300 ms (without the delay below), `BUILD_DELAY_MS` slows every build down, and `BUILD_LOG=file` appends start/end events
 * as JSON lines (for scheduling tests).
 */
import fs from 'node:fs';
import path from 'node:path';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const count = Number(arg('packages', '30'));
const out = path.resolve(arg('out', 'bench/.work/ws'));
const files = Number(arg('files', '24'));
const layer = Number(arg('layer', '5'));
const depsPerPackage = Number(arg('deps', '2'));
/** Declare inputs/outputs as globs (a `vite-task.json` task per package) instead of relying on tracing. */
const explicitIo = process.argv.includes('--explicit-io');

const BUILD = `import fs from 'node:fs';
import path from 'node:path';
const name = JSON.parse(fs.readFileSync('package.json', 'utf8')).name;
const log = (event) => process.env.BUILD_LOG && fs.appendFileSync(process.env.BUILD_LOG, JSON.stringify({ name, event, t: Date.now() }) + '\\n');
log('start');
if (process.env.BUILD_FAIL === name) {
  await new Promise((r) => setTimeout(r, 300));
  console.error(name + ': failing on purpose');
  process.exit(3);
}
const delay = Number(process.env.BUILD_DELAY_MS || 0);
if (delay) await new Promise((r) => setTimeout(r, delay));
const srcDir = 'src';
const parts = fs.readdirSync(srcDir).sort().map((f) => '// ' + f + '\\n' + fs.readFileSync(path.join(srcDir, f), 'utf8'));
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.js', parts.join('\\n'));
console.log(name + ': built ' + parts.length + ' modules');
log('end');
`;

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'tools'), { recursive: true });
fs.writeFileSync(path.join(out, 'tools', 'build.mjs'), BUILD);
fs.writeFileSync(path.join(out, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
fs.writeFileSync(
  path.join(out, 'package.json'),
  JSON.stringify({ name: 'bench-root', private: true, type: 'module' }, null, 2) + '\n',
);
// Builds declare their inputs and outputs so that any runner can cache them the same way.
fs.writeFileSync(
  path.join(out, 'vite-task.json'),
  JSON.stringify({ cache: { scripts: true, tasks: true } }, null, 2) + '\n',
);

const names = [];
for (let i = 0; i < count; i++) {
  const name = `pkg-${String(i).padStart(3, '0')}`;
  names.push(name);
  const dir = path.join(out, 'packages', name);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  const layerIndex = Math.floor(i / layer);
  const deps = {};
  if (layerIndex > 0) {
    const prev = names.slice((layerIndex - 1) * layer, layerIndex * layer);
    for (let d = 0; d < depsPerPackage; d++) deps[prev[(i + d) % prev.length]] = 'workspace:*';
  }
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', scripts: explicitIo ? {} : { build: 'node ../../tools/build.mjs' }, dependencies: deps }, null, 2) + '\n',
  );
  if (explicitIo) {
    const task = { command: 'node ../../tools/build.mjs', input: ['src/**', 'package.json'], output: ['dist/**'] };
    fs.writeFileSync(path.join(dir, 'vite-task.json'), JSON.stringify({ tasks: { build: task } }, null, 2) + '\n');
  }
  for (let f = 0; f < files; f++) {
    const body = `export function f${f}(x) {\n  return x * ${f + 1} + ${i};\n}\n`.repeat(4);
    fs.writeFileSync(path.join(dir, 'src', `m${String(f).padStart(2, '0')}.js`), body);
  }
}
console.log(`generated ${count} packages in ${out}`);
