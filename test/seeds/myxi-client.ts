/**
 * Myxi's bundled browser client (`Myxi.Connection` and `Myxi.Subscription`,
 * CoffeeScript in myxi's `vendor/assets/javascripts/myxi/`) as it behaves,
 * rebuilt for Node on the `ws` package, to drive our server the way a Myxi
 * page does. Written from the behaviour described in
 * /work/shared/reference/seed-protocols.md §2.7 (not a copy of Myxi's code):
 *
 * - `new MyxiConnection(url)` connects at once;
 * - open: `SocketConnected` (every connect, since `connected` is reset on
 *   close); then, with no authentication callback, every subscription that is
 *   not subscribed and still wants to be is subscribed; otherwise the
 *   authentication callback runs, and the app calls `isAuthenticated()`, which
 *   fires `SocketAuthenticated` and then subscribes them;
 * - message: `Subscribed` marks `exchange::routing_key` subscribed;
 *   `Unsubscribed` removes `exchange_name::routing_key`; `Error` with
 *   `SubscriptionDenied` removes `exchange::routing_key`; any other frame goes
 *   to the subscription `mq.e::mq.rk` (its callbacks for the event, with
 *   `(payload, tag)`, and its message handlers) if there is one, then to the
 *   global callbacks for the event with `(payload, tag, mq)`; every frame then
 *   fires `SocketMessageReceived` with the whole message;
 * - close: `SocketDisconnected` if it was connected, `SocketClosed` always,
 *   `connected` and `authenticated` cleared, every subscription marked
 *   unsubscribed, and a reconnect after 5000 ms (fixed) unless `disconnect()`
 *   was called;
 * - `sendAction(action, payload, tag)` sends `{action, tag, payload}` (an
 *   undefined member is left out by JSON.stringify) and returns false when not
 *   connected;
 * - `subscribe(exchange, key)` returns the subscription stored under
 *   `exchange::key` or makes one (sending `Subscribe {exchange, routing_key}`
 *   at once if connected, with no tag).
 *
 * Only the reconnect delay is injectable. A browser reports an exception thrown
 * by an event handler and carries on: here it is recorded in `errors`.
 */
import { WebSocket, type ClientOptions } from 'ws';

/** A frame as the client parses it. */
export type MyxiMessage = Record<string, any>;
/** A global callback: `(payload, tag, mq)`, called with the connection as `this`. */
export type MyxiCallback = (this: MyxiConnection, payload?: any, tag?: any, mq?: any) => void;
/** A subscription callback: `(payload, tag)`, called with the subscription as `this`. */
export type MyxiSubscriptionCallback = (this: MyxiSubscription, payload: any, tag: any) => void;
/** A message handler: `(subscription, event, payload, tag)`, called with its param as `this`. */
export type MyxiMessageHandler = (subscription: MyxiSubscription, event: string, payload: any, tag: any) => void;

export interface MyxiConnectionOptions {
  /** Delay before each reconnect attempt. Myxi: 5000 ms, fixed. */
  reconnectDelayMs?: number;
  /** Upgrade options for `ws` (a browser would send its cookies and Origin). */
  webSocketOptions?: ClientOptions;
}

/** `Myxi.Connection`. */
export class MyxiConnection {
  readonly serverURL: string;
  connected = false;
  authenticated = false;
  /** By `exchange::routing_key` (or `exchange` when the key is null or undefined). */
  readonly subscriptions: Record<string, MyxiSubscription> = {};
  readonly callbacks: Record<string, MyxiCallback[]> = {};
  reconnect = true;
  reconnectTimer: NodeJS.Timeout | null = null;
  authenticationCallback: ((this: MyxiConnection) => void) | null = null;
  websocket!: WebSocket;
  /** Exceptions thrown by event handlers (a browser reports them and carries on). */
  readonly errors: unknown[] = [];
  /** Test observation: every frame sent, parsed, in order. */
  readonly sent: MyxiMessage[] = [];
  private readonly reconnectDelayMs: number;
  private readonly webSocketOptions: ClientOptions | undefined;

  constructor(serverURL: string, options: MyxiConnectionOptions = {}) {
    this.serverURL = serverURL;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 5000;
    this.webSocketOptions = options.webSocketOptions;
    this.connect();
  }

  connect(): void {
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    const websocket = new WebSocket(this.serverURL, this.webSocketOptions);
    this.websocket = websocket;

    websocket.onopen = () =>
      this.guard(() => {
        if (this.connected === false) this._runCallbacks('SocketConnected');
        this.connected = true;
        if (this.authenticationCallback === null) {
          this._subscribeAllUnsubscribedSubscriptions();
        } else {
          this.authenticationCallback.call(this);
        }
      });

    websocket.onmessage = event =>
      this.guard(() => {
        const data = JSON.parse(String(event.data)) as MyxiMessage;
        if (data.event === 'Subscribed') {
          this._markSubscriptionAsSubscribed(data.payload.exchange, data.payload.routing_key);
        } else if (data.event === 'Unsubscribed') {
          this._removeSubscription(data.payload.exchange_name, data.payload.routing_key);
        } else if (data.event === 'Error' && data.payload.error === 'SubscriptionDenied') {
          this._removeSubscription(data.payload.exchange, data.payload.routing_key);
        } else {
          const subscription = data.mq ? this.subscriptions[MyxiSubscription.keyFor(data.mq.e, data.mq.rk)] : undefined;
          if (subscription) subscription._receiveMessage(data.event, data.payload, data.tag);
          this._runCallbacks(data.event, data.payload, data.tag, data.mq);
        }
        this._runCallbacks('SocketMessageReceived', data);
      });

    websocket.onclose = () =>
      this.guard(() => {
        if (this.connected) this._runCallbacks('SocketDisconnected');
        this._runCallbacks('SocketClosed');
        this.connected = false;
        this.authenticated = false;
        this._markAllSubscriptionsAsUnsubscribed();
        if (this.reconnect) {
          this.reconnectTimer = setTimeout(() => this.guard(() => this.connect()), this.reconnectDelayMs);
        }
      });

    // A browser reports a failed connection as an error event, then close; Myxi sets no onerror.
    websocket.onerror = () => undefined;
  }

  disconnect(): void {
    this.reconnect = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.websocket) this.websocket.close();
  }

  authentication(callback: (this: MyxiConnection) => void): void {
    this.authenticationCallback = callback;
  }

  isAuthenticated(): void {
    this.authenticated = true;
    this._runCallbacks('SocketAuthenticated');
    this._subscribeAllUnsubscribedSubscriptions();
  }

  sendAction(action: string, payload?: unknown, tag?: unknown): boolean {
    if (this.connected) {
      const text = JSON.stringify({ action, tag, payload });
      this.websocket.send(text);
      this.sent.push(JSON.parse(text) as MyxiMessage);
      return true;
    }
    return false;
  }

  on(event: string, callback: MyxiCallback): void {
    (this.callbacks[event] ||= []).push(callback);
  }

  _runCallbacks(event: string, payload?: unknown, tag?: unknown, mq?: unknown): void {
    const callbacks = this.callbacks[event];
    if (callbacks) {
      for (const callback of callbacks) callback.call(this, payload, tag, mq);
    }
  }

  subscribe(exchange: string, routingKey?: string | number | null): MyxiSubscription {
    const existing = this.subscriptions[MyxiSubscription.keyFor(exchange, routingKey)];
    if (existing) return existing;
    const subscription = new MyxiSubscription(this, exchange, routingKey);
    this.subscriptions[subscription.key()] = subscription;
    return subscription;
  }

  _markSubscriptionAsSubscribed(exchange: unknown, routingKey: unknown): void {
    const subscription = this.subscriptions[MyxiSubscription.keyFor(exchange, routingKey)];
    if (subscription) subscription._isSubscribed();
  }

  _removeSubscription(exchange: unknown, routingKey: unknown): void {
    const key = MyxiSubscription.keyFor(exchange, routingKey);
    const subscription = this.subscriptions[key];
    if (subscription) {
      subscription._isUnsubscribed();
      delete this.subscriptions[key];
    }
  }

  _markAllSubscriptionsAsUnsubscribed(): void {
    for (const subscription of Object.values(this.subscriptions)) subscription._isUnsubscribed();
  }

  _subscribeAllUnsubscribedSubscriptions(): void {
    for (const subscription of Object.values(this.subscriptions)) {
      if (subscription.subscribed === false && subscription.reconnect === true) subscription.subscribe();
    }
  }

  private guard(handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.errors.push(error);
    }
  }
}

/** `Myxi.Subscription`. */
export class MyxiSubscription {
  /** `exchange::routingKey`, or just `exchange` when the key is null or undefined (string interpolation). */
  static keyFor(exchange: unknown, routingKey: unknown): string {
    let key = `${exchange}`;
    if (routingKey !== null && routingKey !== undefined) key = `${key}::${routingKey}`;
    return key;
  }

  subscribed = false;
  reconnect = true;
  readonly callbacks: Record<string, MyxiSubscriptionCallback[]> = {};
  readonly messageHandlers: Record<string, { handler: MyxiMessageHandler; param: unknown }> = {};

  constructor(
    readonly connection: MyxiConnection,
    readonly exchange: string,
    readonly routingKey: string | number | null | undefined,
  ) {
    if (this.connection.connected) this.subscribe();
  }

  subscribe(): boolean {
    return this.connection.sendAction('Subscribe', { exchange: this.exchange, routing_key: this.routingKey });
  }

  key(): string {
    return MyxiSubscription.keyFor(this.exchange, this.routingKey);
  }

  unsubscribe(): boolean {
    if (this.connection.sendAction('Unsubscribe', { exchange: this.exchange, routing_key: this.routingKey })) {
      this.subscribed = false;
      this.reconnect = false;
      return true;
    }
    return false;
  }

  on(event: string, callback: MyxiSubscriptionCallback): void {
    (this.callbacks[event] ||= []).push(callback);
  }

  addMessageHandler(name: string, handler: MyxiMessageHandler, param?: unknown): void {
    this.messageHandlers[name] = { handler, param };
  }

  removeMessageHandler(name: string): void {
    delete this.messageHandlers[name];
  }

  _isSubscribed(): void {
    this.subscribed = true;
  }

  _isUnsubscribed(): void {
    this.subscribed = false;
  }

  _receiveMessage(event: string, payload: unknown, tag: unknown): void {
    const callbacks = this.callbacks[event];
    if (callbacks) {
      for (const callback of callbacks) callback.call(this, payload, tag);
    }
    for (const { handler, param } of Object.values(this.messageHandlers)) handler.call(param, this, event, payload, tag);
  }
}
