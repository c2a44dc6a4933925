import { familyChannel } from '../protocol/channel-name.util.js';
import { CloseCode } from '../protocol/close-codes.js';
import { BuiltInAction, EventName } from '../protocol/event-names.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { EventFrame, PushFrame, RingReplyFrame, SubscriptionActionPayload, WelcomePayload } from '../protocol/frames.js';
import { CONNECTION_ID_PARAM } from '../protocol/identity-names.js';
import { DEFAULT_MAX_KEYS_PER_FRAME } from '../protocol/limits.js';
import { backoffDelay, RECONNECT_DEFAULTS, resolveReconnectOptions, type ResolvedReconnectOptions } from './backoff.js';
import { Connection, type TaggedOperation } from './connection.js';
import { deferred, type Deferred } from './deferred.js';
import { Emitter } from './emitter.js';
import { endpointUrl, readPageConnectionId } from './endpoint.js';
import { ClientErrorCode, isRecord, messageOf, RealtimeError } from './errors.js';
import { LocalSubscription, type Subscription } from './subscription.js';
import type {
  ActionName,
  AuthenticateContext,
  PayloadOf,
  RealtimeSocketEvents,
  RealtimeSocketOptions,
  ReplyOf,
  RequestOptions,
  RouteCallOptions,
  RouteResponse,
  ServerFrame,
  Timers,
  UnsubscribedPayload,
  UntypedActions,
  UntypedEvents,
  WebSocketConstructor,
} from './types.js';

/**
 * Most keys one batched `Subscribe` carries: the server's default
 * `maxKeysPerFrame`, past which it refuses the whole frame (`TooManyKeys`).
 */
const KEYS_PER_FRAME = DEFAULT_MAX_KEYS_PER_FRAME;

/** @publicApi */
export type RealtimeSocketState = 'connecting' | 'open' | 'closed';

/** A channel the client listens on, shared by every local Subscription to it. */
class ChannelEntry {
  readonly handles = new Set<LocalSubscription<never>>();
  ready: Deferred<void>;
  /** The connection the last Subscribe was sent on (family channels). */
  sentOn: Connection | undefined;
  /** The connection on which the server confirmed it. */
  confirmedOn: Connection | undefined;
  /** Whether the server has confirmed it once (its `ready` has resolved). */
  everConfirmed = false;
  /** `Subscribe`s answered `Unavailable` in a row (the server's Redis is down). */
  unavailable = 0;

  constructor(
    readonly channel: string,
    public family: string | undefined,
    public key: string | number | undefined,
  ) {
    this.ready = deferred<void>(true);
    if (family === undefined) this.ready.resolve();
  }
}

/** A request or route call: queued, then sent, then settled once. */
interface Job {
  kind: 'action' | 'route';
  /** The frame to send, given its tag (action) or id (route). */
  frame(key: string | number, connection: Connection): unknown;
  settle(frame: EventFrame | RingReplyFrame): void;
  fail(error: RealtimeError): void;
  /** Where it was sent, and under which key, once sent. */
  sentOn?: Connection;
  key?: string | number;
}

/**
 * A realtime client for browsers and Node 20+, speaking the server's protocol:
 * Myxi-style actions with tags, channel families, pakyow-style identity and
 * Ring-style route calls, with reconnection, re-authentication,
 * re-subscription and an offline queue.
 *
 * @example
 * const socket = new RealtimeSocket<MyActions, MyEvents>({ connectionId: 'auto' });
 * await socket.connect();
 * const { greeting } = await socket.request('SayHello', { name: 'Ada', times: 1 });
 * socket.subscribe('widgets', 42).on('WidgetQtyChanged', ({ qty }) => render(qty));
 *
 * @publicApi
 */
export class RealtimeSocket<A extends object = UntypedActions, E extends object = UntypedEvents> {
  private readonly events = new Emitter<{ [K in keyof RealtimeSocketEvents]: [RealtimeSocketEvents[K]] }>();
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly reconnectOptions: ResolvedReconnectOptions | false;
  private readonly requestTimeoutMs: number;
  private readonly offlineMode: 'queue' | 'fail';
  private readonly maxQueue: number;
  private readonly timers: Timers;
  private readonly random: () => number;

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
  private sequence = 0;
  private readyDeferred: Deferred<WelcomePayload> | undefined;
  private readonly queue: Job[] = [];
  private readonly entries = new Map<string, ChannelEntry>();
  /** Plain channels unsubscribed while offline: told to the server after the next connect. */
  private readonly plainUnsubscribes = new Set<string>();

  constructor(private readonly options: RealtimeSocketOptions<NoInfer<A>, NoInfer<E>> = {}) {
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (typeof impl !== 'function') {
      throw new TypeError(
        'RealtimeSocket needs a WebSocket constructor: pass options.WebSocket (for instance `WebSocket` from the ws package)',
      );
    }
    this.WebSocketImpl = impl;
    this.reconnectOptions = options.reconnect === false ? false : resolveReconnectOptions(options.reconnect);
    this.requestTimeoutMs = positive(options.requestTimeoutMs, 10_000, 'requestTimeoutMs');
    this.maxQueue = positive(options.maxQueue, 100, 'maxQueue', true);
    this.offlineMode = options.offline ?? 'queue';
    if (this.offlineMode !== 'queue' && this.offlineMode !== 'fail') {
      throw new TypeError(`offline must be 'queue' or 'fail', got ${String(options.offline)}`);
    }
    this.timers = options.timers ?? {
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: handle => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
    };
    this.random = options.random ?? Math.random;
    this.requestedId = options.connectionId === 'auto' ? readPageConnectionId() : options.connectionId || undefined;
    this.endpoint(); // fails now, not at connect time, when there is no URL to use
  }

  /** `'connecting'` until the connection is ready, `'open'` while it is, `'closed'` before connect() and after close(). */
  get state(): RealtimeSocketState {
    return this.currentState;
  }

  /** The connection id of the last `Welcome`; reconnects reuse it. */
  get connectionId(): string | undefined {
    return this.welcomedId;
  }

  /**
   * Opens the connection. Resolves with the `Welcome` payload once the
   * connection is ready: `Welcome` arrived and `authenticate` (if any) ran.
   * While reconnecting is allowed, failed attempts are retried with backoff
   * (watch `disconnected` and `reconnecting`); it rejects when the client
   * gives up (with the server's refusal if one came, else `Disconnected`) or
   * when `close()` is called first. Called while waiting to reconnect, it
   * tries at once.
   */
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
      }
      this.open();
    }
    return ready;
  }

  /**
   * Closes the connection for good (no reconnect). Pending and queued
   * requests reject with `Closed`. Resolves once the socket is closed.
   * Subscriptions stay: a later `connect()` subscribes them again.
   */
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

  /** Adds a global listener; returns a function that removes it. */
  on<K extends keyof RealtimeSocketEvents>(event: K, listener: (value: RealtimeSocketEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Removes a global listener, or every listener of `event` when none is given. */
  off<K extends keyof RealtimeSocketEvents>(event: K, listener?: (value: RealtimeSocketEvents[K]) => void): void {
    this.events.off(event, listener);
  }

  /**
   * Sends `{action, tag, payload}` and resolves with the payload of the first
   * frame that carries the tag (the handler's reply); rejects with a
   * `RealtimeError` when that frame is an `Error` event, after the timeout
   * (`Timeout`), or when the socket closes first (`Disconnected`). For actions
   * that answer with one frame.
   *
   * While offline it waits in the queue (sent after the next connect and
   * `authenticate`) or fails with `Offline`, as `offline` says. A request
   * already sent is never sent twice.
   */
  request<K extends ActionName<A>>(action: K, payload?: PayloadOf<A, K>, options: RequestOptions = {}): Promise<ReplyOf<A, K>> {
    return this.submit(this.actionJob<ReplyOf<A, K>>(action, payload), options.timeout, undefined);
  }

  /**
   * Calls an HTTP route over the socket, pakyow's Ring style:
   * `{id, action: 'call-route', uri, method, input}`, `input` carrying
   * `socket_connection_id`. Resolves with the reply's `{status, headers, body}`
   * whatever the status; rejects as `request()` does. `options.headers` are
   * request headers for the route (the server's `callRouteHeaders` allows
   * `Authorization` by default).
   */
  callRoute<B = unknown>(
    method: string,
    uri: string,
    input: Record<string, unknown> = {},
    options: RouteCallOptions = {},
  ): Promise<RouteResponse<B>> {
    return this.submit(this.routeJob<B>(method, uri, input, options.headers), options.timeout, undefined);
  }

  /**
   * Listens on a plain channel. Plain channels are subscribed by the server
   * (a route or `ChannelService`, under this page's connection id), so this
   * sends nothing; `ready` is already resolved.
   */
  subscribe<CE extends object = E>(channel: string): Subscription<CE>;
  /**
   * Subscribes to one key of a channel family with the built-in `Subscribe`
   * action; `ready` resolves on `Subscribed` and rejects on `Error`. While
   * offline, it is sent after the next connect. After every reconnect it is
   * sent again.
   */
  subscribe<CE extends object = E>(family: string, key: string | number): Subscription<CE>;
  subscribe<CE extends object = E>(familyOrChannel: string, key?: string | number): Subscription<CE> {
    if (typeof familyOrChannel !== 'string' || familyOrChannel.length === 0) {
      throw new TypeError('subscribe() needs a channel (or family) name');
    }
    const isFamily = key !== undefined;
    if (isFamily && !((typeof key === 'string' && key.length > 0) || (typeof key === 'number' && Number.isFinite(key)))) {
      throw new TypeError('A routing key must be a non-empty string or a finite number');
    }
    const channel = isFamily ? familyChannel(familyOrChannel, key) : familyOrChannel;
    let entry = this.entries.get(channel);
    if (!entry) {
      entry = new ChannelEntry(channel, isFamily ? familyOrChannel : undefined, key);
      this.entries.set(channel, entry);
      if (isFamily) this.sendSubscribeIfReady(entry);
    } else if (isFamily && entry.family === undefined) {
      // Listened on as a plain channel so far; now the client subscribes it itself.
      entry.family = familyOrChannel;
      entry.key = key;
      entry.ready = deferred<void>(true);
      this.sendSubscribeIfReady(entry);
    }
    if (!isFamily) this.plainUnsubscribes.delete(channel);
    const subscription = new LocalSubscription<CE>(
      channel,
      isFamily ? familyOrChannel : undefined,
      key,
      entry.ready.promise,
      handle => this.release(handle),
    );
    entry.handles.add(subscription as LocalSubscription<never>);
    return subscription;
  }

  // ---------------------------------------------------------------------------
  // Connection life cycle

  private open(): void {
    this.started = true;
    this.currentState = 'connecting';
    let connection: Connection;
    try {
      connection = Connection.open(this.WebSocketImpl, this.endpoint(), this.options.protocols, this.options.webSocketOptions);
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
    const delayMs = backoffDelay(this.attempt, reconnect, this.random);
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped && !this.current) this.open();
    }, delayMs);
    this.events.emit('reconnecting', { attempt: this.attempt, delayMs });
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
    for (const job of this.queue.splice(0)) job.fail(error);
    for (const entry of this.entries.values()) {
      if (entry.family !== undefined && !entry.ready.settled) entry.ready.reject(error);
    }
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
      this.routePush(frame as unknown as PushFrame);
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
      this.onServerUnsubscribed(eventFrame as EventFrame<UnsubscribedPayload>);
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
    this.welcomed = welcome;
    this.events.emit('welcome', welcome);
    // Only on a reconnect: on the first connect a page may listen to channels
    // that a later route call will subscribe.
    if (held && reconnected) {
      const gone = [...this.entries.values()]
        .filter(entry => entry.family === undefined && !held.includes(entry.channel))
        .map(entry => entry.channel);
      if (gone.length > 0) this.events.emit('stale', { channels: gone });
    }
    if (this.current !== connection) return; // a listener closed it
    const hook = this.options.authenticate;
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
    this.resubscribe(connection);
    for (const channel of this.plainUnsubscribes) this.sendUnsubscribe(connection, { channel });
    this.plainUnsubscribes.clear();
    connection.phase = 'ready';
    this.currentState = 'open';
    for (const job of this.queue.splice(0)) this.send(job, connection);
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
        this.submit(this.actionJob<ReplyOf<A, K>>(action, payload), options.timeout, connection),
      callRoute: <B = unknown>(method: string, uri: string, input: Record<string, unknown> = {}, options: RouteCallOptions = {}) =>
        this.submit(this.routeJob<B>(method, uri, input, options.headers), options.timeout, connection),
    };
  }

  // ---------------------------------------------------------------------------
  // Requests

  private actionJob<R>(action: string, payload: unknown): Omit<Job, 'settle' | 'fail'> & { settles: (frame: EventFrame) => R } {
    return {
      kind: 'action',
      frame: tag => (payload === undefined ? { action, tag } : { action, tag, payload }),
      settles: frame => {
        if (frame.event === EventName.Error) throw RealtimeError.fromPayload(frame.payload);
        return frame.payload as R;
      },
    };
  }

  private routeJob<B>(
    method: string,
    uri: string,
    input: Record<string, unknown>,
    headers: Record<string, string> | undefined,
  ): Omit<Job, 'settle' | 'fail'> & { settles: (frame: RingReplyFrame) => RouteResponse<B> } {
    return {
      kind: 'route',
      frame: (id, connection) => ({
        id,
        action: BuiltInAction.CallRoute,
        uri,
        method,
        // NOTE: pakyow's clients name the connection in the input too, under the query parameter's name.
        input: { ...input, [CONNECTION_ID_PARAM]: connection.connectionId },
        ...(headers ? { headers } : {}),
      }),
      settles: frame => ({
        status: frame.status,
        headers: isRecord(frame.headers) ? (frame.headers as Record<string, string>) : {},
        body: frame.body as B,
      }),
    };
  }

  /**
   * Sends a job now (ready, or on the given connection for the authenticate
   * hook), queues it, or fails it, and settles it once.
   */
  private submit<R, F extends EventFrame | RingReplyFrame>(
    spec: Omit<Job, 'settle' | 'fail'> & { settles: (frame: F) => R },
    timeout: number | undefined,
    via: Connection | undefined,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let timer: unknown;
      let done = false;
      const job: Job = {
        kind: spec.kind,
        frame: spec.frame,
        settle: frame => {
          if (done) return;
          finish();
          try {
            resolve(spec.settles(frame as F));
          } catch (error) {
            reject(error);
          }
        },
        fail: error => {
          if (done) return;
          finish();
          reject(error);
        },
      };
      const finish = () => {
        done = true;
        if (timer !== undefined) this.timers.clearTimeout(timer);
        const index = this.queue.indexOf(job);
        if (index >= 0) this.queue.splice(index, 1);
        if (job.sentOn && job.key !== undefined) {
          if (job.kind === 'route') job.sentOn.ring.delete(job.key);
          else job.sentOn.tagged.delete(String(job.key));
        }
      };

      if (via) {
        if (this.current !== via || via.phase === 'closed') {
          return job.fail(new RealtimeError(ClientErrorCode.Disconnected, 'The socket closed during authentication'));
        }
      } else if (this.stopped && this.started) {
        return job.fail(new RealtimeError(ClientErrorCode.Closed, 'The client is closed: call connect() first'));
      } else if (!this.isReady()) {
        if (this.offlineMode === 'fail') {
          return job.fail(new RealtimeError(ClientErrorCode.Offline, 'Not connected'));
        }
        if (this.queue.length >= this.maxQueue) {
          return job.fail(new RealtimeError(ClientErrorCode.QueueFull, `The offline queue holds ${this.maxQueue} requests already`));
        }
      }
      const ms = positive(timeout, this.requestTimeoutMs, 'timeout');
      timer = this.timers.setTimeout(
        () => job.fail(new RealtimeError(ClientErrorCode.Timeout, `No reply within ${ms} ms`, { timeout: ms })),
        ms,
      );
      const target = via ?? (this.isReady() ? this.current : undefined);
      if (target) this.send(job, target);
      else this.queue.push(job);
    });
  }

  private isReady(): boolean {
    return this.current !== undefined && this.current.phase === 'ready';
  }

  private send(job: Job, connection: Connection): void {
    const key = job.kind === 'route' ? ++this.sequence : `c${++this.sequence}`;
    job.sentOn = connection;
    job.key = key;
    if (job.kind === 'route') connection.ring.set(key, job);
    else
      connection.tagged.set(String(key), {
        onFrame: frame => {
          job.settle(frame);
          return true;
        },
        onDisconnect: error => job.fail(error),
      });
    try {
      connection.send(job.frame(key, connection));
    } catch (error) {
      job.fail(new RealtimeError(ClientErrorCode.Disconnected, messageOf(error)));
    }
  }

  /** Sends an internal action whose replies an operation reads. */
  private sendOperation(connection: Connection, action: string, payload: SubscriptionActionPayload, operation: TaggedOperation): void {
    const tag = `c${++this.sequence}`;
    connection.tagged.set(tag, operation);
    try {
      connection.send({ action, tag, payload });
    } catch (error) {
      connection.tagged.delete(tag);
      operation.onDisconnect(new RealtimeError(ClientErrorCode.Disconnected, messageOf(error)));
    }
  }

  // ---------------------------------------------------------------------------
  // Subscriptions

  private routePush(frame: PushFrame): void {
    let entry = this.entries.get(frame.channel);
    if (!entry && isRecord(frame.mq) && typeof frame.mq.e === 'string') {
      entry = this.entries.get(familyChannel(frame.mq.e, String(frame.mq.rk)));
    }
    if (!entry) return;
    for (const handle of [...entry.handles]) handle.deliver(frame);
  }

  private onServerUnsubscribed(frame: EventFrame<UnsubscribedPayload>): void {
    const channel = isRecord(frame.payload) ? frame.payload.channel : undefined;
    if (typeof channel !== 'string') return;
    const entry = this.entries.get(channel);
    if (!entry) return;
    this.entries.delete(channel);
    entry.ready.reject(new RealtimeError(ClientErrorCode.Unsubscribed, `The server unsubscribed ${channel}`, { ...frame.payload }));
    for (const handle of [...entry.handles]) handle.end('Unsubscribed', frame);
    entry.handles.clear();
  }

  private sendSubscribeIfReady(entry: ChannelEntry): void {
    const connection = this.current;
    if (!connection || connection.phase !== 'ready' || entry.family === undefined || entry.key === undefined) return;
    this.sendSubscribe(connection, entry.family, [entry], false);
  }

  /**
   * After Welcome and authenticate: one `Subscribe` per family with every key
   * it had, split into frames of at most `KEYS_PER_FRAME` keys.
   */
  private resubscribe(connection: Connection): void {
    const byFamily = new Map<string, ChannelEntry[]>();
    for (const entry of this.entries.values()) {
      if (entry.family === undefined || entry.sentOn === connection) continue;
      const list = byFamily.get(entry.family) ?? [];
      list.push(entry);
      byFamily.set(entry.family, list);
    }
    for (const [family, list] of byFamily) {
      for (let start = 0; start < list.length; start += KEYS_PER_FRAME) {
        this.sendSubscribe(connection, family, list.slice(start, start + KEYS_PER_FRAME), true);
      }
    }
  }

  private sendSubscribe(connection: Connection, family: string, list: ChannelEntry[], batch: boolean): void {
    const waiting = new Map<string, ChannelEntry>();
    for (const entry of list) {
      entry.sentOn = connection;
      waiting.set(String(entry.key), entry);
    }
    const payload: SubscriptionActionPayload = batch
      ? { exchange: family, routing_keys: list.map(entry => entry.key!) }
      : { exchange: family, routing_key: list[0]!.key! };
    this.sendOperation(connection, BuiltInAction.Subscribe, payload, {
      onFrame: frame => {
        const body = isRecord(frame.payload) ? frame.payload : {};
        const key = body.routing_key;
        if (key !== undefined && key !== null && waiting.has(String(key))) {
          const entry = waiting.get(String(key))!;
          waiting.delete(String(key));
          this.onSubscribeReply(connection, entry, frame);
        } else {
          // An error about the whole frame (InvalidExchange, InvalidPayload).
          for (const entry of waiting.values()) this.onSubscribeReply(connection, entry, frame);
          waiting.clear();
        }
        return waiting.size === 0;
      },
      onDisconnect: () => {
        for (const entry of waiting.values()) if (entry.sentOn === connection) entry.sentOn = undefined;
      },
    });
  }

  private onSubscribeReply(connection: Connection, entry: ChannelEntry, frame: EventFrame): void {
    const current = this.entries.get(entry.channel) === entry;
    const error = frame.event === EventName.Error ? RealtimeError.fromPayload(frame.payload) : undefined;
    if (!error || error.code === ErrorCode.AlreadySubscribed) {
      if (current) {
        entry.unavailable = 0;
        entry.confirmedOn = connection;
        entry.everConfirmed = true;
        entry.ready.resolve();
        const confirmed = { exchange: entry.family!, routing_key: entry.key!, channel: entry.channel };
        for (const handle of [...entry.handles]) handle.confirm(confirmed, frame);
      } else if (!this.entries.has(entry.channel) && entry.family !== undefined && entry.key !== undefined) {
        // Unsubscribed locally while the Subscribe was on its way: undo it.
        this.sendUnsubscribe(connection, { exchange: entry.family, routing_key: entry.key });
      }
      return;
    }
    if (!current) return;
    if (entry.sentOn === connection) entry.sentOn = undefined;
    if (error.code === ErrorCode.Unavailable) {
      // NOTE: the server cannot listen for it now, and says so rather than
      // confirming: ask again later, with backoff, until it can.
      const delayMs = backoffDelay(++entry.unavailable, this.reconnectOptions || RECONNECT_DEFAULTS, this.random);
      this.timers.setTimeout(() => {
        if (this.entries.get(entry.channel) === entry && !entry.sentOn) this.sendSubscribeIfReady(entry);
      }, delayMs);
      return;
    }
    this.entries.delete(entry.channel);
    const wasConfirmed = entry.everConfirmed;
    entry.ready.reject(error);
    for (const handle of [...entry.handles]) handle.end('Error', frame);
    entry.handles.clear();
    // A first Subscribe is answered through `ready`; a refused re-subscribe has no one waiting.
    if (wasConfirmed) this.events.emit('error', error);
  }

  private release(subscription: LocalSubscription<never>): Promise<void> {
    const entry = this.entries.get(subscription.channel);
    if (!entry || !entry.handles.delete(subscription) || entry.handles.size > 0) return Promise.resolve();
    this.entries.delete(entry.channel);
    const connection = this.current;
    const ready = connection?.phase === 'ready' ? connection : undefined;
    if (entry.family === undefined) {
      if (ready) return this.sendUnsubscribe(ready, { channel: entry.channel });
      this.plainUnsubscribes.add(entry.channel);
      return Promise.resolve();
    }
    entry.ready.reject(
      new RealtimeError(ClientErrorCode.Unsubscribed, `Unsubscribed from ${entry.channel} before the server confirmed it`),
    );
    // Confirmed on this connection: tell the server. Still on its way: the
    // reply undoes it. Otherwise the server's connection is gone, and with it
    // the subscription.
    if (ready && entry.confirmedOn === ready) {
      return this.sendUnsubscribe(ready, { exchange: entry.family, routing_key: entry.key });
    }
    return Promise.resolve();
  }

  /** Sends `Unsubscribe`; resolves on its reply, or when the socket closes first. */
  private sendUnsubscribe(connection: Connection, payload: SubscriptionActionPayload): Promise<void> {
    return new Promise<void>(resolve => {
      this.sendOperation(connection, BuiltInAction.Unsubscribe, payload, {
        onFrame: () => {
          resolve();
          return true;
        },
        onDisconnect: () => {
          // A plain channel is held by the server beyond this socket: tell it next time.
          if (payload.channel !== undefined && !this.entries.has(payload.channel)) this.plainUnsubscribes.add(payload.channel);
          resolve();
        },
      });
    });
  }

  /** The upgrade URL, with the connection id to ask for. */
  private endpoint(): string {
    return endpointUrl(this.options, this.requestedId);
  }
}

function positive(value: number | undefined, fallback: number, name: string, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new TypeError(`${name} must be a${integer ? 'n integer' : ' number'} >= 0, got ${String(value)}`);
  }
  return value;
}

