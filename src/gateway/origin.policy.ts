/**
 * Whether an upgrade's Origin may open a socket. No Origin means a non-browser
 * client, which an Origin check could not stop anyway; browsers always send it.
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[] | '*' | 'same-origin',
): boolean {
  if (origin === undefined) return true;
  if (allowed === '*') return true;
  if (allowed === 'same-origin') {
    try {
      return host !== undefined && new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  const normalized = origin.replace(/\/+$/, '');
  return allowed.some(entry => entry.replace(/\/+$/, '') === normalized);
}
