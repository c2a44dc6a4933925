import { Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { RevokedSessions } from './revoked-sessions.store.js';
import type { User } from './user.model.js';
import { UsersStore } from './users.store.js';

/** Signs session tokens in development. Never use it in production. */
const DEV_SECRET = 'sample-dev-session-secret-change-me';

/**
 * What a token is good for:
 * - `session`: the HttpOnly cookie (or an `Authorization: Bearer` header for curl);
 * - `socket`: embedded in a page, sent with the `Authenticate` action. It can
 *   only sign a socket in, so a page script never holds the session itself.
 */
export type TokenPurpose = 'session' | 'socket';

const LIFETIME_MS: Record<TokenPurpose, number> = {
  session: 7 * 24 * 60 * 60 * 1000,
  socket: 12 * 60 * 60 * 1000,
};

interface Claims {
  /** user name */
  u: string;
  /** purpose */
  p: TokenPurpose;
  /** session id: a session's socket tokens share it, so signing out ends them too */
  s: string;
  /** expiry, ms since the epoch */
  exp: number;
}

/** Who a valid token signs in, and the session it belongs to. */
export interface Session {
  user: User;
  id: string;
}

/**
 * Signed tokens (`<claims>.<HMAC-SHA256>`, base64url), valid across restarts
 * and on every instance that shares the secret, which is what lets a page sign
 * in again after the server came back. Signing out revokes the session id
 * (`RevokedSessions`): its session token and every socket token made from it
 * are refused from then on.
 */
@Injectable()
export class SessionTokenService {
  private readonly secret = process.env.SESSION_SECRET ?? process.env.REALTIME_SECRET ?? DEV_SECRET;

  constructor(
    private readonly users: UsersStore,
    private readonly revoked: RevokedSessions,
  ) {}

  /** A token for a new session, or (with `sessionId`) for a session that exists: a page's socket token. */
  issue(user: User, purpose: TokenPurpose, sessionId = randomBytes(16).toString('hex')): string {
    const claims: Claims = { u: user.name, p: purpose, s: sessionId, exp: Date.now() + LIFETIME_MS[purpose] };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The user a token signs in, if it is genuine, unexpired, for this purpose and not signed out. */
  async verify(token: unknown, purpose: TokenPurpose): Promise<User | undefined> {
    return (await this.session(token, purpose))?.user;
  }

  /** The session of a valid token (see `verify`). */
  async session(token: unknown, purpose: TokenPurpose): Promise<Session | undefined> {
    const claims = this.claims(token);
    if (!claims || claims.p !== purpose || claims.exp < Date.now()) return undefined;
    const user = this.users.find(claims.u);
    if (!user || (await this.revoked.has(claims.s))) return undefined;
    return { user, id: claims.s };
  }

  /** Signs a session out: its tokens (and its pages' socket tokens) are refused from now on. */
  async revoke(token: unknown): Promise<void> {
    const claims = this.claims(token);
    if (claims && claims.exp > Date.now()) await this.revoked.add(claims.s, claims.exp);
  }

  /** The claims of a genuine token (signature and shape checked, nothing else). */
  private claims(token: unknown): Claims | undefined {
    if (typeof token !== 'string' || token.length > 1024) return undefined;
    const [body, signature, ...rest] = token.split('.');
    if (!body || !signature || rest.length > 0) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Claims>;
      const valid = typeof claims.u === 'string' && typeof claims.s === 'string' && typeof claims.exp === 'number';
      return valid && (claims.p === 'session' || claims.p === 'socket') ? (claims as Claims) : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    // The purpose prefix keeps these signatures apart from anything else the secret signs.
    return createHmac('sha256', this.secret).update(`sample-session:${body}`).digest('base64url');
  }
}
