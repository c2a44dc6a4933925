import { Injectable, ValidationPipe } from '@nestjs/common';
import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { RealtimeClient, RealtimeHandler, type RealtimeClientRef, type RealtimeConnection } from 'nestjs-realtime';
import type { User } from '../auth/user.model.js';
import type { ChatMessage } from './chat-message.model.js';
import { ChatService } from './chat.service.js';
import { JoinRoomDto } from './join-room.dto.js';
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

  /**
   * `{room}` → `{room, messages}`: subscribes this connection to the room
   * (again) and answers with its recent history. A page sends it after a
   * reconnect: the subscription its route made is held by the server, which
   * may have restarted in the meantime and forgotten it, and messages posted
   * while the page was offline were never pushed to it.
   */
  @RealtimeHandler('JoinRoom', { reply: 'RoomJoined', authRequired: true })
  async join(
    @MessageBody(payload()) body: JoinRoomDto,
    @RealtimeClient() client: RealtimeClientRef,
  ): Promise<{ room: string; messages: readonly ChatMessage[] }> {
    // Subscribe first: anything posted from here on is pushed, anything before is in the history.
    await this.chat.follow(client, body.room);
    return { room: body.room, messages: this.chat.recent(body.room) };
  }
}
