/**
 * A connection's rate, as a token bucket of work units: `burst` units at
 * once, refilled at `perSecond`. Frames are charged for the work they ask
 * for (their size, the replies they produce), not one unit each, so a single
 * large frame cannot buy thousands of replies for the price of one.
 */
export class WorkRateBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Takes `units` for work about to be done; false, taking nothing, when fewer are left. */
  take(units: number, now = Date.now()): boolean {
    if (!this.has(units, now)) return false;
    this.tokens -= units;
    return true;
  }

  /** Whether `units` are left now. */
  has(units: number, now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= units;
  }

  /** The units left now (below zero after a charge it could not cover). */
  available(now = Date.now()): number {
    this.refill(now);
    return this.tokens;
  }

  /** Whether the bucket is full again: it then remembers nothing of past work. */
  isFull(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  /**
   * Charges `units` for work found only while doing it (replies to an
   * `Unsubscribe` of everything). The bucket may go below zero: later frames
   * are refused until it has refilled.
   */
  charge(units: number, now = Date.now()): void {
    this.refill(now);
    this.tokens -= units;
  }

  /**
   * When the bucket will be full again (ms since the epoch, in the past when
   * it is): how busy the connection was lately, in the rate's own terms. It
   * changes only when units are taken or charged, not as time passes.
   */
  fullAt(): number {
    return this.refilledAt + ((this.burst - this.tokens) * 1000) / this.perSecond;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = now;
  }
}
