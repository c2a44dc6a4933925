import { WorkRateBucket } from './work-rate.bucket.js';

/** How many addresses' buckets are kept at most; the least recently used go first. */
const MAX_ADDRESSES = 100_000;
/** How often buckets that have refilled are forgotten, in ms. */
const SWEEP_MS = 30_000;

/**
 * One work-rate bucket per client address, shared by all of the address's
 * connections (`addressMessageRate`).
 *
 * NOTE: a connection's own bucket starts full, so a client that reconnects in
 * a loop would get a fresh burst each time. The address's bucket outlives its
 * connections until it has refilled, so reconnecting buys nothing. The map is
 * bounded: a bucket that has refilled is forgotten, and past `MAX_ADDRESSES`
 * the least recently used address goes first.
 */
export class AddressRates {
  private readonly buckets = new Map<string, WorkRateBucket>();
  private sweptAt = Date.now();

  constructor(private readonly rate: { burst: number; perSecond: number } | false) {}

  /** The bucket of `address`, or `undefined` when there is no per-address rate (or no address). */
  bucketFor(address: string | undefined, now = Date.now()): WorkRateBucket | undefined {
    if (!this.rate || address === undefined) return undefined;
    this.sweep(now);
    let bucket = this.buckets.get(address);
    if (bucket) {
      // Most recently used last, so the oldest is first in line to go.
      this.buckets.delete(address);
    } else {
      bucket = new WorkRateBucket(this.rate.burst, this.rate.perSecond, now);
      if (this.buckets.size >= MAX_ADDRESSES) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(address, bucket);
    return bucket;
  }

  /** Addresses whose buckets are kept. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    if (now - this.sweptAt < SWEEP_MS) return;
    this.sweptAt = now;
    for (const [address, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(address);
  }
}
