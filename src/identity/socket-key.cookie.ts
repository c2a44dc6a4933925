import { createHmac } from 'node:crypto';
import { digestsEqual, isWellFormedToken } from './socket-digest.util.js';

function signature(value: string, secret: string): string {
  return createHmac('sha256', secret).update(value).digest('base64url');
}

/** `<key>.<signature>`: the socket key as the cookie carries it. */
export function signSocketKey(socketKey: string, secret: string): string {
  return `${socketKey}.${signature(socketKey, secret)}`;
}

/**
 * The socket key in a signed cookie value, or `undefined` when the value is
 * malformed or its signature does not match (checked in constant time).
 */
export function verifySignedSocketKey(value: string | undefined, secret: string): string | undefined {
  if (!value) return undefined;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const key = value.slice(0, dot);
  if (!isWellFormedToken(key)) return undefined;
  return digestsEqual(value.slice(dot + 1), signature(key, secret)) ? key : undefined;
}

/** Reads one cookie from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

/** Cookie attributes for the socket key. */
export interface SocketKeyCookieAttributes {
  secure: boolean;
  sameSite: 'Strict' | 'Lax';
}

/** A `Set-Cookie` value for the signed socket key: HttpOnly, SameSite, session-long. */
export function serializeSocketKeyCookie(
  name: string,
  signedValue: string,
  attributes: SocketKeyCookieAttributes,
): string {
  const secure = attributes.secure ? '; Secure' : '';
  return `${name}=${encodeURIComponent(signedValue)}; Path=/; HttpOnly; SameSite=${attributes.sameSite}${secure}`;
}
