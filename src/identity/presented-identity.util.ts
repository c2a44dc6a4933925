import type { IncomingHttpHeaders } from 'node:http';
import { CONNECTION_ID_HEADER, SOCKET_KEY_HEADER } from './identity-headers.js';
import type { IdentityOptions } from './identity-options.interface.js';
import { isWellFormedToken, socketKeyId } from './socket-digest.util.js';
import { readCookie, verifySignedSocketKey } from './socket-key.cookie.js';

/** Whether the socket key with this id was revoked (the instance's copy of the revocation list). */
export type RevokedKeyCheck = (keyId: string) => boolean;

/** A socket key a client presented, and its id (`socketKeyId()`). */
export interface PresentedKey {
  socketKey: string;
  keyId: string;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The connection id a client named: `fromQuery` (an upgrade URL's
 * `socket_connection_id`) when there is one, else the
 * `X-Realtime-Connection-Id` header; `undefined` when it is malformed.
 */
export function presentedConnectionId(headers: IncomingHttpHeaders, fromQuery?: string | null): string | undefined {
  const supplied = fromQuery ?? firstHeader(headers[CONNECTION_ID_HEADER]);
  return isWellFormedToken(supplied) ? supplied : undefined;
}

/**
 * The socket key a client presented: `fromQuery` (an upgrade URL's
 * `socket_key`) when there is one, else the `X-Realtime-Socket-Key` header,
 * and when neither is well formed, the signed cookie. A revoked key (sign-out,
 * `ChannelService.revoke()`) counts as none.
 */
export function presentedSocketKey(
  headers: IncomingHttpHeaders,
  options: Pick<IdentityOptions, 'secret' | 'socketKeyCookie'>,
  isRevoked: RevokedKeyCheck,
  fromQuery?: string | null,
): PresentedKey | undefined {
  const supplied = fromQuery ?? firstHeader(headers[SOCKET_KEY_HEADER]);
  const socketKey = isWellFormedToken(supplied)
    ? supplied
    : verifySignedSocketKey(readCookie(headers.cookie, options.socketKeyCookie), options.secret);
  if (socketKey === undefined) return undefined;
  const keyId = socketKeyId(options.secret, socketKey);
  return isRevoked(keyId) ? undefined : { socketKey, keyId };
}
