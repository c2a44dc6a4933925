import { Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
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
  /** expiry, ms since the epoch */
  exp: number;
}

/**
 * Stateless signed tokens (`<claims>.<HMAC-SHA256>`, base64url). Nothing is
 * stored, so a token stays valid across restarts and on every instance that
 * shares the secret, which is what lets a page sign in again after the server
 * came back.
 */
@Injectable()
export class SessionTokenService {
  private readonly secret = process.env.SESSION_SECRET ?? process.env.REALTIME_SECRET ?? DEV_SECRET;

  constructor(private readonly users: UsersStore) {}

  issue(user: User, purpose: TokenPurpose): string {
    const claims: Claims = { u: user.name, p: purpose, exp: Date.now() + LIFETIME_MS[purpose] };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The user a token signs in, if it is genuine, unexpired and for this purpose. */
  verify(token: unknown, purpose: TokenPurpose): User | undefined {
    if (typeof token !== 'string' || token.length > 1024) return undefined;
    const [body, signature, ...rest] = token.split('.');
    if (!body || !signature || rest.length > 0) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: Partial<Claims>;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Claims>;
    } catch {
      return undefined;
    }
    if (claims.p !== purpose || typeof claims.exp !== 'number' || claims.exp < Date.now()) return undefined;
    return this.users.find(claims.u);
  }

  private sign(body: string): string {
    // The purpose prefix keeps these signatures apart from anything else the secret signs.
    return createHmac('sha256', this.secret).update(`sample-session:${body}`).digest('base64url');
  }
}
