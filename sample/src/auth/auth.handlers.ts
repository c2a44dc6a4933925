import { Injectable } from '@nestjs/common';
import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { RealtimeException, RealtimeHandler, type RealtimeConnection } from 'nestjs-realtime';
import { SessionTokenService } from './session-token.service.js';
import { publicUser, type PublicUser, type User } from './user.model.js';

/** The reply to `Authenticate`. */
export interface Authenticated {
  user: PublicUser;
}

/** Realtime actions of the auth feature. */
@Injectable()
export class AuthHandlers {
  constructor(private readonly tokens: SessionTokenService) {}

  /**
   * Signs a connection in with the socket token its page carries. The page's
   * client sends it after every (re)connect (`authenticate` option), before it
   * subscribes to anything, so family authorizers see the user. A token of a
   * session that was signed out is refused like an expired one.
   */
  @RealtimeHandler('Authenticate', { reply: 'Authenticated' })
  async authenticate(
    @MessageBody('token') token: unknown,
    @ConnectedSocket() connection: RealtimeConnection<User>,
  ): Promise<Authenticated> {
    const user = await this.tokens.verify(token, 'socket');
    connection.user = user;
    if (!user) throw new RealtimeException('InvalidSession', 'Your session has expired: sign in again');
    return { user: publicUser(user) };
  }
}
