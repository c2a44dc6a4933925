import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthController } from './auth.controller.js';
import { AuthHandlers } from './auth.handlers.js';
import { SessionTokenService } from './session-token.service.js';
import { SignInRequiredFilter } from './sign-in-required.filter.js';
import { SignedInGuard } from './signed-in.guard.js';
import { UsersStore } from './users.store.js';

/**
 * Who is who: the user store, signed session tokens, the sign-in pages, the
 * HTTP guard, and the `Authenticate` realtime action.
 */
@Module({
  controllers: [AuthController],
  providers: [UsersStore, SessionTokenService, SignedInGuard, AuthHandlers, { provide: APP_FILTER, useClass: SignInRequiredFilter }],
  exports: [UsersStore, SessionTokenService, SignedInGuard],
})
export class AuthModule {}
