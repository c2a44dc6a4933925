import type { IncomingMessage } from 'node:http';

/** A request target in absolute form (`ws://host/path`), which HTTP allows. */
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Whether an upgrade request must be refused (its socket destroyed, with no
 * response) before `@nestjs/platform-ws` sees it.
 *
 * NOTE: platform-ws routes an upgrade by `new URL(request.url, 'ws://' + host
 * + '/').pathname`. When that throws (a target of `//`, a bad Host header) it
 * answers `HTTP/1.1 400\r\nInvalid URL`, which no client can parse as HTTP;
 * and targets that only resolve to the gateway's path (`//evil.example/`,
 * `/a/../`) reach the gateway although its path must match exactly. Other
 * paths are left alone: another gateway may serve them, and platform-ws
 * closes the ones nobody serves.
 */
export function refusesUpgrade(request: Pick<IncomingMessage, 'url' | 'headers'>, path: string): boolean {
  const target = request.url ?? '';
  let pathname: string;
  try {
    pathname = new URL(target, `ws://${request.headers.host}/`).pathname;
  } catch {
    return true;
  }
  if (pathname !== path) return false;
  if (ABSOLUTE_FORM.test(target)) return false;
  return target.split(/[?#]/, 1)[0] !== path;
}
