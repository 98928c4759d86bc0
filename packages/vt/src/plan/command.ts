/**
 * Splits a task command into items (config.md §10). We only *recognise* the subset of POSIX `sh` that we
 * can run without a shell — `&&` lists of simple commands — and hand everything else to `/bin/sh -c`, so
 * a command never means something different under vt than under a shell.
 */

/** One `&&` element that vt runs itself. */
export interface SimpleCommand {
  /** The element's source text, trimmed (displayed after `$ `). */
  readonly text: string;
  /** `NAME=value` prefix assignments, in order. */
  readonly assignments: readonly (readonly [string, string])[];
  /** Program and arguments, unquoted. Never empty. */
  readonly argv: readonly string[];
}

export type SplitCommand =
  | { readonly kind: 'simple'; readonly items: readonly SimpleCommand[] }
  | { readonly kind: 'shell'; readonly script: string };

/** Programs that must keep shell semantics (special built-ins and reserved words), except `cd` and `echo`. */
const SHELL_ONLY = new Set([
  'exit', 'export', 'set', 'unset', '.', 'source', 'eval', 'exec', 'readonly', 'return', 'shift', 'trap', ':',
  'if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', '{', '}', '!',
  'break', 'continue', 'times', 'function', 'select', '[[', ']]',
]);

class NotSimple extends Error {}

interface Word {
  readonly value: string;
  /** Whether the word began with an unquoted `NAME=` (a candidate prefix assignment). */
  readonly assignment: readonly [string, string] | undefined;
}

/** Tokenises one command string into `&&`-separated elements of words, or throws NotSimple. */
function tokenize(src: string): { words: Word[]; start: number; end: number }[] {
  const elements: { words: Word[]; start: number; end: number }[] = [];
  let words: Word[] = [];
  let elementStart = 0;
  let i = 0;
  const n = src.length;
  const isBlank = (c: string): boolean => c === ' ' || c === '\t';
  while (i < n) {
    const c = src[i]!;
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '&' && src[i + 1] === '&') {
      if (words.length === 0) throw new NotSimple();
      elements.push({ words, start: elementStart, end: i });
      words = [];
      i += 2;
      elementStart = i;
      continue;
    }
    if ('|;&<>()\n\r`$#'.includes(c)) throw new NotSimple();
    // A word: literal characters, '…', "…" (no $ or backtick), \x escapes.
    let value = '';
    let quotedSoFar = false;
    let assignment: readonly [string, string] | undefined;
    const wordStart = i;
    while (i < n && !isBlank(src[i]!)) {
      const ch = src[i]!;
      if (ch === '&' && src[i + 1] === '&') break;
      if ('|;&<>()\n\r`$'.includes(ch)) throw new NotSimple();
      if (ch === "'") {
        const close = src.indexOf("'", i + 1);
        if (close < 0) throw new NotSimple();
        value += src.slice(i + 1, close);
        quotedSoFar = true;
        i = close + 1;
      } else if (ch === '"') {
        let j = i + 1;
        for (; j < n && src[j] !== '"'; j++) {
          const d = src[j]!;
          if (d === '$' || d === '`') throw new NotSimple();
          if (d === '\\' && j + 1 < n && '"\\\n$`'.includes(src[j + 1]!)) {
            value += src[j + 1];
            j++;
          } else value += d;
        }
        if (j >= n) throw new NotSimple();
        quotedSoFar = true;
        i = j + 1;
      } else if (ch === '\\') {
        if (i + 1 >= n || src[i + 1] === '\n') throw new NotSimple();
        value += src[i + 1];
        quotedSoFar = true;
        i += 2;
      } else {
        if ('*?['.includes(ch)) throw new NotSimple();
        if (ch === '~' && i === wordStart) throw new NotSimple();
        if (ch === '=' && !quotedSoFar && assignment === undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
          assignment = [value, ''];
        }
        value += ch;
        i++;
      }
    }
    if (assignment !== undefined) assignment = [assignment[0], value.slice(assignment[0].length + 1)];
    words.push({ value, assignment });
  }
  if (words.length === 0) {
    if (elements.length > 0) throw new NotSimple(); // trailing `&&`
    return [];
  }
  elements.push({ words, start: elementStart, end: n });
  return elements;
}

/** Splits a command string. An empty command yields no items. */
export function splitCommand(command: string): SplitCommand {
  let elements: ReturnType<typeof tokenize>;
  try {
    elements = tokenize(command);
  } catch (err) {
    if (err instanceof NotSimple) return { kind: 'shell', script: command };
    throw err;
  }
  const items: SimpleCommand[] = [];
  for (const el of elements) {
    let k = 0;
    const assignments: (readonly [string, string])[] = [];
    while (k < el.words.length && el.words[k]!.assignment !== undefined) assignments.push(el.words[k++]!.assignment!);
    const argv = el.words.slice(k).map((w) => w.value);
    if (argv.length === 0 || SHELL_ONLY.has(argv[0]!)) return { kind: 'shell', script: command };
    items.push({ text: command.slice(el.start, el.end).trim(), assignments, argv });
  }
  return { kind: 'simple', items };
}

/** POSIX-shell-escapes one argument: safe words stay as they are, others are single-quoted. */
export function shellEscape(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_\-=/,.+:@%]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
