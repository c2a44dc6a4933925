/**
 * The WebSocket subprotocol (`Sec-WebSocket-Protocol`) of the wire protocol
 * in docs/protocol.md, version 1. A client may offer it, or offer nothing;
 * a server selects it whenever it is offered. A later, incompatible version
 * of the protocol gets a new name (`nestjs-realtime.v2`), so that a server
 * can tell which one a client speaks before the first frame.
 *
 * @publicApi
 */
export const REALTIME_PROTOCOL = 'nestjs-realtime.v1';

/**
 * The subprotocols a server speaks, the one it prefers first. A client that
 * offers subprotocols and none of these is refused before the handshake.
 */
export const SUPPORTED_PROTOCOLS: readonly string[] = Object.freeze([REALTIME_PROTOCOL]);

/**
 * The subprotocols a `Sec-WebSocket-Protocol` header offers, in the client's
 * order (an empty list when there is no header). Node joins repeated headers
 * with `, `, which this reads as one list.
 */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(',') : header;
  return text
    .split(',')
    .map(token => token.trim())
    .filter(token => token.length > 0);
}

/**
 * The subprotocol a server selects from what a client offered: the first one
 * offered that the server speaks (the client's order wins, as in
 * faye-websocket), or `undefined` when it speaks none of them.
 */
export function selectProtocol(offered: Iterable<string>): string | undefined {
  for (const protocol of offered) if (SUPPORTED_PROTOCOLS.includes(protocol)) return protocol;
  return undefined;
}
