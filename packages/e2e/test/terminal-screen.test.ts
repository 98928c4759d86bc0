import { afterEach, describe, expect, test } from 'vitest';
import { encodeMilestone } from 'test-tools/milestone';
import { TerminalScreen } from '../src/terminal-screen.ts';

let screen: TerminalScreen | undefined;
afterEach(() => screen?.dispose());

async function render(cols: number, rows: number, output: string): Promise<string> {
  screen = new TerminalScreen(cols, rows);
  await screen.write(output);
  return screen.text();
}

describe('TerminalScreen', () => {
  test('shows what a terminal shows: carriage returns and cursor movement overwrite text', async () => {
    expect(await render(20, 5, 'hello world\rHELLO\r\nsecond\x1b[1A\x1b[7Gx\r\n\r\n')).toBe('HELLO xorld\nsecond');
  });

  test('trims trailing spaces and trailing empty lines', async () => {
    expect(await render(20, 5, 'a   \r\n\r\nb  \r\n\r\n\r\n')).toBe('a\n\nb');
  });

  test('keeps lines that scrolled off the top', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    expect(await render(20, 5, lines.join('\r\n'))).toBe(lines.join('\n'));
  });

  test('joins rows the terminal wrapped, keeping spaces at the wrap point', async () => {
    const long = `${'a'.repeat(9)} ${'b'.repeat(15)}`;
    expect(await render(10, 5, `${long}\r\nnext`)).toBe(`${long}\nnext`);
  });

  test('leaves no trace of milestones', async () => {
    expect(await render(40, 5, `before${encodeMilestone('task-select::0')}after`)).toBe('beforeafter');
  });
});
