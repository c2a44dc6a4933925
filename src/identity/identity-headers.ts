/** Query parameter of the upgrade URL that carries the connection id (pakyow's name). */
export const CONNECTION_ID_PARAM = 'socket_connection_id';
/** Query parameter of the upgrade URL that carries a non-browser client's socket key. */
export const SOCKET_KEY_PARAM = 'socket_key';
/** Header that carries the connection id on HTTP requests and upgrades. */
export const CONNECTION_ID_HEADER = 'x-realtime-connection-id';
/** Header that carries a non-browser client's socket key. */
export const SOCKET_KEY_HEADER = 'x-realtime-socket-key';
