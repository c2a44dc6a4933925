import type { ChannelSubscriber } from './channel-subscriber.interface.js';

/**
 * This process's map of channels to local connections. It writes one encoded
 * frame to every local subscriber and tells the transport when a channel gains
 * its first or loses its last local subscriber.
 */
export interface ChannelRouter {
  attach(subscriber: ChannelSubscriber): void;
  /** Removes the subscriber from everything; returns the channels it left. */
  detach(subscriber: ChannelSubscriber): string[];
  /** Returns false when it was subscribed already. */
  join(subscriber: ChannelSubscriber, channel: string): boolean;
  /** Returns false when it was not subscribed. */
  leave(subscriber: ChannelSubscriber, channel: string): boolean;
  channelsOf(subscriber: ChannelSubscriber): ReadonlySet<string>;
  /** Local connections whose digest is this one. */
  subscribersOf(digest: string): ReadonlySet<ChannelSubscriber>;
  /** Writes the frame to every local subscriber of the channel; returns how many. */
  deliver(channel: string, frame: Buffer): number;
  /** Writes the frame to every local connection with this digest; returns how many. */
  deliverToDigest(digest: string, frame: Buffer | string): number;
}

/** DI token of the `ChannelRouter`. */
export const ChannelRouter = Symbol('ChannelRouter');
