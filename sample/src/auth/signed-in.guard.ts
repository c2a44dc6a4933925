import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SESSION_COOKIE, readCookie, type RequestLike } from './session.cookie.js';
import { SessionTokenService } from './session-token.service.js';
import { SignInRequiredException } from './sign-in-required.exception.js';
import type { User } from './user.model.js';

/** An HTTP request (Express's or Fastify's) that passed `SignedInGuard`. */
export interface SignedInRequest extends RequestLike {
  user: User;
  /** The session's id, for the socket tokens its pages carry. */
  sessionId: string;
}

/**
 * HTTP routes for signed-in people only. The session comes from the cookie
 * (browsers) or `Authorization: Bearer <token>` (curl, tests), and must not be
 * signed out; the user is left on `request.user` for `@CurrentUser()`.
 */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly tokens: SessionTokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestLike & Partial<SignedInRequest>>();
    const session = await this.tokens.session(sessionTokenOf(request), 'session');
    if (!session) throw new SignInRequiredException();
    request.user = session.user;
    request.sessionId = session.id;
    return true;
  }
}

/** The session token a request carries, if any. */
export function sessionTokenOf(request: RequestLike): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}
