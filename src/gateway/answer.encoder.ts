import { EventName } from '../protocol/event-names.js';
import { encodeEvent, encodeRingReply, type DecodedFrame } from '../protocol/frame.codec.js';

/** A caller's tag, to echo in the answer; `undefined` when it sent none (a tag may be any value, `null` included). */
export type Tag = { value: unknown } | undefined;
export type ActionFrame = Extract<DecodedFrame, { kind: 'action' }>;
export type RingFrame = Extract<DecodedFrame, { kind: 'ring' }>;

/** Encodes the answers to one frame: a handler's reply, or an error with its HTTP-like status. */
export interface AnswerEncoder {
  reply(event: string, data: unknown): string;
  error(status: number, payload: unknown): string;
}

/** Myxi style: an event (`Error` for an error), echoing the caller's tag. */
export function tagged(tag: Tag): AnswerEncoder {
  return {
    reply: (event, data) => encodeEvent(event, data, tag),
    error: (_status, payload) => encodeEvent(EventName.Error, payload, tag),
  };
}

/** Ring style: `{id, status, headers, body}`; a reply carries the handler's data, not its event. */
export function ringReplies(id: string | number): AnswerEncoder {
  return {
    reply: (_event, data) => encodeRingReply(id, 200, data),
    error: (status, payload) => encodeRingReply(id, status, payload),
  };
}

/** The encoder in the style of the frame it answers. */
export function encoderFor(frame: ActionFrame | RingFrame): AnswerEncoder {
  return frame.kind === 'ring' ? ringReplies(frame.id) : tagged(tagOf(frame));
}

/** The tag an action frame carries. */
export function tagOf(frame: ActionFrame): Tag {
  return frame.hasTag ? { value: frame.tag } : undefined;
}
