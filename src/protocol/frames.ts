import type { ChannelPosition } from './channel-position.js';

/**
 * The JSON frames of the wire protocol. `docs/protocol.md` describes each one
 * with examples; these types are what a TypeScript client or server shares.
 */

/** Client to server, Myxi style: `{action, tag, payload}`. */
export interface ActionFrame<P = unknown> {
  action: string;
  /**
   * A string of at most 128 characters (`MAX_TAG_LENGTH`), a finite number,
   * or `null`; echoed on every reply and error to this action. Any other tag
   * is refused with `Error InvalidPayload`, without a tag.
   */
  tag?: string | number | null;
  /** Defaults to `{}` when missing or null. */
  payload?: P;
}

/** Client to server, pakyow's Ring style: `{id, action, ...}`. */
export interface RingRequestFrame {
  /** A string of at most 128 characters, or a finite number; echoed on the reply. */
  id: string | number;
  action: string;
  [key: string]: unknown;
}

/** Server to client: a socket event such as `Welcome`, `Error` or a handler's reply. */
export interface EventFrame<P = unknown> {
  event: string;
  /** Present when the frame answers an action that carried a tag. */
  tag?: unknown;
  payload: P;
}

/** Myxi's routing marker on pushes to family channels. */
export interface MqMarker {
  /** The family (Myxi's exchange). */
  e: string;
  /** The routing key, always a string. */
  rk: string;
}

/** Server to client: a message pushed down a channel. */
export interface PushFrame<P = unknown> {
  event: string;
  channel: string;
  payload: P;
  /** Present when the channel belongs to a declared family. */
  mq?: MqMarker;
  /** The message's position in its channel (1, 2, ... within an epoch). */
  offset: number;
  /** The channel's epoch: offsets compare only within one. */
  epoch: string;
}

/** Server to client: the answer to a Ring-style request. */
export interface RingReplyFrame<B = unknown> {
  id: string | number;
  status: number;
  headers: Record<string, string>;
  body: B;
}

/** The payload of an `Error` event. */
export interface ErrorPayload {
  error: string;
  message?: string;
  [detail: string]: unknown;
}

/**
 * The payload of the `Subscribe` and `Unsubscribe` actions (client to server).
 * Not to be confused with what the server answers: {@link SubscribedPayload}
 * and {@link UnsubscribedPayload}.
 */
export interface SubscriptionActionPayload {
  exchange?: string;
  routing_key?: string | number;
  routing_keys?: Array<string | number>;
  /** `Unsubscribe` only: a plain (non-family) channel. */
  channel?: string;
  /** `Subscribe` only: the last position seen of each key's channel, by routing key (as a string). */
  since?: Record<string, ChannelPosition>;
}

/**
 * The payload of a `Subscribed` event: one key of a family was subscribed.
 * The routing key is echoed as the client sent it (a number stays a number).
 */
export interface SubscribedPayload extends Partial<ChannelStart> {
  exchange: string;
  routing_key: string | number;
  channel: string;
}

/**
 * Where a channel stands for a connection that just joined it (in `Welcome`'s
 * `positions` and in `Subscribed`): every push that follows has a greater
 * offset in this epoch. `recovered` answers positions the client sent back
 * (`since`), or the position a route subscribed a page at: `true` when every
 * push after it follows, `false` when some were lost (reload what the channel shows).
 */
export interface ChannelStart extends ChannelPosition {
  recovered?: boolean;
}

/**
 * The payload of an `Unsubscribed` event that names the channel dropped. For a
 * family channel it also names the family and the key, so that Myxi's client
 * drops its subscription. (An `Unsubscribe` that found nothing to drop is
 * answered with `{channels: [], auto: false}` instead, plus `exchange_name`
 * when it named a family.)
 */
export interface UnsubscribedPayload {
  channel: string;
  /** True when the server dropped the subscription by itself (revoked, or a route unsubscribed it). */
  auto: boolean;
  exchange_name?: string;
  routing_key?: string | number;
}

/** `Welcome` payload. */
export interface WelcomePayload {
  /** The connection id: the one the client connected with, or a new one. */
  id: string;
  /**
   * The channels held under this connection's digest (subscribed by routes or
   * server code) at connect time. A client that expected others knows they
   * are gone (for instance after a restart of an in-memory server).
   */
  channels?: string[];
  /** Where each of `channels` stands (see {@link ChannelStart}). */
  positions?: Record<string, ChannelStart>;
}
