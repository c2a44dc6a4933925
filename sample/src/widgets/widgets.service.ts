import { BadRequestException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { ChannelService } from 'nestjs-realtime';
import type { User } from '../auth/user.model.js';
import { MAX_QTY, WIDGET_QTY_CHANGED, WIDGETS_FAMILY, type Widget, type WidgetQtyChanged } from './widget.model.js';
import { WidgetsStore } from './widgets.store.js';

/** Reads and changes widgets; only owners may see a widget's stock live or change it. */
@Injectable()
export class WidgetsService {
  constructor(
    private readonly store: WidgetsStore,
    private readonly channels: ChannelService,
  ) {}

  all(): readonly Widget[] {
    return this.store.all();
  }

  /** Whether `user` owns widget `id` (the family authorizer asks this). */
  owns(user: User | undefined, id: string): boolean {
    return user !== undefined && this.store.find(id)?.owner === user.name;
  }

  /** The widget, if `user` owns it. @throws NotFoundException, ForbiddenException */
  owned(user: User, id: string): Widget {
    const widget = this.store.find(id);
    if (!widget) throw new NotFoundException(`No widget ${id}`);
    if (widget.owner !== user.name) throw new ForbiddenException(`Widget ${id} is not yours`);
    return widget;
  }

  /** Sets the quantity and pushes `WidgetQtyChanged {qty}` to `widgets:<id>`. */
  async setQty(user: User, id: string, qty: number): Promise<Widget> {
    const widget = this.owned(user, id);
    widget.qty = qty;
    const change: WidgetQtyChanged = { qty };
    await this.channels.pushEvent(WIDGETS_FAMILY, id, WIDGET_QTY_CHANGED, change);
    return widget;
  }

  /** Adds `delta` (which may be negative) to the quantity. */
  adjust(user: User, id: string, delta: number): Promise<Widget> {
    const widget = this.owned(user, id);
    const qty = widget.qty + delta;
    if (qty < 0) throw new BadRequestException(`Only ${widget.qty} left`);
    if (qty > MAX_QTY) throw new BadRequestException(`At most ${MAX_QTY}`);
    return this.setQty(user, id, qty);
  }
}
