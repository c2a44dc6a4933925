import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ChannelService, type RealtimeClientRef } from 'nestjs-realtime';
import { publicUser, type User } from '../auth/user.model.js';
import { CHAT_MESSAGE_EVENT, chatChannel, type ChatMessage } from './chat-message.model.js';

/** Messages each room remembers, so a fresh page (or one that was offline) is not empty. */
const HISTORY_LIMIT = 50;

/**
 * Chat rooms: who follows them, and the recent history of each (in memory,
 * per instance: with Redis, pushes cross instances but each remembers what
 * was posted to it).
 */
@Injectable()
export class ChatService {
  private readonly history = new Map<string, ChatMessage[]>();

  constructor(private readonly channels: ChannelService) {}

  /**
   * Subscribes a client to a room: a page being rendered (before its socket
   * connects), or an open connection. Held under the client's digest, so a
   * page's socket gets it only with the page's own connection id and cookie.
   */
  follow(client: RealtimeClientRef, room: string): Promise<void> {
    return this.channels.subscribe(client, chatChannel(room));
  }

  /** The room's latest messages, oldest first. */
  recent(room: string): readonly ChatMessage[] {
    return this.history.get(room) ?? [];
  }

  /**
   * Posts a message: remembers it, and pushes it to everyone in the room. A
   * push that Redis cannot take (a long outage) is refused before anyone got
   * it: then the message is forgotten again and the post fails (503), so the
   * author can simply send it again.
   */
  async post(room: string, author: User, text: string): Promise<ChatMessage> {
    const message: ChatMessage = { id: randomUUID(), room, author: publicUser(author), text, at: new Date().toISOString() };
    const list = this.history.get(room) ?? [];
    list.push(message);
    if (list.length > HISTORY_LIMIT) list.splice(0, list.length - HISTORY_LIMIT);
    this.history.set(room, list);
    try {
      // The message's id is the push's id: a retry of this push cannot show it twice.
      await this.channels.push(message, chatChannel(room), { event: CHAT_MESSAGE_EVENT, id: message.id });
    } catch (error) {
      const index = list.indexOf(message);
      if (index >= 0) list.splice(index, 1);
      throw error;
    }
    return message;
  }
}
