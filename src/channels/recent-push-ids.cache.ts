/**
 * The push ids an instance delivered lately, per channel (or digest), so that
 * the same id reaches each local subscriber at most once within the window:
 * whether it comes from a local `push()` or from another instance.
 *
 * Bounded: entries expire after `window` ms, and past `maxKeys` the oldest are
 * forgotten early. Every entry has the same lifetime, so insertion order is
 * expiry order and both are dropped from the front.
 */
export class RecentPushIds {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly window: number,
    private readonly maxKeys: number,
  ) {}

  /** Whether `id` was delivered to `target` within the window. */
  has(target: string, id: string, now = Date.now()): boolean {
    const expiry = this.expiries.get(`${target}\u0000${id}`);
    return expiry !== undefined && expiry > now;
  }

  /** Records a delivery of `id` to `target`. */
  remember(target: string, id: string, now = Date.now()): void {
    if (this.maxKeys === 0) return;
    const key = `${target}\u0000${id}`;
    this.expiries.delete(key);
    this.expiries.set(key, now + this.window);
    for (const [oldest, expiry] of this.expiries) {
      if (expiry > now && this.expiries.size <= this.maxKeys) break;
      this.expiries.delete(oldest);
    }
  }

  get size(): number {
    return this.expiries.size;
  }
}
