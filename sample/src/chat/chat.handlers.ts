import { Injectable, ValidationPipe } from '@nestjs/common';
import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { RealtimeHandler, type RealtimeConnection } from 'nestjs-realtime';
import type { User } from '../auth/user.model.js';
import type { ChatMessage } from './chat-message.model.js';
import { ChatService } from './chat.service.js';
import { SendMessageDto } from './send-message.dto.js';

const payload = () => new ValidationPipe({ transform: true, whitelist: true, stopAtFirstError: true });

/** Realtime actions of the chat. */
@Injectable()
export class ChatHandlers {
  constructor(private readonly chat: ChatService) {}

  /** `{room, text}` → the message, which is also pushed to the room. */
  @RealtimeHandler('SendMessage', { reply: 'MessageSent', authRequired: true })
  send(
    @MessageBody(payload()) body: SendMessageDto,
    @ConnectedSocket() connection: RealtimeConnection<User>,
  ): Promise<ChatMessage> {
    return this.chat.post(body.room, connection.user!, body.text);
  }
}
