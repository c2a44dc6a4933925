import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SignInRequiredException } from './sign-in-required.exception.js';

/**
 * A browser asking for a page without a session goes to the sign-in page (and
 * comes back after); anything else gets `401` as JSON.
 */
@Catch(SignInRequiredException)
export class SignInRequiredFilter implements ExceptionFilter {
  catch(exception: SignInRequiredException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (request.method === 'GET' && String(request.headers.accept ?? '').includes('text/html')) {
      response.redirect(303, `/signin?next=${encodeURIComponent(request.originalUrl)}`);
      return;
    }
    response.status(exception.getStatus()).json(exception.getResponse());
  }
}
