import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import type { ChannelPosition } from '../protocol/channel-position.js';
import { encodeEvent, stampPosition } from '../protocol/frame.codec.js';
import { EventName } from '../protocol/event-names.js';
import { unsubscribedPayload } from '../protocol/unsubscribed-payload.util.js';
import { REALTIME_OPTIONS } from '../realtime.constants.js';
import { AccessRevoker } from './access.revoker.js';
import { ChannelFamilyRegistry } from './channel-family.registry.js';
import { ChannelRouter } from './channel-router.interface.js';
import { isGivenPushId } from './push-id.util.js';
import {
  RealtimeTransport,
  type ControlMessage,
  type DirectMessage,
  type TransportReceiver,
} from './realtime-transport.interface.js';
import { RecentPushIds } from './recent-push-ids.cache.js';

/**
 * What happens on this instance: frames and subscription changes, whether
 * `ChannelService` made them here or the transport brought them from another
 * instance. It owns the push ids this instance has delivered, so that a
 * caller's id reaches each target here at most once, whichever way it came.
 *
 * NOTE: internal. It is the transport's receiver, so `receive*` stay off the
 * `ChannelService` that apps inject.
 */
@Injectable()
export class LocalDelivery implements TransportReceiver, OnModuleInit {
  private readonly recent: RecentPushIds;

  constructor(
    @Inject(ChannelRouter) private readonly router: ChannelRouter,
    @Inject(RealtimeTransport) private readonly transport: RealtimeTransport,
    private readonly families: ChannelFamilyRegistry,
    private readonly access: AccessRevoker,
    @Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions,
  ) {
    this.recent = new RecentPushIds(options.idempotency.window, options.idempotency.maxKeys);
  }

  onModuleInit(): void {
    this.transport.bind(this);
  }

  /** Whether a caller's push id reached this target here already (`c:<channel>` or `d:<digest>`). */
  delivered(target: string, id: string): boolean {
    return this.recent.has(target, id);
  }

  /** Remembers that a caller's push id reached this target here. */
  remember(target: string, id: string): void {
    this.recent.remember(target, id);
  }

  receiveChannelFrame(channel: string, frame: Buffer, position: ChannelPosition, id?: string): void {
    // NOTE: the transport dropped repeats of a caller's id already; this
    // instance's memory of them still counts once the transport forgot (Redis
    // lost its data), and lets a repeat here be answered `duplicate` at once.
    if (this.isRepeat(`c:${channel}`, id)) return;
    this.router.deliver(channel, stampPosition(frame, position), position);
  }

  receiveDirect(digest: string, message: DirectMessage, id?: string): void {
    if (message.kind === 'frame') {
      if (!this.isRepeat(`d:${digest}`, id)) this.router.deliverToDigest(digest, message.frame);
    } else if (message.kind === 'subscribe') this.subscribeHere(digest, message.channels);
    else this.unsubscribeHere(digest, message.channels);
  }

  receiveControl(message: ControlMessage): void {
    this.access.receive(message);
  }

  /** Joins the digest's open sockets here to the channels. */
  subscribeHere(digest: string, channels: readonly string[]): void {
    for (const subscriber of this.router.subscribersOf(digest)) {
      for (const channel of channels) this.router.join(subscriber, channel);
    }
  }

  /** Takes the digest's open sockets here off the channels (all with `null`), telling each with `Unsubscribed`. */
  unsubscribeHere(digest: string, channels: readonly string[] | null): void {
    for (const subscriber of this.router.subscribersOf(digest)) {
      const targets = channels ?? [...this.router.channelsOf(subscriber)];
      for (const channel of targets) {
        if (this.router.leave(subscriber, channel)) {
          subscriber.write(this.unsubscribedFrame(channel));
        }
      }
    }
  }

  /** Whether a caller's push id already reached this target here; remembers it if not. */
  private isRepeat(target: string, id: string | undefined): boolean {
    if (!isGivenPushId(id)) return false;
    if (this.recent.has(target, id)) return true;
    this.recent.remember(target, id);
    return false;
  }

  private unsubscribedFrame(channel: string): string {
    return encodeEvent(EventName.Unsubscribed, unsubscribedPayload(channel, true, this.families.parse(channel)));
  }
}
