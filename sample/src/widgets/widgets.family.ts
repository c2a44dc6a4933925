import { Injectable } from '@nestjs/common';
import { ChannelFamily, type ChannelAuthorizer, type RealtimeConnection } from 'nestjs-realtime';
import type { User } from '../auth/user.model.js';
import { WIDGETS_FAMILY } from './widget.model.js';
import { WidgetsService } from './widgets.service.js';

/**
 * The `widgets` channel family: a client may `Subscribe` to `widgets:<id>`
 * only when its connection is signed in (`Authenticate`) as the widget's owner.
 * Asked again every `reauthorizeInterval`.
 */
@ChannelFamily(WIDGETS_FAMILY)
@Injectable()
export class WidgetsFamily implements ChannelAuthorizer<User> {
  constructor(private readonly widgets: WidgetsService) {}

  authorize(id: string, connection: RealtimeConnection<User>): boolean {
    return this.widgets.owns(connection.user, id);
  }
}
