import type { RevocationList } from './revocation-list.interface.js';

/**
 * The in-process `RevocationList`: key ids and when each stops counting. It is
 * the whole list on the embedded default, and each instance's copy of the one
 * in Redis. Entries are dropped when they expire, so it holds at most the
 * keys revoked within the last `ttlMs` (a few dozen bytes each).
 */
export class MemoryRevocationList implements RevocationList {
  private readonly entries = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(protected readonly ttlMs: number) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(ttlMs, 60_000));
    this.sweeper.unref();
  }

  async add(keyId: string): Promise<void> {
    this.learn(keyId, this.ttlMs);
  }

  has(keyId: string): boolean {
    const expiresAt = this.entries.get(keyId);
    if (expiresAt === undefined) return false;
    if (expiresAt > Date.now()) return true;
    this.entries.delete(keyId);
    return false;
  }

  async check(keyId: string): Promise<boolean> {
    return this.has(keyId);
  }

  learn(keyId: string, ttlMs: number): void {
    const expiresAt = Date.now() + Math.max(0, ttlMs);
    if ((this.entries.get(keyId) ?? 0) < expiresAt) this.entries.set(keyId, expiresAt);
  }

  /** Stops its sweeper and forgets everything. */
  dispose(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [keyId, expiresAt] of this.entries) if (expiresAt <= now) this.entries.delete(keyId);
  }
}
