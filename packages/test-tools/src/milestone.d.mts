/** The exact OSC 8 byte sequence that signals milestone `name` (e2e.md §6). */
export declare function encodeMilestone(name: string): string;

/** A milestone found in raw terminal output; `end` is one past its last character. */
export interface FoundMilestone {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Every milestone in `text`, in order of appearance. */
export declare function findMilestones(text: string): FoundMilestone[];
