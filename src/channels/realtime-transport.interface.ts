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

/** What a transport hands incoming messages to. */
export interface TransportReceiver {
  /** A push from another instance, already encoded. */
  receiveChannelFrame(channel: string, frame: Buffer): void;
  /** A direct message from another instance for a local digest. */
  receiveDirect(digest: string, message: DirectMessage): void;
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
  /** Resolves once the frame is handed on; rejects if it cannot be. */
  publish(channel: string, frame: Buffer): Promise<void>;
  publishDirect(digest: string, message: DirectMessage): Promise<void>;
  /** Hands a control message to every other instance (sign-out: end these connections everywhere). */
  publishControl(message: ControlMessage): Promise<void>;
  watchChannel(channel: string): void;
  unwatchChannel(channel: string): void;
  watchDigest(digest: string): void;
  unwatchDigest(digest: string): void;
  /**
   * Resolves once every watch asked for so far is in effect, so that a push
   * made afterwards on any instance reaches this one.
   */
  settled(): Promise<void>;
  health(): TransportHealth;
}

/** DI token of the `RealtimeTransport`. */
export const RealtimeTransport = Symbol('RealtimeTransport');
