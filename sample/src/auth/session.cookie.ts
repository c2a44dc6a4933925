import type { CookieSerializeOptions } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';

/** Name of the HttpOnly cookie that carries the session token. */
export const SESSION_COOKIE = 'sample_session';

/** What the sample reads of a request, on Express or on Fastify. */
export interface RequestLike {
  headers: IncomingHttpHeaders;
  socket?: { encrypted?: boolean } | null;
}

/** The value of one cookie of a request, if present. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) {
      try {
        return decodeURIComponent(part.slice(index + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function isSecure(request: RequestLike): boolean {
  return request.socket?.encrypted === true || request.headers['x-forwarded-proto'] === 'https';
}

/**
 * Attributes of the session cookie, for Nest's `setCookie()` / `clearCookie()`
 * (a session cookie: gone when the browser closes).
 */
export function sessionCookieOptions(request: RequestLike): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: isSecure(request) };
}
