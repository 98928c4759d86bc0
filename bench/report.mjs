/**
 * Renders the suite's results as one markdown section (what bench/RESULTS.md accumulates, newest first).
 */
import { fmtMiB, fmtMs, fmtRatio, table } from './lib.mjs';
import { LOG_BYTES } from './memory.mjs';
import { SCENARIOS } from './peers.mjs';
import { RUNNERS } from './runners/index.mjs';

export function renderReport({ machine, config, sections }) {
  const out = [];
  out.push(`## ${machine.date.slice(0, 10)} · vt ${machine.commit}`);
  out.push('');
  out.push(`Command: \`${machine.command}\` (${machine.minutes.toFixed(1)} min)  `);
  out.push(
    machine.build === machine.buildAfter
      ? `vt build: ${machine.build}  `
      : `vt build: **changed during the run** (someone rebuilt vt): ${machine.build} at start, ${machine.buildAfter} at end  `,
  );
  out.push(`Machine: ${machine.nproc} CPUs (${machine.cpu}), Linux ${machine.kernel}, Node ${machine.node}  `);
  const loaded = machine.loadBefore >= config.maxLoad || machine.loadDuring.median >= config.maxLoad + 1;
  out.push(
    `1-min load average: ${machine.loadBefore.toFixed(2)} at start; after each timed run median ${machine.loadDuring.median.toFixed(2)}, ` +
      `max ${machine.loadDuring.max.toFixed(2)} (the benchmark itself adds up to ~${config.concurrency}); ${machine.loadAfter.toFixed(2)} at end` +
      (loaded ? ` — **the machine was busy (≥ ${config.maxLoad}); absolute times are inflated, the ratios are the meaningful part**` : ''),
  );
  for (const p of sections.peers ?? []) out.push('', ...renderPeers(p, config));
  if (sections.overhead) out.push('', ...renderOverhead(sections.overhead, config));
  if (sections.memory) out.push('', ...renderMemory(sections.memory, config));
  return out.join('\n');
}

function renderPeers(p, config) {
  const names = RUNNERS.map((r) => r.name).filter((n) => config.runners.includes(n));
  const ran = names.filter((n) => SCENARIOS.some((s) => p.results[s]?.[n]));
  const peers = ran.filter((n) => n !== 'vt');
  const cell = (s, n) => fmtMs(p.results[s]?.[n]?.median);
  const lines = [
    `### ${p.packages} packages × ${p.files} source files, concurrency ${config.concurrency}`,
    '',
    `Median wall time including CLI start-up; ${config.rounds} rounds (cold build: ${config.coldRounds}), runner order rotated every round. ` +
      'Each run is checked: every `dist/index.js` present, the changed package really rebuilt.',
    '',
    table(
      ['scenario', ...ran, 'vt peak RSS'],
      SCENARIOS.map((s) => [s, ...ran.map((n) => cell(s, n)), fmtMiB(p.results[s]?.vt?.rssKiB)]),
    ),
    '',
    'vt / peer (below 1: vt is faster):',
    '',
    table(
      ['scenario', ...peers.map((n) => `vt/${n}`)],
      SCENARIOS.map((s) => [s, ...peers.map((n) => fmtRatio(p.results[s]?.vt?.median / p.results[s]?.[n]?.median))]),
    ),
    '',
    `Versions: ${ran.map((n) => `${n} ${p.versions[n]}`).join(', ')}. ` +
      `Tasks spawned: ${RUNNERS.filter((r) => ran.includes(r.name)).map((r) => `${r.name} — ${r.spawns}`).join('; ')}.`,
  ];
  for (const [name, err] of Object.entries(p.failures)) {
    lines.push('', `**${name} could not be measured** (${p.packages} packages):`, '', '```', err.split('\n').slice(0, 25).join('\n'), '```');
  }
  return lines;
}

function renderOverhead(o, config) {
  const lines = [
    '### Tracer and runner overhead',
    '',
    `Workloads from packages/tracer/test/support/workloads.mjs; median of ${config.rounds} rounds. "cold" = outputs removed and cache ` +
      'emptied, so vt runs the command and stores the result; "hit" = the next run. untraced = the task declares input/output ' +
      'globs; traced = default `{auto: true}`. Node floor = the command spawned by a Node process that does nothing else ' +
      '(bench/node-floor.cjs, started as bin/vt starts vt): the least any runner written for Node adds. turbo = the same ' +
      'command as a package.json script with the same globs, run by turbo (through `npm run`, the only way turbo runs a task). ' +
      'pre-started = the untraced cold run timed inside a Node process that had already started and loaded vt ' +
      '(bench/prestarted.cjs): vt\'s own work, which a resident vt process would still do (timed inside that process, ' +
      'from the call into vt to its return, so unlike the other columns it leaves out one process spawn).',
    '',
    table(
      ['workload', 'direct', 'Node floor', 'vt untraced cold', 'vt traced cold', 'traced / untraced', 'runner overhead (untraced / direct)', 'Node floor / direct', 'vt pre-started', 'pre-started / direct', 'traced / direct', 'untraced hit', 'traced hit', 'turbo cold', 'turbo / direct', 'turbo hit', 'vt peak RSS (traced)'],
      o.rows.map((r) => [
        r.workload,
        fmtMs(r.direct),
        r.floor === undefined ? 'n/a' : fmtMs(r.floor),
        fmtMs(r['untraced cold']),
        fmtMs(r['traced cold']),
        fmtRatio(r['traced cold'] / r['untraced cold']),
        fmtRatio(r['untraced cold'] / r.direct),
        r.floor === undefined ? 'n/a' : fmtRatio(r.floor / r.direct),
        r.prestarted === undefined ? 'n/a' : fmtMs(r.prestarted),
        r.prestarted === undefined ? 'n/a' : fmtRatio(r.prestarted / r.direct),
        fmtRatio(r['traced cold'] / r.direct),
        fmtMs(r['untraced hit']),
        fmtMs(r['traced hit']),
        r['turbo cold'] === undefined ? 'n/a' : fmtMs(r['turbo cold']),
        r['turbo cold'] === undefined ? 'n/a' : fmtRatio(r['turbo cold'] / r.direct),
        r['turbo hit'] === undefined ? 'n/a' : fmtMs(r['turbo hit']),
        fmtMiB(r.rss.traced),
      ]),
    ),
  ];
  for (const [name, err] of Object.entries(o.failures)) lines.push('', `**${name} could not be measured:**`, '', '```', err.split('\n').slice(0, 20).join('\n'), '```');
  lines.push('', 'Raw tracer (no vt), from `node packages/tracer/bench/overhead.mjs`:', '');
  if (o.tracer.rows?.length) {
    const keys = Object.keys(o.tracer.rows[0]);
    lines.push(table(keys, o.tracer.rows.map((r) => keys.map((k) => String(r[k])))));
  } else {
    lines.push(`not available: ${o.tracer.skipped}`);
  }
  return lines;
}

function renderMemory(m, config) {
  const lines = ['### Memory: a cached task printing 1 GiB', ''];
  if (m.error) return [...lines, 'Failed:', '', '```', m.error.split('\n').slice(0, 20).join('\n'), '```'];
  lines.push(
    `The task writes ${LOG_BYTES / 1024 ** 3} GiB to stdout (input/output globs, \`--log interleaved\`, vt's stdout is /dev/null); ` +
      `median wall time of ${config.memoryRounds} rounds, vt's own peak RSS (max over rounds).`,
    '',
    table(
      ['run', 'wall', 'vt peak RSS'],
      [
        ['task run directly', fmtMs(m.direct), '—'],
        ['vt run, miss (captures and stores the log)', fmtMs(m.store.ms), fmtMiB(m.store.rssKiB)],
        ['vt run, hit (replays the log)', fmtMs(m.replay.ms), fmtMiB(m.replay.rssKiB)],
      ],
    ),
  );
  return lines;
}
