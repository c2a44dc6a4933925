import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SignInRequiredException } from './sign-in-required.exception.js';
import type { RequestLike } from './session.cookie.js';

/**
 * A browser asking for a page without a session goes to the sign-in page (and
 * comes back after); anything else gets `401` as JSON. It answers through
 * Nest's HTTP adapter, so it works on Express and on Fastify.
 */
@Catch(SignInRequiredException)
export class SignInRequiredFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: SignInRequiredException, host: ArgumentsHost): void {
    const http = this.adapterHost.httpAdapter;
    const request = host.switchToHttp().getRequest<RequestLike>();
    const response = host.switchToHttp().getResponse<unknown>();
    if (http.getRequestMethod(request) === 'GET' && String(request.headers.accept ?? '').includes('text/html')) {
      http.redirect(response, 303, `/signin?next=${encodeURIComponent(http.getRequestUrl(request))}`);
      return;
    }
    http.reply(response, exception.getResponse(), exception.getStatus());
  }
}
