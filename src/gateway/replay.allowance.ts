import { MAX_REPLAY_PER_REQUEST, REPLAYED_PUSHES_PER_SECOND } from '../protocol/limits.js';
import { WorkRateBucket } from './work-rate.bucket.js';

/**
 * How many pushes a connection may still have replayed from history: a
 * reconnect may catch up on `MAX_REPLAY_PER_REQUEST` at once, and a
 * connection on `REPLAYED_PUSHES_PER_SECOND` over time. Past it, a channel
 * is answered `recovered: false`.
 *
 * NOTE: a replay is work the client asks for with one small frame (a
 * `Subscribe` with `since`), so it is bounded apart from the message rate:
 * charging it there would close a client that merely caught up.
 */
export class ReplayAllowance {
  private readonly bucket = new WorkRateBucket(MAX_REPLAY_PER_REQUEST, REPLAYED_PUSHES_PER_SECOND);

  /** Pushes that may be replayed now. */
  remaining(now = Date.now()): number {
    return Math.max(0, Math.floor(this.bucket.available(now)));
  }

  /** Records pushes replayed. */
  spend(pushes: number, now = Date.now()): void {
    if (pushes > 0) this.bucket.charge(pushes, now);
  }
}
