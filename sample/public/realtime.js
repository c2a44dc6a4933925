// The realtime connection every page of the sample shares: one RealtimeSocket
// (served by the module at /realtime/client.js), signed in with the page's
// socket token after every (re)connect, and the connection state in the header.
import { RealtimeSocket } from '/realtime/client.js';

/** The page's data, which the server wrote into <script id="page-data">. */
export function pageData() {
  const element = document.getElementById('page-data');
  return element ? JSON.parse(element.textContent) : {};
}

const notice = document.getElementById('notice');

/** Shows a message under the header, with an optional link. */
export function showNotice(text, link) {
  notice.replaceChildren(document.createTextNode(text));
  if (link) {
    const anchor = document.createElement('a');
    anchor.href = link.href;
    anchor.textContent = link.text;
    notice.append(' ', anchor);
  }
  notice.hidden = false;
}

export function hideNotice() {
  notice.hidden = true;
  notice.replaceChildren();
}

/** The close code of a socket whose access the server ended (sign-out): the client does not reconnect. */
const ACCESS_REVOKED = 4004;

const LABELS = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  'signed-out': 'Signed out',
};

/**
 * Opens the page's socket and signs it in with the page's socket token after
 * every Welcome. What the page missed while away comes back by itself (the
 * channels' history); a subscription says `stale` when it cannot.
 */
export function connectRealtime({ token }) {
  const status = document.getElementById('realtime-status');
  const label = status.querySelector('.status-label');
  const retry = status.querySelector('.status-retry');
  let signedIn = false;

  function setState(state, title) {
    status.dataset.state = state;
    label.textContent = LABELS[state];
    status.title = title ?? '';
    retry.hidden = state !== 'reconnecting' && state !== 'offline';
  }

  const socket = new RealtimeSocket({
    // The id the module wrote onto <body>: the page's route subscribed it already.
    connectionId: 'auto',
    reconnect: { initialDelayMs: 250, maxDelayMs: 5000 },
    authenticate: async context => {
      signedIn = false;
      let reply;
      try {
        reply = await context.request('Authenticate', { token });
      } catch (error) {
        if (error.code === 'InvalidSession') {
          showNotice('Your session has expired.', { href: `/signin?next=${encodeURIComponent(location.pathname)}`, text: 'Sign in again' });
        }
        throw error; // the client goes on signed out, and says so with an `error` event
      }
      signedIn = true;
      document.body.dataset.realtimeUser = reply.user.name;
    },
  });

  socket.on('connected', ({ reconnected }) => {
    setState(signedIn ? 'live' : 'signed-out');
    if (signedIn && reconnected) hideNotice();
  });
  socket.on('disconnected', ({ willReconnect, code }) => {
    signedIn = false;
    delete document.body.dataset.realtimeUser;
    if (code === ACCESS_REVOKED) {
      // Signed out (in this window or another): this page's live updates ended for good.
      setState('signed-out', 'Signed out');
      showNotice('You signed out.', { href: `/signin?next=${encodeURIComponent(location.pathname)}`, text: 'Sign in again' });
      return;
    }
    setState(willReconnect ? 'reconnecting' : 'offline', `Closed with code ${code}`);
  });
  socket.on('reconnecting', ({ attempt, delayMs }) => {
    setState('reconnecting', `Attempt ${attempt}, next try in ${(delayMs / 1000).toFixed(1)} s`);
  });
  socket.on('error', error => console.warn('realtime:', error.code, error.message));

  const reconnectNow = () => {
    if (status.dataset.state !== 'signed-out') socket.connect().catch(() => undefined);
  };
  retry.addEventListener('click', reconnectNow);
  window.addEventListener('online', reconnectNow);

  setState('connecting');
  socket.connect().catch(error => setState('offline', error.message));
  return socket;
}

/** A round avatar with the user's initial, as the server renders it. */
export function avatar(user, className = 'avatar') {
  const element = document.createElement('span');
  element.className = className;
  element.style.setProperty('--avatar', user.color);
  element.setAttribute('aria-hidden', 'true');
  element.textContent = (user.displayName.trim().charAt(0) || '?').toUpperCase();
  return element;
}
