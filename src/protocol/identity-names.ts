/**
 * Where a client presents its identity: the query parameters of the upgrade
 * URL (pakyow's names) and the attribute a marked page carries its connection
 * id in.
 *
 * @example ws://localhost:3000/?socket_connection_id=0292…
 */

/** Query parameter of the upgrade URL that carries the connection id (pakyow's name). */
export const CONNECTION_ID_PARAM = 'socket_connection_id';

/** Query parameter of the upgrade URL that carries a non-browser client's socket key. */
export const SOCKET_KEY_PARAM = 'socket_key';

/** Attribute of `<body>` that a marked page (`injectConnectionId`) carries its connection id in. */
export const CONNECTION_ID_ATTRIBUTE = 'data-socket-connection-id';
