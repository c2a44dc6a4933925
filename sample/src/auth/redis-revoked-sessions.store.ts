import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RevokedSessions } from './revoked-sessions.store.js';

/**
 * In Redis (`npm run start:cluster`): one key per signed-out session, expiring
 * when its tokens would, so every instance refuses them.
 */
export class RedisRevokedSessions extends RevokedSessions implements OnApplicationShutdown {
  private readonly redis: Redis;

  constructor(url: string) {
    super();
    this.redis = new Redis(url, { maxRetriesPerRequest: 1 });
  }

  async add(sessionId: string, until: number): Promise<void> {
    await this.redis.set(this.key(sessionId), '1', 'PXAT', until);
  }

  async has(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(sessionId))) === 1;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(sessionId: string): string {
    return `sample:revoked-session:${sessionId}`;
  }
}
