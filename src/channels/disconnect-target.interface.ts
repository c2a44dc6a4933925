import type { RealtimeClientRef } from '../identity/realtime-client-ref.interface.js';

/**
 * Whose realtime access `ChannelService.disconnect()` ends, on every instance:
 *
 * - `{ client }`: one page (the client's digest): its sockets, and what is
 *   subscribed under it;
 * - `{ connectionId }`: every socket that connected with this id (whatever its
 *   key), and what is subscribed under their digests;
 * - `{ socketKeyOf: client }`: every page of the browser (or non-browser
 *   client) that holds this client's socket key: all its sockets, and every
 *   digest made with the key. The client must be one that knows its key
 *   (`@RealtimeClient()` in a route, `@ConnectedSocket()` in a handler);
 * - `{ user }`: every socket signed in as this user (the `userId` option tells
 *   a connection's user id), and every digest made with those sockets' keys.
 *
 * @publicApi
 */
export type DisconnectTarget =
  | { client: RealtimeClientRef }
  | { connectionId: string }
  | { socketKeyOf: RealtimeClientRef }
  | { user: string | number };

/**
 * What ending access did on this instance; other instances close their own
 * sockets when the message reaches them.
 * @publicApi
 */
export interface DisconnectReceipt {
  /** Sockets of this instance that were closed (`4004`). */
  localConnections: number;
}
