/**
 * The validated shape of one `vite-task.json` (config.md §1). Validation turns untyped JSON into these types
 * or into an error naming the JSON path, so nothing downstream has to re-check types.
 */

/** One element of `input`/`output`, as written. */
export type IoEntry =
  | { readonly kind: 'auto'; readonly enabled: boolean }
  | { readonly kind: 'glob'; readonly pattern: string; readonly base: 'package' | 'workspace' };

export interface TaskConfigJson {
  readonly command: readonly string[];
  readonly cwd: string | undefined;
  readonly dependsOn: readonly string[];
  readonly cache: boolean;
  readonly env: readonly string[];
  readonly untrackedEnv: readonly string[];
  readonly input: readonly IoEntry[] | undefined;
  readonly output: readonly IoEntry[] | undefined;
}

export interface PackageConfigJson {
  /** Root only. */
  readonly cache: { readonly scripts: boolean; readonly tasks: boolean } | undefined;
  /** Root only. */
  readonly enablePrePostScripts: boolean | undefined;
  readonly tasks: ReadonlyMap<string, TaskConfigJson>;
}

type Json = unknown;

/** A validation failure: the cause line that goes under `Failed to load task config file …`. */
export class SchemaError extends Error {}

function expect(cond: boolean, at: string, expected: string): void {
  if (!cond) throw new SchemaError(`invalid type at ${at}: expected ${expected}`);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, Json>, allowed: readonly string[], at: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new SchemaError(`unknown field \`${key}\` in ${at}`);
  }
}

function stringList(v: Json, at: string): string[] {
  expect(Array.isArray(v), at, 'an array of strings');
  (v as Json[]).forEach((item, i) => expect(typeof item === 'string', `${at}[${i}]`, 'a string'));
  return v as string[];
}

function ioList(v: Json, at: string): IoEntry[] {
  expect(Array.isArray(v), at, 'an array');
  return (v as Json[]).map((item, i): IoEntry => {
    const here = `${at}[${i}]`;
    if (typeof item === 'string') return { kind: 'glob', pattern: item, base: 'package' };
    expect(isObject(item), here, 'a string, { auto: boolean } or { pattern: string, base: "package" | "workspace" }');
    const obj = item as Record<string, Json>;
    if ('auto' in obj) {
      checkKeys(obj, ['auto'], here);
      expect(typeof obj.auto === 'boolean', `${here}.auto`, 'a boolean');
      return { kind: 'auto', enabled: obj.auto as boolean };
    }
    checkKeys(obj, ['pattern', 'base'], here);
    if (!('pattern' in obj)) throw new SchemaError(`missing field \`pattern\` in ${here}`);
    expect(typeof obj.pattern === 'string', `${here}.pattern`, 'a string');
    if (!('base' in obj)) throw new SchemaError(`missing field \`base\` in ${here}`);
    expect(obj.base === 'package' || obj.base === 'workspace', `${here}.base`, '"package" or "workspace"');
    return { kind: 'glob', pattern: obj.pattern as string, base: obj.base as 'package' | 'workspace' };
  });
}

const TASK_KEYS = ['command', 'cwd', 'dependsOn', 'cache', 'env', 'untrackedEnv', 'input', 'output'] as const;

function taskConfig(v: Json, at: string): TaskConfigJson {
  if (typeof v === 'string' || Array.isArray(v)) return taskConfig({ command: v }, at);
  expect(isObject(v), at, 'a task object, a string or an array of strings');
  const obj = v as Record<string, Json>;
  checkKeys(obj, TASK_KEYS, at);
  if (!('command' in obj)) throw new SchemaError(`missing field \`command\` in ${at}`);
  const command =
    typeof obj.command === 'string' ? [obj.command] : (expect(Array.isArray(obj.command), `${at}.command`, 'a string or an array of strings'), stringList(obj.command, `${at}.command`));
  if ('cwd' in obj) expect(typeof obj.cwd === 'string', `${at}.cwd`, 'a string');
  if ('cache' in obj) expect(typeof obj.cache === 'boolean', `${at}.cache`, 'a boolean');
  const cache = obj.cache !== false;
  if (!cache && ['env', 'untrackedEnv', 'input', 'output'].some((k) => k in obj)) {
    throw new SchemaError(`\`env\`, \`untrackedEnv\`, \`input\` and \`output\` cannot be used when \`cache\` is false (in ${at})`);
  }
  return {
    command,
    cwd: obj.cwd as string | undefined,
    dependsOn: 'dependsOn' in obj ? stringList(obj.dependsOn, `${at}.dependsOn`) : [],
    cache,
    env: 'env' in obj ? stringList(obj.env, `${at}.env`) : [],
    untrackedEnv: 'untrackedEnv' in obj ? stringList(obj.untrackedEnv, `${at}.untrackedEnv`) : [],
    input: 'input' in obj ? ioList(obj.input, `${at}.input`) : undefined,
    output: 'output' in obj ? ioList(obj.output, `${at}.output`) : undefined,
  };
}

/** Validates a parsed `vite-task.json` document. Throws SchemaError with the spec's cause text. */
export function validatePackageConfig(doc: Json): PackageConfigJson {
  expect(isObject(doc), '(root)', 'an object');
  const obj = doc as Record<string, Json>;
  checkKeys(obj, ['cache', 'enablePrePostScripts', 'tasks'], '(root)');
  let cache: PackageConfigJson['cache'];
  if ('cache' in obj) {
    const c = obj.cache;
    if (typeof c === 'boolean') cache = { scripts: c, tasks: c };
    else {
      expect(isObject(c), 'cache', 'a boolean or { scripts?: boolean, tasks?: boolean }');
      const co = c as Record<string, Json>;
      checkKeys(co, ['scripts', 'tasks'], 'cache');
      if ('scripts' in co) expect(typeof co.scripts === 'boolean', 'cache.scripts', 'a boolean');
      if ('tasks' in co) expect(typeof co.tasks === 'boolean', 'cache.tasks', 'a boolean');
      cache = { scripts: co.scripts === true, tasks: co.tasks !== false };
    }
  }
  if ('enablePrePostScripts' in obj) expect(typeof obj.enablePrePostScripts === 'boolean', 'enablePrePostScripts', 'a boolean');
  const tasks = new Map<string, TaskConfigJson>();
  if ('tasks' in obj) {
    expect(isObject(obj.tasks), 'tasks', 'an object');
    for (const [name, value] of Object.entries(obj.tasks as Record<string, Json>)) {
      tasks.set(name, taskConfig(value, `tasks.${name}`));
    }
  }
  return { cache, enablePrePostScripts: obj.enablePrePostScripts as boolean | undefined, tasks };
}
