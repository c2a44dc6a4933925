import { Inject, Injectable } from '@nestjs/common';
import { isAtOrBefore, type ChannelPosition } from '../protocol/channel-position.js';
import type { ChannelRouter, JoinOptions } from './channel-router.interface.js';
import type { ChannelSubscriber } from './channel-subscriber.interface.js';
import { RealtimeTransport } from './realtime-transport.interface.js';

const NONE: ReadonlySet<never> = new Set();

/**
 * Most pushes held for one subscriber of one channel while it catches up: as
 * many as a connection may queue before `Welcome`.
 */
export const MAX_HELD_FRAMES = 1024;

/** A subscriber of a channel that is catching up: pushes wait, or those it had already are dropped. */
interface Catching {
  /** Pushes that arrived meanwhile, in order; `undefined` once released. */
  held: Array<{ frame: Buffer; position: ChannelPosition }> | undefined;
  /** More than `MAX_HELD_FRAMES` arrived: some were dropped. */
  overflowed: boolean;
  /** After release: pushes at or before this were written already. */
  floor: ChannelPosition | undefined;
}

/** The in-process `ChannelRouter`: plain maps, one frame written N times. */
@Injectable()
export class LocalChannelRouter implements ChannelRouter {
  private readonly byChannel = new Map<string, Set<ChannelSubscriber>>();
  private readonly byDigest = new Map<string, Set<ChannelSubscriber>>();
  private readonly channels = new Map<ChannelSubscriber, Set<string>>();
  /** Per channel, its subscribers that are catching up (absent for most channels). */
  private readonly catching = new Map<string, Map<ChannelSubscriber, Catching>>();

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

  join(subscriber: ChannelSubscriber, channel: string, options?: JoinOptions): boolean {
    const joined = this.channels.get(subscriber);
    if (!joined || joined.has(channel)) return false;
    joined.add(channel);
    if (options?.hold) this.catchingOn(channel).set(subscriber, { held: [], overflowed: false, floor: undefined });
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
    this.stopCatching(channel, subscriber);
    if (members && members.size === 0) {
      this.byChannel.delete(channel);
      this.transport.unwatchChannel(channel);
    }
    return true;
  }

  release(subscriber: ChannelSubscriber, channel: string, floor: ChannelPosition): boolean {
    const entry = this.catching.get(channel)?.get(subscriber);
    if (!entry?.held) return true;
    const { held, overflowed } = entry;
    entry.held = undefined;
    entry.floor = floor;
    for (const { frame, position } of held) {
      if (isAtOrBefore(position, entry.floor)) continue;
      subscriber.write(frame);
      entry.floor = position;
    }
    return !overflowed;
  }

  subscriberCount(channel: string): number {
    return this.byChannel.get(channel)?.size ?? 0;
  }

  channelsOf(subscriber: ChannelSubscriber): ReadonlySet<string> {
    return this.channels.get(subscriber) ?? NONE;
  }

  subscribersOf(digest: string): ReadonlySet<ChannelSubscriber> {
    return this.byDigest.get(digest) ?? NONE;
  }

  deliver(channel: string, frame: Buffer, position: ChannelPosition): number {
    const members = this.byChannel.get(channel);
    if (!members) return 0;
    const catching = this.catching.get(channel);
    // NOTE: a write never detaches synchronously (a slow subscriber is closed,
    // and leaves on its 'close' event), so the set can be walked as it is.
    if (catching === undefined) {
      for (const subscriber of members) subscriber.write(frame);
      return members.size;
    }
    for (const subscriber of members) {
      const entry = catching.get(subscriber);
      if (entry === undefined) subscriber.write(frame);
      else this.deliverCatching(channel, subscriber, entry, frame, position);
    }
    return members.size;
  }

  deliverToDigest(digest: string, frame: Buffer | string): number {
    const peers = this.byDigest.get(digest);
    if (!peers) return 0;
    for (const subscriber of peers) subscriber.write(frame);
    return peers.size;
  }

  private deliverCatching(
    channel: string,
    subscriber: ChannelSubscriber,
    entry: Catching,
    frame: Buffer,
    position: ChannelPosition,
  ): void {
    if (entry.held) {
      if (entry.held.length < MAX_HELD_FRAMES) entry.held.push({ frame, position });
      else entry.overflowed = true;
      return;
    }
    // Released: a push it got from history, or from what was held, arrives
    // live once more when the transport was still catching up itself.
    if (entry.floor && isAtOrBefore(position, entry.floor)) return;
    this.stopCatching(channel, subscriber);
    subscriber.write(frame);
  }

  private catchingOn(channel: string): Map<ChannelSubscriber, Catching> {
    let catching = this.catching.get(channel);
    if (!catching) this.catching.set(channel, (catching = new Map()));
    return catching;
  }

  private stopCatching(channel: string, subscriber: ChannelSubscriber): void {
    const catching = this.catching.get(channel);
    if (catching?.delete(subscriber) && catching.size === 0) this.catching.delete(channel);
  }
}
