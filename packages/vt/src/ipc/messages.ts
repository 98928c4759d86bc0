/**
 * The messages of ipc.md §6 as TypeScript values: validation of what clients send, construction of what the
 * server answers. Key order of the answers is part of the wire format (see the shared vectors).
 */
import type { EnvQuery } from './env-query.js';

/** A request id as decoded: ids beyond 2^53 arrive as bigint. */
export type RequestId = number | bigint;

/** A path as sent: a string, or the raw bytes of a path that is not valid UTF-8. */
export type WirePath = string | Uint8Array;

export type Request =
  | { readonly id: RequestId; readonly t: 'ignoreInput'; readonly path: WirePath }
  | { readonly id: RequestId; readonly t: 'ignoreOutput'; readonly path: WirePath }
  | { readonly id: RequestId; readonly t: 'disableCache' }
  | { readonly id: RequestId; readonly t: 'getEnv'; readonly name: string; readonly tracked: boolean }
  | { readonly id: RequestId; readonly t: 'getEnvs'; readonly query: EnvQuery; readonly tracked: boolean };

export interface ClientHello {
  readonly v: number;
  readonly pid: number;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** A request that failed validation; `id` is set when the request could still be answered. */
export type RequestParseError = { readonly ok: false; readonly error: string; readonly id: RequestId | undefined };

function isUint(value: unknown): value is RequestId {
  return (
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
    (typeof value === 'bigint' && value >= 0n && value < 2n ** 64n)
  );
}

function asMap(value: unknown): ReadonlyMap<unknown, unknown> | undefined {
  return value instanceof Map ? value : undefined;
}

/** The request id a decoded message carries, if it has a valid one: such a message can be answered. */
export function requestIdOf(value: unknown): RequestId | undefined {
  const id = asMap(value)?.get('id');
  return isUint(id) ? id : undefined;
}

export function parseHello(value: unknown): Parsed<ClientHello> {
  const map = asMap(value);
  if (!map) return { ok: false, error: 'handshake is not a map' };
  if (map.get('t') !== 'hello') return { ok: false, error: 'first message is not a hello' };
  const v = map.get('v');
  const pid = map.get('pid');
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    return { ok: false, error: 'hello without a valid `v`' };
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid < 0) {
    return { ok: false, error: 'hello without a valid `pid`' };
  }
  return { ok: true, value: { v, pid } };
}

function field<T>(
  map: ReadonlyMap<unknown, unknown>,
  t: string,
  key: string,
  check: (v: unknown) => v is T,
  type: string,
): T {
  const value = map.get(key);
  if (!check(value)) {
    throw new Error(map.has(key) ? `${t} request with a non-${type} \`${key}\`` : `${t} request without \`${key}\``);
  }
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isPath = (v: unknown): v is WirePath => typeof v === 'string' || v instanceof Uint8Array;

/** Validates a decoded request. Keys that a kind does not use are ignored. */
export function parseRequest(value: unknown): { readonly ok: true; readonly value: Request } | RequestParseError {
  const map = asMap(value);
  if (!map) return { ok: false, error: 'request is not a map', id: undefined };
  const id = map.get('id');
  if (!isUint(id)) {
    return { ok: false, error: map.has('id') ? 'request with an invalid `id`' : 'request without `id`', id: undefined };
  }
  const t = map.get('t');
  try {
    switch (t) {
      case 'ignoreInput':
      case 'ignoreOutput':
        return { ok: true, value: { id, t, path: field(map, t, 'path', isPath, 'path') } };
      case 'disableCache':
        return { ok: true, value: { id, t } };
      case 'getEnv':
        return {
          ok: true,
          value: {
            id,
            t,
            name: field(map, t, 'name', isString, 'string'),
            tracked: field(map, t, 'tracked', isBoolean, 'boolean'),
          },
        };
      case 'getEnvs': {
        const hasGlob = map.has('glob');
        if (hasGlob === map.has('prefix')) throw new Error('getEnvs request needs exactly one of `glob` and `prefix`');
        const query: EnvQuery = hasGlob
          ? { glob: field(map, t, 'glob', isString, 'string') }
          : { prefix: field(map, t, 'prefix', isString, 'string') };
        return { ok: true, value: { id, t, query, tracked: field(map, t, 'tracked', isBoolean, 'boolean') } };
      }
      default:
        return {
          ok: false,
          error: typeof t === 'string' ? `unknown request kind '${t}'` : 'request without a string `t`',
          id,
        };
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message, id };
  }
}

/**
 * msgpackr writes numbers above 2^32 as float64, which the Rust client cannot read as an id, so those go out
 * as 64-bit integers.
 */
function wireId(id: RequestId): RequestId {
  return typeof id === 'number' && id > 0xffff_ffff ? BigInt(id) : id;
}

export const helloAccepted = () => ({ t: 'hello', v: 1 }) as const;
export const helloRejected = (error: string) => ({ ok: false, error }) as const;
export const ack = (id: RequestId) => ({ id: wireId(id), ok: true }) as const;
/** `null` (MessagePack nil) when the variable is absent. */
export const valueAnswer = (id: RequestId, value: string | undefined) =>
  ({ id: wireId(id), ok: true, value: value ?? null }) as const;
export const entriesAnswer = (id: RequestId, entries: ReadonlyMap<string, string>) =>
  ({ id: wireId(id), ok: true, entries: Object.fromEntries(entries) }) as const;
export const failure = (id: RequestId, error: string) => ({ id: wireId(id), ok: false, error }) as const;
