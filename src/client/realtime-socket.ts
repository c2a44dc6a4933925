import { CloseCode } from '../protocol/close-codes.js';
import { EventName } from '../protocol/event-names.js';
import type { EventFrame, PushFrame, RingReplyFrame, UnsubscribedPayload, WelcomePayload } from '../protocol/frames.js';
import { reconnectHintOf } from '../protocol/reconnect-hint.util.js';
import { REALTIME_PROTOCOL } from '../protocol/subprotocol.js';
import { backoffDelay, hintedDelay, RECONNECT_DEFAULTS, resolveReconnectOptions, type ResolvedReconnectOptions } from './backoff.js';
import { ChannelSubscriptions } from './channel-subscriptions.js';
import { Connection } from './connection.js';
import { deferred, type Deferred } from './deferred.js';
import { Emitter } from './emitter.js';
import { endpointUrl, eventStreamUrl, readPageConnectionId } from './endpoint.js';
import { ClientErrorCode, isRecord, messageOf, RealtimeError } from './errors.js';
import { EventStreamSocket, type EventSourceConstructor } from './event-stream-socket.js';
import { PendingRequests } from './pending-requests.js';
import type { AuthenticateContext, RealtimeSocketApi, RealtimeSocketState } from './realtime-socket-api.js';
import type { RealtimeSocketOptions } from './realtime-socket-options.js';
import type { Subscription } from './subscription.js';
import type {
  ActionName,
  PayloadOf,
  RealtimeSocketEvents,
  ReplyOf,
  RequestOptions,
  RouteCallOptions,
  RouteResponse,
  ServerFrame,
  Timers,
  UntypedActions,
  UntypedEvents,
  WebSocketConstructor,
} from './types.js';

/**
 * A realtime client for browsers and Node 20+, speaking the server's protocol:
 * Myxi-style actions with tags, channel families, pakyow-style identity and
 * Ring-style route calls, with reconnection, re-authentication,
 * re-subscription and an offline queue.
 *
 * Its public members are documented on {@link RealtimeSocketApi}, the
 * interface it implements; this file is its connection's life cycle.
 *
 * @example
 * const socket = new RealtimeSocket<MyActions, MyEvents>({ connectionId: 'auto' });
 * await socket.connect();
 * const { greeting } = await socket.request('SayHello', { name: 'Ada', times: 1 });
 * socket.subscribe('widgets', 42).on('WidgetQtyChanged', ({ qty }) => render(qty));
 *
 * @publicApi
 */
export class RealtimeSocket<A extends object = UntypedActions, E extends object = UntypedEvents>
  implements RealtimeSocketApi<A, E>
{
  private readonly events = new Emitter<{ [K in keyof RealtimeSocketEvents]: [RealtimeSocketEvents[K]] }>();
  private readonly WebSocketImpl: WebSocketConstructor;
  /** The EventSource of the fallback, when it is on. */
  private readonly EventSourceImpl: EventSourceConstructor | undefined;
  private readonly fallbackAfter: number;
  private readonly reconnectOptions: ResolvedReconnectOptions | false;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly requests: PendingRequests;
  private readonly channels: ChannelSubscriptions;

  private current: Connection | undefined;
  private currentState: RealtimeSocketState = 'closed';
  /** close() was called, or the client gave up; cleared by connect(). */
  private stopped = false;
  private started = false;
  private requestedId: string | undefined;
  private welcomedId: string | undefined;
  /** The payload of the last `Welcome`, which connect() resolves with. */
  private welcomed: WelcomePayload | undefined;
  private everConnected = false;
  private attempt = 0;
  private reconnectTimer: unknown;
  /** WebSocket attempts in a row that could not connect. */
  private unreachable = 0;
  /** The next attempts go to the event stream (the fallback). */
  private onEventStream = false;
  /** The last `id:` an event stream carried, for the next stream. */
  private lastEventId: string | undefined;
  private readyDeferred: Deferred<WelcomePayload> | undefined;

  constructor(private readonly options: RealtimeSocketOptions<NoInfer<A>, NoInfer<E>> = {}) {
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof impl !== 'function') {
      throw new TypeError(
        'RealtimeSocket needs a WebSocket constructor: pass options.WebSocket (for instance `WebSocket` from the ws package)',
      );
    }
    this.WebSocketImpl = impl;
    this.fallbackAfter = options.fallbackAfter ?? 2;
    if (options.fallback === 'eventsource') {
      this.EventSourceImpl = options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
      if (typeof this.EventSourceImpl !== 'function') {
        throw new TypeError(
          "fallback: 'eventsource' needs an EventSource constructor: pass options.EventSource (for instance `EventSource` from the eventsource package)",
        );
      }
      if (!Number.isInteger(this.fallbackAfter) || this.fallbackAfter < 1) {
        throw new TypeError(`fallbackAfter must be an integer >= 1, got ${String(options.fallbackAfter)}`);
      }
    } else if (options.fallback !== undefined && options.fallback !== false) {
      throw new TypeError(`fallback must be 'eventsource' or false, got ${String(options.fallback)}`);
    }
    this.reconnectOptions = options.reconnect === false ? false : resolveReconnectOptions(options.reconnect);
    this.timers = options.timers ?? {
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: handle => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
    };
    const current = () => this.current;
    this.requests = new PendingRequests(options, this.timers, current, () => this.stopped && this.started);
    this.random = options.random ?? Math.random;
    this.channels = new ChannelSubscriptions(this.requests, {
      current,
      timers: this.timers,
      random: this.random,
      retry: this.reconnectOptions || RECONNECT_DEFAULTS,
      onError: error => this.events.emit('error', error),
      onResumed: (outcome, channels) => this.events.emit(outcome, { channels }),
    });
    this.requestedId = options.connectionId === 'auto' ? readPageConnectionId() : options.connectionId || undefined;
    this.endpoint(); // fails now, not at connect time, when there is no URL to use
  }

  /** @inheritDoc */
  get state(): RealtimeSocketState {
    return this.currentState;
  }

  /** @inheritDoc */
  get connectionId(): string | undefined {
    return this.welcomedId;
  }

  /** @inheritDoc */
  get transport(): 'websocket' | 'eventsource' | undefined {
    const connection = this.current;
    return connection?.phase === 'ready' ? (connection.receiveOnly ? 'eventsource' : 'websocket') : undefined;
  }

  /** @inheritDoc */
  connect(): Promise<WelcomePayload> {
    if (this.currentState === 'open' && this.current && this.welcomed !== undefined) {
      return Promise.resolve(this.welcomed);
    }
    this.readyDeferred ??= deferred<WelcomePayload>();
    const ready = this.readyDeferred.promise;
    this.stopped = false;
    if (!this.current) {
      // Waiting to reconnect: try now, keeping the attempt count.
      if (this.reconnectTimer !== undefined) {
        this.timers.clearTimeout(this.reconnectTimer);
        this.reconnectTimer = undefined;
      } else {
        this.attempt = 0;
        this.unreachable = 0;
        this.onEventStream = false;
      }
      this.open();
    }
    return ready;
  }

  /** @inheritDoc */
  close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== undefined) {
      this.timers.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
    const connection = this.current;
    const closed = new RealtimeError(ClientErrorCode.Closed, 'The client was closed');
    if (connection) {
      connection.closedByClient = true;
      this.abandon(connection, closed);
      try {
        connection.ws.close(1000, 'Client closed');
      } catch {
        // Already closing.
      }
    }
    this.halt(closed);
    return connection ? connection.closed.promise : Promise.resolve();
  }

  /** @inheritDoc */
  on<K extends keyof RealtimeSocketEvents>(event: K, listener: (value: RealtimeSocketEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** @inheritDoc */
  off<K extends keyof RealtimeSocketEvents>(event: K, listener?: (value: RealtimeSocketEvents[K]) => void): void {
    this.events.off(event, listener);
  }

  /** @inheritDoc */
  request<K extends ActionName<A>>(action: K, payload?: PayloadOf<A, K>, options: RequestOptions = {}): Promise<ReplyOf<A, K>> {
    return this.requests.request<ReplyOf<A, K>>(action, payload, options.timeout);
  }

  /** @inheritDoc */
  callRoute<B = unknown>(
    method: string,
    uri: string,
    input: Record<string, unknown> = {},
    options: RouteCallOptions = {},
  ): Promise<RouteResponse<B>> {
    return this.requests.callRoute<B>(method, uri, input, options);
  }

  /** @inheritDoc */
  subscribe<CE extends object = E>(channel: string): Subscription<CE>;
  subscribe<CE extends object = E>(family: string, key: string | number): Subscription<CE>;
  subscribe<CE extends object = E>(familyOrChannel: string, key?: string | number): Subscription<CE> {
    return this.channels.subscribe<CE>(familyOrChannel, key);
  }

  // ---------------------------------------------------------------------------
  // Connection life cycle

  private open(): void {
    this.started = true;
    this.currentState = 'connecting';
    let connection: Connection;
    try {
      connection =
        this.onEventStream && this.EventSourceImpl
          ? Connection.openEventStream(
              this.EventSourceImpl,
              eventStreamUrl(this.endpoint(), this.lastEventId),
              this.options.eventSourceOptions ?? { withCredentials: true },
            )
          : Connection.open(this.WebSocketImpl, this.endpoint(), this.protocols(), this.options.webSocketOptions);
    } catch (error) {
      // A malformed URL will not get better by retrying.
      const failure = new RealtimeError(ClientErrorCode.SocketError, messageOf(error));
      this.events.emit('error', failure);
      this.halt(new RealtimeError(ClientErrorCode.Closed, failure.message), failure);
      return;
    }
    this.current = connection;
    connection.listen({
      message: data => this.onMessage(connection, data),
      error: detail => {
        if (this.current !== connection) return;
        this.events.emit('error', new RealtimeError(ClientErrorCode.SocketError, detail || 'WebSocket error'));
      },
      close: (code, reason) => this.onClose(connection, code, reason),
    });
  }

  private onClose(connection: Connection, code: number, reason: string): void {
    connection.closed.resolve();
    if (connection.closedByClient) {
      this.events.emit('disconnected', { code, reason, willReconnect: false });
      return;
    }
    if (this.current !== connection) return;
    this.current = undefined;
    this.chooseTransport(connection, code);
    this.abandon(connection, new RealtimeError(ClientErrorCode.Disconnected, `The socket closed (${code})`, { code, reason }));
    const reconnect = this.reconnectOptions;
    // NOTE: after 4004 the server holds nothing for this identity any more;
    // reconnecting on our own would only loop. connect() starts again.
    const willReconnect =
      !this.stopped && reconnect !== false && code !== CloseCode.AccessRevoked && this.attempt < reconnect.maxAttempts;
    this.currentState = willReconnect ? 'connecting' : 'closed';
    this.events.emit('disconnected', { code, reason, willReconnect });
    // A listener may have called connect() (a new socket is on its way) or close().
    if (this.current || this.reconnectTimer !== undefined) return;
    if (!willReconnect) {
      if (!this.stopped) {
        const stopped = new RealtimeError(ClientErrorCode.Closed, `The socket closed (${code}) and the client stopped`, {
          code,
          reason,
        });
        this.halt(stopped, connection.lastError ?? new RealtimeError(ClientErrorCode.Disconnected, stopped.message, { code, reason }));
      }
      return;
    }
    if (this.stopped) return;
    this.attempt += 1;
    // A server going away (a drained restart) says over how long to spread
    // the reconnects of its clients: a random point within it, not at once.
    const hint = reconnectHintOf(reason);
    const delayMs = hint === undefined ? backoffDelay(this.attempt, reconnect, this.random) : hintedDelay(hint, reconnect, this.random);
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped && !this.current) this.open();
    }, delayMs);
    this.events.emit('reconnecting', { attempt: this.attempt, delayMs });
  }

  /**
   * After a close, picks where the next attempt goes: the event stream once
   * `fallbackAfter` WebSocket attempts in a row closed `1006` with nothing
   * received (they could not connect); the WebSocket again when a stream
   * could not connect either. A stream that did connect is kept.
   */
  private chooseTransport(connection: Connection, code: number): void {
    if (connection.ws instanceof EventStreamSocket) this.lastEventId = connection.ws.lastEventId ?? this.lastEventId;
    if (!this.EventSourceImpl) return;
    if (connection.heard) {
      if (!connection.receiveOnly) this.unreachable = 0;
    } else if (connection.receiveOnly) {
      this.onEventStream = false;
      this.unreachable = 0;
    } else if (code === 1006 && ++this.unreachable >= this.fallbackAfter) {
      this.onEventStream = true;
    }
  }

  /** Lets go of a connection that is going away, failing everything in flight on it. */
  private abandon(connection: Connection, error: RealtimeError): void {
    if (this.current === connection) this.current = undefined;
    connection.abandon(error);
  }

  /**
   * Stops for good (close() or giving up): queued requests and unconfirmed
   * subscriptions fail with `error`, the waiting connect() with `connectError`.
   */
  private halt(error: RealtimeError, connectError: RealtimeError = error): void {
    this.stopped = true;
    this.currentState = 'closed';
    this.requests.failQueued(error);
    this.channels.failUnconfirmed(error);
    const waiting = this.readyDeferred;
    this.readyDeferred = undefined;
    waiting?.reject(connectError);
  }

  private onMessage(connection: Connection, data: unknown): void {
    if (this.current !== connection || typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!isRecord(frame)) return;
    this.events.emit('message', frame as unknown as ServerFrame);
    if (this.current !== connection) return;

    if (!('event' in frame)) {
      const id = frame.id;
      if ((typeof id === 'string' || typeof id === 'number') && 'status' in frame) {
        const job = connection.ring.get(id);
        if (job) {
          connection.ring.delete(id);
          job.settle(frame as unknown as RingReplyFrame);
        }
      }
      return;
    }
    const event = frame.event;
    if (typeof event !== 'string') return;
    if (typeof frame.channel === 'string') {
      this.channels.routePush(frame as unknown as PushFrame);
      return;
    }
    const eventFrame = frame as unknown as EventFrame;
    if (event === EventName.Welcome && connection.phase === 'welcome' && !('tag' in frame)) {
      this.onWelcome(connection, eventFrame.payload).catch(error =>
        this.events.emit('error', new RealtimeError(ClientErrorCode.SocketError, messageOf(error))),
      );
      return;
    }
    if ('tag' in frame && typeof frame.tag === 'string') {
      const operation = connection.tagged.get(frame.tag);
      if (operation) {
        if (operation.onFrame(eventFrame)) connection.tagged.delete(frame.tag);
        return;
      }
    }
    if (event === EventName.Unsubscribed && !('tag' in frame)) {
      this.channels.onServerUnsubscribed(eventFrame as EventFrame<UnsubscribedPayload>);
    } else if (event === EventName.Error) {
      const error = RealtimeError.fromPayload(eventFrame.payload);
      if (!('tag' in frame)) connection.lastError = error;
      this.events.emit('error', error);
    }
  }

  private async onWelcome(connection: Connection, payload: unknown): Promise<void> {
    const id = isRecord(payload) && typeof payload.id === 'string' ? payload.id : undefined;
    connection.connectionId = id;
    connection.phase = 'authenticating';
    if (id !== undefined) {
      this.welcomedId = id;
      this.requestedId = id;
    }
    this.attempt = 0;
    const reconnected = this.everConnected;
    const held = isRecord(payload) && Array.isArray(payload.channels) ? (payload.channels as unknown[]) : undefined;
    const welcome: WelcomePayload = held ? { id: id ?? '', channels: held as string[] } : { id: id ?? '' };
    if (isRecord(payload) && isRecord(payload.positions)) welcome.positions = payload.positions as WelcomePayload['positions'];
    this.welcomed = welcome;
    this.events.emit('welcome', welcome);
    // Only on a reconnect: on the first connect a page may listen to channels
    // that a later route call will subscribe.
    this.channels.applyWelcome(held, isRecord(payload) ? payload.positions : undefined, reconnected);
    if (this.current !== connection) return; // a listener closed it
    // A stream cannot send: there is nothing to sign in (hooks on the server read its request).
    const hook = connection.receiveOnly ? undefined : this.options.authenticate;
    if (hook) {
      let failure: RealtimeError | undefined;
      try {
        await hook(this.authenticateContext(connection, reconnected));
      } catch (error) {
        failure =
          error instanceof RealtimeError
            ? error
            : new RealtimeError(ClientErrorCode.AuthenticationFailed, messageOf(error));
      }
      if (this.current !== connection || connection.phase !== 'authenticating') return;
      if (failure) this.events.emit('error', failure);
      else this.events.emit('authenticated', { connectionId: id ?? '', reconnected });
      if (this.current !== connection || connection.phase !== 'authenticating') return;
    }
    this.channels.resume(connection);
    connection.phase = 'ready';
    this.currentState = 'open';
    this.requests.flush(connection);
    this.everConnected = true;
    this.events.emit('connected', { connectionId: id ?? '', reconnected });
    const waiting = this.readyDeferred;
    this.readyDeferred = undefined;
    waiting?.resolve(welcome);
  }

  private authenticateContext(connection: Connection, reconnected: boolean): AuthenticateContext<A, E> {
    return {
      connectionId: connection.connectionId ?? '',
      reconnected,
      socket: this,
      request: <K extends ActionName<A>>(action: K, payload?: PayloadOf<A, K>, options: RequestOptions = {}) =>
        this.requests.request<ReplyOf<A, K>>(action, payload, options.timeout, connection),
      callRoute: <B = unknown>(method: string, uri: string, input: Record<string, unknown> = {}, options: RouteCallOptions = {}) =>
        this.requests.callRoute<B>(method, uri, input, options, connection),
    };
  }

  /**
   * The subprotocols this attempt offers: the option when given, else ours
   * on the first attempt and on every other one after it.
   *
   * NOTE: a server that selects no subprotocol makes a client that offered
   * one fail the handshake (RFC 6455 lets browsers and ws do so), and a page
   * cannot tell that failure from an unreachable server. Alternating costs
   * one failed attempt against such a server, and nothing against ours,
   * which speaks the same protocol to a client that offers none.
   */
  private protocols(): string | string[] {
    if (this.options.protocols !== undefined) return this.options.protocols;
    return this.attempt % 2 === 0 ? [REALTIME_PROTOCOL] : [];
  }

  /** The upgrade URL, with the connection id to ask for. */
  private endpoint(): string {
    return endpointUrl(this.options, this.requestedId, this.channels.plainPositions());
  }
}
