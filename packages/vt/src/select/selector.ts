import type { TaskEntry } from './entry.js';
import { KeyDecoder, type Key } from './keys.js';
import { milestone } from './milestone.js';
import { renderScreen } from './screen.js';
import { moveCursor, selectedEntry, withQuery, type SelectorState } from './state.js';

export type SelectorResult = { readonly kind: 'selected'; readonly entry: TaskEntry } | { readonly kind: 'cancelled' };

export interface SelectorOptions {
  readonly entries: readonly TaskEntry[];
  readonly initialQuery: string;
  /** Shows `Task "{name}" not found.` above the prompt (a mistyped implicit task, cli.md §5). */
  readonly notFoundName?: string;
  /** A TTY; put into raw mode while the selector runs. */
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/** Erases `lines` lines drawn without a trailing newline: back to column 0, up to the first, clear below. */
function erase(lines: number): string {
  if (lines === 0) return '';
  return `\r${lines > 1 ? `\x1b[${lines - 1}A` : ''}\x1b[J`;
}

type Step = { readonly state: SelectorState } | { readonly result: SelectorResult };

function applyKey(state: SelectorState, key: Key): Step {
  switch (key.kind) {
    case 'up':
      return { state: moveCursor(state, -1) };
    case 'down':
      return { state: moveCursor(state, 1) };
    case 'text':
      return { state: withQuery(state.entries, state.query + key.text) };
    case 'backspace':
      return { state: withQuery(state.entries, Array.from(state.query).slice(0, -1).join('')) };
    case 'escape':
      return { state: withQuery(state.entries, '') };
    case 'enter': {
      const entry = selectedEntry(state);
      return entry === undefined ? { state } : { result: { kind: 'selected', entry } };
    }
    case 'ctrl-c':
      return { result: { kind: 'cancelled' } };
  }
}

/**
 * The interactive task selector (cli.md §5). Draws the screen, redraws after every batch of keys and emits the
 * milestone `task-select:{query}:{cursor}` after each draw (e2e.md §6). Resolves with the chosen entry, or
 * `cancelled` on Ctrl-C (the caller exits 130) or when the terminal goes away. Before resolving it erases
 * everything it drew and restores the terminal (raw mode off, cursor shown, input paused); printing
 * `Selected task: …` is the caller's job.
 */
export function runSelector(opts: SelectorOptions): Promise<SelectorResult> {
  const { input, output, notFoundName } = opts;
  return new Promise<SelectorResult>((resolve, reject) => {
    let state = withQuery(opts.entries, opts.initialQuery);
    let drawn = 0;
    const decoder = new KeyDecoder();
    const wasRaw = input.isRaw;

    const draw = (): void => {
      const columns = output.columns > 0 ? output.columns : 80;
      const lines = renderScreen(state, columns, notFoundName);
      output.write(erase(drawn) + lines.join('\r\n') + milestone(`task-select:${state.query}:${state.cursor}`));
      drawn = lines.length;
    };

    const finish = (settle: () => void): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      output.off('resize', draw);
      if (typeof input.setRawMode === 'function') input.setRawMode(wasRaw);
      input.pause();
      output.write(erase(drawn) + SHOW_CURSOR, () => settle());
    };

    function onData(chunk: string | Buffer): void {
      try {
        for (const key of decoder.push(chunk.toString())) {
          const step = applyKey(state, key);
          if ('result' in step) {
            finish(() => resolve(step.result));
            return;
          }
          state = step.state;
        }
        draw();
      } catch (error) {
        finish(() => reject(error));
      }
    }
    function onEnd(): void {
      finish(() => resolve({ kind: 'cancelled' }));
    }
    function onError(error: Error): void {
      finish(() => reject(error));
    }

    input.setEncoding('utf8');
    if (typeof input.setRawMode === 'function') input.setRawMode(true);
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    output.on('resize', draw);
    input.resume();
    output.write(HIDE_CURSOR);
    draw();
  });
}
