import { Body, Controller, Get, HttpCode, Post, Query, Req, Res, ValidationPipe } from '@nestjs/common';
import type { Request, Response } from 'express';
import { SessionTokenService } from './session-token.service.js';
import { clearedSessionCookie, sessionCookie } from './session.cookie.js';
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

function wantsJson(request: Request): boolean {
  return Boolean(request.is('application/json'));
}

@Controller()
export class AuthController {
  constructor(
    private readonly users: UsersStore,
    private readonly tokens: SessionTokenService,
  ) {}

  /** The sign-in page; someone already signed in goes on to `next`. */
  @Get('signin')
  signInPage(@Query('next') next: unknown, @Req() request: Request, @Res() response: Response): void {
    if (this.tokens.verify(sessionTokenOf(request), 'session')) {
      response.redirect(303, safeNext(next));
      return;
    }
    response.type('html').send(renderSignInPage(this.users.all(), safeNext(next)));
  }

  /**
   * Signs in as `user`. A form post gets the session cookie and a redirect to
   * `next`; a JSON post (curl, tests) gets `{user, token}` as well, the token
   * being usable as `Authorization: Bearer <token>`.
   */
  @Post('signin')
  @HttpCode(200)
  signIn(
    @Body(new ValidationPipe({ whitelist: true })) body: SignInDto,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const user = this.users.find(body.user);
    if (!user) {
      if (wantsJson(request)) response.status(400).json({ statusCode: 400, message: 'Unknown user' });
      else response.status(400).type('html').send(renderSignInPage(this.users.all(), safeNext(body.next), 'Unknown user.'));
      return;
    }
    const token = this.tokens.issue(user, 'session');
    response.setHeader('set-cookie', sessionCookie(request, token));
    if (wantsJson(request)) response.json({ user: publicUser(user), token });
    else response.redirect(303, safeNext(body.next));
  }

  /** Signs out (the session cookie is dropped) and shows the sign-in page. */
  @Post('signout')
  signOut(@Req() request: Request, @Res() response: Response): void {
    response.setHeader('set-cookie', clearedSessionCookie(request));
    response.redirect(303, '/signin');
  }
}
