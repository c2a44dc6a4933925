import type { IncomingMessage } from 'node:http';

/** Name of the HttpOnly cookie that carries the session token. */
export const SESSION_COOKIE = 'sample_session';

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

function isSecure(request: IncomingMessage): boolean {
  return (request.socket as { encrypted?: boolean }).encrypted === true || request.headers['x-forwarded-proto'] === 'https';
}

/** `Set-Cookie` that signs the browser in (a session cookie: gone when the browser closes). */
export function sessionCookie(request: IncomingMessage, token: string): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax${isSecure(request) ? '; Secure' : ''}`;
}

/** `Set-Cookie` that signs the browser out. */
export function clearedSessionCookie(request: IncomingMessage): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${isSecure(request) ? '; Secure' : ''}`;
}
