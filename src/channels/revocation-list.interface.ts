/**
 * Socket keys that were revoked (sign-out), by id (`socketKeyId()`), each for
 * `subscriptionTtl`: long enough for everything held under the old key to
 * have expired. A revoked key counts as no key, over HTTP and on the socket.
 *
 * Every instance keeps a copy in memory, so that an HTTP request can be
 * checked without a round trip; with Redis the list itself lives in Redis,
 * and instances learn of new entries from the transport's control messages.
 */
export interface RevocationList {
  /** Revokes a key id: at once in this instance's copy, and in the shared list before it resolves. */
  add(keyId: string): Promise<void>;
  /** Whether this instance knows the key id to be revoked (its copy; synchronous). */
  has(keyId: string): boolean;
  /** Asks the shared list (Redis), and keeps what it learns; the copy in memory answers on its own. */
  check(keyId: string): Promise<boolean>;
  /** Takes in a revocation another instance announced, for `ttlMs` from now. */
  learn(keyId: string, ttlMs: number): void;
}

/** DI token of the `RevocationList`. */
export const RevocationList = Symbol('RevocationList');
