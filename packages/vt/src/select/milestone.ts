/**
 * A milestone marker (e2e.md §6): an OSC 8 hyperlink to `https://milestone.invalid/{hex of the UTF-8 name}` around
 * a single zero-width space. Terminals show nothing, while a test harness reading the raw output learns that the
 * screen it sees is complete.
 */
export function milestone(name: string): string {
  const hex = Buffer.from(name, 'utf8').toString('hex');
  return `\x1b]8;;https://milestone.invalid/${hex}\x1b\\\u200b\x1b]8;;\x1b\\`;
}
