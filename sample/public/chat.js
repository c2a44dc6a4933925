// A chat room. The route subscribed this page to chat:<room> while rendering
// it; the socket connects with the page's connection id and gets the room's
// messages: first those said since the page was rendered, then live ones, and
// after a reconnect what was said meanwhile (the server's channel history).
// Messages are sent over the socket (SendMessage).
import { avatar, connectRealtime, pageData } from './realtime.js';

const data = pageData();
const list = document.getElementById('messages');
const scroller = document.getElementById('messages-scroll');
const form = document.getElementById('composer');
const input = document.getElementById('message-text');
const hint = document.getElementById('composer-hint');
const defaultHint = hint.textContent;

/** How long a message may wait to be sent (the client queues it while reconnecting). */
const SEND_TIMEOUT_MS = 60_000;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
/** Ids of the messages on the page: pushes, replies and catch-ups may bring the same one twice. */
const seen = new Set(Array.from(list.querySelectorAll('.message[data-id]'), item => item.dataset.id));

function formatTime(element) {
  const date = new Date(element.dateTime);
  if (Number.isNaN(date.getTime())) return;
  element.textContent = timeFormat.format(date);
  element.title = date.toLocaleString();
}

function scrollToEnd() {
  scroller.scrollTop = scroller.scrollHeight;
}

function isNearEnd() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
}

/** The markup the server renders for a message (chat.page.ts), built with textContent. */
function renderMessage(message) {
  const item = document.createElement('li');
  item.className = message.author.name === data.user.name ? 'message message-own' : 'message';
  item.dataset.id = message.id;
  item.dataset.author = message.author.name;
  const body = document.createElement('div');
  body.className = 'message-body';
  const meta = document.createElement('div');
  meta.className = 'message-meta';
  const author = document.createElement('span');
  author.className = 'message-author';
  author.textContent = message.author.displayName;
  const time = document.createElement('time');
  time.dateTime = message.at;
  formatTime(time);
  meta.append(author, time);
  const text = document.createElement('p');
  text.className = 'message-text';
  text.textContent = message.text;
  body.append(meta, text);
  item.append(avatar(message.author), body);
  return item;
}

/** Messages by the same person less than this apart share one header (as chat.page.ts renders them). */
const GROUP_MS = 5 * 60 * 1000;

function regroup(item) {
  if (!item || item.classList.contains('message-pending')) return;
  const previous = item.previousElementSibling;
  const gap = previous ? Date.parse(item.querySelector('time').dateTime) - Date.parse(previous.querySelector('time').dateTime) : NaN;
  const continued = previous?.dataset.author === item.dataset.author && gap >= 0 && gap < GROUP_MS;
  item.classList.toggle('message-continued', continued);
}

/** Adds a message once, in time order (catch-ups may bring older ones). */
function addMessage(message) {
  if (!message || typeof message.id !== 'string' || seen.has(message.id)) return;
  seen.add(message.id);
  const stick = isNearEnd() || message.author.name === data.user.name;
  // From the end: skip messages still being sent and later ones, insert after the first earlier one.
  let before = null;
  for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
    const pending = node.classList.contains('message-pending');
    if (!pending && (node.querySelector('time')?.dateTime ?? '') <= message.at) break;
    before = node;
  }
  const item = renderMessage(message);
  item.classList.add('fresh');
  list.insertBefore(item, before);
  regroup(item);
  regroup(item.nextElementSibling);
  if (stick) scrollToEnd();
}

list.querySelectorAll('time').forEach(formatTime);
scrollToEnd();

const socket = connectRealtime({ token: data.socketToken });

/** Messages on their way: a reload waits for them. */
const sending = new Set();

const room = socket.subscribe(data.channel);
room.on('ChatMessage', addMessage);
// The server could not give back what this page missed (it restarted and
// lost the room's history, or the page was away too long): render the room
// again, once what is being sent has gone out.
room.on('stale', () => {
  Promise.allSettled([...sending]).then(() => location.reload());
});

// --- Composing ---

function showHint(text, isError) {
  hint.textContent = text;
  hint.classList.toggle('hint-error', Boolean(isError));
}

function fitInput() {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

/** A message on its way: shown at once, replaced by the real one when the server answers. */
function addPending(text) {
  const item = renderMessage({
    id: '',
    author: data.user,
    text,
    at: new Date().toISOString(),
  });
  item.classList.add('message-pending');
  delete item.dataset.id;
  item.querySelector('time').textContent = 'Sending…';
  list.append(item);
  scrollToEnd();
  return item;
}

function send() {
  const text = input.value.trim();
  if (!text) {
    showHint('Write something first.', true);
    return;
  }
  if (text.length > data.maxLength) {
    showHint(`At most ${data.maxLength} characters.`, true);
    return;
  }
  input.value = '';
  fitInput();
  showHint(defaultHint);
  const pending = addPending(text);
  // While reconnecting, the client queues the request and sends it once signed in again.
  const request = socket.request('SendMessage', { room: data.room, text }, { timeout: SEND_TIMEOUT_MS });
  sending.add(request);
  request.finally(() => sending.delete(request)).catch(() => undefined);
  request.then(
    message => {
      pending.remove();
      addMessage(message);
    },
    error => {
      pending.remove();
      if (!input.value) {
        input.value = text;
        fitInput();
      }
      showHint(`Not sent: ${error.message}`, true);
    },
  );
}

form.addEventListener('submit', event => {
  event.preventDefault();
  send();
});
input.addEventListener('keydown', event => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    send();
  }
});
input.addEventListener('input', fitInput);
input.focus();
