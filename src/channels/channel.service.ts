import { Inject, Injectable } from '@nestjs/common';
import { socketKeyIdOf } from '../identity/client-socket-key.util.js';
import type { RealtimeClientRef } from '../identity/realtime-client-ref.interface.js';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { encodeEvent, encodePush } from '../protocol/frame.codec.js';
import { EventName } from '../protocol/event-names.js';
import type { MqMarker } from '../protocol/frames.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { TOO_MANY_SUBSCRIPTIONS } from '../realtime.messages.js';
import { AccessRevoker } from './access.revoker.js';
import { ChannelFamilyRegistry } from './channel-family.registry.js';
import { familyChannel, toChannelList } from './channel-name.util.js';
import { ChannelRouter } from './channel-router.interface.js';
import { TooManySubscriptionsError } from '../errors/channel.errors.js';
import type { DisconnectReceipt, DisconnectTarget } from './disconnect-target.interface.js';
import { isGivenPushId, pushIdOf } from './push-id.util.js';
import { RealtimeTransport, type PublishOutcome } from './realtime-transport.interface.js';
import { ChannelHistoryPolicy } from './channel-history.policy.js';
import { ConnectionDirectory } from './connection.directory.js';
import { LocalDelivery } from './local-delivery.js';
import { SubscriptionRegistry } from './subscription-registry.interface.js';

/**
 * An app's push events and their payloads, for a typed `ChannelService`:
 * `interface AppEvents { WidgetQtyChanged: { qty: number } }`, then inject
 * `ChannelService<AppEvents>`. The client takes the same map
 * (`RealtimeSocket<Actions, AppEvents>`). Untyped, any event carries anything.
 * @publicApi
 */
export type UntypedPushEvents = Record<string, unknown>;

/**
 * The event names of a map. A map with no keys is any name: that is what
 * `app.get(ChannelService)` gives (`ChannelService<object>`).
 * @publicApi
 */
export type EventNameOf<E> = [keyof E] extends [never] ? string : Extract<keyof E, string>;

/** The events `push()` and `send()` accept for a map: its names, and `'Push'`, the default. @publicApi */
export type PushEventName<E> = EventNameOf<E> | typeof EventName.Push;

/** The payload type of an event of a map (`unknown` when the map does not name it). @publicApi */
export type PushPayload<E, K> = K extends keyof E ? E[K] : unknown;

/**
 * Options of a push.
 * @publicApi
 */
export interface PushOptions<K extends string = string> {
  /** Event name of the pushed frame, as Myxi's `push_event` has. @default 'Push' */
  event?: K;
  /**
   * The push's id, such as the id of the record it announces. A push with an
   * id already pushed to the same channel within `idempotency.window` (2 min)
   * reaches nobody again, on any instance, and resolves with
   * `status: 'duplicate'`: a caller may retry with the same id after an error
   * without anyone getting the message twice.
   */
  id?: string | number;
}

/**
 * What became of a push beyond this instance:
 * - `'published'`: every instance gets it;
 * - `'queued'`: Redis is unavailable; this instance's subscribers got it and it
 *   waits in this instance's outbox, in order, to be published once Redis is
 *   back (`redis.outbox`);
 * - `'duplicate'`: its `id` was pushed to every one of these channels within
 *   the idempotency window; nobody got it again.
 * @publicApi
 */
export type PushStatus = 'published' | 'queued' | 'duplicate';

/**
 * Options of a direct send to one client.
 * @publicApi
 */
export interface SendOptions<K extends string = string> extends PushOptions<K> {
  /** Sends the message as a push on this channel (pakyow's direct push). */
  channel?: string;
}

/**
 * What a push did on this instance. Other instances deliver on their own.
 * @publicApi
 */
export interface PushReceipt {
  /** The channels pushed to. */
  channels: string[];
  /** Frames written to connections of this instance. */
  localDeliveries: number;
  /**
   * `'queued'` if any channel's frame waits for Redis; `'duplicate'` if every
   * channel had the id already; `'published'` otherwise.
   */
  status: PushStatus;
}

/** One frame of a push, and where it goes: down a channel, or to one digest. */
interface Outgoing {
  kind: 'c' | 'd';
  /** The channel or the digest. */
  name: string;
  frame: Buffer;
}

/**
 * Subscribes clients to channels and pushes messages down them. Usable from
 * HTTP routes (with `@RealtimeClient()`), from realtime handlers (with
 * `@ConnectedSocket()`), and from code with no request at all.
 *
 * Subscriptions made here are held under the client's digest, so a route can
 * subscribe a page before its socket connects, and they apply at once to a
 * socket that is already open, on any instance.
 *
 * @publicApi
 */
@Injectable()
export class ChannelService<E extends object = UntypedPushEvents> {

  constructor(
    @Inject(ChannelRouter) private readonly router: ChannelRouter,
    @Inject(SubscriptionRegistry) private readonly registry: SubscriptionRegistry,
    @Inject(RealtimeTransport) private readonly transport: RealtimeTransport,
    private readonly families: ChannelFamilyRegistry,
    @Inject(REALTIME_OPTIONS) private readonly options: ResolvedRealtimeOptions,
    private readonly access: AccessRevoker,
    private readonly local: LocalDelivery,
    private readonly directory: ConnectionDirectory,
    private readonly history: ChannelHistoryPolicy,
  ) {}

  /**
   * Subscribes a client to one or more channels. Once it resolves, a push on
   * any instance reaches the client's open sockets, wherever they are.
   * Idempotent: a call that failed may be repeated.
   * @throws InvalidChannelError, TooManySubscriptionsError, RealtimeTransportError (Redis is unavailable)
   * @example this.channels.subscribe(client, `widgets:${id}`)
   */
  async subscribe(client: RealtimeClientRef, channels: string | readonly string[]): Promise<void> {
    const list = toChannelList(channels);
    const held = new Set(await this.registry.channelsFor(client.digest));
    const total = held.size + list.filter(channel => !held.has(channel)).length;
    if (total > this.options.maxSubscriptions) {
      throw new TooManySubscriptionsError(TOO_MANY_SUBSCRIPTIONS(this.options.maxSubscriptions));
    }
    // Where each channel stands now: the page's socket, when it connects,
    // gets every push made after this from the channel's history first.
    const positions = await Promise.all(list.map(channel => this.transport.history(channel, undefined, 0)));
    const starts = new Map(list.map((channel, index) => [channel, positions[index]!.position]));
    await this.registry.add(client.digest, list, socketKeyIdOf(client), starts);
    this.local.subscribeHere(client.digest, list);
    await Promise.all([
      this.transport.settled(),
      this.transport.publishDirect(client.digest, { kind: 'subscribe', channels: list }),
    ]);
  }

  /**
   * Unsubscribes a client from some channels, or from everything when none are
   * named. An open socket stops receiving them at once and gets `Unsubscribed`
   * (`auto: true`) for each. Idempotent.
   * @throws RealtimeTransportError (Redis is unavailable)
   */
  async unsubscribe(client: RealtimeClientRef, channels?: string | readonly string[]): Promise<void> {
    const list = channels === undefined ? null : toChannelList(channels);
    await this.registry.remove(client.digest, list ?? undefined);
    this.local.unsubscribeHere(client.digest, list);
    await this.transport.publishDirect(client.digest, { kind: 'unsubscribe', channels: list });
  }

  /** Open sockets and event streams on this instance (set-up included). */
  get connectionCount(): number {
    return this.directory.size;
  }

  /**
   * The channels held under a client's digest.
   * @throws RealtimeTransportError (Redis is unavailable)
   */
  subscriptions(client: RealtimeClientRef): Promise<string[]> {
    return this.registry.channelsFor(client.digest);
  }

  /**
   * Pushes a message down one or more channels, to every subscriber on every
   * instance. The frame is encoded once per channel. Pushes to a declared
   * family's channel carry Myxi's `mq: {e, rk}`.
   *
   * While Redis is unavailable, the push is delivered here and queued for the
   * others (`status: 'queued'`); when it cannot be queued it is rejected
   * before anyone gets it. With an `id`, a repeat within the idempotency
   * window reaches nobody (`status: 'duplicate'`).
   *
   * @throws InvalidChannelError, RealtimeTransportError (`OutboxFull`: nobody got it)
   * @example this.channels.push({ qty: 3 }, 'widgets:42', { event: 'WidgetQtyChanged', id: 'qty-42-7' })
   */
  async push<K extends PushEventName<E> = typeof EventName.Push>(
    message: PushPayload<E, K>,
    channels: string | readonly string[],
    options: PushOptions<K> = {},
  ): Promise<PushReceipt> {
    const list = toChannelList(channels);
    const event = options.event ?? EventName.Push;
    const outgoing = list.map((channel): Outgoing => ({
      kind: 'c',
      name: channel,
      frame: encodePush({ event, channel, payload: message, mq: this.mqOf(channel) }),
    }));
    return this.dispatch(list, outgoing, options.id);
  }

  /**
   * Myxi's `push_event`: pushes `event` with `payload` to one key of a family.
   * The frame carries `mq` even when this process did not declare the family
   * (a worker that only publishes). `id` as for `push()`.
   */
  async pushEvent<K extends EventNameOf<E>>(
    family: string,
    routingKey: string | number,
    event: K,
    payload: PushPayload<E, K>,
    options: Pick<PushOptions, 'id'> = {},
  ): Promise<PushReceipt> {
    const [channel] = toChannelList(familyChannel(family, routingKey));
    const mq: MqMarker = { e: family, rk: String(routingKey) };
    const frame = encodePush({ event, channel: channel!, payload, mq });
    return this.dispatch([channel!], [{ kind: 'c', name: channel!, frame }], options.id);
  }

  /**
   * Sends a message to one client only (every open socket of its digest, on
   * any instance): an event frame, or a push frame when `channel` is given.
   * Outages and `id` work as for `push()`.
   */
  async send<K extends PushEventName<E> = typeof EventName.Push>(
    client: RealtimeClientRef,
    message: PushPayload<E, K>,
    options: SendOptions<K> = {},
  ): Promise<PushReceipt> {
    const event = options.event ?? EventName.Push;
    const channel = options.channel === undefined ? undefined : toChannelList(options.channel)[0];
    const frame =
      channel === undefined
        ? Buffer.from(encodeEvent(event, message))
        : encodePush({ event, channel, payload: message, mq: this.mqOf(channel) });
    return this.dispatch(channel === undefined ? [] : [channel], [{ kind: 'd', name: client.digest, frame }], options.id);
  }

  /**
   * Ends realtime access now, on every instance: the matching sockets get an
   * `Error AccessRevoked` frame and close `4004`, and the subscriptions held
   * under their digests are dropped, so reconnecting with the same identity
   * gets nothing back. The socket key stays valid: the same browser can load
   * a page and be subscribed again (use `revoke()` at sign-out).
   *
   * Sockets on this instance are closed before it resolves; sockets on other
   * instances as soon as the message reaches them (before any push that goes
   * through Redis after this resolved).
   *
   * @example this.channels.disconnect({ user: user.id })   // every device of a user (`userId` option)
   * @throws RealtimeAccessError when Redis is unavailable (this instance's part is done)
   */
  disconnect(target: DisconnectTarget): Promise<DisconnectReceipt> {
    return this.access.disconnect(target);
  }

  /**
   * Sign-out: revokes the client's socket key on every instance, for
   * `subscriptionTtl`, and ends what it held, like
   * `disconnect({ socketKeyOf: client })`. A request or socket that presents
   * the old key from now on counts as presenting none: it gets a fresh key
   * and nothing of the old one. In an HTTP route, the response also sets a
   * new socket-key cookie (call it before the response is sent).
   *
   * @example
   * ```ts
   * @Post('signout')
   * async signOut(@RealtimeClient() client: RealtimeClientRef) {
   *   await this.sessions.end(...);        // the app's own session first
   *   await this.channels.revoke(client);  // then every realtime page of this browser
   * }
   * ```
   * @throws TypeError for a client that does not know its key (a plain `{ connectionId, digest }`);
   *   RealtimeAccessError when Redis is unavailable (this instance's part is done)
   */
  revoke(client: RealtimeClientRef): Promise<DisconnectReceipt> {
    return this.access.revoke(client);
  }

  /**
   * Delivers locally and hands on, frame by frame, skipping targets that had
   * the id already. The transport admits every frame first: a push it cannot
   * take is rejected before anyone got it.
   */
  private async dispatch(channels: string[], outgoing: Outgoing[], givenId: string | number | undefined): Promise<PushReceipt> {
    const id = pushIdOf(givenId);
    const given = isGivenPushId(id);
    const fresh = given ? outgoing.filter(item => !this.local.delivered(`${item.kind}:${item.name}`, id)) : outgoing;
    if (fresh.length === 0) return { channels, localDeliveries: 0, status: 'duplicate' };
    this.transport.admit?.(fresh.length);
    // NOTE: from here to the last publish() call nothing awaits, so what the
    // transport admitted cannot be taken by another push in between.
    let localDeliveries = 0;
    const handoffs: Array<Promise<PublishOutcome | void>> = [];
    for (const { kind, name, frame } of fresh) {
      if (kind === 'c') {
        // The transport sequences it and hands it back to this instance's
        // subscribers, in offset order with everyone else's pushes.
        localDeliveries += this.router.subscriberCount(name);
        handoffs.push(this.transport.publish(name, frame, { id, history: this.history.settingsFor(name) }));
      } else {
        if (given) this.local.remember(`${kind}:${name}`, id);
        localDeliveries += this.router.deliverToDigest(name, frame);
        handoffs.push(this.transport.publishDirect(name, { kind: 'frame', frame }, { id }));
      }
    }
    const outcomes = await Promise.all(handoffs);
    const status: PushStatus = outcomes.includes('queued')
      ? 'queued'
      : outcomes.every(outcome => outcome === 'duplicate')
        ? 'duplicate'
        : 'published';
    return { channels, localDeliveries: status === 'duplicate' ? 0 : localDeliveries, status };
  }

  /** Myxi's routing marker, for channels of a declared family. */
  private mqOf(channel: string): MqMarker | undefined {
    const parsed = this.families.parse(channel);
    return parsed ? { e: parsed.family, rk: parsed.key } : undefined;
  }
}
