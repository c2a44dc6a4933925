import { STREAM_CLOSE_EVENT, type StreamClosePayload } from '../../protocol/event-stream.js';

const DATA = 'data: ';
const END = '\n\n';
const LF = 0x0a;
const CR = 0x0d;

/** The response head of an event stream. */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  // NOTE: no-transform keeps compression middleware (`compression`, which
  // honours it) from buffering the stream; X-Accel-Buffering does the same
  // for nginx.
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

/** The stream's first bytes: how long the client waits before it reconnects. */
export function retryField(ms: number): string {
  return `retry: ${Math.round(ms)}\n\n`;
}

/** A comment line: keeps proxies from closing an idle stream; clients ignore it. */
export const PING_COMMENT = ': ping\n\n';

/**
 * The pieces of one unnamed (`message`) event carrying a frame, written as
 * they are (no copy of the frame). `id` is the `id:` field, when there is one.
 *
 * NOTE: frames are JSON, which never holds a raw line break; one that did
 * (a transport of the app's own) is split into `data:` lines, which the
 * client joins back with `\n`.
 */
export function framePieces(frame: Buffer | string, id?: string): Array<Buffer | string> {
  const head = id === undefined ? DATA : `id: ${id}\n${DATA}`;
  const hasBreak = typeof frame === 'string' ? /[\r\n]/.test(frame) : frame.includes(LF) || frame.includes(CR);
  if (!hasBreak) return [head, frame, END];
  const lines = frame.toString().split(/\r\n|\r|\n/);
  return [head, lines.join(`\n${DATA}`), END];
}

/** The stream's last event: the close code and reason a WebSocket would get. */
export function closeEvent(code: number, reason: string): string {
  const payload: StreamClosePayload = { code, reason };
  return `event: ${STREAM_CLOSE_EVENT}\n${DATA}${JSON.stringify(payload)}${END}`;
}
