import { Body, Controller, Get, Header, Param, Post, Redirect, UseGuards, ValidationPipe } from '@nestjs/common';
import { RealtimeClient, type RealtimeClientRef } from 'nestjs-realtime';
import { CurrentSessionId } from '../auth/current-session-id.decorator.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { SessionTokenService } from '../auth/session-token.service.js';
import { SignedInGuard } from '../auth/signed-in.guard.js';
import type { User } from '../auth/user.model.js';
import type { ChatMessage } from './chat-message.model.js';
import { renderChatPage } from './chat.page.js';
import { ChatService } from './chat.service.js';
import { PostMessageDto } from './post-message.dto.js';
import { ROOMS, type Room } from './room.model.js';
import { RoomPipe } from './room.pipe.js';

@Controller('rooms')
@UseGuards(SignedInGuard)
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly tokens: SessionTokenService,
  ) {}

  @Get()
  @Redirect('/rooms/general', 302)
  index(): void {}

  /**
   * A room's page. Its client is subscribed to `chat:<room>` while the page
   * renders, so the socket the page opens with its connection id (written onto
   * `<body>` by the module) receives the room at once.
   */
  @Get(':room')
  @Header('content-type', 'text/html; charset=utf-8')
  async page(
    @Param('room', RoomPipe) room: Room,
    @CurrentUser() user: User,
    @CurrentSessionId() sessionId: string,
    @RealtimeClient() client: RealtimeClientRef,
  ): Promise<string> {
    await this.chat.follow(client, room.name);
    return renderChatPage({
      user,
      room,
      rooms: ROOMS,
      messages: this.chat.recent(room.name),
      socketToken: this.tokens.issue(user, 'socket', sessionId),
    });
  }

  /** The room's recent messages, oldest first. */
  @Get(':room/messages')
  history(@Param('room', RoomPipe) room: Room): { room: string; messages: readonly ChatMessage[] } {
    return { room: room.name, messages: this.chat.recent(room.name) };
  }

  /** Posts `{text}` as the signed-in user (for curl and scripts; pages use `SendMessage`). */
  @Post(':room/messages')
  post(
    @Param('room', RoomPipe) room: Room,
    @CurrentUser() user: User,
    @Body(new ValidationPipe({ transform: true, whitelist: true, stopAtFirstError: true })) body: PostMessageDto,
  ): Promise<ChatMessage> {
    return this.chat.post(room.name, user, body.text);
  }
}
