import path from 'node:path';
import picomatch from 'picomatch';
import type { IoEntry } from './schema.js';

/**
 * An `input`/`output` config reduced to what matters for caching (tracing.md §6): whether tracing feeds it,
 * and workspace-relative globs, sorted so that equal configs compare equal in the cache key.
 */
export interface IoConfig {
  readonly auto: boolean;
  readonly positive: readonly string[];
  readonly negative: readonly string[];
}

export const AUTO_IO: IoConfig = { auto: true, positive: [], negative: [] };

/** A glob that could not be normalised; the caller wraps it in `Failed to resolve task config for task …`. */
export class GlobError extends Error {}

const META = /[*?[\]{}()!+@\\]/;

/** Escapes glob metacharacters in a literal path so that `packages/[lib]` matches only itself. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]{}()!+@\\]/g, (c) => `\\${c}`);
}

/**
 * Patterns already known to compile. Every task's globs are validated on every run, usually the same few
 * (`src/**` in every package): compiling each once per run instead of once per task saved ~3 ms of a
 * 30-package warm hit.
 */
const validPatterns = new Set<string>();

/**
 * Normalises one glob to workspace-relative form: its literal leading components are joined with the base
 * dir and cleaned (`..` allowed), must stay inside the workspace, and are escaped; the glob part is kept.
 */
export function normaliseGlob(pattern: string, baseDir: string, workspaceRoot: string): string {
  const body = pattern.endsWith('/') ? `${pattern}**` : pattern;
  if (body === '') throw new GlobError(`invalid glob pattern '${pattern}'`);
  if (!validPatterns.has(body)) {
    try {
      picomatch.makeRe(body, { strictBrackets: true });
    } catch {
      throw new GlobError(`invalid glob pattern '${pattern}'`);
    }
    validPatterns.add(body);
  }
  const parts = body.split('/');
  const firstGlob = parts.findIndex((p) => META.test(p));
  const literal = (firstGlob < 0 ? parts : parts.slice(0, firstGlob)).join('/');
  const globPart = firstGlob < 0 ? '' : parts.slice(firstGlob).join('/');
  const absolute = path.resolve(baseDir, literal);
  const rel = path.relative(workspaceRoot, absolute).split(path.sep).join('/');
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
    throw new GlobError(`glob pattern '${pattern}' resolves outside the workspace root`);
  }
  const escaped = escapeGlob(rel);
  if (escaped === '') return globPart === '' ? WORKSPACE_ROOT_LITERAL : globPart;
  return globPart === '' ? escaped : `${escaped}/${globPart}`;
}

/**
 * A literal pattern that names the workspace root itself (`.` at the root, `../..` in `packages/a`). Like any
 * bare directory name it matches only a file of that name, so nothing (tracing.md §6); it used to become `**`,
 * every file of the workspace. `.` is the root's own name: the walker looks for a non-directory there and
 * finds none, and no workspace-relative path (the root is `""`) matches it as a negative.
 */
const WORKSPACE_ROOT_LITERAL = '.';

/** Normalises an `input`/`output` list; `undefined` (key omitted) means `[{auto: true}]`. */
export function resolveIoConfig(
  entries: readonly IoEntry[] | undefined,
  packageDir: string,
  workspaceRoot: string,
): IoConfig {
  if (entries === undefined) return AUTO_IO;
  let auto = false;
  const positive = new Set<string>();
  const negative = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === 'auto') {
      auto ||= entry.enabled;
      continue;
    }
    const negated = entry.pattern.startsWith('!');
    const raw = negated ? entry.pattern.slice(1) : entry.pattern;
    const base = entry.base === 'workspace' ? workspaceRoot : packageDir;
    let normalised: string;
    try {
      normalised = normaliseGlob(raw, base, workspaceRoot);
    } catch (err) {
      if (err instanceof GlobError) throw new GlobError(err.message.replace(`'${raw}'`, `'${entry.pattern}'`));
      throw err;
    }
    (negated ? negative : positive).add(normalised);
  }
  return { auto, positive: [...positive].sort(), negative: [...negative].sort() };
}
