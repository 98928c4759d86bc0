/** A key press the selector acts on; every other key is dropped. */
export type Key =
  | { readonly kind: 'up' | 'down' | 'enter' | 'backspace' | 'escape' | 'ctrl-c' }
  | { readonly kind: 'text'; readonly text: string };

const ESC = '\x1b';

/**
 * Turns raw-mode terminal input into keys. One read may carry several keys (`lin`, or three Down presses), and
 * an escape sequence may in principle be split across reads, so an unfinished CSI/SS3 sequence is held until the
 * next chunk. A lone ESC at the end of a chunk is the Escape key: nothing more is coming for it.
 */
export class KeyDecoder {
  private pending = '';

  push(chunk: string): Key[] {
    const input = this.pending + chunk;
    this.pending = '';
    const keys: Key[] = [];
    const text = (ch: string): void => {
      const last = keys[keys.length - 1];
      if (last?.kind === 'text') keys[keys.length - 1] = { kind: 'text', text: last.text + ch };
      else keys.push({ kind: 'text', text: ch });
    };
    let i = 0;
    while (i < input.length) {
      const ch = input[i]!;
      if (ch === ESC) {
        const next = input[i + 1];
        if (next === '[' || next === 'O') {
          const end = next === '[' ? findCsiEnd(input, i + 2) : i + 2 < input.length ? i + 2 : -1;
          if (end < 0) {
            this.pending = input.slice(i);
            break;
          }
          const final = input[end];
          if (final === 'A') keys.push({ kind: 'up' });
          else if (final === 'B') keys.push({ kind: 'down' });
          i = end + 1;
          continue;
        }
        keys.push({ kind: 'escape' });
        i += 1;
        continue;
      }
      const code = ch.codePointAt(0)!;
      if (ch === '\r' || ch === '\n') keys.push({ kind: 'enter' });
      else if (ch === '\x7f' || ch === '\b') keys.push({ kind: 'backspace' });
      else if (ch === '\x03') keys.push({ kind: 'ctrl-c' });
      else if (code >= 0x20 && !(code >= 0x80 && code <= 0x9f)) text(ch);
      i += 1;
    }
    return keys;
  }
}

/** Index of the final byte (0x40–0x7e) of a CSI sequence whose parameters start at `from`, or -1 if unfinished. */
function findCsiEnd(input: string, from: number): number {
  for (let j = from; j < input.length; j++) {
    const code = input.charCodeAt(j);
    if (code >= 0x40 && code <= 0x7e) return j;
  }
  return -1;
}
