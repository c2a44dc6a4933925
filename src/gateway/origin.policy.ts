/**
 * Whether an upgrade's Origin may open a socket. No Origin means a non-browser
 * client, which an Origin check could not stop anyway; browsers always send it.
 *
 * Same-origin compares the scheme too: an `https://` page and an `http://` one
 * on the same host and port are different origins, and a plain-HTTP page (one
 * an attacker on the network can write into) must not open the TLS site's
 * socket with its cookies.
 *
 * @param scheme the scheme the request came in on, `'http'` or `'https'`
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[] | '*' | 'same-origin',
  scheme: 'http' | 'https',
): boolean {
  if (origin === undefined) return true;
  if (allowed === '*') return true;
  if (allowed === 'same-origin') {
    try {
      const url = new URL(origin);
      return host !== undefined && url.host === host && url.protocol === `${scheme}:`;
    } catch {
      return false;
    }
  }
  const normalized = origin.replace(/\/+$/, '');
  return allowed.some(entry => entry.replace(/\/+$/, '') === normalized);
}

/**
 * The scheme a request came in on: TLS on this socket, else what a TLS-ending
 * proxy said in `X-Forwarded-Proto`.
 *
 * NOTE: believed whoever sent it, unlike `X-Forwarded-For`: it only tells
 * which Origin is this site's, and a page in a browser cannot set it on an
 * upgrade, while a client outside a browser can write any Origin anyway.
 */
export function requestScheme(encrypted: boolean, forwardedProto: string | string[] | undefined): 'http' | 'https' {
  if (encrypted) return 'https';
  const first = (Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https' ? 'https' : 'http';
}
