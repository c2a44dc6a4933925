import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentityOptions } from './identity-options.interface.js';
import { ROTATE_SOCKET_KEY, SOCKET_KEY_ID } from './client-socket-key.util.js';
import { presentedConnectionId, presentedSocketKey, type RevokedKeyCheck } from './presented-identity.util.js';
import type { RealtimeClientRef } from './realtime-client-ref.interface.js';
import { createConnectionId, createSocketKey, socketDigest, socketKeyId } from './socket-digest.util.js';
import { appendSetCookie, removeSetCookie } from './response-head.util.js';
import { serializeSocketKeyCookie, signSocketKey } from './socket-key.cookie.js';

/** Where the middleware leaves a request's identity. */
export const REQUEST_IDENTITY = Symbol('nestjs-realtime:request-identity');

const NEVER_REVOKED: RevokedKeyCheck = () => false;

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
 * - A revoked key (sign-out, `ChannelService.revoke()`) counts as no key: the
 *   request gets a fresh one, and nothing held under the old one.
 */
export class RequestIdentity implements RealtimeClientRef {
  private key?: string;
  private keyId?: string;
  private id?: string;

  constructor(
    private readonly request: IncomingMessage,
    private readonly response: ServerResponse | undefined,
    private readonly options: IdentityOptions,
    private readonly isRevoked: RevokedKeyCheck = NEVER_REVOKED,
  ) {}

  /** The secret socket key. Reading it may set the cookie on the response. */
  get socketKey(): string {
    this.key ??= this.readKey() ?? this.issueKey();
    return this.key;
  }

  get connectionId(): string {
    this.id ??= presentedConnectionId(this.request.headers) ?? createConnectionId();
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

  /** @internal The id of the key this request holds, without making one. */
  [SOCKET_KEY_ID](): string | undefined {
    if (this.key === undefined) this.key = this.readKey();
    if (this.key === undefined) return undefined;
    this.keyId ??= socketKeyId(this.options.secret, this.key);
    return this.keyId;
  }

  /**
   * @internal Swaps the key for a new one, whose cookie replaces the old one
   * on the response. The connection id stays. False when the head is sent.
   */
  [ROTATE_SOCKET_KEY](): boolean {
    this.keyId = undefined;
    this.key = this.issueKey();
    return this.response !== undefined && !this.response.headersSent;
  }

  private readKey(): string | undefined {
    const presented = presentedSocketKey(this.request.headers, this.options, this.isRevoked);
    if (presented) this.keyId = presented.keyId;
    return presented?.socketKey;
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
      // A key issued earlier on this response (then rotated) must not stay next to it.
      removeSetCookie(response, this.options.socketKeyCookie);
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
