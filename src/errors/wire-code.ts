/**
 * Where this module's errors carry the code a client sees (`Error` events'
 * `payload.error`), so one check maps them all.
 */
export const WIRE_CODE = Symbol.for('nestjs-realtime:wire-code');

/** An error that reaches the client as an `Error` event with its own code and words. */
export interface WireCoded {
  readonly [WIRE_CODE]: { code: string; message: string; details?: Record<string, unknown> };
}

/** Whether an error carries its wire code. */
export function isWireCoded(error: unknown): error is WireCoded {
  return typeof error === 'object' && error !== null && WIRE_CODE in error;
}
