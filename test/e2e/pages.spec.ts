import { Module } from '@nestjs/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { PagesController } from '../fixtures/pages.controller.js';
import { connectPage } from '../support/page-socket.js';
import { cookiePairs, PLATFORMS, post, startApp, type TestApp } from '../support/test-app.js';
import { positioned } from '../support/positioned.js';

@Module({ imports: [fixtureModule({ injectConnectionId: true })], controllers: [PagesController] })
class PagesFixtureModule {}

const PAGE_ID = /<body data-socket-connection-id="([0-9a-f]{64})" class="page">/;

/** Marked pages (`injectConnectionId: true`), written with Nest's platform-neutral API, on each platform. */
for (const platform of PLATFORMS) {
  describe(`marked pages on ${platform}`, () => {
    let server: TestApp;
    before(async () => (server = await startApp(PagesFixtureModule, '/', platform)));
    after(() => server.close());

    it("a page's socket connects with the page's id and cookie and receives what the route subscribed", async () => {
      const response = await fetch(`${server.http}/pages/live/room-${platform}`, { headers: { accept: 'text/html' } });
      const html = await response.text();
      const id = html.match(PAGE_ID)?.[1];
      assert.ok(id, html);
      assert.match(html, /<p>été<\/p><\/body><\/html>$/, 'the rest of the page is untouched');
      assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(html));
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const client = await connectPage(server, { connectionId: id, cookie: cookiePairs(response)[0]! });
      assert.deepEqual(client.welcome.payload.channels, [`room-${platform}`]);
      await post(server, `/push/room-${platform}`, { message: 'hello page', event: 'Said' });
      assert.deepEqual(positioned(await client.next(frame => frame.channel === `room-${platform}`)), {
        event: 'Said',
        channel: `room-${platform}`,
        payload: 'hello page',
        offset: 1,
      });
      client.close();
    });

    it('answers HEAD with the headers GET answers', async () => {
      for (const path of ['/page', '/pages/live/head']) {
        const get = await fetch(`${server.http}${path}`, { headers: { accept: 'text/html' } });
        await get.text();
        const head = await fetch(`${server.http}${path}`, { method: 'HEAD', headers: { accept: 'text/html' } });
        assert.equal(head.status, 200);
        assert.equal(await head.text(), '');
        for (const name of ['content-type', 'content-length', 'cache-control', 'etag']) {
          assert.equal(head.headers.get(name), get.headers.get(name), `${path}: ${name}`);
        }
        assert.deepEqual(cookiePairs(head).map(pair => pair.split('=')[0]), ['realtime_sk']);
      }
    });

    it('answers HEAD of a redirect with the headers GET answers, unmarked', async () => {
      const init = { headers: { accept: 'text/html' }, redirect: 'manual' } as const;
      const get = await fetch(`${server.http}/routes/old`, init);
      const getBody = await get.text();
      const head = await fetch(`${server.http}/routes/old`, { ...init, method: 'HEAD' });
      assert.deepEqual([get.status, head.status], [302, 302]);
      assert.doesNotMatch(getBody, /data-socket-connection-id/);
      for (const name of ['content-type', 'content-length', 'cache-control', 'location']) {
        assert.equal(head.headers.get(name), get.headers.get(name), name);
      }
      assert.deepEqual([get.headers.getSetCookie(), head.headers.getSetCookie()], [[], []]);
    });

    it("lets a page's 304 through, and a browser's page request always gets the page", async () => {
      const notModified = await fetch(`${server.http}/pages/cached`, { headers: { accept: '*/*', 'if-none-match': '"page-v1"' } });
      assert.equal(notModified.status, 304);
      assert.equal(await notModified.text(), '');
      const page = await fetch(`${server.http}/pages/cached`, { headers: { accept: 'text/html', 'if-none-match': '"page-v1"' } });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, PAGE_ID);
      assert.equal(Number(page.headers.get('content-length')), Buffer.byteLength(html));
      assert.equal(page.headers.get('etag'), null);
    });

    it("sends a cookie set with Nest's setCookie() once, next to the module's", async () => {
      const response = await fetch(`${server.http}/pages/with-cookie`, { headers: { accept: 'text/html' } });
      assert.match(await response.text(), PAGE_ID);
      assert.deepEqual(cookiePairs(response).map(pair => pair.split('=')[0]).sort(), ['realtime_sk', 'theme']);
    });
  });
}
