/**
 * What a person would see: all PTY output fed through a headless xterm of the harness's size. Scrollback is kept
 * so output longer than the 500 visible rows is not lost, and rows the terminal soft-wrapped are joined back into
 * one line, so a 600-character line (or a path in it) stays one line in the snapshot.
 */
import xtermHeadless from '@xterm/headless';

const { Terminal } = xtermHeadless;

/** Enough for any sane case; older lines would silently drop off the top. */
const SCROLLBACK_LINES = 20_000;

export class TerminalScreen {
  private readonly terminal: InstanceType<typeof Terminal>;

  constructor(cols: number, rows: number) {
    this.terminal = new Terminal({ cols, rows, scrollback: SCROLLBACK_LINES, allowProposedApi: true });
  }

  /** Feeds output; resolves once the terminal has processed it. */
  write(data: string): Promise<void> {
    return new Promise((resolve) => this.terminal.write(data, resolve));
  }

  /**
   * The screen as text: every logical line from the top of the scrollback, wrapped rows joined, the invisible
   * U+200B of milestones dropped, trailing spaces removed from each line and trailing empty lines removed.
   */
  text(): string {
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < buffer.length; y += 1) {
      const row = buffer.getLine(y);
      if (row === undefined) continue;
      const nextIsContinuation = buffer.getLine(y + 1)?.isWrapped ?? false;
      // A row that continues on the next one is full width; keep its spaces, they are inside the line.
      const text = row.translateToString(!nextIsContinuation);
      if (row.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    return trimScreenLines(lines.map((line) => line.replaceAll('\u200b', '')));
  }

  dispose(): void {
    this.terminal.dispose();
  }
}

/** Trailing spaces off each line, trailing empty lines off the end, joined by `\n`. */
export function trimScreenLines(lines: readonly string[]): string {
  const trimmed = lines.map((line) => line.trimEnd());
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === '') trimmed.pop();
  return trimmed.join('\n');
}
