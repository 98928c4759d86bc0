/**
 * Runs one step the way a person at a terminal would (e2e.md §3): `/bin/sh -c step` as the session leader of a
 * fresh PTY (so Ctrl-C reaches the foreground process group and programs see a TTY), driven by the step's
 * interactions, bounded by a time limit after which everything the step started is killed.
 *
 * The shell runs with job control on (`-m`), as an interactive shell does: each command line becomes the terminal's
 * foreground process group and the shell itself stays out of Ctrl-C's way. Without it, dash (Debian's /bin/sh) is
 * in the foreground group, receives the SIGINT too and dies of it after the command exits, so a program that
 * handles Ctrl-C and exits 0 would still be reported as 130. If the command dies of SIGINT, the shell still ends
 * the same way (exit 130), like an interactive shell's script would.
 *
 * Output is kept raw and fed to the screen lazily, so a milestone's screen is exactly the screen right after the
 * milestone's bytes, no matter how the output was chunked.
 */
import { encodeMilestone, findMilestones } from 'test-tools/milestone';
import { KEYS, type Interaction } from './case-spec.ts';
import { spawnPty } from './pty-process.ts';
import type { StepEvent, StepOutcome } from './step-record.ts';
import { TerminalScreen } from './terminal-screen.ts';

export interface StepOptions {
  readonly command: string;
  readonly cwd: string;
  /** The complete environment; nothing is inherited. */
  readonly env: Readonly<Record<string, string>>;
  readonly interactions: readonly Interaction[];
  readonly timeoutMs: number;
  readonly cols: number;
  readonly rows: number;
}

export interface StepRun {
  readonly outcome: StepOutcome;
  readonly events: readonly StepEvent[];
  /** Unredacted. */
  readonly finalScreen: string;
  /** Processes still alive in the step's session after it ended, which were then killed. */
  readonly leftoverProcesses: number;
}

/** The case itself is wrong: it waits for a milestone the process never emitted, or writes to a finished one. */
export class InteractionError extends Error {
  override name = 'InteractionError';
}

/** How long to wait for the killed shell's exit to be reported before abandoning the driver. */
const KILL_GRACE_MS = 3000;

type WriteInteraction = Exclude<Interaction, { kind: 'expect-milestone' }>;

function bytesOf(interaction: WriteInteraction): string {
  switch (interaction.kind) {
    case 'write':
      return interaction.text;
    case 'write-line':
      return `${interaction.text}\r`;
    case 'write-key':
      return KEYS[interaction.key];
  }
}

function describeInteraction(interaction: WriteInteraction): string {
  return interaction.kind === 'write-key' ? `write-key '${interaction.key}'` : `${interaction.kind} '${interaction.text}'`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runStep(options: StepOptions): Promise<StepRun> {
  let raw = '';
  let exitCode: number | undefined;
  let timedOut = false;
  // Wakes the interaction loop whenever output arrives, the process exits or time runs out.
  let wake: (() => void) | undefined;
  const nextChange = () => new Promise<void>((resolve) => (wake = resolve));

  const child = spawnPty(
    { argv: ['/bin/sh', '-m', '-c', options.command], cwd: options.cwd, env: options.env, cols: options.cols, rows: options.rows },
    (data) => {
      raw += data;
      wake?.();
    },
  );
  let leftoverProcesses = 0;
  const exited = child.exited.then(({ code, leftovers }) => {
    exitCode = code;
    leftoverProcesses = leftovers;
    wake?.();
  });
  // A driver failure (no Python, say) ends the step with that error instead of a timeout.
  let driverError: unknown;
  exited.catch((error: unknown) => {
    driverError = error;
    wake?.();
  });

  const timer = setTimeout(() => {
    timedOut = true;
    wake?.();
  }, options.timeoutMs);
  const screen = new TerminalScreen(options.cols, options.rows);
  let fed = 0;
  const feedTo = async (end: number) => {
    if (end <= fed) return;
    const chunk = raw.slice(fed, end);
    fed = end;
    await screen.write(chunk);
  };

  try {
    const events: StepEvent[] = [];
    let searchFrom = 0;
    interactions: for (const interaction of options.interactions) {
      if (interaction.kind === 'expect-milestone') {
        const marker = encodeMilestone(interaction.name);
        for (;;) {
          const at = raw.indexOf(marker, searchFrom);
          if (at !== -1) {
            searchFrom = at + marker.length;
            await feedTo(searchFrom);
            events.push({ kind: 'milestone', name: interaction.name, screen: screen.text() });
            break;
          }
          if (timedOut) break interactions;
          if (driverError !== undefined) throw driverError;
          if (exitCode !== undefined) {
            await feedTo(raw.length);
            const seen = findMilestones(raw.slice(searchFrom)).map((found) => found.name);
            throw new InteractionError(
              `the process exited with code ${exitCode} before milestone '${interaction.name}' appeared ` +
                `(milestones since the previous interaction: ${seen.length > 0 ? seen.join(', ') : 'none'}); ` +
                `screen:\n${screen.text()}`,
            );
          }
          await nextChange();
        }
        continue;
      }
      if (timedOut) break;
      if (exitCode !== undefined) {
        throw new InteractionError(`the process exited with code ${exitCode} before ${describeInteraction(interaction)}`);
      }
      child.write(bytesOf(interaction));
      events.push(interaction);
      searchFrom = raw.length;
    }

    while (exitCode === undefined && !timedOut && driverError === undefined) await nextChange();
    if (driverError !== undefined) throw driverError;
    let outcome: StepOutcome;
    if (exitCode === undefined) {
      child.terminate();
      const settled = await Promise.race([exited.then(() => true), sleep(KILL_GRACE_MS).then(() => false)]);
      if (!settled) child.abandon();
      outcome = { kind: 'timeout' };
      leftoverProcesses = 0; // killed on purpose, not left behind
    } else {
      outcome = { kind: 'exited', code: exitCode };
    }
    await feedTo(raw.length);
    return { outcome, events, finalScreen: screen.text(), leftoverProcesses };
  } finally {
    clearTimeout(timer);
    // Also on the error paths: nothing a step started may outlive it.
    if (exitCode === undefined) child.terminate();
    screen.dispose();
  }
}
