import { SINCE_PARAM } from '../protocol/channel-position.js';
import { LAST_EVENT_ID_PARAM } from '../protocol/event-stream.js';
import { CONNECTION_ID_ATTRIBUTE, CONNECTION_ID_PARAM, SOCKET_KEY_PARAM } from '../protocol/identity-names.js';

/** The options the endpoint URL is made of (those of `RealtimeSocketOptions`). */
export interface EndpointOptions {
  url?: string;
  path?: string;
  socketKey?: string;
}

type PageLocation = { protocol?: string; host?: string; href?: string };

/**
 * The upgrade URL: `options.url` (`http(s):` turned into `ws(s):`), or the
 * page's own origin with `options.path`; with the connection id and the
 * socket key as query parameters. Throws a `TypeError` when there is no URL
 * to use (outside a browser page, without `url`) or its scheme is not one of
 * `ws:`, `wss:`, `http:`, `https:`.
 */
export function endpointUrl(options: EndpointOptions, connectionId: string | undefined, since: Record<string, unknown> = {}): string {
  const location = (globalThis as { location?: PageLocation }).location;
  let base = options.url;
  if (base === undefined || base === '') {
    if (!location?.host) {
      throw new TypeError('RealtimeSocket needs options.url outside a browser page');
    }
    const path = options.path ?? '/';
    base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path.startsWith('/') ? path : `/${path}`}`;
  }
  const url = new URL(base, location?.href);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`RealtimeSocket needs a ws:, wss:, http: or https: URL, got ${url.protocol}`);
  }
  if (connectionId !== undefined) url.searchParams.set(CONNECTION_ID_PARAM, connectionId);
  if (options.socketKey) url.searchParams.set(SOCKET_KEY_PARAM, options.socketKey);
  if (Object.keys(since).length > 0) url.searchParams.set(SINCE_PARAM, JSON.stringify(since));
  return url.toString();
}

/**
 * The event stream's URL: the upgrade URL with `http(s):`, and the last `id:`
 * a stream carried (`last_event_id`), when there is one.
 */
export function eventStreamUrl(upgradeUrl: string, lastEventId: string | undefined): string {
  const url = new URL(upgradeUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  if (lastEventId) url.searchParams.set(LAST_EVENT_ID_PARAM, lastEventId);
  return url.toString();
}

/** The connection id a pakyow-style page carries on `<body>`, in a browser. */
export function readPageConnectionId(): string | undefined {
  const doc = (globalThis as { document?: { body?: { getAttribute(name: string): string | null } | null } }).document;
  return doc?.body?.getAttribute(CONNECTION_ID_ATTRIBUTE) || undefined;
}
