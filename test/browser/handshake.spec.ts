import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startAppProcess, type AppProcess } from '../support/app-process.js';
import { launchBrowser, WAIT_MS } from './browser-support.js';

/** What a page's `new WebSocket(url, protocols)` came to: opened (with what) or failed (how it closed). */
interface Outcome {
  opened: boolean;
  protocol: string;
  extensions: string;
  closeCode: number | null;
  /** The channel push's payload the socket got, when it waited for one. */
  pushed?: unknown;
}

/**
 * Opens a WebSocket in the page, as a page's script would, and reports what
 * happened. With `pushTo`, it waits for a push on that channel after Welcome,
 * which the test makes meanwhile.
 */
function openInPage(page: Page, url: string, protocols: string[] | undefined, pushTo?: string): Promise<Outcome> {
  return page.evaluate(
    ({ url, protocols, pushTo, waitMs }) =>
      new Promise<Outcome>(resolve => {
        const socket = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
        const outcome: Outcome = { opened: false, protocol: '', extensions: '', closeCode: null };
        const timer = setTimeout(() => resolve(outcome), waitMs);
        socket.onopen = () => {
          outcome.opened = true;
          outcome.protocol = socket.protocol;
          outcome.extensions = socket.extensions;
        };
        socket.onmessage = event => {
          const frame = JSON.parse(String(event.data)) as { event: string; channel?: string; payload: unknown };
          if (frame.event === 'Welcome' && pushTo === undefined) socket.close();
          if (frame.event === 'Welcome' && pushTo !== undefined) (globalThis as { welcomed?: boolean }).welcomed = true;
          if (frame.channel === pushTo) {
            outcome.pushed = frame.payload;
            socket.close();
          }
        };
        socket.onclose = event => {
          clearTimeout(timer);
          outcome.closeCode = event.code;
          resolve(outcome);
        };
      }),
    { url, protocols, pushTo, waitMs: WAIT_MS },
  );
}

/** Some 3 KiB of JSON: over the compression threshold. */
const LARGE = { widgets: Array.from({ length: 60 }, (_, i) => ({ id: i, name: `widget ${i}`, qty: i * 7 })) };

/**
 * Chromium against the server's handshake: the subprotocol it selects, the
 * refusal of unknown ones as a browser reports it, and permessage-deflate
 * with the server's window (`server_max_window_bits=12`) accepted and inflated.
 */
describe('the handshake in Chromium', () => {
  let app: AppProcess;
  let browser: Browser;
  let page: Page;
  let ws: string;

  before(async () => {
    app = await startAppProcess('.build/test/fixtures/main.js', { FIXTURE_OPTIONS: JSON.stringify({ compression: true }) });
    browser = await launchBrowser();
    page = await browser.newPage();
    // A page of the app's own origin, whose route subscribes it to `news` (and sets its cookie).
    const response = await page.goto(`${app.http}/subscribe?channels=news`);
    const { connectionId } = (await response!.json()) as { connectionId: string };
    ws = `${app.ws}?socket_connection_id=${connectionId}`;
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('opens with no subprotocol offered, and with nestjs-realtime.v1 selected when offered', async () => {
    const plain = await openInPage(page, ws, undefined);
    assert.equal(plain.opened, true);
    assert.equal(plain.protocol, '');
    const offered = await openInPage(page, ws, ['chat', 'nestjs-realtime.v1']);
    assert.equal(offered.opened, true);
    assert.equal(offered.protocol, 'nestjs-realtime.v1');
  });

  it('fails the connection when only unknown subprotocols are offered: no open, close 1006', async () => {
    const refused = await openInPage(page, ws, ['graphql-ws']);
    assert.deepEqual({ opened: refused.opened, closeCode: refused.closeCode }, { opened: false, closeCode: 1006 });
  });

  it('negotiates permessage-deflate with the server window, and inflates a large push whole', async () => {
    const reading = openInPage(page, ws, ['nestjs-realtime.v1'], 'news');
    await page.waitForFunction(() => (globalThis as { welcomed?: boolean }).welcomed === true, undefined, { timeout: WAIT_MS });
    const pushed = await fetch(`${app.http}/push/news`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: LARGE }),
    });
    assert.equal(pushed.status, 201);
    const outcome = await reading;
    assert.match(outcome.extensions, /^permessage-deflate; server_max_window_bits=12$/);
    assert.deepEqual(outcome.pushed, LARGE);
  });
});
