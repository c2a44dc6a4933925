import type { IncomingMessage } from 'node:http';
import type { ResolvedCompression } from '../interfaces/realtime-compression-options.interface.js';
import { LEAST_WINDOW_BITS } from './compression.options.js';

const EXTENSIONS_HEADER = 'sec-websocket-extensions';
const DEFLATE = 'permessage-deflate';
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
/** One extension with its parameters, in the strict form ws can always parse. */
const ELEMENT = new RegExp(`^${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}(?:=(?:${TOKEN}|"${TOKEN}"))?)*$`);
const WINDOW_BITS = /^(?:[89]|1[0-5])$/;

/**
 * Decides, before the ws server reads an upgrade, whether its
 * permessage-deflate offer may be taken: it is removed from the request (the
 * socket then connects uncompressed) when `maxSockets` sockets have
 * compression already, or when ws would refuse the whole handshake over it.
 *
 * NOTE: ws answers `400` to an offer it cannot accept (an unknown parameter,
 * a `server_max_window_bits` below the server's own) instead of declining
 * the extension as RFC 7692 has it; turning compression on must not shut out
 * a client that connected before. So only offers this file fully understands
 * reach ws.
 */
export class DeflateAdmission {
  /** Upgrades whose offer was let through, until their TCP socket closes. */
  private sockets = 0;
  private readonly release = (): void => {
    this.sockets -= 1;
  };

  constructor(private readonly settings: ResolvedCompression) {}

  /** How many sockets hold (or are negotiating) compression now. */
  get compressedSockets(): number {
    return this.sockets;
  }

  /** Leaves the request's offer for ws to accept, or removes it. */
  screen(request: IncomingMessage): void {
    const header = request.headers[EXTENSIONS_HEADER];
    if (header === undefined) return;
    const verdict = typeof header === 'string' ? this.read(header) : 'refuse';
    if (verdict === 'none') return;
    if (verdict === 'refuse' || (this.settings.maxSockets > 0 && this.sockets >= this.settings.maxSockets)) {
      delete request.headers[EXTENSIONS_HEADER];
      return;
    }
    this.sockets += 1;
    request.socket.once('close', this.release);
  }

  /** `deflate` when ws may accept the header's offers, `none` when it offers no deflate. */
  private read(header: string): 'deflate' | 'none' | 'refuse' {
    let offered = false;
    for (const element of header.split(/[ \t]*,[ \t]*/)) {
      if (!ELEMENT.test(element)) return 'refuse';
      const [name, ...params] = element.split(/[ \t]*;[ \t]*/);
      if (name !== DEFLATE) continue;
      offered = true;
      if (!this.acceptable(params)) return 'refuse';
    }
    return offered ? 'deflate' : 'none';
  }

  /** Whether ws takes one offer's parameters, and compresses with a window it can honour. */
  private acceptable(params: string[]): boolean {
    const seen = new Set<string>();
    for (const param of params) {
      const [key, quoted] = param.split('=', 2) as [string, string | undefined];
      const value = quoted?.replace(/^"(.*)"$/, '$1');
      if (seen.has(key)) return false;
      seen.add(key);
      if (key === 'server_no_context_takeover' || key === 'client_no_context_takeover') {
        if (value !== undefined) return false;
      } else if (key === 'client_max_window_bits') {
        if (value !== undefined && !WINDOW_BITS.test(value)) return false;
      } else if (key === 'server_max_window_bits') {
        if (value === undefined || !WINDOW_BITS.test(value)) return false;
        if (Number(value) < Math.max(LEAST_WINDOW_BITS, this.settings.windowBits)) return false;
      } else {
        return false;
      }
    }
    return true;
  }
}
