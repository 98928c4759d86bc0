/**
 * Milestones (e2e.md §6): a process tells the e2e harness "I reached point X" by writing an OSC 8 hyperlink whose
 * visible text is a single zero-width space. Terminals render nothing for it, so screens stay clean, while the
 * harness can find the exact byte position in the raw PTY stream and snapshot the screen right there.
 *
 * Shared by the helper tools (which emit) and the harness (which searches), so both agree on the bytes.
 */

const ESC = '\x1b';
const ST = `${ESC}\\`;
const URL_PREFIX = 'https://milestone.invalid/';

/** @param {string} name @returns {string} */
export function encodeMilestone(name) {
  const hex = Buffer.from(name, 'utf8').toString('hex');
  return `${ESC}]8;;${URL_PREFIX}${hex}${ST}\u200b${ESC}]8;;${ST}`;
}

const PATTERN = new RegExp(
  `${ESC}\\]8;;${URL_PREFIX.replace(/[.\/]/g, '\\$&')}((?:[0-9a-fA-F]{2})*)${ESC}\\\\\u200b${ESC}\\]8;;${ESC}\\\\`,
  'g',
);

/**
 * Every milestone in `text`, in order, with the offsets of its first and one-past-last character.
 * @param {string} text
 * @returns {{ name: string, start: number, end: number }[]}
 */
export function findMilestones(text) {
  const found = [];
  for (const match of text.matchAll(PATTERN)) {
    const start = match.index ?? 0;
    found.push({
      name: Buffer.from(match[1] ?? '', 'hex').toString('utf8'),
      start,
      end: start + match[0].length,
    });
  }
  return found;
}
