import { createHash } from 'node:crypto';

/** Bytes of a channel's and of an epoch's tag in the token: a digest's prefix, not the name. */
const TAG_BYTES = 6;
/** The token's format, its first byte. */
const VERSION = 1;
/** Largest offset a token carries (JavaScript's safe integers); LEB128 takes at most 8 bytes for it. */
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;
/** Most bytes one entry takes: two tags and the longest offset. */
const MAX_ENTRY_BYTES = 2 * TAG_BYTES + 8;

/** Where a client is in one channel, as a token names it: the epoch's tag and the offset of the last push it got. */
export interface TokenPosition {
  /** The first bytes of the epoch's SHA-256, in base64url. */
  epochTag: string;
  offset: number;
}

interface Entry extends TokenPosition {
  /** The epoch in full, when this stream saw it (a restored entry knows only its tag). */
  epoch?: string;
  bytes: Buffer;
}

function tagOf(text: string): Buffer {
  return createHash('sha256').update(text).digest().subarray(0, TAG_BYTES);
}

/** Unsigned LEB128. */
function writeOffset(offset: number): Buffer {
  const bytes: number[] = [];
  let rest = offset;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte += 128;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/**
 * The positions an event stream's client has seen, per channel, and the
 * `id:` token that carries them: opaque to the client, bounded, ASCII, and
 * enough for any instance to tell where the client is in each channel when it
 * comes back with `Last-Event-ID`.
 *
 * The token is base64url (no padding) of: one version byte (1), then for each
 * channel with a position, the first 6 bytes of SHA-256 of the channel name,
 * the first 6 bytes of SHA-256 of the channel's epoch, and the offset as
 * unsigned LEB128. A channel is found again among the channels the stream
 * holds by its tag (6 bytes tell at most `maxSubscriptions` channels apart).
 *
 * NOTE: every position, not just the last push's: `Last-Event-ID` is the only
 * thing a browser sends back, and it is the last id it saw.
 */
export class StreamPositions {
  /** By the channel's tag, in base64url. */
  private readonly entries = new Map<string, Entry>();
  /** Channel tags worked out so far, by channel. */
  private readonly tags = new Map<string, string>();
  private token: string | undefined;

  constructor(private readonly maxEntries: number) {}

  /**
   * Parses a token (a `Last-Event-ID`). Anything that is not a whole token of
   * at most `maxEntries` entries counts as none (`undefined`): it came from
   * the client, and a bad one must cost nothing.
   */
  static parse(text: string | undefined, maxEntries: number): StreamPositions | undefined {
    if (!text || text.length > Math.ceil(((1 + maxEntries * MAX_ENTRY_BYTES) * 4) / 3) || !/^[A-Za-z0-9_-]+$/.test(text)) {
      return undefined;
    }
    const bytes = Buffer.from(text, 'base64url');
    if (bytes[0] !== VERSION) return undefined;
    const positions = new StreamPositions(maxEntries);
    let at = 1;
    while (at < bytes.length) {
      if (positions.entries.size >= maxEntries || at + 2 * TAG_BYTES >= bytes.length) return undefined;
      const channelTag = bytes.subarray(at, at + TAG_BYTES).toString('base64url');
      const epochTag = bytes.subarray(at + TAG_BYTES, at + 2 * TAG_BYTES).toString('base64url');
      const start = at;
      at += 2 * TAG_BYTES;
      let offset = 0;
      let scale = 1;
      for (;;) {
        const byte = bytes[at++];
        if (byte === undefined || scale > 2 ** 49) return undefined;
        offset += (byte & 127) * scale;
        scale *= 128;
        if (byte < 128) break;
      }
      if (offset > MAX_OFFSET) return undefined;
      positions.entries.set(channelTag, { epochTag, offset, bytes: Buffer.from(bytes.subarray(start, at)) });
    }
    return positions;
  }

  /** How many channels have a position. */
  get size(): number {
    return this.entries.size;
  }

  /** The position this token gives for a channel, if any. */
  positionOf(channel: string): TokenPosition | undefined {
    const entry = this.entries.get(this.tagOf(channel));
    return entry && { epochTag: entry.epochTag, offset: entry.offset };
  }

  /** Whether an epoch is the one a position's tag names. */
  static isEpoch(position: TokenPosition, epoch: string): boolean {
    return tagOf(epoch).toString('base64url') === position.epochTag;
  }

  /**
   * Keeps the positions of `restored` (a parsed `Last-Event-ID`) for the
   * channels this stream holds, so that the next `id:` still carries them
   * before those channels get a push.
   */
  carryOver(restored: StreamPositions, channels: Iterable<string>): void {
    for (const channel of channels) {
      const tag = this.tagOf(channel);
      const entry = restored.entries.get(tag);
      if (entry && !this.entries.has(tag) && this.entries.size < this.maxEntries) this.entries.set(tag, { ...entry });
    }
    this.token = undefined;
  }

  /**
   * Notes a push's position. When every entry is taken, the positions of
   * channels the stream no longer holds (`held()`) make room; false when
   * there is still none.
   */
  seen(channel: string, epoch: string, offset: number, held: () => Iterable<string>): boolean {
    if (!Number.isSafeInteger(offset) || offset < 0) return false;
    const tag = this.tagOf(channel);
    const previous = this.entries.get(tag);
    if (!previous && this.entries.size >= this.maxEntries && !this.retain(held())) return false;
    const epochTag = previous?.epoch === epoch ? previous.epochTag : tagOf(epoch).toString('base64url');
    const bytes = Buffer.concat([Buffer.from(tag, 'base64url'), Buffer.from(epochTag, 'base64url'), writeOffset(offset)]);
    this.entries.set(tag, { epoch, epochTag, offset, bytes });
    this.token = undefined;
    return true;
  }

  /** The `id:` token, or `undefined` while no channel has a position. */
  toToken(): string | undefined {
    if (this.entries.size === 0) return undefined;
    this.token ??= Buffer.concat([Buffer.of(VERSION), ...[...this.entries.values()].map(entry => entry.bytes)]).toString('base64url');
    return this.token;
  }

  /** Drops the positions of channels not in `channels`; whether that made room. */
  private retain(channels: Iterable<string>): boolean {
    const kept = new Set<string>();
    for (const channel of channels) kept.add(this.tagOf(channel));
    for (const tag of [...this.entries.keys()]) if (!kept.has(tag)) this.entries.delete(tag);
    this.token = undefined;
    return this.entries.size < this.maxEntries;
  }

  private tagOf(channel: string): string {
    let tag = this.tags.get(channel);
    if (tag === undefined) {
      tag = tagOf(channel).toString('base64url');
      // Bounded like the entries: a stream holds at most maxSubscriptions channels at once.
      if (this.tags.size >= 4 * this.maxEntries) this.tags.clear();
      this.tags.set(channel, tag);
    }
    return tag;
  }
}
