import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a connection id or a client-supplied socket key may look like. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** A new secret socket key: 64 hex characters from 32 random bytes, as pakyow's. */
export function createSocketKey(): string {
  return randomBytes(32).toString('hex');
}

/** A new connection id: 64 hex characters, new for every rendered page. */
export function createConnectionId(): string {
  return randomBytes(32).toString('hex');
}

/** Whether a client-supplied connection id or socket key has an acceptable shape. */
export function isWellFormedToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/**
 * The digest under which a connection's subscriptions are held:
 * HMAC-SHA256 of the connection id, keyed with the secret socket key.
 * Knowing a connection id without its key gives nothing.
 */
export function socketDigest(socketKey: string, connectionId: string): string {
  return createHmac('sha256', socketKey).update(connectionId).digest('hex');
}

/**
 * What a socket key is known by outside the process that holds it: in the
 * revocation list, and in the index of the digests made with it. HMAC-SHA256
 * of the key keyed with the module's `secret` (with its own prefix, so it is
 * never the cookie's signature), so the key itself is never stored or sent
 * between instances, and a weak client-chosen key cannot be guessed from it.
 */
export function socketKeyId(secret: string, socketKey: string): string {
  return createHmac('sha256', secret).update(`nestjs-realtime:socket-key-id:${socketKey}`).digest('hex');
}

/** Compares two digests (or signatures) in constant time. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
