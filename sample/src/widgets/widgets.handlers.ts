import { Injectable, ValidationPipe } from '@nestjs/common';
import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { RealtimeHandler, type RealtimeConnection } from 'nestjs-realtime';
import type { User } from '../auth/user.model.js';
import { AdjustQtyDto } from './adjust-qty.dto.js';
import type { WidgetQtyChanged } from './widget.model.js';
import { WidgetsService } from './widgets.service.js';

/** Realtime actions of the widgets dashboard. */
@Injectable()
export class WidgetsHandlers {
  constructor(private readonly widgets: WidgetsService) {}

  /**
   * `{id, delta}` → `{qty}`, for the widget's owner only (`Forbidden`
   * otherwise). Everyone subscribed to the widget gets `WidgetQtyChanged`.
   */
  @RealtimeHandler('AdjustQty', { reply: 'QtyAdjusted', authRequired: true })
  async adjust(
    @MessageBody(new ValidationPipe({ transform: true, whitelist: true, stopAtFirstError: true })) body: AdjustQtyDto,
    @ConnectedSocket() connection: RealtimeConnection<User>,
  ): Promise<WidgetQtyChanged> {
    const widget = await this.widgets.adjust(connection.user!, body.id, body.delta);
    return { qty: widget.qty };
  }
}
