import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ChatController } from './chat.controller.js';
import { ChatHandlers } from './chat.handlers.js';
import { ChatService } from './chat.service.js';

/** Chat rooms: pages subscribed to `chat:<room>`, posting over HTTP or over the socket. */
@Module({
  imports: [AuthModule],
  controllers: [ChatController],
  providers: [ChatService, ChatHandlers],
})
export class ChatModule {}
