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
 * - `published`: every other instance gets it (or there is no other instance);
 * - `queued`: the transport cannot reach the others now; it keeps the frame,
 *   in order, and hands it on once it can.
 */
export type PublishOutcome = 'published' | 'queued';

/** How a frame travels. */
export interface PublishOptions {
  /**
   * The push's id (made by `ChannelService`): a caller's id, whose repeats
   * within the idempotency window are dropped on every instance, or a random
   * one that only lets the transport retry the frame safely.
   */
  id?: string;
}

/** What a transport hands incoming messages to. */
export interface TransportReceiver {
  /**
   * A push from another instance, already encoded. `id` is the caller's push
   * id, when the push had one: the receiver drops it if it delivered that id
   * to the channel already.
   */
  receiveChannelFrame(channel: string, frame: Buffer, id?: string): void;
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
 * Carries pushes and direct messages to the *other* instances of the app
 * (Phoenix's adapter contract): local subscribers are always served by the
 * local router first, so a transport never echoes to its own instance.
 *
 * The default, in one process, carries nothing. The Redis transport subscribes
 * only to channels and digests that have local connections (`watch*`).
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
   * Hands the frame on: resolves once it is published, or queued until the
   * transport can publish it. Rejects if it can do neither.
   */
  publish(channel: string, frame: Buffer, options?: PublishOptions): Promise<PublishOutcome | void>;
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
