import { TestClient } from './ws-client.js';

/** What a page's script opens its socket with: its connection id and, when the browser holds one, its cookie. */
export interface PageSocket {
  connectionId: string;
  cookie?: string;
}

/** The URL a page's socket opens: the app's WebSocket URL (or `ws`) with `?socket_connection_id=<id>`. */
export function pageSocketUrl(server: { ws: string } | string, connectionId: string): string {
  return `${typeof server === 'string' ? server : server.ws}?socket_connection_id=${connectionId}`;
}

/**
 * Connects a real `ws` client as a page's script would: with the page's id in
 * the URL and its cookie (if any) on the upgrade, next to `headers`. Waits for
 * the Welcome, or with `welcome: false` only for the socket to be open (for a
 * page the server sends away).
 */
export function connectPage(
  server: { ws: string } | string,
  page: PageSocket,
  { headers = {}, welcome = true }: { headers?: Record<string, string>; welcome?: boolean } = {},
): Promise<TestClient> {
  const url = pageSocketUrl(server, page.connectionId);
  const options = { headers: page.cookie === undefined ? headers : { cookie: page.cookie, ...headers } };
  return welcome ? TestClient.connect(url, options) : TestClient.open(url, options);
}
