import { INVALID_OPTION } from './realtime.messages.js';

/**
 * How one option value is read and checked, for `resolveRealtimeOptions` and
 * the resolvers of its parts: a bad value throws a sentence that names the
 * option, and numbers and booleans written as text are taken for what they
 * spell.
 */

/** A number written as text, as environment variables carry them. */
export const NUMERIC_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;

/**
 * A number option, at least `min`. Numbers given as strings (`'15000'` from
 * `ConfigService.get()` or `process.env`) are taken as the number they spell.
 */
export function count(name: string, value: unknown, fallback: number, min: number, minName?: string): number {
  const resolved = value == null ? fallback : typeof value === 'string' && NUMERIC_TEXT.test(value) ? Number(value) : value;
  if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved < min) {
    throw new Error(INVALID_OPTION(name, `a number >= ${minName ? `${minName} (${min})` : min}`, value));
  }
  return resolved;
}

/** A whole-number option (a count of things), at least `min`. */
export function whole(name: string, value: unknown, fallback: number, min: number, minName?: string): number {
  const resolved = count(name, value, fallback, min, minName);
  if (!Number.isInteger(resolved)) throw new Error(INVALID_OPTION(name, `a whole number >= ${min}`, value));
  return resolved;
}

/** A whole-number option from `min` to `max`. */
export function wholeBetween(name: string, value: unknown, fallback: number, min: number, max: number): number {
  const resolved = value == null ? fallback : typeof value === 'string' && NUMERIC_TEXT.test(value) ? Number(value) : value;
  if (typeof resolved !== 'number' || !Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new Error(INVALID_OPTION(name, `a whole number from ${min} to ${max}`, value));
  }
  return resolved;
}

/**
 * A boolean option. `'true'` and `'false'` are taken as booleans; any other
 * string fails, because `'false'` would otherwise be truthy.
 */
export function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value == null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(INVALID_OPTION(name, 'true or false', value));
}

/** A string option that must be one of `allowed`. */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value == null) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(INVALID_OPTION(name, allowed.map(entry => `'${entry}'`).join(' or '), value));
}
