import type { NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { injectConnectionId } from './connection-id.injector.js';
import type { IdentityOptions } from './identity-options.interface.js';
import type { RevokedKeyCheck } from './presented-identity.util.js';
import { REQUEST_IDENTITY, RequestIdentity } from './request-identity.js';

/**
 * Gives every HTTP request a lazy realtime identity (for `@RealtimeClient()`),
 * and, when `injectConnectionId` is on, marks HTML pages with their
 * connection id.
 */
export class RealtimeIdentityMiddleware implements NestMiddleware {
  constructor(
    private readonly options: IdentityOptions & { injectConnectionId: boolean },
    /** This instance's copy of the revocation list: a revoked key counts as none. */
    private readonly isRevoked?: RevokedKeyCheck,
  ) {}

  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    const identity = new RequestIdentity(request, response, this.options, this.isRevoked);
    (request as IncomingMessage & { [REQUEST_IDENTITY]?: RequestIdentity })[REQUEST_IDENTITY] = identity;
    if (this.options.injectConnectionId) {
      // The page's socket can only match the page's digest if the browser also
      // holds the key, so a marked page always carries the cookie.
      injectConnectionId(request, response, () => identity.issue().connectionId);
    }
    next();
  }
}
