import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { SignedInRequest } from './signed-in.guard.js';

/** The session id of an HTTP route guarded by `SignedInGuard`: the socket tokens of its pages carry it. */
export const CurrentSessionId = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<SignedInRequest>().sessionId,
);
