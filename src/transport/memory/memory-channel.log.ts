import { randomBytes } from 'node:crypto';
import type { ChannelHistory, HistorySettings } from '../../channels/realtime-transport.interface.js';
import { RecentPushIds } from '../../channels/recent-push-ids.cache.js';
import { NO_POSITION, type ChannelPosition } from '../../protocol/channel-position.js';

interface Entry {
  offset: number;
  frame: Buffer;
  /** When it leaves the history, in ms since the epoch. */
  expiresAt: number;
}

interface ChannelState {
  epoch: string;
  offset: number;
  /** The channel's history, oldest first; empty without `history`. */
  entries: Entry[];
  /** When the state itself is forgotten (a new epoch starts after that). */
  expiresAt: number;
}

/** Caller's push ids remembered across channels when the module does not say (`idempotency.maxKeys`'s default). */
const MAX_REMEMBERED_IDS = 50_000;

/**
 * The channels' sequences and histories on one `MemoryHub`: each push gets
 * the next offset of its channel, and is kept for `history` when asked.
 *
 * Bounded: a channel's state is forgotten `keepFor` ms (`subscriptionTtl`, or
 * its history's ttl if longer) after its last push or position read, and a
 * channel pushed to again after that starts a new epoch, so a client that
 * resumes from the old one is told it cannot be recovered.
 */
export class MemoryChannelLog {
  private readonly channels = new Map<string, ChannelState>();
  private readonly ids: RecentPushIds;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly keepFor: number,
    idWindow: number,
    maxIds = MAX_REMEMBERED_IDS,
  ) {
    this.ids = new RecentPushIds(idWindow, maxIds);
    this.sweeper = setInterval(() => this.sweep(), Math.min(keepFor, 60_000));
    this.sweeper.unref();
  }

  /**
   * Sequences a push: returns its position, or `undefined` when its caller's
   * id reached the channel within the idempotency window.
   */
  append(channel: string, frame: Buffer, givenId: string | undefined, history: HistorySettings | undefined): ChannelPosition | undefined {
    const now = Date.now();
    if (givenId !== undefined) {
      if (this.ids.has(channel, givenId, now)) return undefined;
      this.ids.remember(channel, givenId, now);
    }
    const state = this.live(channel, now) ?? this.start(channel);
    state.offset += 1;
    state.expiresAt = now + Math.max(this.keepFor, history?.ttl ?? 0);
    if (history && history.size > 0) {
      state.entries.push({ offset: state.offset, frame, expiresAt: now + history.ttl });
      while (state.entries.length > history.size) state.entries.shift();
    } else if (state.entries.length > 0) {
      state.entries = [];
    }
    return { epoch: state.epoch, offset: state.offset };
  }

  /** The channel's position and what its history holds after `since` (at most `limit`). */
  read(channel: string, since: ChannelPosition | undefined, limit: number): ChannelHistory {
    const now = Date.now();
    const state = this.live(channel, now);
    if (!state) return { position: NO_POSITION, frames: [], complete: since === undefined || since.offset === 0 };
    state.expiresAt = Math.max(state.expiresAt, now + this.keepFor);
    const position = { epoch: state.epoch, offset: state.offset };
    if (!since) return { position, frames: [], complete: true };
    // A position of a channel that had nothing then: all of this epoch is after it.
    const from = since.epoch === state.epoch ? since.offset : since.offset === 0 ? 0 : undefined;
    if (from === undefined || from > state.offset) return { position, frames: [], complete: false };
    const wanted = state.offset - from;
    if (wanted === 0) return { position, frames: [], complete: true };
    if (wanted > limit) return { position, frames: [], complete: false };
    const kept = state.entries.filter(entry => entry.offset > from && entry.expiresAt > now);
    const complete = kept.length === wanted;
    return { position, frames: complete ? kept.map(({ offset, frame }) => ({ offset, frame })) : [], complete };
  }

  /** Forgets everything (the hub's last instance left). */
  dispose(): void {
    clearInterval(this.sweeper);
    this.channels.clear();
  }

  private start(channel: string): ChannelState {
    const state: ChannelState = { epoch: randomBytes(6).toString('hex'), offset: 0, entries: [], expiresAt: 0 };
    this.channels.set(channel, state);
    return state;
  }

  private live(channel: string, now: number): ChannelState | undefined {
    const state = this.channels.get(channel);
    if (state && state.expiresAt <= now) {
      this.channels.delete(channel);
      return undefined;
    }
    return state;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [channel, state] of this.channels) {
      if (state.expiresAt <= now) this.channels.delete(channel);
      else while (state.entries.length > 0 && state.entries[0]!.expiresAt <= now) state.entries.shift();
    }
  }
}
