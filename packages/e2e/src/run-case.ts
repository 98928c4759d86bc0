/**
 * Runs one case end to end: fresh directories, each step in its own PTY with exactly the e2e.md §3 environment,
 * screens redacted, and the snapshot text rendered. Stops after a step that timed out.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseSpec } from './case-spec.ts';
import { prepareCaseDirs, type CaseDirs } from './case-workspace.ts';
import { runStep } from './pty-step.ts';
import { redactScreen, type RedactionPaths } from './redact.ts';
import type { RepoPaths } from './repo-paths.ts';
import { renderSnapshot } from './snapshot-markdown.ts';
import type { StepRecord } from './step-record.ts';

export const TERMINAL_SIZE = { cols: 500, rows: 500 } as const;
export const STEP_TIMEOUT_MS = 20_000;

export interface CaseRun {
  readonly dirs: CaseDirs;
  readonly snapshot: string;
  /** Things worth telling whoever runs the tests that do not fail the case (e.g. processes left behind). */
  readonly warnings: readonly string[];
}

/** The environment of every step: nothing inherited but the test process's PATH, behind vt and the tools. */
export function stepEnv(repo: RepoPaths, home: string): Record<string, string> {
  const path = [repo.vtBinDir, repo.toolsBinDir, ...(process.env.PATH ? [process.env.PATH] : [])].join(':');
  return { PATH: path, NO_COLOR: '1', TERM: 'dumb', HOME: home };
}

export async function runCase(spec: CaseSpec, fixtureDir: string, repo: RepoPaths, tmpBase: string): Promise<CaseRun> {
  const dirs = prepareCaseDirs(tmpBase, fixtureDir, spec.fixture, spec.name, repo);
  const cwd = join(dirs.workspace, spec.cwd ?? '');
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`case cwd '${spec.cwd}' is not a directory in fixture ${spec.fixture}`);
  }
  const env = stepEnv(repo, dirs.home);
  const paths: RedactionPaths = { workspace: dirs.workspace, home: dirs.home, tools: repo.toolsBinDir, outside: dirs.outside };
  const records: StepRecord[] = [];
  const warnings: string[] = [];
  for (const step of spec.steps) {
    const run = await runStep({
      command: step.command,
      cwd,
      env,
      interactions: step.interactions,
      timeoutMs: STEP_TIMEOUT_MS,
      ...TERMINAL_SIZE,
    }).catch((error: unknown) => {
      throw new Error(`${spec.fixture}::${spec.name}, step \`${step.command}\`: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (run.leftoverProcesses > 0) {
      warnings.push(`step \`${step.command}\` left ${run.leftoverProcesses} process(es) running; they were killed`);
    }
    records.push({
      command: step.command,
      ...(step.comment === undefined ? {} : { comment: step.comment }),
      outcome: run.outcome,
      events: run.events.map((event) => (event.kind === 'milestone' ? { ...event, screen: redactScreen(event.screen, paths) } : event)),
      finalScreen: redactScreen(run.finalScreen, paths),
    });
    if (run.outcome.kind === 'timeout') break;
  }
  return { dirs, snapshot: renderSnapshot(spec, records), warnings };
}
