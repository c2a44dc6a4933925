import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SignedInRequest } from './signed-in.guard.js';

/** The signed-in user of an HTTP route guarded by `SignedInGuard`. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<SignedInRequest>().user,
);
