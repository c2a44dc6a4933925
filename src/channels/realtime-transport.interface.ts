import type { ChannelPosition } from '../protocol/channel-position.js';

/**
 * A message for the connections of one digest, wherever they are.
 * `frame` is an encoded frame to write; the others change what the digest's
 * open connections are subscribed to.
 */
export type DirectMessage =
  | { kind: 'frame'; frame: Buffer | string }
  | { kind: 'subscribe'; channels: string[] }
  | { kind: 'unsubscribe'; channels: string[] | null };

/**
 * Which connections an access change is about: one digest, every socket with
 * a connection id, every socket and digest of a socket key (by its id,
 * `socketKeyId()`), or every socket whose user has this id (`userId` option).
 */
export type AccessMatch = { digest: string } | { connectionId: string } | { keyId: string } | { user: string };

/**
 * A message for every instance. `end`: close the matching local sockets
 * (`4004`) and drop their digests' subscriptions; with `revokeMs`, the key
 * (`match.keyId`) is also revoked for that long.
 */
export type ControlMessage = { kind: 'end'; match: AccessMatch; revokeMs?: number };

/**
 * What became of a frame handed to the transport:
 * - `published`: every instance gets it (or there is no other instance);
 * - `queued`: the transport cannot sequence it now; it keeps the frame, in
 *   order, and hands it on once it can (channel pushes: to every instance,
 *   this one included);
 * - `duplicate`: a channel push whose caller's id the channel had already,
 *   within the idempotency window: nobody gets it again.
 */
export type PublishOutcome = 'published' | 'queued' | 'duplicate';

/** How much of a channel's past a transport keeps for recovery. */
export interface HistorySettings {
  /** Most messages kept (the oldest leave first). */
  size: number;
  /** How long a message is kept, in ms. */
  ttl: number;
}

/** A channel's position, and what its history holds after a given one. */
export interface ChannelHistory {
  /** The channel's position when it was read (`NO_POSITION` for a channel with none). */
  position: ChannelPosition;
  /** The encoded pushes after the position asked about, in order, unstamped. */
  frames: Array<{ offset: number; frame: Buffer }>;
  /**
   * Whether `frames` is everything after the position asked about up to
   * `position`: false when the epoch changed, history was trimmed or expired,
   * or more than the limit would be needed.
   */
  complete: boolean;
}

/** How a frame travels. */
export interface PublishOptions {
  /**
   * The push's id (made by `ChannelService`): a caller's id, whose repeats
   * within the idempotency window are dropped on every instance, or a random
   * one that only lets the transport retry the frame safely.
   */
  id?: string;
  /** Channel pushes: how much of the channel's past to keep (none when absent). */
  history?: HistorySettings;
}

/** What a transport hands incoming messages to. */
export interface TransportReceiver {
  /**
   * A channel push, already encoded (unstamped), with the position the
   * transport gave it: from any instance, this one included, in offset order
   * per channel. `id` is the caller's push id, when the push had one.
   */
  receiveChannelFrame(channel: string, frame: Buffer, position: ChannelPosition, id?: string): void;
  /** A direct message from another instance for a local digest (`id` as above, for frames). */
  receiveDirect(digest: string, message: DirectMessage, id?: string): void;
  /** A control message from another instance. */
  receiveControl(message: ControlMessage): void;
}

/** Whether a transport can carry traffic now, for health checks. */
export interface TransportHealth {
  up: boolean;
  [detail: string]: unknown;
}

/**
 * Carries pushes and direct messages between the instances of an app
 * (Phoenix's adapter contract), and sequences channel pushes: it gives each
 * its channel's position, keeps the channel's recent history when asked, and
 * hands it to every instance that watches the channel, this one included, in
 * offset order. Direct messages go to the *other* instances only: the sender
 * has served its own connections.
 *
 * The default, in one process, hands pushes back to its own instance. The
 * Redis transport subscribes only to channels and digests that have local
 * connections (`watch*`).
 *
 * @publicApi
 */
export interface RealtimeTransport {
  bind(receiver: TransportReceiver): void;
  /**
   * Checks that `count` frames can be taken now, and throws a
   * `RealtimeTransportError` if they cannot. `ChannelService` asks before it
   * delivers a push locally, and publishes in the same tick, so a rejected
   * push reached nobody. Optional: a transport without it takes everything.
   */
  admit?(count: number): void;
  /**
   * Sequences a channel push and hands it to every instance that watches the
   * channel, this one included: resolves once it is published, or queued
   * until the transport can publish it. Rejects if it can do neither.
   */
  publish(channel: string, frame: Buffer, options?: PublishOptions): Promise<PublishOutcome | void>;
  /**
   * The channel's position now and, after `since`, the pushes its history
   * holds (at most `limit`). Read it after `settled()`: every push after the
   * returned position then reaches this instance live.
   * @throws RealtimeTransportError when the transport is unavailable
   */
  history(channel: string, since: ChannelPosition | undefined, limit: number): Promise<ChannelHistory>;
  /** Like `publish`, for one digest. `subscribe` and `unsubscribe` are never queued. */
  publishDirect(digest: string, message: DirectMessage, options?: PublishOptions): Promise<PublishOutcome | void>;
  /**
   * Hands a control message to every other instance (sign-out: end these
   * connections everywhere). Never queued: rejects while the transport is
   * unavailable.
   */
  publishControl(message: ControlMessage): Promise<void>;
  watchChannel(channel: string): void;
  unwatchChannel(channel: string): void;
  watchDigest(digest: string): void;
  unwatchDigest(digest: string): void;
  /**
   * Resolves once every watch asked for so far is in effect, so that a push
   * made afterwards on any instance reaches this one. Rejects with a
   * `RealtimeTransportError` when that cannot be promised now (Redis is
   * unavailable), within bounded time.
   */
  settled(): Promise<void>;
  health(): TransportHealth;
}

/** DI token of the `RealtimeTransport`. */
export const RealtimeTransport = Symbol('RealtimeTransport');
