import type { RealtimeCompressionOptions, ResolvedCompression } from '../interfaces/realtime-compression-options.interface.js';
import { wholeBetween } from '../option-values.util.js';
import { INVALID_OPTION } from '../realtime.messages.js';

/**
 * What `compression: true` (or an object that leaves fields out) means.
 *
 * NOTE: a window of 2^12 and memLevel 6 halve what zlib's defaults (15, 8)
 * hold per socket for some 6 % larger frames (docs/scaling.md, measured with
 * `npm run bench:compression`); level 1 costs half the CPU of level 6.
 */
export const COMPRESSION_DEFAULTS: Readonly<ResolvedCompression> = Object.freeze({
  threshold: 1024,
  level: 1,
  memLevel: 6,
  windowBits: 12,
  maxSockets: 0,
});

/** The largest window deflate has, which needs no `server_max_window_bits`. */
export const FULL_WINDOW_BITS = 15;

/** The smallest window the server compresses with (see `windowBits` below). */
export const LEAST_WINDOW_BITS = 9;

const EXPECTED = 'false, true, or an object such as { threshold, level, memLevel, windowBits, maxSockets }';

/**
 * Reads the `compression` option: `false` (the default) or the settings,
 * each one checked and named when wrong. `'true'` and `'false'` count as
 * booleans.
 */
export function resolveCompression(value: unknown): ResolvedCompression | false {
  if (value == null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return { ...COMPRESSION_DEFAULTS };
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(INVALID_OPTION('compression', EXPECTED, value));
  const given = value as RealtimeCompressionOptions;
  const defaults = COMPRESSION_DEFAULTS;
  return {
    // NOTE: below 2^31, as every length ws compares it with.
    threshold: wholeBetween('compression.threshold', given.threshold, defaults.threshold, 0, 2 ** 31 - 1),
    level: wholeBetween('compression.level', given.level, defaults.level, 1, 9),
    memLevel: wholeBetween('compression.memLevel', given.memLevel, defaults.memLevel, 1, 9),
    // NOTE: zlib's raw deflate turns a window of 8 into 9 (512 bytes), which a
    // peer that agreed on 8 may fail to inflate; so 9 is the least
    // (faye-websocket allows 8).
    windowBits: wholeBetween('compression.windowBits', given.windowBits, defaults.windowBits, LEAST_WINDOW_BITS, FULL_WINDOW_BITS),
    maxSockets: wholeBetween('compression.maxSockets', given.maxSockets, defaults.maxSockets, 0, 2 ** 31 - 1),
  };
}

/**
 * The `perMessageDeflate` option of the ws server for these settings.
 *
 * NOTE: `client_max_window_bits` is left as the client offers it: asking for
 * less would make ws refuse the handshake of every client that does not
 * offer that parameter. The decompressor a client can make the server hold
 * is 2^15 bytes of window at most, and its output is capped by
 * `maxMessageSize`.
 */
export function perMessageDeflateOptions(settings: ResolvedCompression): Record<string, unknown> {
  return {
    // NOTE: ws applies its threshold only to sockets without context
    // takeover; the gateway applies it to every frame (WsRealtimeConnection).
    threshold: settings.threshold,
    zlibDeflateOptions: { level: settings.level, memLevel: settings.memLevel },
    serverMaxWindowBits: settings.windowBits < FULL_WINDOW_BITS ? settings.windowBits : undefined,
  };
}
