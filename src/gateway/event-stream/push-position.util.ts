/** A push's place in its channel: what a push frame's `offset` and `epoch` say. */
export interface PushPosition {
  channel: string;
  epoch: string;
  offset: number;
}

const MARKER = '"offset":';
/** The frames read so far: a push's Buffer is the same object for every subscriber it is written to. */
const known = new WeakMap<Buffer, PushPosition | null>();

/**
 * The position a push frame carries (`channel`, `epoch`, `offset`), or
 * `undefined` for frames without one (events, direct sends, pushes to
 * channels without history).
 *
 * NOTE: read back from the encoded frame, once per frame and process (the
 * router writes one Buffer to every subscriber of a channel), and only when
 * its bytes hold `"offset":`: the router writes subscribers the stamped frame
 * only, as sockets need it.
 */
export function pushPositionOf(frame: Buffer | string): PushPosition | undefined {
  if (typeof frame === 'string') return frame.includes(MARKER) ? read(frame) : undefined;
  const cached = known.get(frame);
  if (cached !== undefined) return cached ?? undefined;
  const position = frame.includes(MARKER) ? read(frame.toString('utf8')) : undefined;
  known.set(frame, position ?? null);
  return position;
}

function read(text: string): PushPosition | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof frame !== 'object' || frame === null) return undefined;
  const { channel, epoch, offset } = frame as Record<string, unknown>;
  if (typeof channel !== 'string' || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return undefined;
  if (typeof epoch !== 'string' && !(typeof epoch === 'number' && Number.isFinite(epoch))) return undefined;
  return { channel, epoch: String(epoch), offset };
}
