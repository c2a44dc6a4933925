import { STREAM_CLOSE_EVENT, type StreamClosePayload } from '../protocol/event-stream.js';
import { ClientErrorCode, isRecord, RealtimeError } from './errors.js';
import type { WebSocketLike } from './types.js';

/**
 * What the client needs of an `EventSource`: the browser's, and the
 * `eventsource` package's in Node, both fit.
 *
 * @publicApi
 */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  close(): void;
}

/**
 * An `EventSource` constructor: `globalThis.EventSource` in browsers, or
 * `EventSource` from the `eventsource` package in Node.
 *
 * @publicApi
 */
export type EventSourceConstructor = new (url: string, init?: never) => EventSourceLike;

/** WebSocket's "abnormal closure": what a stream that broke off without its `close` event reports. */
const ABNORMAL = 1006;

/**
 * The server's event stream, seen as a receive-only WebSocket, so that the
 * rest of the client does not tell them apart: each event's data is a frame,
 * the stream's `close` event gives the close code, and `send()` throws
 * `ReceiveOnly`.
 *
 * NOTE: the EventSource never reconnects by itself: on its first error it is
 * closed and reported closed, and the client reconnects with its own backoff
 * (and its own choice of transport).
 */
export class EventStreamSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  /** The last `id:` the stream carried, for the next stream's `last_event_id`. */
  lastEventId: string | undefined;
  private closedWith: StreamClosePayload | undefined;

  constructor(private readonly source: EventSourceLike) {
    source.onopen = () => {
      this.readyState = 1;
    };
    source.onmessage = ((event: { data?: unknown; lastEventId?: unknown }) => {
      if (typeof event.lastEventId === 'string' && event.lastEventId) this.lastEventId = event.lastEventId;
      (this.onmessage as ((event: { data: unknown }) => void) | null)?.({ data: event.data });
    }) as (event: never) => void;
    source.addEventListener(STREAM_CLOSE_EVENT, event => {
      try {
        const payload: unknown = JSON.parse(String(event.data));
        if (isRecord(payload) && typeof payload.code === 'number') {
          this.closedWith = { code: payload.code, reason: typeof payload.reason === 'string' ? payload.reason : '' };
        }
      } catch {
        // Not ours to read: the stream ends as broken off.
      }
    });
    source.onerror = ((event: { message?: unknown }) => {
      if (!this.closedWith) {
        const message = typeof event?.message === 'string' && event.message ? event.message : 'The event stream failed';
        (this.onerror as ((event: { message: string }) => void) | null)?.({ message });
      }
      this.finish(this.closedWith?.code ?? ABNORMAL, this.closedWith?.reason ?? '');
    }) as (event: never) => void;
  }

  send(): void {
    throw new RealtimeError(ClientErrorCode.ReceiveOnly, RECEIVE_ONLY_MESSAGE);
  }

  close(code = 1000, reason = ''): void {
    this.finish(code, reason);
  }

  /** Closes the EventSource (no reconnect of its own) and reports the close, once, as a WebSocket would: later. */
  private finish(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    const source = this.source;
    source.onopen = source.onmessage = source.onerror = null;
    source.close();
    const onclose = this.onclose as ((event: { code: number; reason: string }) => void) | null;
    void Promise.resolve().then(() => onclose?.({ code, reason }));
  }
}

/** Why a request cannot go out on the event stream. */
export const RECEIVE_ONLY_MESSAGE =
  'The client is on the event-stream fallback, which only receives: call the app over HTTP instead';
