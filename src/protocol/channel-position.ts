/**
 * Where a message stands in its channel: the channel's `epoch` (a random id
 * that changes when the server lost the channel's sequence: an in-memory
 * restart, an expired or lost Redis key) and the message's `offset` in it
 * (1, 2, 3, ... with no gap within one epoch).
 *
 * A position read from a channel that has none yet is `{ epoch: '', offset: 0 }`:
 * whatever epoch the channel starts later, every message of it comes after.
 */
export interface ChannelPosition {
  epoch: string;
  offset: number;
}

/** The position of a channel that never had a message. */
export const NO_POSITION: ChannelPosition = Object.freeze({ epoch: '', offset: 0 });

/** Longest epoch a client may send back (the server makes 12 characters). */
export const MAX_EPOCH_LENGTH = 64;

/** Whether a value a client sent is a position the server can resume from. */
export function isChannelPosition(value: unknown): value is ChannelPosition {
  if (typeof value !== 'object' || value === null) return false;
  const { epoch, offset } = value as Record<string, unknown>;
  return (
    typeof epoch === 'string' &&
    epoch.length <= MAX_EPOCH_LENGTH &&
    typeof offset === 'number' &&
    Number.isSafeInteger(offset) &&
    offset >= 0
  );
}

/** Whether `position` is at or before `floor` in the same epoch (a frame already seen). */
export function isAtOrBefore(position: ChannelPosition, floor: ChannelPosition): boolean {
  return position.epoch === floor.epoch && position.offset <= floor.offset;
}

/**
 * Query parameter of the upgrade URL in which a reconnecting client sends
 * back, as JSON, the last position it saw of each channel held under its
 * digest: `?since={"chat:general":{"epoch":"9f2c4a01b6d3","offset":42}}`.
 */
export const SINCE_PARAM = 'since';

/** Longest `since` parameter the server reads, in characters; a longer one is ignored. */
export const MAX_SINCE_PARAM_LENGTH = 16 * 1024;
