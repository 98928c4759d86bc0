/**
 * Renders a case's run as its snapshot file (e2e.md §4). Pure formatting: screens arrive redacted. Backticks in a
 * command or screen get a longer delimiter, so the file stays valid Markdown whatever the output contains.
 */
import type { CaseSpec } from './case-spec.ts';
import type { StepEvent, StepRecord } from './step-record.ts';

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}

/** `text` as a Markdown code span. */
export function inlineCode(text: string): string {
  const fence = '`'.repeat(longestBacktickRun(text) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** `text` as a fenced code block; an empty text gives an empty block. */
export function fencedBlock(text: string): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return text === '' ? `${fence}\n${fence}` : `${fence}\n${text}\n${fence}`;
}

function eventBlocks(event: StepEvent): string[] {
  switch (event.kind) {
    case 'milestone':
      return [`**→ expect-milestone:** ${inlineCode(event.name)}`, fencedBlock(event.screen)];
    case 'write':
    case 'write-line':
      return [`**← ${event.kind}:** ${inlineCode(event.text)}`];
    case 'write-key':
      return [`**← write-key:** ${inlineCode(event.key)}`];
  }
}

function stepBlocks(step: StepRecord): string[] {
  const blocks = [`## ${inlineCode(step.command)}`];
  if (step.comment?.trim()) blocks.push(step.comment.trim());
  if (step.outcome.kind === 'timeout') blocks.push('**Exit code:** timeout');
  else if (step.outcome.code !== 0) blocks.push(`**Exit code:** ${step.outcome.code}`);
  for (const event of step.events) blocks.push(...eventBlocks(event));
  blocks.push(fencedBlock(step.finalScreen));
  return blocks;
}

/** The complete snapshot file for `spec`, given the records of the steps that ran (steps after a timeout do not). */
export function renderSnapshot(spec: Pick<CaseSpec, 'name' | 'comment'>, steps: readonly StepRecord[]): string {
  const blocks = [`# ${spec.name}`];
  if (spec.comment?.trim()) blocks.push(spec.comment.trim());
  for (const step of steps) blocks.push(...stepBlocks(step));
  return `${blocks.join('\n\n')}\n`;
}
