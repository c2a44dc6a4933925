import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChannelFamilyRegistry } from '../channels/channel-family.registry.js';
import { familyChannel } from '../channels/channel-name.util.js';
import { ChannelRouter } from '../channels/channel-router.interface.js';
import { RealtimeTransport } from '../channels/realtime-transport.interface.js';
import { SubscriptionRegistry } from '../channels/subscription-registry.interface.js';
import { toErrorPayload } from '../handlers/error-payload.mapper.js';
import { RealtimeException } from '../handlers/realtime.exception.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { EventName } from '../protocol/event-names.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { TRANSPORT_UNAVAILABLE_REPLY } from '../realtime.messages.js';
import { RealtimeTransportError } from '../transport/realtime-transport.error.js';
import type { WsRealtimeConnection } from './ws-realtime.connection.js';

type Tag = { value: unknown } | undefined;
type RoutingKey = string | number;

/** Stands for "no routing key sent" (Myxi's `subscribe(exchange)`). */
const NO_KEY = Symbol('no routing key');

function isRoutingKey(value: unknown): value is RoutingKey {
  return (
    (typeof value === 'string' && value.length > 0 && value.length <= 180) ||
    (typeof value === 'number' && Number.isFinite(value))
  );
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
    @Inject(RealtimeTransport) private readonly transport: RealtimeTransport,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
  ) {}

  async subscribe(connection: WsRealtimeConnection, payload: unknown, tag: Tag): Promise<void> {
    const body = asRecord(payload);
    const exchange = body?.exchange;
    if (typeof exchange !== 'string' || exchange.length === 0) {
      return this.error(connection, tag, ErrorCode.InvalidPayload, 'Subscribe needs payload.exchange');
    }
    if (!this.families.has(exchange)) {
      return this.error(connection, tag, ErrorCode.InvalidExchange, `No channel family "${exchange}"`, { exchange });
    }
    // Myxi's client may subscribe to a family with no key; Myxi bound that
    // with the empty key, and so do we (the authorizer gets "").
    const keys = Array.isArray(body?.routing_keys) ? (body.routing_keys as unknown[]) : [body?.routing_key ?? NO_KEY];
    if (keys.length === 0) {
      return this.error(connection, tag, ErrorCode.InvalidPayload, 'routing_keys is empty', { exchange });
    }
    for (const key of keys) await this.subscribeOne(connection, exchange, key, tag);
  }

  /**
   * Removes what the payload names (section 4.4 of the protocol). The digest's
   * registry is updated first: if Redis is unavailable, nothing is removed and
   * the client gets one `Error Unavailable`.
   */
  async unsubscribe(connection: WsRealtimeConnection, payload: unknown, tag: Tag): Promise<void> {
    const body = asRecord(payload) ?? {};
    const drops: Array<{ channel: string; reply: Record<string, unknown> }> = [];
    const exchange = body.exchange;
    if (typeof body.channel === 'string') {
      drops.push({ channel: body.channel, reply: this.describe(body.channel, false) });
    } else if (typeof exchange !== 'string' || exchange.length === 0) {
      for (const channel of this.router.channelsOf(connection)) drops.push({ channel, reply: this.describe(channel, false) });
      // Every request gets an answer, even when there was nothing to drop.
      if (drops.length === 0) return connection.reply(EventName.Unsubscribed, { channels: [], auto: false }, tag);
    } else {
      let keys: unknown[];
      if (body.routing_key !== undefined && body.routing_key !== null) keys = [body.routing_key];
      else if (Array.isArray(body.routing_keys)) keys = body.routing_keys;
      else keys = this.keysOf(connection, exchange);
      for (const key of keys.filter(isRoutingKey)) {
        const channel = familyChannel(exchange, key);
        drops.push({ channel, reply: { exchange_name: exchange, routing_key: key, channel, auto: false } });
      }
      // No keys held, or none valid: still one answer.
      if (drops.length === 0) {
        return connection.reply(EventName.Unsubscribed, { exchange_name: exchange, channels: [], auto: false }, tag);
      }
    }
    try {
      await this.registry.remove(connection.digest, [...new Set(drops.map(drop => drop.channel))]);
    } catch (error) {
      if (!(error instanceof RealtimeTransportError)) throw error;
      return this.error(connection, tag, ErrorCode.Unavailable, TRANSPORT_UNAVAILABLE_REPLY(), { channels: drops.map(drop => drop.channel) });
    }
    for (const { channel, reply } of drops) {
      this.router.leave(connection, channel);
      connection.grants.delete(channel);
      connection.reply(EventName.Unsubscribed, reply, tag);
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
  async reauthorize(connection: WsRealtimeConnection): Promise<void> {
    await this.reauthorizeGrants(connection);
    if (this.options.reauthorizeServerSubscriptions) await this.reauthorizeServerMade(connection);
  }

  private async reauthorizeGrants(connection: WsRealtimeConnection): Promise<void> {
    for (const [channel, grant] of [...connection.grants]) {
      if (!this.router.channelsOf(connection).has(channel)) {
        connection.grants.delete(channel);
        continue;
      }
      let allowed = false;
      try {
        allowed = await this.families.authorize(grant.family, grant.key, connection);
      } catch (error) {
        this.logger.error(`Authorizer of "${grant.family}" failed; revoking ${channel}`, (error as Error)?.stack);
      }
      if (!allowed && this.router.leave(connection, channel)) {
        connection.grants.delete(channel);
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
  private async reauthorizeServerMade(connection: WsRealtimeConnection): Promise<void> {
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
  ): Promise<void> {
    if (key !== NO_KEY && !isRoutingKey(key)) {
      return this.error(connection, tag, ErrorCode.InvalidPayload, 'routing_key must be a non-empty string or a number', {
        exchange,
        routing_key: key ?? null,
      });
    }
    // Replies echo the key as sent: none at all when none was sent.
    const detail = key === NO_KEY ? { exchange } : { exchange, routing_key: key };
    const routingKey = key === NO_KEY ? '' : String(key);
    const channel = familyChannel(exchange, routingKey);
    const joined = this.router.channelsOf(connection);
    if (joined.has(channel) || connection.authorizing.has(channel)) {
      return this.error(connection, tag, ErrorCode.AlreadySubscribed, `Already subscribed to ${channel}`, detail);
    }
    if (joined.size + connection.authorizing.size >= this.options.maxSubscriptions) {
      return this.error(connection, tag, ErrorCode.TooManySubscriptions, 'Too many subscriptions', detail);
    }
    connection.authorizing.add(channel);
    let allowed = false;
    try {
      allowed = await this.families.authorize(exchange, routingKey, connection);
    } catch (error) {
      if (error instanceof RealtimeException) {
        return connection.reply(EventName.Error, { ...toErrorPayload(error).payload, ...detail }, tag);
      }
      this.logger.error(`Authorizer of "${exchange}" failed`, (error as Error)?.stack);
    } finally {
      connection.authorizing.delete(channel);
    }
    if (!allowed) {
      return this.error(connection, tag, ErrorCode.SubscriptionDenied, `Not allowed to subscribe to ${channel}`, detail);
    }
    if (!connection.isOpen) return;
    const joinedNow = this.router.join(connection, channel);
    connection.grants.set(channel, { family: exchange, key: routingKey });
    try {
      // Subscribed promises every later push, from any instance.
      await this.transport.settled();
    } catch (error) {
      if (!(error instanceof RealtimeTransportError)) throw error;
      // Not listening on Redis: saying Subscribed would be a lie. Undo, and
      // let the client retry.
      if (joinedNow) this.router.leave(connection, channel);
      connection.grants.delete(channel);
      return this.error(connection, tag, ErrorCode.Unavailable, TRANSPORT_UNAVAILABLE_REPLY(), detail);
    }
    connection.reply(EventName.Subscribed, { ...detail, channel }, tag);
  }

  private keysOf(connection: WsRealtimeConnection, family: string): string[] {
    const keys: string[] = [];
    for (const channel of this.router.channelsOf(connection)) {
      const parsed = this.families.parse(channel);
      if (parsed?.family === family) keys.push(parsed.key);
    }
    return keys;
  }

  private describe(channel: string, auto: boolean): Record<string, unknown> {
    const parsed = this.families.parse(channel);
    return parsed
      ? { exchange_name: parsed.family, routing_key: parsed.key, channel, auto }
      : { channel, auto };
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
