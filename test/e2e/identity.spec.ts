import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage, pageSocketUrl } from '../support/page-socket.js';
import { actAs, PLATFORMS, post, startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';
import { positioned } from '../support/positioned.js';

/** The pakyow identity model, on Express and on Fastify (the cookie a Fastify reply sets: fastify.spec.ts). */
for (const platform of PLATFORMS) {
  describe(`identity (pakyow model) on ${platform}`, () => {
    let server: TestApp;
    before(async () => (server = await startApp(fixtureModule({ injectConnectionId: true }), '/', platform)));
    after(() => server.close());

    it('sets the socket key as a signed HttpOnly SameSite cookie, once per browser', async () => {
      const first = await fetch(`${server.http}/subscribe?channels=a`);
      assert.equal(first.status, 200);
      const setCookie = first.headers.getSetCookie();
      assert.equal(setCookie.length, 1);
      assert.match(setCookie[0]!, /^realtime_sk=[0-9a-f]{64}\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax$/);
      const again = await fetch(`${server.http}/subscribe?channels=a`, { headers: { cookie: setCookie[0]!.split(';')[0]! } });
      assert.deepEqual(again.headers.getSetCookie(), [], 'a browser that has the cookie keeps it');
    });

    it('gives every rendered page a new connection id under the same key', async () => {
      const one = await subscribePage(server, ['a']);
      const two = await subscribePage(server, ['a'], one.cookie);
      assert.notEqual(one.connectionId, two.connectionId);
      assert.match(one.connectionId, /^[0-9a-f]{64}$/);
    });

    it('picks up what the route subscribed when the socket connects with that id', async () => {
      const page = await subscribePage(server, ['news', 'alerts']);
      const client = await connectPage(server, page);
      assert.equal(client.welcome.payload.id, page.connectionId);
      assert.deepEqual([...client.welcome.payload.channels].sort(), ['alerts', 'news'], 'Welcome lists what is held');
      // Nothing was pushed since the route subscribed it: nothing to catch up.
      assert.deepEqual(client.welcome.payload.positions, {
        alerts: { epoch: '', offset: 0, recovered: true },
        news: { epoch: '', offset: 0, recovered: true },
      });
      await post(server, '/push/alerts', { message: { level: 'high' } });
      assert.deepEqual(positioned(await client.next(frame => frame.channel === 'alerts')), {
        event: 'Push',
        channel: 'alerts',
        payload: { level: 'high' },
        offset: 1,
      });
      client.close();
    });

    it('a wrong connection id connects but receives nothing', async () => {
      const page = await subscribePage(server, ['private-feed']);
      const right = await connectPage(server, page);
      const wrong = await connectPage(server, { ...page, connectionId: 'f'.repeat(64) });
      assert.equal(wrong.welcome.event, 'Welcome');
      await post(server, '/push/private-feed', { message: 'for your eyes' });
      await right.next(frame => frame.channel === 'private-feed');
      await wrong.barrier();
      assert.equal(wrong.frames.filter(frame => frame.channel).length, 0);
      right.close();
      wrong.close();
    });

    it('a tampered or missing cookie receives nothing, even with the right id', async () => {
      const page = await subscribePage(server, ['tamper']);
      const [name, value] = page.cookie.split('=') as [string, string];
      const forged = `${name}=${'0'.repeat(64)}.${value.split('.')[1]}`;
      const tampered = await connectPage(server, { ...page, cookie: forged });
      const cookieless = await connectPage(server, { connectionId: page.connectionId });
      await post(server, '/push/tamper', { message: 1 });
      await tampered.barrier();
      await cookieless.barrier();
      assert.equal(tampered.frames.filter(frame => frame.channel).length, 0);
      assert.equal(cookieless.frames.filter(frame => frame.channel).length, 0);
      tampered.close();
      cookieless.close();
    });

    it('lets a non-browser client supply its own key and id, by header or query', async () => {
      const key = 'k'.repeat(40);
      const id = 'node-client-connection-1';
      const response = await fetch(`${server.http}/subscribe?channels=worker-feed`, {
        headers: { 'x-realtime-socket-key': key, 'x-realtime-connection-id': id },
      });
      assert.deepEqual(response.headers.getSetCookie(), [], 'no cookie when the key came with the request');
      assert.equal(((await response.json()) as { connectionId: string }).connectionId, id);
      const byQuery = await TestClient.connect(`${pageSocketUrl(server, id)}&socket_key=${key}`);
      const byHeader = await TestClient.connect(server.ws, {
        headers: { 'x-realtime-socket-key': key, 'x-realtime-connection-id': id },
      });
      await post(server, '/push/worker-feed', { message: 'job done' });
      await byQuery.next(frame => frame.channel === 'worker-feed');
      await byHeader.next(frame => frame.channel === 'worker-feed');
      byQuery.close();
      byHeader.close();
    });

    it('never takes the socket key from an HTTP query string (no key fixation by link)', async () => {
      const key = 'f'.repeat(40);
      const response = await fetch(`${server.http}/subscribe?channels=victim&socket_key=${key}`);
      const { connectionId } = (await response.json()) as { connectionId: string };
      const attacker = await TestClient.connect(`${pageSocketUrl(server, connectionId)}&socket_key=${key}`);
      await post(server, '/push/victim', { message: 'private' });
      await attacker.barrier();
      assert.equal(attacker.frames.filter(frame => frame.channel).length, 0);
      attacker.close();
    });

    it('writes data-socket-connection-id onto <body> of HTML pages, and that id works', async () => {
      const response = await fetch(`${server.http}/page`, { headers: { accept: 'text/html' } });
      const html = await response.text();
      const match = html.match(/<body data-socket-connection-id="([0-9a-f]{64})" class="x">/);
      assert.ok(match, html);
      assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(html));
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.headers.get('etag'), null);
      assert.match(response.headers.get('content-type')!, /^text\/html/);
      const cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
      const second = await (await fetch(`${server.http}/page`, { headers: { cookie } })).text();
      assert.notEqual(second.match(/data-socket-connection-id="([0-9a-f]{64})"/)![1], match[1]);

      // A later request from that page acts for it with the id header.
      const subscribed = await fetch(`${server.http}/subscribe?channels=page-feed`, { headers: actAs({ connectionId: match[1]!, cookie }) });
      assert.equal(((await subscribed.json()) as { connectionId: string }).connectionId, match[1]);
      const client = await connectPage(server, { connectionId: match[1]!, cookie });
      await post(server, '/push/page-feed', { message: 'x' });
      await client.next(frame => frame.channel === 'page-feed');
      client.close();
    });

    it('leaves JSON responses alone', async () => {
      const response = await fetch(`${server.http}/state`, { headers: { accept: 'text/html' } });
      assert.match(response.headers.get('content-type')!, /^application\/json/);
      assert.doesNotMatch(await response.text(), /data-socket-connection-id/);
    });
  });
}
