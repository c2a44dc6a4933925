import type { RealtimeClientRef } from './realtime-client-ref.interface.js';

/**
 * Where a client ref that holds a socket key (an HTTP request's identity, an
 * open connection) answers with the key's id (`socketKeyId`): the id of the
 * key it holds now, or `undefined` when it holds none yet (a request that
 * presented no key and has not needed one).
 * @internal
 */
export const SOCKET_KEY_ID = Symbol('nestjs-realtime:socket-key-id');

/**
 * Where an HTTP request's identity swaps its socket key for a new one and sets
 * the new cookie on its response (sign-out). Returns false when the response
 * had already sent its head, so the browser keeps the old cookie.
 * @internal
 */
export const ROTATE_SOCKET_KEY = Symbol('nestjs-realtime:rotate-socket-key');

interface KeyedClient {
  [SOCKET_KEY_ID]?: () => string | undefined;
  [ROTATE_SOCKET_KEY]?: () => boolean;
}

/** The id of the socket key a client holds, if it is one that knows its key. */
export function socketKeyIdOf(client: RealtimeClientRef): string | undefined {
  const read = (client as KeyedClient)[SOCKET_KEY_ID];
  return typeof read === 'function' ? read.call(client) : undefined;
}

/** Gives an HTTP request's identity a new socket key (and cookie); false for any other client. */
export function rotateSocketKey(client: RealtimeClientRef): boolean {
  const rotate = (client as KeyedClient)[ROTATE_SOCKET_KEY];
  return typeof rotate === 'function' ? rotate.call(client) : false;
}
