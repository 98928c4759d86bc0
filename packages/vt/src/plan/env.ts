import path from 'node:path';
import picomatch from 'picomatch';

export type Env = Readonly<Record<string, string>>;

/** Appended to every cached task's untracked list (env.md §3). Fixed per cache schema version. */
export const DEFAULT_UNTRACKED_ENV: readonly string[] = [
  'HOME', 'USER', 'TZ', 'LANG', 'SHELL', 'PWD', 'PATH', 'XDG_RUNTIME_DIR', 'XAUTHORITY', 'DBUS_SESSION_BUS_ADDRESS',
  'CI', 'NODE_OPTIONS', 'COREPACK_*', 'NPM_CONFIG_STORE_DIR', 'PNPM_HOME', 'LD_LIBRARY_PATH', 'LD_PRELOAD',
  'DYLD_FALLBACK_LIBRARY_PATH', 'DYLD_INSERT_LIBRARIES', 'LIBPATH', 'DISPLAY', 'TMP', 'TEMP', 'VERCEL', 'VERCEL_*',
  'NEXT_*', 'USE_OUTPUT_FOR_EDGE_FUNCTIONS', 'NOW_BUILDER', 'VC_MICROFRONTENDS_CONFIG_FILE_NAME', 'GITHUB_*',
  'RUNNER_*', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA', 'SYSTEMROOT', 'SYSTEMDRIVE', 'USERPROFILE', 'HOMEDRIVE',
  'HOMEPATH', 'WINDIR', 'PATHEXT', 'ProgramFiles', 'ProgramFiles[(]x86[)]', 'ELECTRON_RUN_AS_NODE', 'JB_INTERPRETER',
  '_JETBRAINS_TEST_RUNNER_RUN_SCOPE_TYPE', 'JB_IDE_*', 'VSCODE_*', 'DOCKER_*', 'BUILDKIT_*', 'COMPOSE_*',
  'PLAYWRIGHT_*', 'VP_*', '*_TOKEN',
];

/** Glob syntax; `[x]` (one character in brackets, how the spec's `ProgramFiles[(]x86[)]` escapes) is not. */
const GLOB_SYNTAX = /[*?[\]{}()!+@\\]/;
const ONE_CHAR_CLASS = /\[([^\]!^\\])\]/g;

/** The plain name `part` stands for, or undefined if it holds glob syntax. */
function literal(part: string): string | undefined {
  return GLOB_SYNTAX.test(part.replace(ONE_CHAR_CLASS, '')) ? undefined : part.replace(ONE_CHAR_CLASS, '$1');
}

/**
 * One env name pattern as a predicate. Most patterns (the ~60 defaults among them) are plain names or a name
 * with one leading or trailing `*`: for non-empty names without a `/` (all real ones) those are compared directly,
 * because compiling every pattern with picomatch cost ~5 ms, and running each compiled regex for the first
 * time as much again, on every run. A name equal to the pattern's own text matches (picomatch's rule, kept).
 * Anything else, and any name with a `/`, goes to picomatch, compiled on first use.
 */
function compileEnvPattern(pattern: string): (name: string) => boolean {
  const nocase = process.platform === 'win32';
  let compiled: ((name: string) => boolean) | undefined;
  const slow = (name: string): boolean =>
    (compiled ??= picomatch(pattern, { dot: true, nocase, noextglob: true, nonegate: true }))(name);
  if (nocase) return slow;
  const whole = literal(pattern);
  const suffix = whole === undefined && pattern.startsWith('*') ? literal(pattern.slice(1)) : undefined;
  const prefix = whole === undefined && pattern.endsWith('*') ? literal(pattern.slice(0, -1)) : undefined;
  const fast =
    whole !== undefined ? (name: string) => name === whole
    : suffix !== undefined ? (name: string) => name.endsWith(suffix)
    : prefix !== undefined ? (name: string) => name.startsWith(prefix)
    : undefined;
  if (fast === undefined) return slow;
  return (name) => (name === '' || name.includes('/') ? slow(name) : name === pattern || fast(name));
}

/** A list of env name patterns with `!` negations (env.md §2), compiled once. */
export class EnvPatternList {
  private static readonly compiled = new Map<string, EnvPatternList>();

  /** Compiling globs is the costly part and every task shares the default list: memoise by content. */
  static of(patterns: readonly string[]): EnvPatternList {
    const key = patterns.join('\0');
    let list = EnvPatternList.compiled.get(key);
    if (!list) EnvPatternList.compiled.set(key, (list = new EnvPatternList(patterns)));
    return list;
  }

  private readonly positive: ((name: string) => boolean)[];
  private readonly negative: ((name: string) => boolean)[];

  private constructor(patterns: readonly string[]) {
    this.positive = patterns.filter((p) => !p.startsWith('!')).map(compileEnvPattern);
    this.negative = patterns.filter((p) => p.startsWith('!')).map((p) => compileEnvPattern(p.slice(1)));
  }

  /** Answers per name, memoised: every task of a run asks about the same environment. */
  private readonly answers = new Map<string, boolean>();

  /** Selected iff some positive pattern matches and no negative one does. */
  selects(name: string): boolean {
    let answer = this.answers.get(name);
    if (answer === undefined) {
      answer = this.positive.some((m) => m(name)) && !this.negative.some((m) => m(name));
      this.answers.set(name, answer);
    }
    return answer;
  }
}

/**
 * PATH rule for every spawned task (env.md §1): the package's and the workspace's `node_modules/.bin` first,
 * then the existing PATH, duplicates removed (first kept).
 */
export function withTaskPath(env: Env, packageDir: string, workspaceRoot: string): Record<string, string> {
  const key = process.platform === 'win32' ? (Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'Path') : 'PATH';
  const parts = [
    path.join(packageDir, 'node_modules', '.bin'),
    path.join(workspaceRoot, 'node_modules', '.bin'),
    ...(env[key] ?? '').split(path.delimiter),
  ];
  const seen = new Set<string>();
  const unique = parts.filter((p) => p !== '' && !seen.has(p) && (seen.add(p), true));
  return { ...env, [key]: unique.join(path.delimiter) };
}

/** The environment a cached task receives, and the values that go into its cache key (env.md §1, §4). */
export interface FilteredEnv {
  readonly env: Readonly<Record<string, string>>;
  /** Fingerprinted names → values: env-list selections plus every prefix assignment. */
  readonly declared: ReadonlyMap<string, string>;
}

/**
 * Results for items without prefix assignments, by context env (one object per run) and patterns: most
 * tasks of a run share both, and filtering the whole environment per task added up. Callers copy before
 * they change anything (withTaskPath does).
 */
const shared = new WeakMap<Env, Map<string, FilteredEnv>>();

export function filterEnvForCache(
  contextEnv: Env,
  prefixEnv: Env,
  envPatterns: readonly string[],
  untrackedPatterns: readonly string[],
): FilteredEnv {
  if (Object.keys(prefixEnv).length > 0) return filterEnv(contextEnv, prefixEnv, envPatterns, untrackedPatterns);
  let byPatterns = shared.get(contextEnv);
  if (!byPatterns) shared.set(contextEnv, (byPatterns = new Map()));
  const key = `${envPatterns.join('\0')}\u0001${untrackedPatterns.join('\0')}`;
  let result = byPatterns.get(key);
  if (!result) byPatterns.set(key, (result = filterEnv(contextEnv, prefixEnv, envPatterns, untrackedPatterns)));
  return result;
}

function filterEnv(
  contextEnv: Env,
  prefixEnv: Env,
  envPatterns: readonly string[],
  untrackedPatterns: readonly string[],
): FilteredEnv {
  const tracked = EnvPatternList.of(envPatterns);
  // The task's own negatives also strike names from the default list (`untrackedEnv: ["!CI"]`).
  const untracked = EnvPatternList.of([...untrackedPatterns, ...DEFAULT_UNTRACKED_ENV]);
  const env: Record<string, string> = {};
  const declared = new Map<string, string>();
  for (const [name, value] of Object.entries(contextEnv)) {
    if (tracked.selects(name)) {
      env[name] = value;
      declared.set(name, value);
    } else if (untracked.selects(name)) {
      env[name] = value;
    }
  }
  for (const [name, value] of Object.entries(prefixEnv)) {
    env[name] = value;
    declared.set(name, value);
  }
  return { env, declared };
}
