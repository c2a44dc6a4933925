import { Body, Controller, Get, Header, HttpCode, Param, Post, UseGuards, ValidationPipe } from '@nestjs/common';
import { CurrentSessionId } from '../auth/current-session-id.decorator.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { SessionTokenService } from '../auth/session-token.service.js';
import { SignedInGuard } from '../auth/signed-in.guard.js';
import type { User } from '../auth/user.model.js';
import { UsersStore } from '../auth/users.store.js';
import { SetQtyDto } from './set-qty.dto.js';
import type { Widget } from './widget.model.js';
import { renderWidgetsPage } from './widgets.page.js';
import { WidgetsService } from './widgets.service.js';

@Controller('widgets')
@UseGuards(SignedInGuard)
export class WidgetsController {
  constructor(
    private readonly widgets: WidgetsService,
    private readonly users: UsersStore,
    private readonly tokens: SessionTokenService,
  ) {}

  /**
   * The dashboard. Nothing is subscribed here: the page subscribes to each
   * widget over its socket (`widgets` family), and the family decides.
   */
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(@CurrentUser() user: User, @CurrentSessionId() sessionId: string): string {
    const all = this.widgets.all();
    return renderWidgetsPage({
      user,
      // Yours first, then everyone else's.
      widgets: [...all.filter(widget => widget.owner === user.name), ...all.filter(widget => widget.owner !== user.name)],
      ownerOf: widget => this.users.find(widget.owner),
      socketToken: this.tokens.issue(user, 'socket', sessionId),
    });
  }

  /** One of your widgets, as JSON (pages read it again after a reconnect). */
  @Get(':id')
  show(@Param('id') id: string, @CurrentUser() user: User): Widget {
    return this.widgets.owned(user, id);
  }

  /** Sets `{qty}` of one of your widgets; every subscriber gets `WidgetQtyChanged`. */
  @Post(':id/qty')
  @HttpCode(200)
  setQty(
    @Param('id') id: string,
    @CurrentUser() user: User,
    @Body(new ValidationPipe({ transform: true, whitelist: true, stopAtFirstError: true })) body: SetQtyDto,
  ): Promise<Widget> {
    return this.widgets.setQty(user, id, body.qty);
  }
}
