import { Injectable } from '@nestjs/common';

/**
 * Sessions that were signed out, by session id, each until its tokens would
 * have expired anyway. Tokens are signed, not stored, so this list is what
 * makes signing out stick: a revoked session's tokens (the cookie, a bearer
 * token, the socket tokens its pages carry) are refused everywhere.
 */
export abstract class RevokedSessions {
  /** Revokes a session until `until` (ms since the epoch). */
  abstract add(sessionId: string, until: number): Promise<void>;
  abstract has(sessionId: string): Promise<boolean>;
}

/**
 * In memory, for one process (`npm start`). A restart forgets it: fine for
 * the demo, whose chat and widgets are in memory too.
 */
@Injectable()
export class MemoryRevokedSessions extends RevokedSessions {
  private readonly sessions = new Map<string, number>();

  async add(sessionId: string, until: number): Promise<void> {
    const now = Date.now();
    for (const [id, expires] of this.sessions) if (expires <= now) this.sessions.delete(id);
    this.sessions.set(sessionId, until);
  }

  async has(sessionId: string): Promise<boolean> {
    return (this.sessions.get(sessionId) ?? 0) > Date.now();
  }
}
