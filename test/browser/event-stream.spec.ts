import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { post, startApp, type TestApp } from '../support/test-app.js';
import { startUpgradeRefusingProxy, type RefusingProxy } from '../support/upgrade-refusing.proxy.js';
import { launchBrowser, WAIT_MS } from './browser-support.js';
import { positioned } from '../support/positioned.js';

/** What the page scripts keep on `window`. */
type Frame = Record<string, any>;
declare const window: { got: Frame[]; closes: Frame[]; errors: string[]; transport?: string };

/** Opens the fixture's HTML page at `base` (it carries its connection id and sets the cookie) and has a route subscribe it. */
async function openSubscribedPage(browser: Browser, base: string, channel: string): Promise<{ page: Page; id: string }> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/page`);
  const id = (await page.getAttribute('body', 'data-socket-connection-id'))!;
  assert.match(id, /^[0-9a-f]{64}$/);
  // A later request from the page acts for it, as a page's fetch would.
  await page.evaluate(
    async ({ id, channel }) => {
      const response = await fetch(`/subscribe?channels=${channel}`, { headers: { 'x-realtime-connection-id': id } });
      if (!response.ok) throw new Error(`subscribe: ${response.status}`);
    },
    { id, channel },
  );
  return { page, id };
}

/** Waits until the page's `window.got` holds a frame that passes the test (written as page code). */
async function waitForFrame(page: Page, test: string): Promise<Frame> {
  const handle = await page.waitForFunction(`window.got.find(frame => ${test})`, undefined, { timeout: WAIT_MS });
  return (await handle.jsonValue()) as Frame;
}

describe("the event stream in Chromium", () => {
  let server: TestApp;
  let proxy: RefusingProxy;
  let browser: Browser;
  before(async () => {
    server = await startApp(fixtureModule({ injectConnectionId: true, serveClient: true, eventStream: { retry: 200 } }));
    proxy = await startUpgradeRefusingProxy(server);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
  });

  it("streams a page's pushes to the browser's own EventSource, which reconnects after retry", async () => {
    const { page, id } = await openSubscribedPage(browser, server.http, 'browser-news');
    await page.evaluate(id => {
      window.got = [];
      window.closes = [];
      const source = new EventSource(`/?socket_connection_id=${id}`);
      source.onmessage = event => window.got.push(JSON.parse(event.data));
      source.addEventListener('close', event => window.closes.push(JSON.parse((event as MessageEvent).data)));
    }, id);
    const welcome = await waitForFrame(page, `frame.event === 'Welcome'`);
    assert.deepEqual(welcome.payload, { id, channels: ['browser-news'], positions: { 'browser-news': { epoch: '', offset: 0, recovered: true } } });
    await post(server, '/push/browser-news', { message: { headline: 'hello, browser' } });
    assert.deepEqual(positioned(await waitForFrame(page, `frame.channel === 'browser-news'`)), {
      event: 'Push',
      channel: 'browser-news',
      payload: { headline: 'hello, browser' },
      offset: 1,
    });
    // The server ends this page's access: the stream's last events, then the browser comes back by itself.
    await page.evaluate(async id => {
      await fetch('/disconnect/client', { method: 'POST', headers: { 'x-realtime-connection-id': id } });
    }, id);
    await waitForFrame(page, `frame.event === 'Error' && frame.payload.error === 'AccessRevoked'`);
    await page.waitForFunction(`window.got.filter(frame => frame.event === 'Welcome').length === 2`, undefined, { timeout: WAIT_MS });
    assert.deepEqual(await page.evaluate(() => window.closes), [{ code: 4004, reason: 'Access revoked' }]);
    assert.deepEqual((await page.evaluate(() => window.got.filter(frame => frame.event === 'Welcome')))[1]!.payload, { id, channels: [], positions: {} });
    await page.context().close();
  });

  it("falls back to it in the client library when a proxy refuses the WebSocket upgrade", async () => {
    const { page } = await openSubscribedPage(browser, proxy.http, 'browser-fallback');
    const refused = proxy.refusedUpgrades;
    await page.evaluate(async () => {
      window.got = [];
      window.errors = [];
      const clientScript = '/realtime/client.js'; // served by the app (serveClient)
      const { RealtimeSocket } = await import(clientScript);
      const socket = new RealtimeSocket({ connectionId: 'auto', fallback: 'eventsource', reconnect: { initialDelayMs: 20, maxDelayMs: 100 } });
      socket.subscribe('browser-fallback').on('*', (_payload: unknown, frame: Frame) => window.got.push(frame));
      await socket.connect();
      window.transport = socket.transport;
      await socket.request('Ping').catch((error: { code: string }) => window.errors.push(error.code));
    });
    assert.equal(await page.evaluate(() => window.transport), 'eventsource');
    assert.equal(proxy.refusedUpgrades - refused, 2, 'two refused WebSocket tries, then the stream');
    assert.deepEqual(await page.evaluate(() => window.errors), ['ReceiveOnly']);
    await post(server, '/push/browser-fallback', { message: 'through the proxy' });
    assert.deepEqual(positioned(await waitForFrame(page, `frame.channel === 'browser-fallback'`)), {
      event: 'Push',
      channel: 'browser-fallback',
      payload: 'through the proxy',
      offset: 1,
    });
    await page.context().close();
  });
});
