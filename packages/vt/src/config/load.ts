import fs from 'node:fs';
import path from 'node:path';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { VtError } from '../errors.js';
import { SchemaError, validatePackageConfig, type PackageConfigJson } from './schema.js';

export const CONFIG_FILE = 'vite-task.json';

const EMPTY: PackageConfigJson = { cache: undefined, enablePrePostScripts: undefined, tasks: new Map() };

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Reads and validates `{dir}/vite-task.json` (JSONC, BOM allowed); a missing file means `{}` (config.md §1). */
export function loadPackageConfig(dir: string, isRoot: boolean): PackageConfigJson {
  const file = path.join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw new VtError(`Failed to load task config file for package at "${file}"`, [(err as Error).message]);
  }
  text = text.replace(/^\uFEFF/, '');
  const loadError = (cause: string): VtError => new VtError(`Failed to load task config file for package at "${file}"`, [cause]);
  let doc: unknown;
  try {
    // Most files are plain JSON, which the native parser reads far faster than the JSONC scanner.
    doc = JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    doc = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
    if (errors.length > 0) {
      const first = errors[0]!;
      const { line, column } = lineColumn(text, first.offset);
      throw loadError(`invalid JSONC at line ${line}, column ${column}: ${printParseErrorCode(first.error)}`);
    }
  }
  let config: PackageConfigJson;
  try {
    config = validatePackageConfig(doc);
  } catch (err) {
    if (err instanceof SchemaError) throw loadError(err.message);
    throw err;
  }
  if (!isRoot && config.cache !== undefined) {
    throw new VtError(`\`cache\` can only be set in the workspace root config, but found in ${file}`);
  }
  if (!isRoot && config.enablePrePostScripts !== undefined) {
    throw new VtError(`\`enablePrePostScripts\` can only be set in the workspace root config, but found in ${file}`);
  }
  return config;
}
