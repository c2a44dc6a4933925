import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import type { AppProcess } from '../support/app-process.js';
import { PLATFORMS } from '../support/test-app.js';
import { apiToken, postJson, recordFrames, SignedInBrowser, startSample, waitForLive, WAIT_MS } from './browser-support.js';
import { positioned } from '../support/positioned.js';

for (const platform of PLATFORMS) {
  /** The widgets dashboard: the `widgets` family lets a page follow only its user's widgets. */
  describe(`sample widgets dashboard in a real browser on ${platform}`, () => {
    let app: AppProcess;
    let browser: SignedInBrowser;
    let context: BrowserContext;

    before(async () => {
      app = await startSample(0, platform);
      browser = await SignedInBrowser.launch({ viewport: { width: 1280, height: 800 } });
      context = await browser.signedIn(app.http, 'alice');
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it('shows the denial on a widget the user does not own, and nothing pushed to it', async () => {
      const page = await context.newPage();
      const frames = recordFrames(page);
      await page.goto(`${app.http}/widgets`);
      await waitForLive(page);

      // Alice owns 1-3; 4 is Bob's. The page subscribed to all six over its socket.
      const mine = page.locator('.widget[data-widget-id="1"]');
      const bobs = page.locator('.widget[data-widget-id="4"]');
      await mine.and(page.locator('[data-state="live"]')).waitFor({ timeout: WAIT_MS });
      await bobs.and(page.locator('[data-state="denied"]')).waitFor({ timeout: WAIT_MS });
      assert.equal(await bobs.locator('.widget-badge').textContent(), 'Access denied');
      assert.equal(await bobs.locator('.widget-foot').textContent(), 'Only its owner can follow it');
      const refusal = frames.find(frame => frame.event === 'Error' && frame.payload?.routing_key === '4');
      assert.equal(refusal?.payload.error, 'SubscriptionDenied', 'the server refused widgets:4');
      for (const id of ['5', '6']) {
        await page.locator(`.widget[data-widget-id="${id}"][data-state="denied"]`).waitFor({ timeout: WAIT_MS });
      }

      // Bob changes his widget, then Alice changes hers, both over HTTP.
      await postJson(app.http, await apiToken(app.http, 'bob'), '/widgets/4/qty', { qty: 9871 });
      await postJson(app.http, await apiToken(app.http, 'alice'), '/widgets/1/qty', { qty: 4242 });
      // Alice's page shows her change; it was pushed after Bob's.
      await page.locator('.widget[data-widget-id="1"] .widget-qty', { hasText: '4242' }).waitFor({ timeout: WAIT_MS });
      assert.equal((await bobs.textContent())?.includes('9871'), false, 'the denied widget does not show the new quantity');
      assert.equal(await bobs.getAttribute('data-state'), 'denied');
      assert.deepEqual(
        frames.filter(frame => frame.channel === 'widgets:4'),
        [],
        'nothing was pushed to the page on widgets:4',
      );
      const pushes = frames.filter(frame => frame.channel === 'widgets:1');
      assert.deepEqual(positioned(pushes.at(-1)), {
        event: 'WidgetQtyChanged',
        channel: 'widgets:1',
        payload: { qty: 4242 },
        mq: { e: 'widgets', rk: '1' },
        offset: 1,
      });

      // The + button adjusts over the socket (AdjustQty); every page of the widget follows.
      const other = await context.newPage();
      await other.goto(`${app.http}/widgets`);
      await other.locator('.widget[data-widget-id="1"][data-state="live"]').waitFor({ timeout: WAIT_MS });
      await page.click('.widget[data-widget-id="1"] button[data-delta="1"]');
      await page.locator('.widget[data-widget-id="1"] .widget-qty', { hasText: '4243' }).waitFor({ timeout: WAIT_MS });
      await other.locator('.widget[data-widget-id="1"] .widget-qty', { hasText: '4243' }).waitFor({ timeout: WAIT_MS });
    });
  });
}
