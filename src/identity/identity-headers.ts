export { CONNECTION_ID_PARAM, SOCKET_KEY_PARAM } from '../protocol/identity-names.js';
/** Header that carries the connection id on HTTP requests and upgrades. */
export const CONNECTION_ID_HEADER = 'x-realtime-connection-id';
/** Header that carries a non-browser client's socket key. */
export const SOCKET_KEY_HEADER = 'x-realtime-socket-key';
