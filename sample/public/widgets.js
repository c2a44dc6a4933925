// The widgets dashboard. The page subscribes to every widget it shows over its
// socket (the `widgets` channel family); the server lets a connection follow a
// widget only when it is signed in as its owner, so the others show the denial.
import { connectRealtime, pageData } from './realtime.js';

const data = pageData();

const STATES = {
  subscribing: { badge: 'Subscribing…', foot: channel => `Subscribing to ${channel}…` },
  live: { badge: 'Live', foot: channel => `Following ${channel}` },
  denied: { badge: 'Access denied', foot: () => 'Only its owner can follow it' },
  revoked: { badge: 'Access revoked', foot: () => 'You can no longer follow it' },
  error: { badge: 'Unavailable', foot: () => 'Could not subscribe' },
};

function setState(card, state, detail) {
  card.dataset.state = state;
  card.querySelector('.widget-badge').textContent = STATES[state].badge;
  setFoot(card, detail ?? STATES[state].foot(`${data.family}:${card.dataset.widgetId}`));
}

function setFoot(card, text, isError = false) {
  const foot = card.querySelector('.widget-foot');
  foot.textContent = text;
  foot.classList.toggle('widget-foot-error', isError);
}

function showQty(card, qty) {
  if (card.dataset.owned !== 'true' || typeof qty !== 'number') return;
  const output = card.querySelector('.widget-qty');
  if (output.textContent !== String(qty)) {
    output.textContent = String(qty);
    output.classList.remove('widget-qty-changed');
    void output.offsetWidth; // restarts the highlight
    output.classList.add('widget-qty-changed');
  }
  const fewer = card.querySelector('[data-delta="-1"]');
  if (fewer) fewer.disabled = qty <= 0;
}

function refused(card, code, message) {
  setState(card, code === 'SubscriptionDenied' ? 'denied' : 'error', code === 'SubscriptionDenied' ? undefined : message);
}

/** Reads a widget again over HTTP: its quantity may have changed while the page was offline. */
async function refresh(card) {
  const response = await fetch(`/widgets/${encodeURIComponent(card.dataset.widgetId)}`, { headers: { accept: 'application/json' } });
  if (response.ok) showQty(card, (await response.json()).qty);
}

const socket = connectRealtime({ token: data.socketToken });

for (const card of document.querySelectorAll('.widget[data-widget-id]')) {
  const id = card.dataset.widgetId;
  // Sent once the socket is signed in, and again after every reconnect.
  const subscription = socket.subscribe(data.family, id);
  let confirmations = 0;

  // Resolves on `Subscribed`; rejects with SubscriptionDenied when the family says no.
  subscription.ready.then(
    () => setState(card, 'live'),
    error => refused(card, error.code, error.message),
  );
  subscription.on('WidgetQtyChanged', ({ qty }) => showQty(card, qty));
  subscription.on('Subscribed', () => {
    confirmations += 1;
    setState(card, 'live');
    if (confirmations > 1) refresh(card).catch(() => undefined);
  });
  // Refused on a re-subscribe, or dropped by the server's periodic re-check.
  subscription.on('Error', payload => refused(card, payload.error, payload.message));
  subscription.on('Unsubscribed', () => setState(card, 'revoked'));

  for (const button of card.querySelectorAll('button[data-delta]')) {
    button.addEventListener('click', () => {
      socket.request('AdjustQty', { id, delta: Number(button.dataset.delta) }).then(
        ({ qty }) => {
          showQty(card, qty);
          setState(card, card.dataset.state);
        },
        error => setFoot(card, error.message, true),
      );
    });
  }
}
