/**
 * The reconnect hint a close reason may carry: `<text>; reconnect_within_ms=<n>`.
 * A server that is going away (close `1001` while draining) says how long its
 * clients should spread their reconnects over; a client waits a random delay
 * between 0 and `n` ms before it reconnects, instead of at once, so that the
 * clients of one instance do not all land on the others in the same moment.
 *
 * Shared by the server, which writes it, and the client, which reads it.
 */

/** The key of the hint in a close reason. */
export const RECONNECT_HINT_KEY = 'reconnect_within_ms';

/**
 * A close reason may hold at most 123 bytes (RFC 6455: 125 bytes of payload,
 * 2 of which are the code).
 */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Largest hint a client takes, in ms (one hour); a larger number is no hint. */
export const MAX_RECONNECT_HINT_MS = 3_600_000;

const HINT = new RegExp(`(?:^|;)\\s*${RECONNECT_HINT_KEY}=(\\d{1,7})\\s*(?:;|$)`);

/** `text` with the hint appended: `Server shutting down; reconnect_within_ms=1000`. */
export function withReconnectHint(text: string, withinMs: number): string {
  return `${text}; ${RECONNECT_HINT_KEY}=${Math.max(0, Math.round(withinMs))}`;
}

/**
 * The hint a close reason carries, in ms, or `undefined` when it carries none
 * (or one that is not a whole number from 0 to an hour). The reason is read as
 * `;`-separated parts; other parts (the human-readable text first) are ignored.
 */
export function reconnectHintOf(reason: string): number | undefined {
  if (typeof reason !== 'string' || reason.length > MAX_CLOSE_REASON_BYTES) return undefined;
  const match = HINT.exec(reason);
  if (!match) return undefined;
  const withinMs = Number(match[1]);
  return withinMs <= MAX_RECONNECT_HINT_MS ? withinMs : undefined;
}
