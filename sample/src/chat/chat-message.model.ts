import type { PublicUser } from '../auth/user.model.js';

/** Event name of a chat push on `chat:<room>`. */
export const CHAT_MESSAGE_EVENT = 'ChatMessage';

/** Longest message, in characters. */
export const CHAT_MESSAGE_MAX_LENGTH = 500;

/** The channel of a room: `chat:<room>`. */
export function chatChannel(room: string): string {
  return `chat:${room}`;
}

/** One message: what `ChatMessage` pushes carry, and what the routes answer. */
export interface ChatMessage {
  /** Unique (a UUID), so pages can merge pushes, replies and history without duplicates. */
  id: string;
  room: string;
  author: PublicUser;
  text: string;
  /** When it was posted, ISO 8601. */
  at: string;
}
