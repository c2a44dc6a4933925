import { ErrorCode } from './error-codes.js';
import type { EventFrame, MqMarker, RingReplyFrame } from './frames.js';

/** What one incoming text frame turned out to be. */
export type DecodedFrame =
  | { kind: 'action'; action: string; hasTag: boolean; tag: unknown; payload: unknown }
  | { kind: 'ring'; id: string | number; action: string; message: Record<string, unknown> }
  | { kind: 'invalid'; code: typeof ErrorCode.InvalidJSON };

const INVALID: DecodedFrame = { kind: 'invalid', code: ErrorCode.InvalidJSON };

/**
 * Decodes one client text frame. A frame with an `id` is a Ring-style request
 * (pakyow); anything else is a Myxi-style action. Never throws.
 */
export function decodeClientFrame(text: string): DecodedFrame {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return INVALID;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return INVALID;
  }
  const record = message as Record<string, unknown>;
  const action = typeof record.action === 'string' ? record.action : '';
  const id = record.id;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) {
    return { kind: 'ring', id, action, message: record };
  }
  return {
    kind: 'action',
    action,
    hasTag: 'tag' in record,
    tag: record.tag,
    payload: record.payload ?? {},
  };
}

/**
 * Encodes a socket event. The tag is written only when the client sent one,
 * so `Welcome` and `InvalidJSON` carry no `tag` key, as in Myxi.
 */
export function encodeEvent(event: string, payload: unknown, tag?: { value: unknown }): string {
  const frame: EventFrame = tag ? { event, tag: tag.value, payload } : { event, payload };
  return JSON.stringify(frame);
}

/** The fields of a channel push, before encoding. */
export interface PushFields {
  event: string;
  channel: string;
  payload: unknown;
  mq?: MqMarker;
  offset?: number;
}

/**
 * Encodes a channel push once, as UTF-8 bytes, so the same buffer can be
 * written to every subscriber.
 */
export function encodePush(fields: PushFields): Buffer {
  const { event, channel, payload, mq, offset } = fields;
  const frame: Record<string, unknown> = { event, channel, payload };
  if (mq) frame.mq = mq;
  if (offset !== undefined) frame.offset = offset;
  return Buffer.from(JSON.stringify(frame));
}

/** Encodes the answer to a Ring-style request. */
export function encodeRingReply(
  id: string | number,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): string {
  const frame: RingReplyFrame = { id, status, headers, body };
  return JSON.stringify(frame);
}
