/**
 * Removes colour (SGR, `ESC [ … m`) sequences from a byte stream whose chunks may split a sequence.
 * Only colour is stripped: other escapes such as OSC 8 hyperlinks (used by tools for milestones) pass
 * through, because "colour off" must not change what a tool means.
 */
export class ColorStripper {
  /** Bytes of an unfinished `ESC [ …` sequence carried over from the previous chunk. */
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    if (!data.includes(0x1b)) return data;
    const out: Buffer[] = [];
    let start = 0;
    let i = 0;
    while (i < data.length) {
      if (data[i] !== 0x1b) {
        i++;
        continue;
      }
      if (i + 1 >= data.length) {
        out.push(data.subarray(start, i));
        this.pending = Buffer.from(data.subarray(i));
        return Buffer.concat(out);
      }
      if (data[i + 1] !== 0x5b /* [ */) {
        i++;
        continue;
      }
      let j = i + 2;
      while (j < data.length && ((data[j]! >= 0x30 && data[j]! <= 0x3f) || (data[j]! >= 0x20 && data[j]! <= 0x2f))) j++;
      if (j >= data.length) {
        out.push(data.subarray(start, i));
        this.pending = Buffer.from(data.subarray(i));
        return Buffer.concat(out);
      }
      if (data[j] === 0x6d /* m */) {
        out.push(data.subarray(start, i));
        start = j + 1;
      }
      i = j + 1;
    }
    out.push(data.subarray(start));
    return Buffer.concat(out);
  }

  /** Whatever is held back at end of stream is not a complete colour sequence: emit it. */
  flush(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}

/** Decides colour once per run (env.md §5). */
export function colorEnabled(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stdoutIsTty && env.TERM !== 'dumb';
}
