/**
 * How the client waits between reconnect attempts.
 *
 * @publicApi
 */
export interface ReconnectOptions {
  /** Delay before the first reconnect attempt, in ms. @default 500 */
  initialDelayMs?: number;
  /** Longest delay between two attempts, in ms (jitter included). @default 10000 */
  maxDelayMs?: number;
  /** Each attempt waits this many times longer than the one before. @default 2 */
  factor?: number;
  /** Random spread around the delay: 0.5 is ±50 %, 0 is none. @default 0.5 */
  jitter?: number;
  /** Consecutive failed attempts after which the client gives up. @default Infinity */
  maxAttempts?: number;
}

/** @publicApi */
export type ResolvedReconnectOptions = Required<ReconnectOptions>;

/** @publicApi */
export const RECONNECT_DEFAULTS: ResolvedReconnectOptions = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
});

/** Fills in the defaults and checks the numbers. */
export function resolveReconnectOptions(options: ReconnectOptions = {}): ResolvedReconnectOptions {
  const resolved = { ...RECONNECT_DEFAULTS };
  for (const name of Object.keys(RECONNECT_DEFAULTS) as Array<keyof ReconnectOptions>) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new TypeError(`reconnect.${name} must be a number >= 0, got ${String(value)}`);
    }
    resolved[name] = value;
  }
  if (resolved.jitter > 1) throw new TypeError(`reconnect.jitter must be between 0 and 1, got ${resolved.jitter}`);
  return resolved;
}

/**
 * The delay in ms before reconnect attempt number `attempt` (1 for the first
 * attempt after a disconnect): `initialDelayMs * factor^(attempt-1)`, capped at
 * `maxDelayMs`, then spread by `jitter` (`random()` of 0.5 means no spread, 0
 * the shortest, just under 1 the longest), capped at `maxDelayMs` again and
 * rounded to a whole ms.
 *
 * @example backoffDelay(3, { initialDelayMs: 500, factor: 2, jitter: 0 }) // 2000
 * @publicApi
 */
export function backoffDelay(
  attempt: number,
  options: ReconnectOptions = {},
  random: () => number = Math.random,
): number {
  const { initialDelayMs, maxDelayMs, factor, jitter } = { ...RECONNECT_DEFAULTS, ...stripUndefined(options) };
  const step = Math.max(0, Math.floor(attempt) - 1);
  const base = Math.min(maxDelayMs, initialDelayMs * factor ** step);
  const spread = jitter === 0 ? 1 : 1 + jitter * (2 * random() - 1);
  return Math.round(Math.max(0, Math.min(maxDelayMs, base * spread)));
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The delay in ms before reconnecting after a close whose reason carried a
 * reconnect hint (`reconnect_within_ms=<withinMs>`, sent by a server that is
 * draining): a random point between 0 and `withinMs`, at most `maxDelayMs`,
 * rounded to a whole ms. Attempts after it that fail back off as usual.
 *
 * @example hintedDelay(1000, {}, () => 0.25) // 250
 */
export function hintedDelay(withinMs: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const { maxDelayMs } = { ...RECONNECT_DEFAULTS, ...stripUndefined(options) };
  return Math.round(Math.max(0, Math.min(withinMs, maxDelayMs)) * Math.min(1, Math.max(0, random())));
}
