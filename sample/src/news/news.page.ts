import { NEWS_CHANNEL, NEWS_MAX_LENGTH, type NewsItem } from './news-item.js';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => HTML_ESCAPES[char]!);
}

/** One item as the server renders it; the page's script builds the same markup for pushes. */
function renderItem(item: NewsItem): string {
  const at = escapeHtml(item.at);
  return `<li class="item"><p class="text">${escapeHtml(item.text)}</p><time datetime="${at}">${at}</time></li>`;
}

const STYLE = `
  :root {
    color-scheme: light dark;
    --bg: #f5f6f8; --card: #ffffff; --text: #1d2330; --muted: #6b7280; --border: #e3e6eb;
    --accent: #3b5bdb; --accent-text: #ffffff; --error: #c92a2a;
    --ok: #2b8a3e; --ok-bg: #ebfbee; --warn: #a15c07; --warn-bg: #fff4e6; --off: #c92a2a; --off-bg: #fff5f5;
  }
  @media (prefers-color-scheme: dark) {
    :root {
      --bg: #14171c; --card: #1c2027; --text: #e6e8eb; --muted: #9aa1ab; --border: #2c313a;
      --accent: #5c7cfa; --error: #ff8787;
      --ok: #8ce99a; --ok-bg: #1f3326; --warn: #ffc078; --warn-bg: #3a2c17; --off: #ffa8a8; --off-bg: #3b1f22;
    }
  }
  * { box-sizing: border-box; }
  body {
    margin: 0; background: var(--bg); color: var(--text);
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  }
  main { max-width: 40rem; margin: 0 auto; padding: 2.5rem 1rem 4rem; }
  header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; margin-bottom: 1.5rem; }
  h1 { margin: 0; font-size: 1.6rem; letter-spacing: -0.01em; }
  .subtitle { margin: 0.15rem 0 0; color: var(--muted); font-size: 0.9rem; }
  .status {
    display: inline-flex; align-items: center; gap: 0.4rem; padding: 0.2rem 0.65rem;
    border-radius: 999px; font-size: 0.8rem; font-weight: 600; white-space: nowrap;
    color: var(--warn); background: var(--warn-bg);
  }
  .status::before { content: ""; width: 0.5rem; height: 0.5rem; border-radius: 50%; background: currentColor; }
  .status[data-state="connected"] { color: var(--ok); background: var(--ok-bg); }
  .status[data-state="disconnected"] { color: var(--off); background: var(--off-bg); }
  .card { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 1rem; }
  form textarea {
    display: block; width: 100%; min-height: 5rem; resize: vertical; padding: 0.6rem 0.75rem;
    font: inherit; color: inherit; background: transparent;
    border: 1px solid var(--border); border-radius: 8px;
  }
  form textarea:focus { outline: 2px solid var(--accent); outline-offset: -1px; border-color: transparent; }
  .actions { display: flex; align-items: center; justify-content: space-between; gap: 1rem; margin-top: 0.6rem; }
  .hint { color: var(--muted); font-size: 0.85rem; }
  .hint.error { color: var(--error); }
  button {
    padding: 0.45rem 1.1rem; font: inherit; font-weight: 600; cursor: pointer;
    color: var(--accent-text); background: var(--accent); border: 0; border-radius: 8px;
  }
  button:disabled { opacity: 0.6; cursor: default; }
  h2 { margin: 2rem 0 0.75rem; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); }
  .feed { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.6rem; }
  .item { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 0.75rem 1rem; }
  .item.fresh { animation: arrive 0.6s ease-out; }
  .item .text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .item time { display: block; margin-top: 0.25rem; color: var(--muted); font-size: 0.8rem; }
  .empty { color: var(--muted); text-align: center; padding: 1.5rem 0; }
  .feed:not(:empty) + .empty { display: none; }
  @keyframes arrive { from { opacity: 0; transform: translateY(-4px); } to { opacity: 1; transform: none; } }
  @media (prefers-reduced-motion: reduce) { .item.fresh { animation: none; } }
`;

/*
 * The browser side. It connects the way pakyow's snippet does: the page's
 * connection id comes from the <body> attribute the module wrote, and the
 * subscriptions made while rendering live server-side under that id, so a
 * reconnect with the same id picks them up again (like pakyow's Ring client).
 */
const SCRIPT = `
(function () {
  'use strict';
  var CHANNEL = ${JSON.stringify(NEWS_CHANNEL)};
  var MAX_LENGTH = ${NEWS_MAX_LENGTH};
  var MAX_ITEMS = 50;
  var RECONNECT_MS = 1000;

  var badge = document.getElementById('status');
  var feed = document.getElementById('feed');
  var form = document.getElementById('post');
  var input = document.getElementById('text');
  var hint = document.getElementById('hint');
  var button = form.querySelector('button');

  function setStatus(state) {
    badge.setAttribute('data-state', state);
    badge.textContent = state;
  }

  function formatTime(element) {
    var date = new Date(element.getAttribute('datetime'));
    if (!isNaN(date.getTime())) {
      element.textContent = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
      element.title = date.toString();
    }
  }

  function addItem(item) {
    if (!item || typeof item.text !== 'string') return;
    var li = document.createElement('li');
    li.className = 'item fresh';
    var text = document.createElement('p');
    text.className = 'text';
    text.textContent = item.text;
    var time = document.createElement('time');
    time.setAttribute('datetime', String(item.at));
    time.textContent = String(item.at);
    formatTime(time);
    li.appendChild(text);
    li.appendChild(time);
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > MAX_ITEMS) feed.removeChild(feed.lastChild);
  }

  Array.prototype.forEach.call(feed.querySelectorAll('time'), formatTime);

  // --- The socket, as pakyow's browser snippet opens it ---
  var wsUrl = '';
  if (window.location.protocol === 'http:') {
    wsUrl += 'ws://';
  } else {
    wsUrl += 'wss://';
  }
  wsUrl += window.location.hostname;
  if (window.location.port) {
    wsUrl += ':' + window.location.port;
  }
  var connectionId = document.body.getAttribute('data-socket-connection-id');

  function connect() {
    var socket = new WebSocket(wsUrl + '/?socket_connection_id=' + connectionId);
    socket.addEventListener('message', function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (frame.event === 'Welcome') {
        // Subscriptions held under the id are live from here on.
        setStatus('connected');
      } else if (frame.channel === CHANNEL) {
        addItem(frame.payload);
      }
    });
    socket.addEventListener('close', function () {
      setStatus('disconnected');
      setTimeout(connect, RECONNECT_MS);
    });
  }

  setStatus('connecting');
  connect();

  // --- Posting ---
  function showHint(message, isError) {
    hint.textContent = message;
    hint.className = isError ? 'hint error' : 'hint';
  }

  function updateCounter() {
    showHint(input.value.length + ' / ' + MAX_LENGTH, input.value.length > MAX_LENGTH);
  }

  input.addEventListener('input', updateCounter);
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) form.requestSubmit();
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) {
      showHint('Write something first.', true);
      return;
    }
    button.disabled = true;
    fetch('/news', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ text: text }),
    })
      .then(function (response) {
        if (response.ok) {
          input.value = '';
          updateCounter();
          return;
        }
        return response.json().then(
          function (body) {
            var message = body && body.message;
            showHint(Array.isArray(message) ? message.join('; ') : String(message || response.statusText), true);
          },
          function () {
            showHint('Could not post (' + response.status + ').', true);
          }
        );
      })
      .catch(function () {
        showHint('Could not reach the server.', true);
      })
      .then(function () {
        button.disabled = false;
        input.focus();
      });
  });
})();
`;

/** The news page. The realtime module adds the connection id to its <body> tag. */
export function renderNewsPage(recent: readonly NewsItem[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Live news · nestjs-realtime</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<main>
  <header>
    <div>
      <h1>Live news</h1>
      <p class="subtitle">Post an item: every open page gets it at once.</p>
    </div>
    <span id="status" class="status" data-state="connecting" role="status" aria-live="polite">connecting</span>
  </header>

  <form id="post" class="card">
    <label for="text" class="hint">What's new?</label>
    <textarea id="text" name="text" maxlength="${NEWS_MAX_LENGTH}" placeholder="Something happened…" required></textarea>
    <div class="actions">
      <span id="hint" class="hint" aria-live="polite">0 / ${NEWS_MAX_LENGTH}</span>
      <button type="submit">Post</button>
    </div>
  </form>

  <h2>Latest</h2>
  <ul id="feed" class="feed" aria-live="polite">${recent.map(renderItem).join('')}</ul>
  <p class="empty">No news yet.</p>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
