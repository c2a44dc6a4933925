import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthController } from './auth.controller.js';
import { AuthHandlers } from './auth.handlers.js';
import { RedisRevokedSessions } from './redis-revoked-sessions.store.js';
import { MemoryRevokedSessions, RevokedSessions } from './revoked-sessions.store.js';
import { SessionTokenService } from './session-token.service.js';
import { SignInRequiredFilter } from './sign-in-required.filter.js';
import { SignedInGuard } from './signed-in.guard.js';
import { UsersStore } from './users.store.js';

/**
 * Who is who: the user store, signed session tokens and the sessions signed
 * out (in Redis when the instances share one, `REDIS_URL`), the sign-in
 * pages, the HTTP guard, and the `Authenticate` realtime action.
 */
@Module({
  controllers: [AuthController],
  providers: [
    UsersStore,
    {
      provide: RevokedSessions,
      useFactory: () => (process.env.REDIS_URL ? new RedisRevokedSessions(process.env.REDIS_URL) : new MemoryRevokedSessions()),
    },
    SessionTokenService,
    SignedInGuard,
    AuthHandlers,
    { provide: APP_FILTER, useClass: SignInRequiredFilter },
  ],
  exports: [UsersStore, SessionTokenService, SignedInGuard],
})
export class AuthModule {}
