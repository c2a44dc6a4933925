import type { User } from '../auth/user.model.js';
import { publicUser } from '../auth/user.model.js';
import { escapeHtml } from '../shared/html.util.js';
import { renderAvatar, renderPage } from '../shared/page-layout.js';
import { CHAT_MESSAGE_MAX_LENGTH, chatChannel, type ChatMessage } from './chat-message.model.js';
import type { Room } from './room.model.js';

export interface ChatPageOptions {
  user: User;
  room: Room;
  rooms: readonly Room[];
  messages: readonly ChatMessage[];
  /** Signs the page's socket in (`Authenticate`). */
  socketToken: string;
}

/** What public/chat.js reads from `#page-data`. */
export interface ChatPageData {
  socketToken: string;
  user: ReturnType<typeof publicUser>;
  room: string;
  channel: string;
  maxLength: number;
}

/** Messages by the same person less than this apart share one header. */
const GROUP_MS = 5 * 60 * 1000;

function continues(message: ChatMessage, previous: ChatMessage | undefined): boolean {
  if (!previous || previous.author.name !== message.author.name) return false;
  const gap = Date.parse(message.at) - Date.parse(previous.at);
  return gap >= 0 && gap < GROUP_MS;
}

/** One message; public/chat.js builds the same markup for the ones that arrive later. */
export function renderMessage(message: ChatMessage, me: User, previous?: ChatMessage): string {
  const classes = ['message'];
  if (message.author.name === me.name) classes.push('message-own');
  if (continues(message, previous)) classes.push('message-continued');
  const at = escapeHtml(message.at);
  return `<li class="${classes.join(' ')}" data-id="${escapeHtml(message.id)}" data-author="${escapeHtml(message.author.name)}">
      ${renderAvatar(message.author)}
      <div class="message-body">
        <div class="message-meta"><span class="message-author">${escapeHtml(message.author.displayName)}</span><time datetime="${at}">${at.slice(11, 16)}</time></div>
        <p class="message-text">${escapeHtml(message.text)}</p>
      </div>
    </li>`;
}

function renderRoomLink(room: Room, current: Room): string {
  return `<li><a href="/rooms/${escapeHtml(room.name)}"${room.name === current.name ? ' aria-current="page"' : ''}>
        <span class="room-link-name"><span class="hash" aria-hidden="true">#</span>${escapeHtml(room.name)}</span>
        <span class="room-link-topic">${escapeHtml(room.topic)}</span>
      </a></li>`;
}

/** A room: the list of rooms, the conversation, and the composer. */
export function renderChatPage({ user, room, rooms, messages, socketToken }: ChatPageOptions): string {
  const name = escapeHtml(room.name);
  const content = `
<div class="chat">
  <aside class="rooms" aria-label="Rooms">
    <h2 class="eyebrow">Rooms</h2>
    <ul class="room-links">${rooms.map(candidate => renderRoomLink(candidate, room)).join('')}</ul>
  </aside>
  <section class="room card" aria-labelledby="room-title">
    <header class="room-header">
      <h1 id="room-title"><span class="hash" aria-hidden="true">#</span>${name}</h1>
      <p class="muted">${escapeHtml(room.topic)}</p>
    </header>
    <div class="messages-scroll" id="messages-scroll">
      <ol id="messages" class="messages" aria-live="polite" aria-label="Messages">${messages.map((message, index) => renderMessage(message, user, messages[index - 1])).join('')}</ol>
      <p class="messages-empty">No messages yet. Say hello!</p>
    </div>
    <form id="composer" class="composer" autocomplete="off">
      <label class="visually-hidden" for="message-text">Message #${name}</label>
      <textarea id="message-text" name="text" rows="1" maxlength="${CHAT_MESSAGE_MAX_LENGTH}" placeholder="Message #${name}" required></textarea>
      <button type="submit" class="button">Send</button>
    </form>
    <p id="composer-hint" class="hint" aria-live="polite">Enter to send · Shift+Enter for a new line</p>
  </section>
</div>`;
  const data: ChatPageData = {
    socketToken,
    user: publicUser(user),
    room: room.name,
    channel: chatChannel(room.name),
    maxLength: CHAT_MESSAGE_MAX_LENGTH,
  };
  return renderPage({ title: `#${room.name}`, user, section: 'chat', content, script: 'chat.js', data, mainClass: 'main-wide' });
}
