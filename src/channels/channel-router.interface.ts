import type { ChannelPosition } from '../protocol/channel-position.js';
import type { ChannelSubscriber } from './channel-subscriber.interface.js';

/** How a subscriber joins a channel. */
export interface JoinOptions {
  /**
   * Holds the channel's pushes for it until `release()`: it is catching up
   * from history first.
   */
  hold?: boolean;
}

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
  join(subscriber: ChannelSubscriber, channel: string, options?: JoinOptions): boolean;
  /**
   * Ends a hold: writes the held pushes after `floor` in order, then drops
   * pushes at or before the last one written (or `floor`) if they come again.
   * Returns false when more pushes arrived than could be held (some are lost).
   */
  release(subscriber: ChannelSubscriber, channel: string, floor: ChannelPosition): boolean;
  /** Local subscribers of a channel. */
  subscriberCount(channel: string): number;
  /** Returns false when it was not subscribed. */
  leave(subscriber: ChannelSubscriber, channel: string): boolean;
  channelsOf(subscriber: ChannelSubscriber): ReadonlySet<string>;
  /** Local connections whose digest is this one. */
  subscribersOf(digest: string): ReadonlySet<ChannelSubscriber>;
  /** Writes a stamped push to every local subscriber of the channel (holding it for those catching up); returns how many. */
  deliver(channel: string, frame: Buffer, position: ChannelPosition): number;
  /** Writes the frame to every local connection with this digest; returns how many. */
  deliverToDigest(digest: string, frame: Buffer | string): number;
}

/** DI token of the `ChannelRouter`. */
export const ChannelRouter = Symbol('ChannelRouter');
