import type { IncomingMessage } from 'node:http';
import type { ResolvedRealtimeOptions } from '../interfaces/realtime-module-options.interface.js';
import { AddressAdmission } from './address-admission.js';
import { ClientAddressResolver } from './client-address.resolver.js';
import { isOriginAllowed, requestScheme } from './origin.policy.js';
import { offeredProtocols, selectProtocol, SUPPORTED_PROTOCOLS } from '../protocol/subprotocol.js';
import { UNSUPPORTED_SUBPROTOCOL } from '../realtime.messages.js';
import { SHUTDOWN_CLOSE_TEXT, SHUTDOWN_RECONNECT_WITHIN_MS } from '../realtime.constants.js';

/** Where an admitted upgrade keeps the client address worked out for it. */
const CLIENT_ADDRESS = Symbol('nestjs-realtime:client-address');

type VerifyDone = (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;

/** A client that offers subprotocols, none of them ours, is refused: it would not understand us. */
function refusesSubprotocols(header: string | string[] | undefined): boolean {
  const offered = offeredProtocols(header);
  return offered.length > 0 && selectProtocol(offered) === undefined;
}

/** What admission decided about one request: a place (released when it ends), or a plain HTTP refusal. */
export type Admission =
  | { admitted: true; address: string | undefined; release: () => void }
  | { admitted: false; status: 400 | 403 | 429 | 503; message: string; headers: Record<string, string> };

/**
 * Decides, before the handshake, whether an upgrade may become a socket (and
 * whether a `GET` may become an event stream): the instance is not draining,
 * its Origin (scheme included), the subprotocols it offers, and its address's
 * share of open connections, sockets and streams counted together. Refusals
 * are plain HTTP answers (`503`, `403`, `400`, `429`), so no socket is made
 * for them.
 *
 * NOTE: one instance per gateway, provided, so that the event stream
 * (`EventStreamEndpoint`) counts against the same per-address cap.
 */
export class UpgradeAdmission {
  private readonly addresses: ClientAddressResolver;
  private readonly counts: AddressAdmission;

  constructor(
    private readonly options: ResolvedRealtimeOptions,
    private readonly draining: () => boolean = () => false,
  ) {
    this.addresses = new ClientAddressResolver(options.trustProxy);
    this.counts = new AddressAdmission(options.maxConnectionsPerAddress);
  }

  /** The `verifyClient` of the ws server. */
  readonly verify = (info: { req: IncomingMessage }, done: VerifyDone): void => {
    const request = info.req;
    const admission = this.admit(request);
    if (!admission.admitted) return done(false, admission.status, admission.message, admission.headers);
    // Released when the TCP socket closes, whether or not the handshake ends well.
    request.socket.once('close', admission.release);
    (request as IncomingMessage & { [CLIENT_ADDRESS]?: string })[CLIENT_ADDRESS] = admission.address;
    done(true);
  };

  /**
   * Checks a request's Origin and takes a place for its address; the caller
   * releases the place when the connection ends.
   */
  admit(request: IncomingMessage): Admission {
    // A draining instance sends clients elsewhere: a load balancer or a client
    // that retries lands on another instance.
    if (this.draining()) {
      const retryAfter = String(Math.ceil(SHUTDOWN_RECONNECT_WITHIN_MS / 1000));
      return { admitted: false, status: 503, message: SHUTDOWN_CLOSE_TEXT, headers: { 'Retry-After': retryAfter } };
    }
    const origin = request.headers.origin;
    const scheme = requestScheme((request.socket as { encrypted?: boolean }).encrypted === true, request.headers['x-forwarded-proto']);
    if (!isOriginAllowed(Array.isArray(origin) ? origin[0] : origin, request.headers.host, this.options.allowedOrigins, scheme)) {
      return { admitted: false, status: 403, message: 'Origin not allowed', headers: {} };
    }
    if (refusesSubprotocols(request.headers['sec-websocket-protocol'])) {
      // The server's own list, as a server names its versions when it refuses one (RFC 6455, 4.4).
      return {
        admitted: false,
        status: 400,
        message: UNSUPPORTED_SUBPROTOCOL(SUPPORTED_PROTOCOLS),
        headers: { 'Sec-WebSocket-Protocol': SUPPORTED_PROTOCOLS.join(', ') },
      };
    }
    const address = this.addresses.resolve(request);
    const release = this.counts.admit(address);
    if (!release) return { admitted: false, status: 429, message: 'Too many connections from this address', headers: { 'Retry-After': '10' } };
    return { admitted: true, address, release };
  }

  /** The client address of an admitted upgrade. */
  addressOf(request: IncomingMessage): string | undefined {
    return (request as IncomingMessage & { [CLIENT_ADDRESS]?: string })[CLIENT_ADDRESS] ?? this.addresses.resolve(request);
  }
}
