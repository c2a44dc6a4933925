import { Inject, Injectable } from '@nestjs/common';
import type { ChannelRouter } from './channel-router.interface.js';
import type { ChannelSubscriber } from './channel-subscriber.interface.js';
import { RealtimeTransport } from './realtime-transport.interface.js';

const NONE: ReadonlySet<never> = new Set();

/** The in-process `ChannelRouter`: plain maps, one frame written N times. */
@Injectable()
export class LocalChannelRouter implements ChannelRouter {
  private readonly byChannel = new Map<string, Set<ChannelSubscriber>>();
  private readonly byDigest = new Map<string, Set<ChannelSubscriber>>();
  private readonly channels = new Map<ChannelSubscriber, Set<string>>();

  constructor(@Inject(RealtimeTransport) private readonly transport: RealtimeTransport) {}

  attach(subscriber: ChannelSubscriber): void {
    if (this.channels.has(subscriber)) return;
    this.channels.set(subscriber, new Set());
    let peers = this.byDigest.get(subscriber.digest);
    if (!peers) {
      peers = new Set();
      this.byDigest.set(subscriber.digest, peers);
      this.transport.watchDigest(subscriber.digest);
    }
    peers.add(subscriber);
  }

  detach(subscriber: ChannelSubscriber): string[] {
    const joined = this.channels.get(subscriber);
    if (!joined) return [];
    const left = [...joined];
    for (const channel of left) this.leave(subscriber, channel);
    this.channels.delete(subscriber);
    const peers = this.byDigest.get(subscriber.digest);
    peers?.delete(subscriber);
    if (peers && peers.size === 0) {
      this.byDigest.delete(subscriber.digest);
      this.transport.unwatchDigest(subscriber.digest);
    }
    return left;
  }

  join(subscriber: ChannelSubscriber, channel: string): boolean {
    const joined = this.channels.get(subscriber);
    if (!joined || joined.has(channel)) return false;
    joined.add(channel);
    let members = this.byChannel.get(channel);
    if (!members) {
      members = new Set();
      this.byChannel.set(channel, members);
      this.transport.watchChannel(channel);
    }
    members.add(subscriber);
    return true;
  }

  leave(subscriber: ChannelSubscriber, channel: string): boolean {
    const joined = this.channels.get(subscriber);
    if (!joined?.delete(channel)) return false;
    const members = this.byChannel.get(channel);
    members?.delete(subscriber);
    if (members && members.size === 0) {
      this.byChannel.delete(channel);
      this.transport.unwatchChannel(channel);
    }
    return true;
  }

  channelsOf(subscriber: ChannelSubscriber): ReadonlySet<string> {
    return this.channels.get(subscriber) ?? NONE;
  }

  subscribersOf(digest: string): ReadonlySet<ChannelSubscriber> {
    return this.byDigest.get(digest) ?? NONE;
  }

  deliver(channel: string, frame: Buffer): number {
    const members = this.byChannel.get(channel);
    if (!members) return 0;
    // NOTE: a write never detaches synchronously (a slow subscriber is closed,
    // and leaves on its 'close' event), so the set can be walked as it is.
    for (const subscriber of members) subscriber.write(frame);
    return members.size;
  }

  deliverToDigest(digest: string, frame: Buffer | string): number {
    const peers = this.byDigest.get(digest);
    if (!peers) return 0;
    for (const subscriber of peers) subscriber.write(frame);
    return peers.size;
  }
}
