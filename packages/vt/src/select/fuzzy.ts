/**
 * vt's fuzzy matcher for task labels (cli.md §5). A query matches when its characters occur in the label in
 * order, case-insensitively. Among the ways to place them, the best-scoring one counts: every character earns
 * MATCH, a character right after the previous match earns CONSECUTIVE (runs beat scattered hits), and one at
 * the start of the label or right after `#` `:` `-` `_` `/` `@` earns WORD_START (so `b` ranks `build` above
 * `rebuild`, and `tc` ranks `type-check` above `fetch`). CONSECUTIVE outweighs WORD_START, so a typed run stays
 * together: `lib` is placed on `lib` in `lib#build`, not on `li` plus the `b` after `#`. Label length is kept
 * apart from the score and only breaks ties, so a short label wins among equally good placements without
 * outranking a better one.
 */

const MATCH = 16;
const CONSECUTIVE = 12;
const WORD_START = 10;
const SEPARATORS = new Set(['#', ':', '-', '_', '/', '@']);

export interface FuzzyMatch {
  /** Higher is better. */
  readonly score: number;
  /** The label's length in code points; shorter wins a tie. */
  readonly length: number;
}

export function fuzzyMatch(query: string, label: string): FuzzyMatch | undefined {
  const chars = Array.from(label);
  const q = Array.from(query, (c) => c.toLowerCase());
  const l = chars.map((c) => c.toLowerCase());
  if (q.length === 0) return { score: 0, length: chars.length };
  if (q.length > l.length) return undefined;
  const bonus = chars.map((_, j) => (j === 0 || SEPARATORS.has(chars[j - 1]!) ? WORD_START : 0));

  // prev[j]: best score with the previous query character placed at label position j (-Infinity: impossible).
  let prev: number[] = new Array<number>(l.length).fill(-Infinity);
  for (let i = 0; i < q.length; i++) {
    const cur = new Array<number>(l.length).fill(-Infinity);
    let bestBefore = -Infinity; // max prev[k] for k <= j - 2
    for (let j = 0; j < l.length; j++) {
      if (j >= 2) bestBefore = Math.max(bestBefore, prev[j - 2]!);
      if (l[j] !== q[i]) continue;
      const here = MATCH + bonus[j]!;
      if (i === 0) {
        cur[j] = here;
        continue;
      }
      const adjacent = j >= 1 ? prev[j - 1]! + CONSECUTIVE : -Infinity;
      const best = Math.max(adjacent, bestBefore);
      if (best > -Infinity) cur[j] = here + best;
    }
    prev = cur;
  }
  const score = Math.max(...prev);
  return score === -Infinity ? undefined : { score, length: chars.length };
}
