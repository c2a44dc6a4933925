import { Inject, Injectable } from '@nestjs/common';
import type { ChannelPosition } from '../protocol/channel-position.js';
import type { ChannelStart } from '../protocol/frames.js';
import { stampPosition } from '../protocol/frame.codec.js';
import { MAX_REPLAY_PER_REQUEST } from '../protocol/limits.js';
import { ChannelHistoryPolicy } from './channel-history.policy.js';
import { ChannelRouter } from './channel-router.interface.js';
import type { ChannelSubscriber } from './channel-subscriber.interface.js';
import { RealtimeTransport, type ChannelHistory } from './realtime-transport.interface.js';

/** A channel to join, and where the subscriber stands in it, if it knows. */
export interface JoinRequest {
  channel: string;
  since?: ChannelPosition;
}

/**
 * What one request (a `Welcome`, or one `Subscribe` frame and all its keys)
 * may replay, shared by its channels: at most `MAX_REPLAY_PER_REQUEST`
 * pushes, or what the caller allows.
 */
export class ReplayBudget {
  remaining: number;

  constructor(allowed = MAX_REPLAY_PER_REQUEST) {
    this.remaining = Math.min(allowed, MAX_REPLAY_PER_REQUEST);
  }
}

/** Channels joined and caught up to, waiting for `commit()`. */
export interface JoinedChannels {
  /** Per channel joined by this call (not those the subscriber held already). */
  starts: Map<string, ChannelStart>;
  /** How many pushes `commit()` replays from history (the caller counts them against its allowance). */
  replayed: number;
  /**
   * Writes what each channel missed, then what arrived meanwhile, and goes
   * live. Call it right after writing the frame that announces `starts`,
   * with no `await` in between. Returns false when more pushes arrived than
   * could be held: the subscriber missed some and should be closed.
   */
  commit(): boolean;
}

/**
 * Joins a subscriber to channels with no gap and no duplicate: pushes are held
 * while the channel's position and history are read, then the pushes after
 * the subscriber's position are written from history, then the held ones after
 * those, then live. Phoenix delivers from the moment of joining; this is
 * Centrifugo's recovery, on the transport's positions.
 */
@Injectable()
export class ChannelRecovery {
  constructor(
    @Inject(ChannelRouter) private readonly router: ChannelRouter,
    @Inject(RealtimeTransport) private readonly transport: RealtimeTransport,
    private readonly policy: ChannelHistoryPolicy,
  ) {}

  /**
   * Joins the subscriber to the channels it does not hold yet. If the
   * transport cannot be read (Redis is unavailable), leaves them again and
   * throws its `RealtimeTransportError`.
   */
  async join(subscriber: ChannelSubscriber, requests: readonly JoinRequest[], budget = new ReplayBudget()): Promise<JoinedChannels> {
    const joined = requests.filter(request => this.router.join(subscriber, request.channel, { hold: true }));
    const reads: ChannelHistory[] = [];
    try {
      // Once settled, every push after the position read next reaches this
      // instance live; those before it are in what is read.
      await this.transport.settled();
      // Positions alone, together; histories one at a time, each read no
      // further than what the request may still replay, so that one request
      // never holds more than the budget in memory.
      const plain = await Promise.all(joined.map(({ channel, since }) => (since ? undefined : this.transport.history(channel, undefined, 0))));
      for (const [index, { channel, since }] of joined.entries()) {
        if (!since) {
          reads[index] = plain[index]!;
          continue;
        }
        const limit = Math.min(this.policy.settingsFor(channel)?.size ?? 0, budget.remaining);
        const read = await this.transport.history(channel, since, limit);
        if (read.complete) budget.remaining -= read.frames.length;
        reads[index] = read;
      }
    } catch (error) {
      for (const { channel } of joined) this.router.leave(subscriber, channel);
      throw error;
    }
    const plans = joined.map(({ channel, since }, index) => {
      const { position, frames, complete } = reads[index]!;
      if (!since) return { channel, start: { ...position } as ChannelStart, frames: [] as ChannelHistory['frames'] };
      if (!complete) return { channel, start: { ...position, recovered: false }, frames: [] };
      // A position of a channel that had nothing then: it resumes from the start of the epoch.
      const offset = since.epoch === position.epoch ? since.offset : 0;
      return { channel, start: { epoch: position.epoch, offset, recovered: true }, frames };
    });
    return {
      starts: new Map(plans.map(plan => [plan.channel, plan.start])),
      replayed: plans.reduce((sum, plan) => sum + plan.frames.length, 0),
      commit: () => {
        let whole = true;
        for (const { channel, start, frames } of plans) {
          for (const { offset, frame } of frames) subscriber.write(stampPosition(frame, { epoch: start.epoch, offset }));
          const last = frames.at(-1);
          whole = this.router.release(subscriber, channel, last ? { epoch: start.epoch, offset: last.offset } : start) && whole;
        }
        return whole;
      },
    };
  }
}
