import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { WidgetsController } from './widgets.controller.js';
import { WidgetsFamily } from './widgets.family.js';
import { WidgetsHandlers } from './widgets.handlers.js';
import { WidgetsService } from './widgets.service.js';
import { WidgetsStore } from './widgets.store.js';

/** The widgets dashboard: the `widgets` channel family, owner-only. */
@Module({
  imports: [AuthModule],
  controllers: [WidgetsController],
  providers: [WidgetsStore, WidgetsService, WidgetsFamily, WidgetsHandlers],
})
export class WidgetsModule {}
