import { UnauthorizedException } from '@nestjs/common';

/** Thrown by `SignedInGuard`: a page redirects to the sign-in page, an API call gets 401. */
export class SignInRequiredException extends UnauthorizedException {
  constructor() {
    super('Sign in first');
  }
}
