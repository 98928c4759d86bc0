/**
 * An expected restore failure: the archive or manifest is unusable, or the workspace is in a state the
 * restore refuses to touch. Its message is shown to the user after `✗ Failed to restore outputs: `
 * (outputs.md §4), so it names the member and the reason, never a stack.
 */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

/** Quotes a path for a message, escaping control characters (a hostile name may contain NUL or newlines). */
export function quote(path: string): string {
  // eslint-disable-next-line no-control-regex
  const visible = path.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `'${visible}'`;
}

/** The message of anything thrown, for the `{ ok: false }` outcome. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
