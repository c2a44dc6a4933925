import { familyChannel } from '../protocol/channel-name.util.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { BuiltInAction, EventName } from '../protocol/event-names.js';
import type { EventFrame, PushFrame, SubscriptionActionPayload, UnsubscribedPayload } from '../protocol/frames.js';
import { DEFAULT_MAX_KEYS_PER_FRAME, MAX_SINCE_ENTRIES } from '../protocol/limits.js';
import { MAX_SINCE_PARAM_LENGTH, type ChannelPosition } from '../protocol/channel-position.js';
import { backoffDelay, type ResolvedReconnectOptions } from './backoff.js';
import type { Connection, CurrentConnection } from './connection.js';
import { deferred, type Deferred } from './deferred.js';
import { ClientErrorCode, isRecord, RealtimeError } from './errors.js';
import type { PendingRequests } from './pending-requests.js';
import { LocalSubscription, type Subscription } from './subscription.js';
import type { Timers } from './types.js';

/**
 * Most keys one batched `Subscribe` carries: the server's default
 * `maxKeysPerFrame`, past which it refuses the whole frame (`TooManyKeys`).
 */
const KEYS_PER_FRAME = DEFAULT_MAX_KEYS_PER_FRAME;

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
  /** The last position of the channel this client saw: where it resumes from after a reconnect. */
  position: ChannelPosition | undefined;

  constructor(
    readonly channel: string,
    public family: string | undefined,
    public key: string | number | undefined,
  ) {
    this.ready = deferred<void>(true);
    if (family === undefined) this.ready.resolve();
  }
}

/** What the subscriptions need of the socket besides its requests. */
export interface ChannelSubscriptionsContext {
  /** The socket's live connection. */
  current: CurrentConnection;
  timers: Timers;
  random: () => number;
  /** The backoff of a `Subscribe` answered `Unavailable`. */
  retry: ResolvedReconnectOptions;
  /** Reports an error no promise answers (a family key refused on re-subscribe). */
  onError(error: RealtimeError): void;
  /** Reports channels the server caught up (`recovered`) or could not (`stale`). */
  onResumed(outcome: 'recovered' | 'stale', channels: string[]): void;
}

/**
 * The channels the client listens on, by channel: their local
 * subscriptions, the `Subscribe`s and `Unsubscribe`s sent for them, the
 * server's answers, and what is sent again after a reconnect.
 */
export class ChannelSubscriptions {
  private readonly entries = new Map<string, ChannelEntry>();
  /** Plain channels unsubscribed while offline: told to the server after the next connect. */
  private readonly plainUnsubscribes = new Set<string>();

  constructor(
    private readonly requests: PendingRequests,
    private readonly context: ChannelSubscriptionsContext,
  ) {}

  /** A new local subscription to a plain channel (`key` undefined) or to one key of a family. */
  subscribe<CE extends object>(familyOrChannel: string, key: string | number | undefined): Subscription<CE> {
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

  /** Hands a push to the subscriptions of its channel (or of its family key, by `mq`). */
  routePush(frame: PushFrame): void {
    let entry = this.entries.get(frame.channel);
    if (!entry && isRecord(frame.mq) && typeof frame.mq.e === 'string') {
      entry = this.entries.get(familyChannel(frame.mq.e, String(frame.mq.rk)));
    }
    if (!entry) return;
    const { epoch, offset } = frame;
    if (typeof epoch === 'string' && typeof offset === 'number') {
      // NOTE: the server sends each push once; this only guards a client
      // that resumed from a position it had already passed.
      if (entry.position && entry.position.epoch === epoch && offset <= entry.position.offset) return;
      entry.position = { epoch, offset };
    }
    for (const handle of [...entry.handles]) handle.deliver(frame);
  }

  /** The positions to send back for plain channels on reconnect (the URL's `since`), most recent first, bounded. */
  plainPositions(): Record<string, ChannelPosition> {
    const since: Record<string, ChannelPosition> = {};
    let length = 2;
    let count = 0;
    for (const entry of this.entries.values()) {
      if (entry.family !== undefined || !entry.position) continue;
      length += JSON.stringify(entry.channel).length + JSON.stringify(entry.position).length + 2;
      // What does not fit is not recovered: the server then says nothing of
      // the channel, and `applyStart` reports it stale.
      if (length * 3 > MAX_SINCE_PARAM_LENGTH || ++count > MAX_SINCE_ENTRIES) break;
      since[entry.channel] = entry.position;
    }
    return since;
  }

  /**
   * `Welcome`: where each held channel the client listens to now stands. On a
   * reconnect, a plain channel the server no longer holds (`channels`) is
   * stale: a restarted in-memory server, or an expired registry entry.
   */
  applyWelcome(held: readonly unknown[] | undefined, starts: unknown, reconnected: boolean): void {
    const positions = isRecord(starts) ? starts : {};
    const outcomes: Record<'recovered' | 'stale', string[]> = { recovered: [], stale: [] };
    for (const entry of this.entries.values()) {
      if (entry.family !== undefined) continue;
      if (held && reconnected && !held.includes(entry.channel)) {
        entry.position = undefined;
        outcomes.stale.push(entry.channel);
        continue;
      }
      const outcome = this.applyStart(entry, positions[entry.channel]);
      if (outcome) outcomes[outcome].push(entry.channel);
    }
    this.report(outcomes);
  }

  private report(outcomes: Record<'recovered' | 'stale', string[]>): void {
    for (const outcome of ['recovered', 'stale'] as const) {
      if (outcomes[outcome].length === 0) continue;
      for (const channel of outcomes[outcome]) {
        for (const handle of [...(this.entries.get(channel)?.handles ?? [])]) handle.resumed(outcome);
      }
      this.context.onResumed(outcome, outcomes[outcome]);
    }
  }

  /**
   * Takes where the server says a channel now stands. With a position of its
   * own, the client learns whether what it missed meanwhile was given back.
   */
  private applyStart(entry: ChannelEntry, start: unknown): 'recovered' | 'stale' | undefined {
    if (!isRecord(start) || typeof start.epoch !== 'string' || typeof start.offset !== 'number') return undefined;
    const had = entry.position;
    entry.position = { epoch: start.epoch, offset: start.offset };
    if (typeof start.recovered === 'boolean') return start.recovered ? 'recovered' : 'stale';
    if (!had) return undefined;
    // Its position was not taken (too many to send): unless nothing moved, something was missed.
    return had.epoch === start.epoch && had.offset === start.offset ? 'recovered' : 'stale';
  }

  /** The server dropped a channel by itself (`Unsubscribed`, no tag): its subscriptions end. */
  onServerUnsubscribed(frame: EventFrame<UnsubscribedPayload>): void {
    const channel = isRecord(frame.payload) ? frame.payload.channel : undefined;
    if (typeof channel !== 'string') return;
    const entry = this.entries.get(channel);
    if (!entry) return;
    this.entries.delete(channel);
    entry.ready.reject(new RealtimeError(ClientErrorCode.Unsubscribed, `The server unsubscribed ${channel}`, { ...frame.payload }));
    for (const handle of [...entry.handles]) handle.end('Unsubscribed', frame);
    entry.handles.clear();
  }


  /**
   * After Welcome and authenticate: one `Subscribe` per family with every key
   * it had, split into frames of at most `KEYS_PER_FRAME` keys; then the
   * `Unsubscribe`s of plain channels let go of while offline.
   */
  resume(connection: Connection): void {
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
    for (const channel of this.plainUnsubscribes) this.sendUnsubscribe(connection, { channel });
    this.plainUnsubscribes.clear();
  }

  /** The client stopped: family subscriptions not confirmed yet fail with `error`. */
  failUnconfirmed(error: RealtimeError): void {
    for (const entry of this.entries.values()) {
      if (entry.family !== undefined && !entry.ready.settled) entry.ready.reject(error);
    }
  }

  private readyConnection(): Connection | undefined {
    const connection = this.context.current();
    return connection?.phase === 'ready' ? connection : undefined;
  }

  private sendSubscribeIfReady(entry: ChannelEntry): void {
    const connection = this.readyConnection();
    if (!connection || entry.family === undefined || entry.key === undefined) return;
    this.sendSubscribe(connection, entry.family, [entry], false);
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
    const since: Record<string, ChannelPosition> = {};
    for (const entry of list) if (entry.position) since[String(entry.key)] = entry.position;
    if (Object.keys(since).length > 0) payload.since = since;
    this.requests.sendOperation(connection, BuiltInAction.Subscribe, payload, {
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
        const outcome = error ? undefined : this.applyStart(entry, frame.payload);
        for (const handle of [...entry.handles]) handle.confirm(confirmed, frame);
        if (outcome) this.report({ recovered: [], stale: [], [outcome]: [entry.channel] });
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
      const delayMs = backoffDelay(++entry.unavailable, this.context.retry, this.context.random);
      this.context.timers.setTimeout(() => {
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
    if (wasConfirmed) this.context.onError(error);
  }

  private release(subscription: LocalSubscription<never>): Promise<void> {
    const entry = this.entries.get(subscription.channel);
    if (!entry || !entry.handles.delete(subscription) || entry.handles.size > 0) return Promise.resolve();
    this.entries.delete(entry.channel);
    const ready = this.readyConnection();
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
      this.requests.sendOperation(connection, BuiltInAction.Unsubscribe, payload, {
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
}
