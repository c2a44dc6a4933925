import type { EventFrame, RingReplyFrame } from '../protocol/frames.js';
import { deferred } from './deferred.js';
import type { RealtimeError } from './errors.js';
import { EventStreamSocket, type EventSourceConstructor } from './event-stream-socket.js';
import type { WebSocketConstructor, WebSocketLike } from './types.js';

/** Something waiting for the reply frame(s) that carry its tag. */
export interface TaggedOperation {
  /** Takes one frame with the tag; true when no more are expected. */
  onFrame(frame: EventFrame): boolean;
  /** The socket closed before the last reply. */
  onDisconnect(error: RealtimeError): void;
}

/** A route call waiting for the Ring reply that carries its id. */
export interface RingOperation {
  settle(frame: RingReplyFrame): void;
  fail(error: RealtimeError): void;
}

/** What a connection reports of its WebSocket. */
export interface ConnectionListener {
  message(data: unknown): void;
  /** A WebSocket error, with what the WebSocket said of it (`''` when nothing). */
  error(detail: string): void;
  /** The WebSocket closed (code 1006 when none came); it reports nothing more. */
  close(code: number, reason: string): void;
}

/**
 * One WebSocket, from its creation to its close, and what waits for replies
 * on it. `phase` goes `welcome` -> `authenticating` -> `ready` -> `closed`.
 */
export class Connection {
  phase: 'welcome' | 'authenticating' | 'ready' | 'closed' = 'welcome';
  connectionId: string | undefined;
  readonly tagged = new Map<string, TaggedOperation>();
  readonly ring = new Map<string | number, RingOperation>();
  readonly closed = deferred<void>();
  /** close() let go of it: its close event only reports `disconnected`. */
  closedByClient = false;
  /** The last untagged `Error` event (a refusal such as `ConnectionRejected` comes just before the close). */
  lastError: RealtimeError | undefined;
  /** Whether any frame arrived on it: one that closes without any could not connect. */
  heard = false;
  /** An event stream (the fallback): it receives only. */
  readonly receiveOnly: boolean;

  constructor(readonly ws: WebSocketLike) {
    this.receiveOnly = ws instanceof EventStreamSocket;
  }

  /**
   * Opens a WebSocket: `new WebSocket(url, protocols)`, with a third argument
   * (for the `ws` package) when there is one. Throws what the constructor throws.
   */
  static open(
    WebSocketImpl: WebSocketConstructor,
    url: string,
    protocols: string | string[] | undefined,
    webSocketOptions: unknown,
  ): Connection {
    const Impl = WebSocketImpl as unknown as new (url: string, protocols?: string | string[], options?: unknown) => WebSocketLike;
    return new Connection(webSocketOptions === undefined ? new Impl(url, protocols) : new Impl(url, protocols, webSocketOptions));
  }

  /**
   * Opens the server's event stream at `url` (`http:`/`https:`):
   * `new EventSource(url, init)`. Throws what the constructor throws.
   */
  static openEventStream(EventSourceImpl: EventSourceConstructor, url: string, init: unknown): Connection {
    const Impl = EventSourceImpl as unknown as new (url: string, init?: unknown) => ConstructorParameters<typeof EventStreamSocket>[0];
    return new Connection(new EventStreamSocket(new Impl(url, init)));
  }

  /** Hands the WebSocket's events to `listener` until it closes. */
  listen(listener: ConnectionListener): void {
    const socket = this.ws as unknown as {
      onopen: unknown;
      onmessage: ((event: { data: unknown }) => void) | null;
      onerror: ((event: { message?: unknown; error?: unknown }) => void) | null;
      onclose: ((event: { code?: number; reason?: string }) => void) | null;
    };
    socket.onmessage = event => {
      this.heard = true;
      listener.message(event.data);
    };
    socket.onerror = event =>
      listener.error(event?.error instanceof Error ? event.error.message : typeof event?.message === 'string' ? event.message : '');
    socket.onclose = event => {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      listener.close(event?.code ?? 1006, event?.reason ?? '');
    };
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Fails everything in flight on it: it is going away. */
  abandon(error: RealtimeError): void {
    this.phase = 'closed';
    const tagged = [...this.tagged.values()];
    const ring = [...this.ring.values()];
    this.tagged.clear();
    this.ring.clear();
    for (const operation of tagged) operation.onDisconnect(error);
    for (const operation of ring) operation.fail(error);
  }
}

/** Reads the socket's live connection, if any: it changes with every reconnect. */
export type CurrentConnection = () => Connection | undefined;
