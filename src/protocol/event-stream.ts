/**
 * The names of the event stream (server-sent events on the gateway's path, a
 * receive-only stand-in for the WebSocket), shared by the server and the
 * client. `docs/protocol.md` (section 11) describes the stream.
 */

/** The media type a client asks for (`Accept`) and the server answers with. */
export const EVENT_STREAM_MEDIA_TYPE = 'text/event-stream';

/**
 * The SSE event name of the stream's last event, which stands for a
 * WebSocket's close frame: its data is `{"code": <close code>, "reason": "..."}`.
 * Every other frame comes as an unnamed (`message`) event whose data is the
 * JSON frame a WebSocket would get.
 */
export const STREAM_CLOSE_EVENT = 'close';

/**
 * Query parameter that carries the last `id:` a client saw, for clients that
 * open a new stream themselves and cannot set the `Last-Event-ID` header
 * (which wins when both are sent).
 */
export const LAST_EVENT_ID_PARAM = 'last_event_id';

/** The data of the stream's `close` event. */
export interface StreamClosePayload {
  /** The close code a WebSocket would get (`CloseCode`). */
  code: number;
  reason: string;
}
