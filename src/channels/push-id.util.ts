import { createHash, randomBytes } from 'node:crypto';
import { INVALID_PUSH_ID } from '../realtime.messages.js';

/** Marks an id the caller gave (deduplicated): `k:<digest of the id>`. */
const GIVEN = 'k:';
/** Marks an id made for a push without one (only used to retry it safely): `g:<process>.<n>`. */
const MADE = 'g:';
/** Random per process, so made ids do not collide across instances. */
const PROCESS = randomBytes(6).toString('base64url');
let made = 0;

/**
 * The id a push travels with. A caller's id (any string or number) becomes a
 * fixed-size digest, so that memory per remembered id is bounded and ids never
 * carry separators onto the wire; a push without one gets a random id.
 */
export function pushIdOf(id: string | number | undefined): string {
  // NOTE: a counter, not random bytes per push: this runs for every push.
  if (id === undefined) return `${MADE}${PROCESS}.${(made++).toString(36)}`;
  const valid =
    (typeof id === 'string' && id.length > 0 && id.length <= 1024) || (typeof id === 'number' && Number.isFinite(id));
  if (!valid) throw new TypeError(INVALID_PUSH_ID(id));
  return GIVEN + createHash('sha256').update(String(id)).digest('base64url').slice(0, 22);
}

/** Whether the id was given by the caller, so that repeats of it are dropped. */
export function isGivenPushId(id: string | undefined): id is string {
  return id !== undefined && id.startsWith(GIVEN);
}
