import { Module } from '@nestjs/common';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RealtimeModuleOptions } from 'nestjs-realtime';
import { FastifyReplyController } from '../fixtures/fastify-reply.controller.js';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { PagesController } from '../fixtures/pages.controller.js';
import { connectPage } from '../support/page-socket.js';
import { actAs, post, startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/** The fixture app with the page routes, on Fastify. */
function startFastify(options: RealtimeModuleOptions): Promise<TestApp> {
  @Module({ imports: [fixtureModule(options)], controllers: [PagesController, FastifyReplyController] })
  class FastifyFixtureModule {}
  return startApp(FastifyFixtureModule, '/', 'fastify');
}

/** `name=value` of each `Set-Cookie` of a response. */
function cookiePairs(response: Response): string[] {
  return response.headers.getSetCookie().map(cookie => cookie.split(';')[0]!);
}

const SOCKET_KEY_COOKIE = /^realtime_sk=[0-9a-f]{64}\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax$/;

/**
 * What identity.spec.ts checks on Express, on an app started with
 * `FastifyAdapter`, and cookies set on the Fastify reply. Pages on both
 * platforms (HEAD, 304, a page's socket, Nest's `setCookie()`): pages.spec.ts.
 */
describe('Fastify: identity', () => {
  let server: TestApp;
  before(async () => (server = await startFastify({ injectConnectionId: true })));
  after(() => server.close());

  it('@RealtimeClient() works in a route and sets the signed cookie, once per browser', async () => {
    const first = await fetch(`${server.http}/subscribe?channels=a`);
    assert.equal(first.status, 200);
    const setCookie = first.headers.getSetCookie();
    assert.equal(setCookie.length, 1);
    assert.match(setCookie[0]!, SOCKET_KEY_COOKIE);
    const again = await fetch(`${server.http}/subscribe?channels=a`, { headers: { cookie: cookiePairs(first)[0]! } });
    assert.deepEqual(again.headers.getSetCookie(), []);
  });

  it('a route that sets its own cookie on the Fastify reply keeps both cookies', async () => {
    // With pages marked (the head is held for that) and without.
    const plain = await startFastify({});
    try {
      for (const app of [server, plain]) {
        const response = await fetch(`${app.http}/fastify/client`);
        assert.equal(response.status, 200);
        const cookies = response.headers.getSetCookie();
        assert.equal(cookies.length, 2, cookies.join(' | '));
        assert.ok(cookies.some(cookie => SOCKET_KEY_COOKIE.test(cookie)), cookies.join(' | '));
        assert.ok(cookies.includes('theme=dark; Path=/'));
      }
    } finally {
      await plain.close();
    }

    // The module's cookie is set while the page is marked, after the route set its own.
    const page = await fetch(`${server.http}/fastify/page`, { headers: { accept: 'text/html' } });
    assert.match(await page.text(), /<body data-socket-connection-id="[0-9a-f]{64}">/);
    assert.deepEqual(cookiePairs(page).map(pair => pair.split('=')[0]).sort(), ['lang', 'realtime_sk', 'theme']);
  });

  it('picks up what the route subscribed when the socket connects with that id', async () => {
    const page = await subscribePage(server, ['news', 'alerts']);
    const client = await connectPage(server, page);
    assert.equal(client.welcome.payload.id, page.connectionId);
    assert.deepEqual([...client.welcome.payload.channels].sort(), ['alerts', 'news']);
    await post(server, '/push/alerts', { message: { level: 'high' } });
    assert.deepEqual(await client.next(frame => frame.channel === 'alerts'), { event: 'Push', channel: 'alerts', payload: { level: 'high' } });
    // A wrong id connects but receives nothing.
    const wrong = await connectPage(server, { ...page, connectionId: 'f'.repeat(64) });
    await post(server, '/push/alerts', { message: 'again' });
    await client.next(frame => frame.payload === 'again');
    await wrong.barrier();
    assert.equal(wrong.frames.filter(frame => frame.channel).length, 0);
    client.close();
    wrong.close();
  });

  it('writes the id onto <body> with a correct Content-Length, no ETag and no-store', async () => {
    const response = await fetch(`${server.http}/page`, { headers: { accept: 'text/html' } });
    const html = await response.text();
    const match = html.match(/<body data-socket-connection-id="([0-9a-f]{64})" class="x">/);
    assert.ok(match, html);
    assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(html));
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('etag'), null);
    assert.match(response.headers.get('content-type')!, /^text\/html/);
    const cookie = cookiePairs(response)[0]!;

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

/** What call-route.spec.ts checks on Express: the call is a real HTTP request through the Fastify app. */
describe('Fastify: call-route', () => {
  let server: TestApp;
  before(async () => (server = await startFastify({})));
  after(() => server.close());

  it('calls a route through middleware, pipes, guards, interceptors and filters', async () => {
    const client = await TestClient.connect(server.ws);
    const greeted = await client.callRoute('get', '/routes/greet/bryan', { socket_connection_id: 'ignored-0123456789' });
    assert.equal(greeted.status, 200);
    assert.match(greeted.headers['Content-Type'], /^application\/json/);
    assert.deepEqual(greeted.body, { greeting: 'hello bryan', stamped: 'by-middleware', viaSocket: true });
    assert.deepEqual(Object.keys(greeted), ['id', 'status', 'headers', 'body']);
    assert.deepEqual((await client.callRoute('get', '/routes/query?a=1', { b: 'two', list: [1, 2] })).body, { a: '1', b: 'two', list: ['1', '2'] });
    const posted = await client.callRoute('post', '/routes/echo', { qty: 3 });
    assert.deepEqual([posted.status, posted.body], [201, { received: { qty: 3 } }]);
    assert.deepEqual((await client.callRoute('get', '/routes/items/41')).body, { id: 41, type: 'number' });
    assert.equal((await client.callRoute('get', '/routes/items/forty')).status, 400);
    assert.equal((await client.callRoute('get', '/routes/private')).status, 403);
    assert.deepEqual((await client.callRoute('get', '/routes/wrapped')).body, { data: 7, enveloped: true });
    const filtered = await client.callRoute('get', '/routes/stock');
    assert.deepEqual([filtered.status, filtered.body], [409, { problem: 'out-of-stock', detail: 'no blue widgets' }]);
    assert.equal((await client.callRoute('get', '/routes/invalid')).status, 422);
    assert.equal((await client.callRoute('get', '/routes/none')).status, 404);
    const redirected = await client.callRoute('get', '/routes/old');
    assert.deepEqual([redirected.status, redirected.headers.Location], [302, '/routes/new']);
    assert.deepEqual((await client.callRoute('get', '/routes/html')).body, ['<p>partial</p>']);
    assert.equal((await client.callRoute(null, '/routes/greet/form')).status, 200);
    assert.deepEqual([(await client.callRoute('get', '//evil.example/x')).status, (await client.callRoute('connect', '/routes/greet/x')).status], [400, 405]);
    client.close();
  });

  it("carries the socket's cookies, so session auth works", async () => {
    const client = await TestClient.connect(server.ws, { headers: { cookie: 'session=alice' } });
    const reply = await client.callRoute('get', '/routes/private');
    assert.deepEqual([reply.status, reply.body], [200, { secret: 'only for alice' }]);
    client.close();
  });

  it('subscribes the calling connection when the route subscribes its client', async () => {
    const page = await subscribePage(server, ['unrelated']);
    const client = await connectPage(server, page);
    const cookieless = await TestClient.connect(server.ws);
    for (const caller of [client, cookieless]) {
      const reply = await caller.callRoute('get', '/routes/follow/bar');
      assert.deepEqual(reply.body, { following: 'bar', connectionId: caller.welcome.payload.id });
    }
    await post(server, '/push/bar', { message: 'reached' });
    await client.next(frame => frame.channel === 'bar');
    await cookieless.next(frame => frame.channel === 'bar');
    client.close();
    cookieless.close();
  });
});

/** What client-script.spec.ts checks on Express. */
describe('Fastify: serveClient', () => {
  it('serves the one-file client: GET, HEAD, and 304 with its ETag', async () => {
    const server = await startFastify({ serveClient: true });
    try {
      const response = await fetch(`${server.http}/realtime/client.js`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type')!, /^text\/javascript/);
      const body = await response.text();
      assert.equal(body, readFileSync('dist/client/nestjs-realtime-client.js', 'utf8'));
      assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(body));
      const etag = response.headers.get('etag')!;
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/);

      const head = await fetch(`${server.http}/realtime/client.js`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
      for (const name of ['content-type', 'content-length', 'etag']) assert.equal(head.headers.get(name), response.headers.get(name), name);

      const again = await fetch(`${server.http}/realtime/client.js`, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
      assert.equal((await fetch(`${server.http}/realtime/client.js?v=2`)).status, 200, 'a query string is not part of the path');
      assert.equal((await fetch(`${server.http}/realtime/other.js`)).status, 404);
    } finally {
      await server.close();
    }
  });

  it('serves it at a chosen path, and not at all by default', async () => {
    const custom = await startFastify({ serveClient: '/assets/rt.js' });
    const none = await startFastify({});
    try {
      assert.equal((await fetch(`${custom.http}/assets/rt.js`)).status, 200);
      assert.equal((await fetch(`${custom.http}/realtime/client.js`)).status, 404);
      assert.equal((await fetch(`${none.http}/realtime/client.js`)).status, 404);
    } finally {
      await custom.close();
      await none.close();
    }
  });
});
