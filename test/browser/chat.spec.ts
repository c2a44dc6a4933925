import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { AppProcess } from '../support/app-process.js';
import { PLATFORMS } from '../support/test-app.js';
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

/** Where README screenshots live (`<out>/test/browser` → the repository's docs/images). */
const IMAGES = new URL('../../../docs/images/', import.meta.url);

for (const platform of PLATFORMS) {
  describe(`sample chat in a real browser on ${platform}`, () => {
    let app: AppProcess;
    let browser: SignedInBrowser;
    const signedIn = (user: string) => browser.signedIn(app.http, user);

    before(async () => {
      app = await startSample(0, platform);
      browser = await SignedInBrowser.launch({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    });

    after(async () => {
      await browser?.close();
      await app?.stop();
    });

    it('shows a message sent in one window in another window of the same room', async () => {
      const alice = await openRoom(await signedIn('alice'), app.http, 'random');
      const bob = await openRoom(await signedIn('bob'), app.http, 'random');

      // Over the socket (SendMessage), from the composer.
      const hello = unique('Hello from Alice');
      await sendFromComposer(alice, hello);
      const received = messageWith(bob, hello);
      await received.waitFor({ timeout: WAIT_MS });
      assert.equal(await received.locator('.message-author').textContent(), 'Alice Moreau');
      assert.equal(await received.getAttribute('data-author'), 'alice');

      // Over HTTP (POST /rooms/:room/messages): both windows get the push.
      const reply = unique('Reply over HTTP');
      await postJson(app.http, await apiToken(app.http, 'bob'), '/rooms/random/messages', { text: reply });
      await messageWith(alice, reply).waitFor({ timeout: WAIT_MS });
      await messageWith(bob, reply).waitFor({ timeout: WAIT_MS });

      // User text is text, not markup.
      const markup = `<img src=x onerror="document.body.dataset.pwned=1"> ${unique('tag')}`;
      await sendFromComposer(bob, markup);
      await messageWith(alice, markup).waitFor({ timeout: WAIT_MS });
      assert.equal(await alice.locator('#messages img').count(), 0);
      assert.equal(await alice.evaluate('document.body.dataset.pwned'), undefined);

      // A page opened later shows the history, server-rendered.
      const later = await alice.context().newPage();
      await later.goto(`${app.http}/rooms/random`);
      assert.equal(await messageWith(later, hello).count(), 1);
      assert.equal(await messageWith(later, reply).count(), 1);
    });

    it('delivers nothing to a page whose connection id was tampered with', async () => {
      const context = await signedIn('bob');
      // An untampered page in the same browser: same socket-key cookie, the page's own id.
      const control = await openRoom(context, app.http, 'general');
      const cookies = await context.cookies(app.http);
      assert.ok(cookies.some(cookie => cookie.name === 'realtime_sk'), 'the browser holds the socket-key cookie');

      const forged = randomBytes(32).toString('hex');
      const tampered = await context.newPage();
      const frames = recordFrames(tampered);
      // The route subscribes the id it writes onto <body>; the page connects with
      // another one. The attribute is swapped when parsing ends ("interactive"),
      // which comes before module scripts run, so the client reads the forged id.
      await tampered.addInitScript(`
        document.addEventListener('readystatechange', () => {
          if (document.readyState !== 'interactive') return;
          document.body.dataset.servedConnectionId = document.body.getAttribute('data-socket-connection-id');
          document.body.setAttribute('data-socket-connection-id', ${JSON.stringify(forged)});
        });
      `);
      await tampered.goto(`${app.http}/rooms/general`);
      await waitForLive(tampered);
      const served = await tampered.getAttribute('body', 'data-served-connection-id');
      assert.match(served ?? '', /^[0-9a-f]{64}$/, 'the route wrote a connection id onto <body>');
      assert.notEqual(served, forged);
      assert.equal(await tampered.getAttribute('body', 'data-socket-connection-id'), forged);
      assert.deepEqual(
        frames.filter(frame => frame.event === 'Welcome').map(frame => frame.payload.id),
        [forged],
        'the socket connected with the forged id',
      );
      assert.equal(await tampered.getAttribute('body', 'data-realtime-user'), 'bob', 'and signed in');

      const secret = unique('Not for forged ids');
      await postJson(app.http, await apiToken(app.http, 'alice'), '/rooms/general/messages', { text: secret });
      // The room got it: the untampered page of the same browser shows it.
      await messageWith(control, secret).waitFor({ timeout: WAIT_MS });

      // A round trip over the tampered page's own socket: its reply is written
      // after anything that was pushed to that socket before it.
      const own = unique('Round trip');
      await sendFromComposer(tampered, own);
      assert.equal(await messageWith(tampered, secret).count(), 0, 'the message does not appear');
      assert.deepEqual(
        frames.filter(frame => frame.channel !== undefined),
        [],
        'the tampered socket received no push at all',
      );
      // Its own message went to the room all the same (the control page shows it).
      await messageWith(control, own).waitFor({ timeout: WAIT_MS });
    });

    it('signs out in one window: the other windows of the browser stop for good, say so, and get nothing more', async () => {
      const context = await signedIn('carol');
      const leaving = await openRoom(context, app.http, 'general');
      const other = await context.newPage();
      const frames = recordFrames(other);
      await other.goto(`${app.http}/rooms/general`);
      await waitForLive(other);
      const keyBefore = (await context.cookies(app.http)).find(cookie => cookie.name === 'realtime_sk')?.value;

      await leaving.click('form[action="/signout"] button');
      await leaving.waitForURL(`${app.http}/signin`, { timeout: WAIT_MS });
      await other.locator('#realtime-status[data-state="signed-out"]').waitFor({ timeout: WAIT_MS });
      assert.match((await other.locator('#notice').textContent()) ?? '', /You signed out/);
      const keyAfter = (await context.cookies(app.http)).find(cookie => cookie.name === 'realtime_sk')?.value;
      assert.ok(keyBefore && keyAfter && keyAfter !== keyBefore, 'the browser holds a new socket key');

      const late = unique('Said after the sign-out');
      await postJson(app.http, await apiToken(app.http, 'alice'), '/rooms/general/messages', { text: late });
      assert.equal(await messageWith(other, late).count(), 0);
      assert.deepEqual(frames.at(-1)?.payload?.error, 'AccessRevoked', 'the last frame the page got was the revocation');
      assert.equal(frames.filter(frame => frame.event === 'Welcome').length, 1, 'it did not reconnect');
      assert.equal(await other.locator('#realtime-status').getAttribute('data-state'), 'signed-out');
    });

    // NOTE: the README's screenshots are taken once, on Express: the pages are the same on both platforms.
    if (platform === 'express') {
      it('takes a screenshot of a conversation (docs/images/sample-chat.png)', async () => {
        const alice = await openRoom(await signedIn('alice'), app.http, 'support');
        const bob = await openRoom(await signedIn('bob'), app.http, 'support');
        const carol = await openRoom(await signedIn('carol'), app.http, 'support');
        const script: Array<[typeof alice, string]> = [
          [carol, 'Morning! Is anyone using nestjs-realtime behind a load balancer?'],
          [bob, 'We run two instances on Redis. Pages connect to either one and still get every message.'],
          [carol, 'Nice. And when a pod restarts?'],
          [alice, 'The client reconnects with the same connection id, signs in again and re-subscribes by itself.'],
          [alice, 'Try it: stop the server while this page is open and watch the badge in the corner.'],
          [bob, 'Widgets are per-owner too: the dashboard shows "Access denied" for the ones that aren\'t yours.'],
        ];
        for (const [page, text] of script) {
          await sendFromComposer(page, text);
          for (const other of [alice, bob, carol]) await messageWith(other, text).waitFor({ timeout: WAIT_MS });
        }
        await alice.fill('#message-text', 'Thanks, that helps');
        // No pulsing or arrival animations mid-capture.
        await alice.addStyleTag({ content: '*, *::before, *::after { animation: none !important; }' });
        const target = screenshotPath('sample-chat.png');
        const image = await alice.screenshot({ path: target });
        assert.ok(image.length > 10_000, `a real image was written to ${target}`);

        const widgets = await alice.context().newPage();
        await widgets.goto(`${app.http}/widgets`);
        await widgets.locator('.widget[data-state="denied"]').first().waitFor({ timeout: WAIT_MS });
        await widgets.locator('.widget[data-widget-id="1"][data-state="live"]').waitFor({ timeout: WAIT_MS });
        await widgets.addStyleTag({ content: '*, *::before, *::after { animation: none !important; }' });
        await widgets.screenshot({ path: screenshotPath('sample-widgets.png') });
      });
    }
  });
}

/**
 * docs/images/<name> when asked (`UPDATE_SCREENSHOTS=1`) or when it is missing,
 * else test-results/ (ignored by git), so a test run does not dirty the tree.
 */
function screenshotPath(name: string): string {
  const committed = fileURLToPath(new URL(name, IMAGES));
  if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(committed)) {
    mkdirSync(fileURLToPath(IMAGES), { recursive: true });
    return committed;
  }
  const results = fileURLToPath(new URL('../../../test-results/', import.meta.url));
  mkdirSync(results, { recursive: true });
  return `${results}${name}`;
}
