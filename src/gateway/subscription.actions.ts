import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChannelFamilyRegistry } from '../channels/channel-family.registry.js';
import { familyChannel, isChannelName } from '../channels/channel-name.util.js';
import { ChannelRecovery, ReplayBudget, type JoinedChannels } from '../channels/channel-recovery.js';
import { ChannelRouter } from '../channels/channel-router.interface.js';
import { positionsSent } from './positions-sent.util.js';
import type { ChannelPosition } from '../protocol/channel-position.js';
import { CloseCode } from '../protocol/close-codes.js';
import { SubscriptionRegistry } from '../channels/subscription-registry.interface.js';
import { toErrorPayload } from '../handlers/error-payload.mapper.js';
import { RealtimeException } from '../errors/realtime.exception.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { BuiltInAction, EventName } from '../protocol/event-names.js';
import type { UnsubscribedPayload } from '../protocol/frames.js';
import { MAX_EXCHANGE_LENGTH, MAX_ROUTING_KEY_LENGTH as MAX_KEY_LENGTH } from '../protocol/limits.js';
import { unsubscribedPayload } from '../protocol/unsubscribed-payload.util.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { TOO_MANY_KEYS, TRANSPORT_UNAVAILABLE_REPLY } from '../realtime.messages.js';
import { RealtimeTransportError } from '../errors/realtime-transport.error.js';
import type { Tag } from './answer.encoder.js';
import type { WsRealtimeConnection } from './ws-realtime.connection.js';
import type { ChannelSubscriber } from '../channels/channel-subscriber.interface.js';
import type { RealtimeConnection } from '../channels/realtime-connection.interface.js';

/** What re-authorization needs of a connection: a socket's, or an event stream's (which holds no grants). */
export type ReauthorizedConnection = RealtimeConnection &
  ChannelSubscriber &
  Pick<WsRealtimeConnection, 'grants' | 'isReady' | 'openedAt'>;

type RoutingKey = string | number;

/** Stands for "no routing key sent" (Myxi's `subscribe(exchange)`). */
const NO_KEY = Symbol('no routing key');

function isRoutingKey(value: unknown): value is RoutingKey {
  return (
    (typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH) ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * A refused key as an error may echo it: scalars and short strings as sent,
 * anything else (an object, a long string) as `null`, so that a reply is
 * never larger than a valid one.
 */
function echoable(value: unknown): unknown {
  if (typeof value === 'string') return value.length <= MAX_KEY_LENGTH ? value : null;
  return typeof value === 'object' || value === undefined ? null : value;
}

function isExchange(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_EXCHANGE_LENGTH;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Myxi's built-in actions: `Subscribe` and `Unsubscribe` to keys of channel
 * families, and `ListSubscriptions`. Subscriptions a client makes itself
 * belong to that connection (Myxi's per-session queue), are authorized by the
 * family, and are asked about again every `reauthorizeInterval`.
 */
@Injectable()
export class SubscriptionActions {
  private readonly logger = new Logger('RealtimeModule');

  constructor(
    private readonly families: ChannelFamilyRegistry,
    @Inject(ChannelRouter) private readonly router: ChannelRouter,
    @Inject(SubscriptionRegistry) private readonly registry: SubscriptionRegistry,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly recovery: ChannelRecovery,
  ) {}

  /**
   * Work units a `Subscribe` or `Unsubscribe` asks for beyond its frame: one
   * per routing key after the first. A frame with more keys than
   * `maxKeysPerFrame` asks for none: it is refused whole.
   */
  extraUnits(action: string, payload: unknown): number {
    const keys = this.keysAsked(action, asRecord(payload) ?? {});
    if (!keys || keys.length > this.options.maxKeysPerFrame) return 0;
    return Math.max(0, keys.length - 1);
  }

  async subscribe(connection: WsRealtimeConnection, payload: unknown, tag: Tag): Promise<void> {
    const body = asRecord(payload) ?? {};
    const exchange = body.exchange;
    if (!isExchange(exchange)) {
      return this.error(connection, tag, ErrorCode.InvalidPayload, 'Subscribe needs payload.exchange');
    }
    if (!this.families.has(exchange)) {
      return this.error(connection, tag, ErrorCode.InvalidExchange, `No channel family "${exchange}"`, { exchange });
    }
    const keys = this.keysAsked(BuiltInAction.Subscribe, body)!;
    if (keys.length === 0) {
      return this.error(connection, tag, ErrorCode.InvalidPayload, 'routing_keys is empty', { exchange });
    }
    if (this.tooManyKeys(connection, keys, exchange, tag)) return;
    const since = positionsSent(body.since);
    const budget = new ReplayBudget(connection.replays.remaining());
    for (const [index, key] of keys.entries()) {
      // NOTE: a key is an authorization, a join and a catch-up: 100 of them in
      // one go kept a quiet connection waiting some 10 ms. Each key after the
      // first waits for its own slice, after the connections that used less.
      if (index > 0) await connection.giveWay();
      await this.subscribeOne(connection, exchange, key, tag, since, budget);
    }
  }

  /**
   * Removes what the payload names (section 4.4 of the protocol). The digest's
   * registry is updated first: if Redis is unavailable, nothing is removed and
   * the client gets one `Error Unavailable`.
   */
  async unsubscribe(connection: WsRealtimeConnection, payload: unknown, tag: Tag): Promise<void> {
    const body = asRecord(payload) ?? {};
    if (typeof body.channel === 'string') {
      if (!isChannelName(body.channel)) {
        return this.error(connection, tag, ErrorCode.InvalidPayload, 'channel must be 1 to 200 printable characters');
      }
      if (!(await this.drop(connection, [body.channel], tag))) return;
      return connection.reply(EventName.Unsubscribed, this.describe(body.channel, false), tag);
    }
    const exchange = body.exchange;
    if (typeof exchange !== 'string' || exchange.length === 0) {
      const channels = [...this.router.channelsOf(connection)];
      // Every request gets an answer, even when there was nothing to drop.
      if (channels.length === 0) return connection.reply(EventName.Unsubscribed, { channels: [], auto: false }, tag);
      return this.dropListed(connection, channels, tag);
    }
    if (!isExchange(exchange)) {
      return this.error(connection, tag, ErrorCode.InvalidPayload, `exchange must be at most ${MAX_EXCHANGE_LENGTH} characters`);
    }
    const keys = this.keysAsked(BuiltInAction.Unsubscribe, body);
    if (!keys) {
      const channels = this.keysOf(connection, exchange).map(key => familyChannel(exchange, key));
      if (channels.length === 0) {
        return connection.reply(EventName.Unsubscribed, { exchange_name: exchange, channels: [], auto: false }, tag);
      }
      return this.dropListed(connection, channels, tag);
    }
    if (keys.length === 0) {
      return connection.reply(EventName.Unsubscribed, { exchange_name: exchange, channels: [], auto: false }, tag);
    }
    if (this.tooManyKeys(connection, keys, exchange, tag)) return;
    if (!(await this.drop(connection, keys.filter(isRoutingKey).map(key => familyChannel(exchange, key)), tag))) return;
    // One reply per key, in order, refused keys included.
    for (const key of keys) {
      if (!isRoutingKey(key)) {
        this.error(connection, tag, ErrorCode.InvalidPayload, 'routing_key must be a non-empty string or a number', {
          exchange,
          routing_key: echoable(key),
        });
        continue;
      }
      connection.reply(EventName.Unsubscribed, unsubscribedPayload(familyChannel(exchange, key), false, { family: exchange, key }), tag);
    }
  }

  list(connection: WsRealtimeConnection, tag: Tag): void {
    const subscriptions: Record<string, string[]> = {};
    const channels = [...this.router.channelsOf(connection)];
    for (const channel of channels) {
      const parsed = this.families.parse(channel);
      if (parsed) (subscriptions[parsed.family] ??= []).push(parsed.key);
    }
    connection.reply(EventName.YourSubscriptions, { subscriptions, channels }, tag);
  }

  /**
   * Asks the families again about every subscription the client made, and,
   * with `reauthorizeServerSubscriptions`, about the family subscriptions
   * server code made; a refused (or failing) one is dropped with
   * `Unsubscribed`, `auto: true`.
   */
  async reauthorize(connection: ReauthorizedConnection): Promise<void> {
    await this.reauthorizeGrants(connection);
    if (this.options.reauthorizeServerSubscriptions) await this.reauthorizeServerMade(connection);
  }

  private async reauthorizeGrants(connection: ReauthorizedConnection): Promise<void> {
    for (const [channel, grant] of connection.grants.list()) {
      if (!this.router.channelsOf(connection).has(channel)) {
        connection.grants.revoke(channel);
        continue;
      }
      let allowed = false;
      try {
        allowed = await this.families.authorize(grant.family, grant.key, connection);
      } catch (error) {
        this.logger.error(`Authorizer of "${grant.family}" failed; revoking ${channel}`, (error as Error)?.stack);
      }
      if (!allowed && this.router.leave(connection, channel)) {
        connection.grants.revoke(channel);
        connection.emit(EventName.Unsubscribed, this.describe(channel, true));
      }
    }
  }

  /**
   * Server-made family subscriptions belong to the digest, so a refused one
   * leaves the digest too: it must not come back on reconnect.
   *
   * NOTE: first asked one interval after Welcome, so that a page that signs
   * its socket in with an action after Welcome is not refused for being
   * anonymous in its first moments.
   */
  private async reauthorizeServerMade(connection: ReauthorizedConnection): Promise<void> {
    if (!connection.isReady || Date.now() - connection.openedAt < this.options.reauthorizeInterval) return;
    for (const channel of [...this.router.channelsOf(connection)]) {
      const parsed = this.families.parse(channel);
      if (!parsed || connection.grants.has(channel)) continue;
      let allowed = false;
      try {
        allowed = await this.families.authorize(parsed.family, parsed.key, connection);
      } catch (error) {
        this.logger.error(`Authorizer of "${parsed.family}" failed; revoking ${channel}`, (error as Error)?.stack);
      }
      if (allowed || !this.router.leave(connection, channel)) continue;
      connection.emit(EventName.Unsubscribed, this.describe(channel, true));
      await this.registry
        .remove(connection.digest, [channel])
        .catch(error => this.logger.warn(`Dropping ${channel} from a digest failed: ${(error as Error).message}`));
    }
  }

  private async subscribeOne(
    connection: WsRealtimeConnection,
    exchange: string,
    key: unknown,
    tag: Tag,
    since: ReadonlyMap<string, ChannelPosition>,
    budget: ReplayBudget,
  ): Promise<void> {
    if (key !== NO_KEY && !isRoutingKey(key)) {
      return this.error(connection, tag, ErrorCode.InvalidPayload, 'routing_key must be a non-empty string or a number', {
        exchange,
        routing_key: echoable(key),
      });
    }
    // Replies echo the key as sent: none at all when none was sent.
    const detail = key === NO_KEY ? { exchange } : { exchange, routing_key: key };
    const routingKey = key === NO_KEY ? '' : String(key);
    const channel = familyChannel(exchange, routingKey);
    const joined = this.router.channelsOf(connection);
    if (joined.has(channel) || connection.grants.isAuthorizing(channel)) {
      return this.error(connection, tag, ErrorCode.AlreadySubscribed, `Already subscribed to ${channel}`, detail);
    }
    if (joined.size + connection.grants.pending >= this.options.maxSubscriptions) {
      return this.error(connection, tag, ErrorCode.TooManySubscriptions, 'Too many subscriptions', detail);
    }
    let allowed = false;
    try {
      const authorize = () => this.families.authorize(exchange, routingKey, connection);
      allowed = await connection.grants.whileAuthorizing(channel, authorize);
      // NOTE: an authorizer may wait for I/O: what follows is done at the
      // connection's own turn (measured, after those that used less lately).
      await connection.turn();
    } catch (error) {
      if (error instanceof RealtimeException) {
        return connection.reply(EventName.Error, { ...toErrorPayload(error).payload, ...detail }, tag);
      }
      this.logger.error(`Authorizer of "${exchange}" failed`, (error as Error)?.stack);
    }
    if (!allowed) {
      return this.error(connection, tag, ErrorCode.SubscriptionDenied, `Not allowed to subscribe to ${channel}`, detail);
    }
    if (!connection.isOpen) return;
    connection.grants.grant(channel, { family: exchange, key: routingKey });
    let caughtUp: JoinedChannels;
    try {
      // Subscribed promises every later push, from any instance, and tells
      // where the channel stands (with what was missed since `since`).
      caughtUp = await this.recovery.join(connection, [{ channel, since: since.get(routingKey) }], budget);
    } catch (error) {
      if (!(error instanceof RealtimeTransportError)) throw error;
      // Not listening on Redis: saying Subscribed would be a lie. Undo, and
      // let the client retry.
      connection.grants.revoke(channel);
      return this.error(connection, tag, ErrorCode.Unavailable, TRANSPORT_UNAVAILABLE_REPLY(), detail);
    }
    const start = caughtUp.starts.get(channel);
    connection.reply(EventName.Subscribed, { ...detail, channel, ...start }, tag);
    if (!caughtUp.commit()) connection.close(CloseCode.SlowConsumer, 'Send buffer full');
    connection.replays.spend(caughtUp.replayed);
  }

  /**
   * The keys a `Subscribe` or `Unsubscribe` names, as sent; `undefined` for an
   * `Unsubscribe` that names none (a channel, a whole family, everything).
   */
  private keysAsked(action: string, body: Record<string, unknown>): unknown[] | undefined {
    if (action === BuiltInAction.Subscribe) {
      // Myxi's client may subscribe to a family with no key; Myxi bound that
      // with the empty key, and so do we (the authorizer gets "").
      return Array.isArray(body.routing_keys) ? body.routing_keys : [body.routing_key ?? NO_KEY];
    }
    if (action !== BuiltInAction.Unsubscribe || typeof body.channel === 'string' || !isExchange(body.exchange)) return undefined;
    // With both, routing_key wins (Myxi used routing_keys).
    if (body.routing_key !== undefined && body.routing_key !== null) return [body.routing_key];
    return Array.isArray(body.routing_keys) ? body.routing_keys : undefined;
  }

  /** Refuses a frame with more keys than `maxKeysPerFrame`, with one error and no work done. */
  private tooManyKeys(connection: WsRealtimeConnection, keys: unknown[], exchange: string, tag: Tag): boolean {
    const max = this.options.maxKeysPerFrame;
    if (keys.length <= max) return false;
    this.error(connection, tag, ErrorCode.TooManyKeys, TOO_MANY_KEYS(keys.length, max), { exchange, max });
    return true;
  }

  /** Drops channels the server listed itself, one reply each; replies after the first are charged. */
  private async dropListed(connection: WsRealtimeConnection, channels: string[], tag: Tag): Promise<void> {
    connection.charge(channels.length - 1);
    if (!(await this.drop(connection, channels, tag))) return;
    for (const channel of channels) connection.reply(EventName.Unsubscribed, this.describe(channel, false), tag);
  }

  /**
   * Removes the channels from the digest in one registry call, then leaves
   * them here. False, with one `Error Unavailable` sent, when the registry
   * cannot be reached: then nothing was removed.
   */
  private async drop(connection: WsRealtimeConnection, channels: string[], tag: Tag): Promise<boolean> {
    if (channels.length === 0) return true;
    try {
      await this.registry.remove(connection.digest, [...new Set(channels)]);
      // NOTE: on Redis the registry answers over the network: the replies
      // are written at the connection's own turn.
      await connection.turn();
    } catch (error) {
      if (!(error instanceof RealtimeTransportError)) throw error;
      this.error(connection, tag, ErrorCode.Unavailable, TRANSPORT_UNAVAILABLE_REPLY(), { channels });
      return false;
    }
    for (const channel of channels) {
      this.router.leave(connection, channel);
      connection.grants.revoke(channel);
    }
    return true;
  }

  private keysOf(connection: WsRealtimeConnection, family: string): string[] {
    const keys: string[] = [];
    for (const channel of this.router.channelsOf(connection)) {
      const parsed = this.families.parse(channel);
      if (parsed?.family === family) keys.push(parsed.key);
    }
    return keys;
  }

  private describe(channel: string, auto: boolean): UnsubscribedPayload {
    return unsubscribedPayload(channel, auto, this.families.parse(channel));
  }

  private error(
    connection: WsRealtimeConnection,
    tag: Tag,
    error: string,
    message: string,
    detail: Record<string, unknown> = {},
  ): void {
    connection.reply(EventName.Error, { ...detail, error, message }, tag);
  }
}
