/**
 * The typed form of a fixture's `snapshots.toml` (e2e.md §2), and the validation that produces it. Everything a
 * fixture author can get wrong (a typo'd key, an unknown key name, a bad case name) is reported with the TOML path,
 * so a broken fixture fails with a sentence rather than `undefined is not a function` halfway through a run.
 */
import { parse as parseToml } from 'smol-toml';

export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  enter: '\r',
  escape: '\x1b',
  backspace: '\x7f',
  'ctrl-c': '\x03',
} as const;

export type KeyName = keyof typeof KEYS;

export type Interaction =
  | { readonly kind: 'expect-milestone'; readonly name: string }
  | { readonly kind: 'write'; readonly text: string }
  | { readonly kind: 'write-line'; readonly text: string }
  | { readonly kind: 'write-key'; readonly key: KeyName };

export interface StepSpec {
  readonly command: string;
  readonly comment?: string;
  readonly interactions: readonly Interaction[];
}

export type Platform = 'linux' | 'unix' | 'windows';

export interface CaseSpec {
  readonly fixture: string;
  readonly name: string;
  readonly comment?: string;
  /** Relative to the fixture root. */
  readonly cwd?: string;
  readonly platform?: Platform;
  /** Why the case is skipped; absent when it runs. */
  readonly ignore?: string;
  readonly steps: readonly StepSpec[];
}

/** A `snapshots.toml` that does not describe valid cases. */
export class SpecError extends Error {
  override name = 'SpecError';
}

export const NAME_PATTERN = /^[a-z0-9_]+$/;

const CASE_KEYS = new Set(['name', 'comment', 'cwd', 'platform', 'ignore', 'steps']);
const STEP_KEYS = new Set(['command', 'comment', 'interactions']);
const INTERACTION_KINDS = new Set<Interaction['kind']>(['expect-milestone', 'write', 'write-line', 'write-key']);
const PLATFORMS = new Set<Platform>(['linux', 'unix', 'windows']);

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

class Reader {
  constructor(private readonly file: string) {}

  fail(path: string, message: string): never {
    throw new SpecError(`${this.file}: ${path}: ${message}`);
  }

  table(value: unknown, path: string, allowed: ReadonlySet<string>): Table {
    if (!isTable(value)) this.fail(path, `expected a table, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!allowed.has(key)) this.fail(path, `unknown key '${key}' (allowed: ${[...allowed].join(', ')})`);
    }
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, `expected a string, got ${describe(value)}`);
    return value;
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined ? undefined : this.string(value, path);
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, `expected an array, got ${describe(value)}`);
    return value;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null || value === undefined) return 'nothing';
  if (isTable(value)) return 'a table';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function parseInteraction(reader: Reader, value: unknown, path: string): Interaction {
  if (!isTable(value)) reader.fail(path, `expected an inline table like { write = "text" }, got ${describe(value)}`);
  const keys = Object.keys(value);
  const [kind] = keys;
  if (keys.length !== 1 || kind === undefined || !INTERACTION_KINDS.has(kind as Interaction['kind'])) {
    reader.fail(path, `expected exactly one of ${[...INTERACTION_KINDS].join(', ')}, got keys [${keys.join(', ')}]`);
  }
  const text = reader.string(value[kind], `${path}.${kind}`);
  switch (kind as Interaction['kind']) {
    case 'expect-milestone':
      if (text === '') reader.fail(`${path}.${kind}`, 'milestone name must not be empty');
      return { kind: 'expect-milestone', name: text };
    case 'write':
      return { kind: 'write', text };
    case 'write-line':
      return { kind: 'write-line', text };
    case 'write-key':
      if (!Object.hasOwn(KEYS, text)) {
        reader.fail(`${path}.${kind}`, `unknown key '${text}' (known: ${Object.keys(KEYS).join(', ')})`);
      }
      return { kind: 'write-key', key: text as KeyName };
  }
}

function parseStep(reader: Reader, value: unknown, path: string): StepSpec {
  if (typeof value === 'string') return { command: value, interactions: [] };
  const table = reader.table(value, path, STEP_KEYS);
  const command = reader.string(table.command, `${path}.command`);
  const comment = reader.optionalString(table.comment, `${path}.comment`);
  const interactions =
    table.interactions === undefined
      ? []
      : reader
          .array(table.interactions, `${path}.interactions`)
          .map((item, index) => parseInteraction(reader, item, `${path}.interactions[${index}]`));
  return { command, ...(comment === undefined ? {} : { comment }), interactions };
}

function parseCase(reader: Reader, fixture: string, value: unknown, path: string): CaseSpec {
  const table = reader.table(value, path, CASE_KEYS);
  const name = reader.string(table.name, `${path}.name`);
  if (!NAME_PATTERN.test(name)) reader.fail(`${path}.name`, `'${name}' must match ${NAME_PATTERN.source}`);
  const comment = reader.optionalString(table.comment, `${path}.comment`);
  const cwd = reader.optionalString(table.cwd, `${path}.cwd`);
  if (cwd !== undefined && (cwd.startsWith('/') || cwd.split('/').includes('..'))) {
    reader.fail(`${path}.cwd`, `'${cwd}' must be a relative path inside the fixture`);
  }
  const platform = reader.optionalString(table.platform, `${path}.platform`);
  if (platform !== undefined && !PLATFORMS.has(platform as Platform)) {
    reader.fail(`${path}.platform`, `'${platform}' is not one of ${[...PLATFORMS].join(', ')}`);
  }
  let ignore: string | undefined;
  if (table.ignore === true) ignore = 'ignored';
  else if (table.ignore !== undefined && table.ignore !== false) ignore = reader.string(table.ignore, `${path}.ignore`);
  const steps = reader.array(table.steps, `${path}.steps`).map((step, index) => parseStep(reader, step, `${path}.steps[${index}]`));
  if (steps.length === 0) reader.fail(`${path}.steps`, 'a case needs at least one step');
  return {
    fixture,
    name,
    ...(comment === undefined ? {} : { comment }),
    ...(cwd === undefined ? {} : { cwd }),
    ...(platform === undefined ? {} : { platform: platform as Platform }),
    ...(ignore === undefined ? {} : { ignore }),
    steps,
  };
}

/**
 * Parses and validates one fixture's `snapshots.toml`. `file` names the file in error messages.
 * @throws SpecError on invalid TOML or an invalid case.
 */
export function parseCaseSpecs(fixture: string, text: string, file: string): CaseSpec[] {
  let document: Table;
  try {
    document = parseToml(text) as Table;
  } catch (error) {
    throw new SpecError(`${file}: invalid TOML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const reader = new Reader(file);
  for (const key of Object.keys(document)) {
    if (key !== 'e2e') reader.fail(key, `unknown top-level key (cases go in [[e2e]] tables)`);
  }
  const cases = reader.array(document.e2e ?? [], 'e2e').map((item, index) => parseCase(reader, fixture, item, `e2e[${index}]`));
  if (cases.length === 0) reader.fail('e2e', 'no [[e2e]] cases');
  const seen = new Set<string>();
  for (const [index, spec] of cases.entries()) {
    if (seen.has(spec.name)) reader.fail(`e2e[${index}].name`, `duplicate case name '${spec.name}'`);
    seen.add(spec.name);
  }
  return cases;
}

/** Whether a case of `platform` runs on `nodePlatform` (a `process.platform` value). */
export function runsOn(platform: Platform | undefined, nodePlatform: NodeJS.Platform): boolean {
  switch (platform) {
    case undefined:
      return true;
    case 'windows':
      return nodePlatform === 'win32';
    case 'linux':
      return nodePlatform === 'linux';
    case 'unix':
      return nodePlatform !== 'win32';
  }
}
