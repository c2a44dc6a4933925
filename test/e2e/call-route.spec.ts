import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { PLATFORMS, post, startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/** pakyow's call-route, a real HTTP request through the app, on Express and on Fastify. */
for (const platform of PLATFORMS) {
  describe(`call-route (pakyow) on ${platform}`, () => {
    let server: TestApp;
    before(async () => (server = await startApp(fixtureModule(), '/', platform)));
    after(() => server.close());

    it('calls a route through middleware and answers {id, status, headers, body}', async () => {
      const client = await TestClient.connect(server.ws);
      const reply = await client.callRoute('get', '/routes/greet/bryan', { socket_connection_id: 'ignored-0123456789' });
      assert.equal(reply.status, 200);
      assert.match(reply.headers['Content-Type'], /^application\/json/);
      assert.deepEqual(reply.body, { greeting: 'hello bryan', stamped: 'by-middleware', viaSocket: true });
      assert.deepEqual(Object.keys(reply), ['id', 'status', 'headers', 'body']);
      client.close();
    });

    it('passes input as the query of a GET and as the JSON body of a POST', async () => {
      const client = await TestClient.connect(server.ws);
      assert.deepEqual((await client.callRoute('get', '/routes/query?a=1', { b: 'two', list: [1, 2] })).body, {
        a: '1',
        b: 'two',
        list: ['1', '2'],
      });
      const posted = await client.callRoute('post', '/routes/echo', { qty: 3 });
      assert.equal(posted.status, 201);
      assert.deepEqual(posted.body, { received: { qty: 3 } });
      client.close();
    });

    it('runs pipes, guards, interceptors and exception filters as HTTP does', async () => {
      const client = await TestClient.connect(server.ws);
      assert.deepEqual((await client.callRoute('get', '/routes/items/41')).body, { id: 41, type: 'number' });
      const badPipe = await client.callRoute('get', '/routes/items/forty');
      assert.equal(badPipe.status, 400);
      assert.match(badPipe.body.message, /numeric string is expected/);
      assert.equal((await client.callRoute('get', '/routes/private')).status, 403);
      assert.deepEqual((await client.callRoute('get', '/routes/wrapped')).body, { data: 7, enveloped: true });
      const filtered = await client.callRoute('get', '/routes/stock');
      assert.deepEqual([filtered.status, filtered.body], [409, { problem: 'out-of-stock', detail: 'no blue widgets' }]);
      assert.equal((await client.callRoute('get', '/routes/invalid')).status, 422);
      assert.equal((await client.callRoute('get', '/routes/none')).status, 404);
      client.close();
    });

    it("carries the socket's cookies, so session auth works", async () => {
      const client = await TestClient.connect(server.ws, { headers: { cookie: 'session=alice' } });
      const reply = await client.callRoute('get', '/routes/private');
      assert.deepEqual([reply.status, reply.body], [200, { secret: 'only for alice' }]);
      client.close();
    });

    it('answers a redirect with 302 and headers.Location', async () => {
      const client = await TestClient.connect(server.ws);
      const reply = await client.callRoute('get', '/routes/old');
      assert.equal(reply.status, 302);
      assert.equal(reply.headers.Location, '/routes/new');
      client.close();
    });

    it('gives the body of a non-JSON response as an array of strings, as pakyow 0.11 did', async () => {
      const client = await TestClient.connect(server.ws);
      const reply = await client.callRoute('get', '/routes/html');
      assert.deepEqual(reply.body, ['<p>partial</p>']);
      client.close();
    });

    it('treats a null method as GET, as a form without a method attribute', async () => {
      const client = await TestClient.connect(server.ws);
      const reply = await client.callRoute(null, '/routes/greet/form');
      assert.equal(reply.status, 200);
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

    it('refuses anything but a path of this app', async () => {
      const client = await TestClient.connect(server.ws);
      for (const uri of ['http://169.254.169.254/latest', '//evil.example/x', 'routes/greet/x', 42]) {
        const reply = await client.callRoute('get', uri as string);
        assert.deepEqual([reply.status, reply.body.error], [400, 'InvalidPayload'], String(uri));
      }
      assert.equal((await client.callRoute('connect', '/routes/greet/x')).status, 405);
      assert.equal((await client.callRoute('get', '/routes/greet/x', 'not-an-object')).status, 400);
      client.close();
    });
  });
}
