import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { PLATFORMS } from '../support/test-app.js';
import { freePort } from '../support/free-port.js';
import {
  apiToken,
  messageWith,
  openRoom,
  postJson,
  recordFrames,
  sendFromComposer,
  SignedInBrowser,
  startSample,
  unique,
  waitForLive,
  WAIT_MS,
} from './browser-support.js';

for (const platform of PLATFORMS) {
  /** The sample process is stopped and started again on the same port while pages stay open. */
  describe(`sample pages across a server restart on ${platform}`, () => {
    let port: number;
    let app: AppProcess | undefined;
    let browser: SignedInBrowser;
    const signedIn = (user: string) => browser.signedIn(app!.http, user);

    before(async () => {
      port = await freePort();
      app = await startSample(port, platform);
      browser = await SignedInBrowser.launch();
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it('reconnects, signs in again and receives messages again', async () => {
      const aliceContext = await signedIn('alice');
      const alice = await aliceContext.newPage();
      const aliceFrames = recordFrames(alice);
      await alice.goto(`${app!.http}/rooms/general`);
      await waitForLive(alice);
      const bob = await openRoom(await signedIn('bob'), app!.http, 'general');
      const widgets = await aliceContext.newPage();
      await widgets.goto(`${app!.http}/widgets`);
      const sprocket = widgets.locator('.widget[data-widget-id="1"]');
      await sprocket.and(widgets.locator('[data-state="live"]')).waitFor({ timeout: WAIT_MS });

      const before = unique('Before the restart');
      await sendFromComposer(bob, before);
      await messageWith(alice, before).waitFor({ timeout: WAIT_MS });
      await postJson(app!.http, await apiToken(app!.http, 'alice'), '/widgets/1/qty', { qty: 30 });
      await sprocket.locator('.widget-qty', { hasText: '30' }).waitFor({ timeout: WAIT_MS });
      const pageId = await alice.getAttribute('body', 'data-socket-connection-id');

      // Stop the server: the pages notice and keep trying.
      await app!.stop();
      app = undefined;
      for (const page of [alice, bob, widgets]) {
        await page.locator('#realtime-status[data-state="reconnecting"]').waitFor({ timeout: WAIT_MS });
        assert.equal(await page.getAttribute('body', 'data-realtime-user'), null, 'no longer signed in on the socket');
      }

      // A message typed while the server is down waits in the client's queue.
      await bob.fill('#message-text', unique('Typed while offline'));
      const queued = await bob.inputValue('#message-text');
      await bob.press('#message-text', 'Enter');
      await bob.locator('#messages .message-pending').waitFor({ timeout: WAIT_MS });

      // Same port, empty memory: no subscriptions, no history, widgets back to their seed values.
      const bobPageId = await bob.getAttribute('body', 'data-socket-connection-id');
      app = await startSample(port, platform);
      // pakyow's model: each page reconnects with its own connection id; the new
      // process holds nothing for it, so the room says `stale`, and the chat
      // pages render themselves again (Bob's once his queued message went out).
      const rendered = (page: typeof alice, id: string | null) =>
        page.waitForFunction(
          // NOTE: runs in the page, where `document` exists.
          old => (globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset.socketConnectionId !== old,
          id,
          { timeout: WAIT_MS },
        );
      await rendered(alice, pageId);
      await rendered(bob, bobPageId);
      for (const page of [alice, bob, widgets]) await waitForLive(page);
      // Signed in again (the Authenticate reply is what sets the attribute).
      assert.equal(await alice.getAttribute('body', 'data-realtime-user'), 'alice');
      assert.equal(await bob.getAttribute('body', 'data-realtime-user'), 'bob');
      const welcomes = aliceFrames.filter(frame => frame.event === 'Welcome').map(frame => frame.payload.id);
      assert.deepEqual(welcomes.slice(0, 2), [pageId, pageId], 'reconnected with its own id first');
      assert.equal(welcomes.length, 3, 'then the page rendered again, with a new id');
      const stale = aliceFrames.find(frame => frame.event === 'Welcome' && frame.payload.id === pageId && frame.payload.channels.length === 0);
      assert.ok(stale, 'the restarted server held nothing for the old page');

      // The queued message went out once Bob's socket was signed in (SendMessage needs a user),
      // before his page rendered again, and both rendered pages show it.
      await messageWith(bob, queued).waitFor({ timeout: WAIT_MS });
      await messageWith(alice, queued).waitFor({ timeout: WAIT_MS });

      // A message sent now over the socket, and one posted over HTTP, reach both pages.
      const after = unique('After the restart');
      await sendFromComposer(bob, after);
      await messageWith(alice, after).waitFor({ timeout: WAIT_MS });
      const posted = unique('Posted over HTTP');
      await postJson(app.http, await apiToken(app.http, 'carol'), '/rooms/general/messages', { text: posted });
      await messageWith(alice, posted).waitFor({ timeout: WAIT_MS });
      await messageWith(bob, posted).waitFor({ timeout: WAIT_MS });

      // The widgets page subscribed again once signed in (the family needs the user): it read
      // the widget again (the restarted server is back to 12) and gets pushes again.
      await sprocket.locator('.widget-qty', { hasText: /^12$/ }).waitFor({ timeout: WAIT_MS });
      await postJson(app.http, await apiToken(app.http, 'alice'), '/widgets/1/qty', { qty: 77 });
      await sprocket.locator('.widget-qty', { hasText: '77' }).waitFor({ timeout: WAIT_MS });
      assert.equal(await sprocket.getAttribute('data-state'), 'live');
    });
  });
}
