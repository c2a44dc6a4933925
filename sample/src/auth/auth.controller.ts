import { Body, Controller, Get, Post, Query, Req, Res, ValidationPipe } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ChannelService, RealtimeClient, type RealtimeClientRef } from 'nestjs-realtime';
import { SessionTokenService } from './session-token.service.js';
import { SESSION_COOKIE, sessionCookieOptions, type RequestLike } from './session.cookie.js';
import { sessionTokenOf } from './signed-in.guard.js';
import { SignInDto } from './sign-in.dto.js';
import { renderSignInPage } from './sign-in.page.js';
import { publicUser } from './user.model.js';
import { UsersStore } from './users.store.js';

const HOME = '/rooms/general';

/** Only paths of this site: never `//evil.example` or `https://...`. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : HOME;
}

function wantsJson(request: RequestLike): boolean {
  return String(request.headers['content-type'] ?? '').startsWith('application/json');
}

/**
 * Sign-in and sign-out. They answer through Nest's HTTP adapter (`reply`,
 * `redirect`, `setCookie`), so they work the same on Express and on Fastify.
 */
@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersStore,
    private readonly tokens: SessionTokenService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly channels: ChannelService,
  ) {}

  private get http() {
    return this.adapterHost.httpAdapter;
  }

  /** The sign-in page; someone already signed in goes on to `next`. */
  @Get('signin')
  async signInPage(@Query('next') next: unknown, @Req() request: RequestLike, @Res() response: unknown): Promise<void> {
    if (await this.tokens.verify(sessionTokenOf(request), 'session')) {
      this.http.redirect(response, 303, safeNext(next));
      return;
    }
    this.html(response, 200, renderSignInPage(this.users.all(), safeNext(next)));
  }

  /**
   * Signs in as `user`. A form post gets the session cookie and a redirect to
   * `next`; a JSON post (curl, tests) gets `{user, token}` as well, the token
   * being usable as `Authorization: Bearer <token>`.
   */
  @Post('signin')
  signIn(
    @Body(new ValidationPipe({ whitelist: true })) body: SignInDto,
    @Req() request: RequestLike,
    @Res() response: unknown,
  ): void {
    const user = this.users.find(body.user);
    if (!user) {
      if (wantsJson(request)) this.http.reply(response, { statusCode: 400, message: 'Unknown user' }, 400);
      else this.html(response, 400, renderSignInPage(this.users.all(), safeNext(body.next), 'Unknown user.'));
      return;
    }
    const token = this.tokens.issue(user, 'session');
    this.http.setCookie(response, SESSION_COOKIE, token, sessionCookieOptions(request));
    if (wantsJson(request)) this.http.reply(response, { user: publicUser(user), token }, 200);
    else this.http.redirect(response, 303, safeNext(body.next));
  }

  /**
   * Signs out and shows the sign-in page. The session is revoked (its cookie
   * or bearer token, and the socket tokens its pages carry, are refused from
   * now on, on every instance), and so is this browser's realtime identity:
   * its open pages' sockets are closed (`4004`) and what their routes
   * subscribed is dropped, on every instance, and the response sets a new
   * socket-key cookie. The session cookie is dropped.
   */
  @Post('signout')
  async signOut(
    @Req() request: RequestLike,
    @Res() response: unknown,
    @RealtimeClient() client: RealtimeClientRef,
  ): Promise<void> {
    // The session first: a page whose socket closes cannot sign in again.
    await this.tokens.revoke(sessionTokenOf(request));
    await this.channels.revoke(client);
    this.http.clearCookie(response, SESSION_COOKIE, sessionCookieOptions(request));
    this.http.redirect(response, 303, '/signin');
  }

  private html(response: unknown, status: number, page: string): void {
    this.http.setHeader(response, 'content-type', 'text/html; charset=utf-8');
    this.http.reply(response, page, status);
  }
}
