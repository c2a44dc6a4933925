import type { ErrorPayload, EventFrame, PushFrame } from '../protocol/frames.js';
import { Emitter } from './emitter.js';
import type { SubscribedPayload, UnsubscribedPayload, UntypedEvents } from './types.js';

/**
 * The names a subscription's `on()` takes: its push events, `'*'` (every
 * push), and its own `Subscribed`, `Unsubscribed` and `Error`.
 * @publicApi
 */
export type SubscriptionEventName<E> =
  | Extract<keyof E, string>
  | '*'
  | 'Subscribed'
  | 'Unsubscribed'
  | 'Error'
  | 'recovered'
  | 'stale';

/** What a listener of `event` gets as its payload. @publicApi */
export type SubscriptionPayload<E, K> = K extends 'recovered' | 'stale'
  ? { channel: string }
  : K extends 'Subscribed'
  ? SubscribedPayload
  : K extends 'Unsubscribed'
  ? UnsubscribedPayload
  : K extends 'Error'
    ? ErrorPayload
    : K extends '*'
      ? unknown
      : K extends keyof E
        ? E[K]
        : unknown;

/** What a listener of `event` gets as its frame. @publicApi */
export type SubscriptionFrame<E, K> = K extends 'recovered' | 'stale'
  ? undefined
  : K extends 'Subscribed' | 'Unsubscribed' | 'Error'
  ? EventFrame<SubscriptionPayload<E, K>>
  : PushFrame<SubscriptionPayload<E, K>>;

/** A listener of a subscription's event. @publicApi */
export type SubscriptionListener<E, K> = (payload: SubscriptionPayload<E, K>, frame: SubscriptionFrame<E, K>) => void;

/**
 * One local subscription to a channel, made by `RealtimeSocket.subscribe()`.
 *
 * Listen with `on(event, listener)`: the listener gets `(payload, frame)` for
 * each push of that event on the channel; `'*'` gets every push. A family
 * subscription also emits `Subscribed` each time the server confirms it (the
 * first time, and again after every reconnect). Any subscription emits
 * `Unsubscribed` when the server drops it (a revoked family key, or a route
 * unsubscribed the client) and `Error` when the server refuses it (on
 * subscribe or on re-subscribe); either ends it.
 *
 * After a reconnect (or when a page's socket first connects after its route
 * subscribed it), the server gives back what the channel got meanwhile, from
 * its history: the subscription emits `recovered` once that is done, or
 * `stale` when the server could not (no history, or not enough; a restarted
 * in-memory server): pushes go on, but some were lost, so reload what the
 * channel shows.
 *
 * @publicApi
 */
export interface Subscription<E extends object = UntypedEvents> {
  /** The channel: the plain channel's name, or `<family>:<key>`. */
  readonly channel: string;
  /** The family (Myxi's exchange), for a family subscription. */
  readonly family: string | undefined;
  /** The routing key as given, for a family subscription. */
  readonly key: string | number | undefined;
  /**
   * Resolves once the server confirmed the subscription (`Subscribed`) or at
   * once for a plain channel; rejects with a `RealtimeError` when the server
   * refuses it (`SubscriptionDenied`, `InvalidExchange`...). A rejection
   * nobody awaits is not reported as unhandled: `Error` is emitted as well.
   */
  readonly ready: Promise<void>;
  /** Whether the subscription still delivers: not unsubscribed, dropped nor refused. */
  readonly active: boolean;
  /** Adds a listener; returns a function that removes it. */
  on<K extends SubscriptionEventName<E>>(event: K, listener: SubscriptionListener<E, K>): () => void;
  /** Removes a listener, or every listener of `event` when none is given. */
  off<K extends SubscriptionEventName<E>>(event: K, listener?: SubscriptionListener<E, K>): void;
  /**
   * Stops delivering at once and, when this was the last local subscription
   * to the channel, tells the server (`Unsubscribe`). Resolves when the server
   * acknowledged it, or at once when there was nothing to tell (offline: a
   * plain channel's `Unsubscribe` is then sent after the next connect).
   */
  unsubscribe(): Promise<void>;
}

/** The client's side of a Subscription: what the socket calls on it. */
export class LocalSubscription<E extends object = UntypedEvents> implements Subscription<E> {
  readonly ready: Promise<void>;
  private readonly events = new Emitter<Record<string, [unknown, unknown]>>();
  private ended = false;

  constructor(
    readonly channel: string,
    readonly family: string | undefined,
    readonly key: string | number | undefined,
    ready: Promise<void>,
    private readonly release: (subscription: LocalSubscription<never>) => Promise<void>,
  ) {
    this.ready = ready;
  }

  get active(): boolean {
    return !this.ended;
  }

  on<K extends SubscriptionEventName<E>>(event: K, listener: SubscriptionListener<E, K>): () => void {
    return this.events.on(event, listener as (payload: unknown, frame: unknown) => void);
  }

  off<K extends SubscriptionEventName<E>>(event: K, listener?: SubscriptionListener<E, K>): void {
    this.events.off(event, listener as ((payload: unknown, frame: unknown) => void) | undefined);
  }

  unsubscribe(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    const done = this.release(this as LocalSubscription<never>);
    this.events.clear();
    return done;
  }

  /** A push on this channel. */
  deliver(frame: PushFrame): void {
    if (this.ended) return;
    this.events.emit(frame.event, frame.payload, frame);
    this.events.emit('*', frame.payload, frame);
  }

  /** The server said whether what the channel missed was given back. */
  resumed(outcome: 'recovered' | 'stale'): void {
    if (!this.ended) this.events.emit(outcome, { channel: this.channel }, undefined);
  }

  /** The server confirmed the family subscription (again). */
  confirm(payload: SubscribedPayload, frame: EventFrame): void {
    if (!this.ended) this.events.emit('Subscribed', payload, frame);
  }

  /** The server dropped or refused the subscription: `Unsubscribed` or `Error`. */
  end(event: 'Unsubscribed' | 'Error', frame: EventFrame): void {
    if (this.ended) return;
    this.ended = true;
    this.events.emit(event, frame.payload, frame);
    this.events.clear();
  }
}
