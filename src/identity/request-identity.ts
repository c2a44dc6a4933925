import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONNECTION_ID_HEADER, SOCKET_KEY_HEADER } from './identity-headers.js';
import type { IdentityOptions } from './identity-options.interface.js';
import type { RealtimeClientRef } from './realtime-client-ref.interface.js';
import {
  createConnectionId,
  createSocketKey,
  isWellFormedToken,
  socketDigest,
} from './socket-digest.util.js';
import { appendSetCookie } from './response-head.util.js';
import { readCookie, serializeSocketKeyCookie, signSocketKey, verifySignedSocketKey } from './socket-key.cookie.js';

/** Where the middleware leaves a request's identity. */
export const REQUEST_IDENTITY = Symbol('nestjs-realtime:request-identity');

/**
 * The realtime identity of one HTTP request, worked out lazily: a request that
 * never asks costs nothing and sets no cookie.
 *
 * - The socket key comes from the signed cookie, or from the
 *   `X-Realtime-Socket-Key` header of a non-browser client. When there is
 *   neither, a new key is made and set as a signed, HttpOnly cookie. It is
 *   never read from the query string: a link could otherwise fix a victim's key.
 * - The connection id comes from the `X-Realtime-Connection-Id` header (a page
 *   subscribing its own connection from a later request, or a call made over
 *   the socket); otherwise a new one is made for this request, as pakyow makes
 *   one per rendered page.
 */
export class RequestIdentity implements RealtimeClientRef {
  private key?: string;
  private id?: string;

  constructor(
    private readonly request: IncomingMessage,
    private readonly response: ServerResponse | undefined,
    private readonly options: IdentityOptions,
  ) {}

  /** The secret socket key. Reading it may set the cookie on the response. */
  get socketKey(): string {
    this.key ??= this.readKey() ?? this.issueKey();
    return this.key;
  }

  get connectionId(): string {
    if (this.id === undefined) {
      const supplied = this.request.headers[CONNECTION_ID_HEADER];
      this.id = isWellFormedToken(supplied) ? supplied : createConnectionId();
    }
    return this.id;
  }

  get digest(): string {
    return socketDigest(this.socketKey, this.connectionId);
  }

  /** Settles both halves now (setting the cookie if needed) and returns this. */
  issue(): this {
    void this.socketKey;
    void this.connectionId;
    return this;
  }

  private readKey(): string | undefined {
    const supplied = this.request.headers[SOCKET_KEY_HEADER];
    if (isWellFormedToken(supplied)) return supplied;
    const cookie = readCookie(this.request.headers.cookie, this.options.socketKeyCookie);
    return verifySignedSocketKey(cookie, this.options.secret);
  }

  private issueKey(): string {
    const key = createSocketKey();
    const response = this.response;
    if (response && !response.headersSent) {
      const cookie = serializeSocketKeyCookie(
        this.options.socketKeyCookie,
        signSocketKey(key, this.options.secret),
        { secure: this.isSecure(), sameSite: this.options.sameSite },
      );
      appendSetCookie(response, cookie);
    }
    return key;
  }

  private isSecure(): boolean {
    if (this.options.secureCookie !== 'auto') return this.options.secureCookie;
    const socket = this.request.socket as { encrypted?: boolean };
    return socket.encrypted === true || this.request.headers['x-forwarded-proto'] === 'https';
  }
}

/** The identity the middleware attached to a request, if any. */
export function getRequestIdentity(request: unknown): RequestIdentity | undefined {
  return (request as { [REQUEST_IDENTITY]?: RequestIdentity } | undefined)?.[REQUEST_IDENTITY];
}
