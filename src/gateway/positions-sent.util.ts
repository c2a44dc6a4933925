import { isChannelPosition, MAX_SINCE_PARAM_LENGTH, type ChannelPosition } from '../protocol/channel-position.js';
import { frameShape } from '../protocol/frame-shape.util.js';
import { MAX_SINCE_ENTRIES } from '../protocol/limits.js';

/**
 * The positions a client sent back (`since`): an object of name to
 * `{ epoch, offset }`. Malformed entries are ignored (the channel is joined
 * as if none was sent, so the client hears no `recovered` and knows), and
 * past `MAX_SINCE_ENTRIES` the rest are.
 */
export function positionsSent(value: unknown): Map<string, ChannelPosition> {
  const positions = new Map<string, ChannelPosition>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return positions;
  for (const name in value) {
    if (!Object.hasOwn(value, name)) continue;
    if (positions.size === MAX_SINCE_ENTRIES) break;
    const position = (value as Record<string, unknown>)[name];
    if (isChannelPosition(position)) positions.set(name, { epoch: position.epoch, offset: position.offset });
  }
  return positions;
}

/** The upgrade URL's `since` parameter (JSON), read as `positionsSent`; anything malformed counts as none. */
export function sinceParam(text: string | null): Map<string, ChannelPosition> {
  // Its length is bounded already; only the depth is checked here.
  const shape = text ? frameShape(text, { maxDepth: 2, maxElements: Number.POSITIVE_INFINITY }) : 'fits';
  if (!text || text.length > MAX_SINCE_PARAM_LENGTH || shape === 'tooDeep') return new Map();
  try {
    return positionsSent(JSON.parse(text));
  } catch {
    return new Map();
  }
}
