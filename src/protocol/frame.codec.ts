import { ErrorCode } from './error-codes.js';
import { frameShape, type ShapeLimits } from './frame-shape.util.js';
import type { ChannelPosition } from './channel-position.js';
import type { EventFrame, MqMarker, RingReplyFrame } from './frames.js';

/**
 * Longest string a client may use as a `tag` (Myxi style) or an `id` (Ring
 * style). Both are echoed on every reply to the frame, so they are kept short.
 */
export const MAX_TAG_LENGTH = 128;

/** A frame the server refuses before acting on it, and why. */
export type InvalidFrame =
  | { kind: 'invalid'; code: typeof ErrorCode.InvalidJSON }
  | { kind: 'invalid'; code: typeof ErrorCode.NestingTooDeep }
  | { kind: 'invalid'; code: typeof ErrorCode.TooManyElements }
  | { kind: 'invalid'; code: typeof ErrorCode.InvalidPayload; field: 'tag' | 'id' };

/** What one incoming text frame turned out to be. */
export type DecodedFrame =
  | { kind: 'action'; action: string; hasTag: boolean; tag: unknown; payload: unknown }
  | { kind: 'ring'; id: string | number; action: string; message: Record<string, unknown> }
  | InvalidFrame;

/** Limits checked while decoding: the frame's depth and its number of arrays, objects and keys. */
export type DecodeLimits = ShapeLimits;

const INVALID_JSON: InvalidFrame = { kind: 'invalid', code: ErrorCode.InvalidJSON };
const TOO_DEEP: InvalidFrame = { kind: 'invalid', code: ErrorCode.NestingTooDeep };
const TOO_WIDE: InvalidFrame = { kind: 'invalid', code: ErrorCode.TooManyElements };
const BAD_TAG: InvalidFrame = { kind: 'invalid', code: ErrorCode.InvalidPayload, field: 'tag' };
const BAD_ID: InvalidFrame = { kind: 'invalid', code: ErrorCode.InvalidPayload, field: 'id' };

/** A tag the server echoes: `null`, a finite number, or a string of at most `MAX_TAG_LENGTH` characters. */
export function isValidTag(tag: unknown): boolean {
  return (
    tag === null ||
    (typeof tag === 'number' && Number.isFinite(tag)) ||
    (typeof tag === 'string' && tag.length <= MAX_TAG_LENGTH)
  );
}

/**
 * Decodes one client text frame. A frame with an `id` (a string or a finite
 * number) is a Ring-style request (pakyow); anything else is a Myxi-style
 * action. A frame nested deeper than `limits.maxDepth`, or holding more than
 * `limits.maxElements` arrays, objects and keys, is refused before it is
 * parsed; one whose tag or id could not be echoed safely is refused too.
 * Never throws.
 */
export function decodeClientFrame(text: string, limits: DecodeLimits): DecodedFrame {
  const shape = frameShape(text, limits);
  if (shape === 'tooDeep') return TOO_DEEP;
  if (shape === 'tooManyElements') return TOO_WIDE;
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return INVALID_JSON;
  }
  const record = message as Record<string, unknown>;
  const action = typeof record.action === 'string' ? record.action : '';
  const id = record.id;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) {
    if (typeof id === 'string' && id.length > MAX_TAG_LENGTH) return BAD_ID;
    return { kind: 'ring', id, action, message: record };
  }
  const hasTag = 'tag' in record;
  if (hasTag && !isValidTag(record.tag)) return BAD_TAG;
  return {
    kind: 'action',
    action,
    hasTag,
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
}

/**
 * Encodes a channel push once, as UTF-8 bytes, so the same buffer can be
 * written to every subscriber.
 */
export function encodePush(fields: PushFields): Buffer {
  const { event, channel, payload, mq } = fields;
  const frame: Record<string, unknown> = { event, channel, payload };
  if (mq) frame.mq = mq;
  return Buffer.from(JSON.stringify(frame));
}

/**
 * Adds a channel position to an encoded push: `{..."offset":N,"epoch":"E"}`.
 * The push is encoded once, before the transport gives it a position; each
 * instance stamps it once, with two small copies, not a new encoding.
 */
export function stampPosition(frame: Buffer, position: ChannelPosition): Buffer {
  const tail = Buffer.from(`,"offset":${position.offset},"epoch":${JSON.stringify(position.epoch)}}`);
  // NOTE: an encoded push always ends with its object's closing brace.
  return Buffer.concat([frame.subarray(0, frame.length - 1), tail]);
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
