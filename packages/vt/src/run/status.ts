/** Styling of the per-leaf command line (cache.md §8): blue command, coloured symbol, grey status. */
export interface LineStyle {
  readonly color: boolean;
}

const wrap = (code: string, s: string, on: boolean): string => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export type InlineStatus =
  | { readonly kind: 'none' }
  | { readonly kind: 'hit' }
  | { readonly kind: 'miss'; readonly text: string }
  | { readonly kind: 'disabled' };

export function commandLine(display: string, status: InlineStatus, color: boolean): string {
  const cmd = wrap('34', display, color);
  switch (status.kind) {
    case 'none':
      return cmd;
    case 'hit':
      return `${cmd} ${wrap('32', '◉', color)} ${wrap('90', 'cache hit, replaying', color)}`;
    case 'miss':
      return `${cmd} ${wrap('33', '○', color)} ${wrap('90', `cache miss: ${status.text}, executing`, color)}`;
    case 'disabled':
      return `${cmd} ${wrap('90', '⊘ cache disabled', color)}`;
  }
}
