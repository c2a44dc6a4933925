import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * Which proxies' `X-Forwarded-For` to believe: none (`false`), any (`true`),
 * the nearest N hops (a number), or those at the addresses and subnets listed
 * (`'10.0.0.0/8'`, `'::1'`, `'loopback'`, `'private'`).
 */
export type TrustProxy = boolean | number | readonly string[];

const NAMED_RANGES: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10'],
};

/** `::ffff:10.0.0.1` is `10.0.0.1`: one client, one address, whichever stack accepted it. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const trimmed = address.trim();
  return trimmed.toLowerCase().startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

/** A BlockList of the listed addresses and subnets, or the reason one entry is not one. */
export function trustedProxies(entries: readonly string[]): BlockList | string {
  const list = new BlockList();
  for (const entry of entries) {
    for (const item of NAMED_RANGES[entry] ?? [entry]) {
      const [address, bits] = item.split('/');
      const family = isIP(address ?? '');
      if (family === 0) return `"${entry}" is not an IP address, a subnet, 'loopback' or 'private'`;
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) list.addAddress(address!, type);
      else {
        const prefix = Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return `"${entry}" has a bad prefix length`;
        list.addSubnet(address!, prefix, type);
      }
    }
  }
  return list;
}

/**
 * Works out a client's address from an upgrade (or any request), believing
 * `X-Forwarded-For` only as far as `trustProxy` says: from the socket's peer,
 * each trusted hop may name the one before it, and the first untrusted
 * address is the client (Express's `trust proxy` rule).
 *
 * NOTE: a client can write `X-Forwarded-For` itself. Believed from anyone, it
 * would let one client pass for many addresses and slip past per-address
 * limits, so nothing is believed by default.
 */
export class ClientAddressResolver {
  private readonly proxies: BlockList | undefined;

  constructor(private readonly trust: TrustProxy) {
    if (Array.isArray(trust)) {
      const list = trustedProxies(trust);
      if (typeof list === 'string') throw new Error(list);
      this.proxies = list;
    }
  }

  resolve(request: IncomingMessage): string | undefined {
    const peer = normalizeAddress(request.socket.remoteAddress);
    if (this.trust === false || this.trust === 0) return peer;
    const header = request.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map(part => normalizeAddress(part))
      .filter((part): part is string => part !== undefined && isIP(part) !== 0);
    // From the nearest hop outwards: the peer, then the header right to left.
    const chain = [peer, ...forwarded.reverse()];
    for (let hop = 0; hop < chain.length - 1; hop++) {
      if (!this.trusts(chain[hop], hop)) return chain[hop];
    }
    return chain[chain.length - 1];
  }

  private trusts(address: string | undefined, hop: number): boolean {
    if (address === undefined) return false;
    if (this.trust === true) return true;
    if (typeof this.trust === 'number') return hop < this.trust;
    const family = isIP(address);
    return family !== 0 && this.proxies!.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}
