/**
 * Set (to `'1'`) on the requests the server makes for a route call over the
 * socket (`call-route`), for routes that want to know (pakyow's `req.socket?`).
 * Information, never proof: any HTTP client can send it too.
 *
 * @publicApi
 */
export const CALL_ROUTE_HEADER = 'x-realtime-call-route';
