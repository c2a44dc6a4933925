import type { IncomingHttpHeaders } from 'node:http';
import { CONNECTION_ID_PARAM, SOCKET_KEY_PARAM } from './identity-headers.js';
import type { IdentityOptions } from './identity-options.interface.js';
import { presentedConnectionId, presentedSocketKey, type RevokedKeyCheck } from './presented-identity.util.js';
import { createConnectionId, createSocketKey, socketDigest, socketKeyId } from './socket-digest.util.js';

/** A connection's socket key, the key's id and the digest made with it. */
export interface ConnectionKey {
  socketKey: string;
  keyId: string;
  digest: string;
  /** Whether the client presented the key (false: a throwaway key made for this connection). */
  presented: boolean;
}

/** Who a WebSocket upgrade is: its connection id and its key. */
export interface UpgradeIdentity {
  connectionId: string;
  key: ConnectionKey;
}

/**
 * The identity of a WebSocket upgrade. Unlike an HTTP request's
 * (`RequestIdentity`), both halves may also come in the upgrade URL's query
 * (`socket_connection_id`, `socket_key`), which wins over the headers: a
 * browser cannot set headers on a WebSocket. A malformed or missing
 * connection id gets a new one; a missing or revoked key gets a throwaway
 * one, held by this connection only (no cookie is set).
 */
export function resolveUpgradeIdentity(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  options: Pick<IdentityOptions, 'secret' | 'socketKeyCookie'>,
  isRevoked: RevokedKeyCheck,
): UpgradeIdentity {
  const connectionId = presentedConnectionId(headers, query.get(CONNECTION_ID_PARAM)) ?? createConnectionId();
  const presented = presentedSocketKey(headers, options, isRevoked, query.get(SOCKET_KEY_PARAM));
  const key = presented
    ? { ...presented, digest: socketDigest(presented.socketKey, connectionId), presented: true }
    : throwawayKey(connectionId, options.secret);
  return { connectionId, key };
}

/** A new key for one connection only, for a client that presented none (or a revoked one). */
export function throwawayKey(connectionId: string, secret: string): ConnectionKey {
  const socketKey = createSocketKey();
  return { socketKey, keyId: socketKeyId(secret, socketKey), digest: socketDigest(socketKey, connectionId), presented: false };
}
