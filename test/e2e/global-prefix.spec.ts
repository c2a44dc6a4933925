import type { INestApplication } from '@nestjs/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { cookieOf, PLATFORMS, startApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';

/**
 * `app.setGlobalPrefix('api')`: every path of the module stays where the
 * README says (the socket at `/`, the client at `/realtime/client.js`), as a
 * Nest gateway's path does; routes, and so call-route URIs, take the prefix.
 */
for (const platform of PLATFORMS) describe(`an app with a global prefix (${platform})`, () => {
  let app: INestApplication;
  let http: string;
  let ws: string;

  before(async () => {
    const module = fixtureModule({ serveClient: true, injectConnectionId: true });
    const beforeListen = (app: INestApplication) => app.setGlobalPrefix('api', { exclude: ['page'] });
    ({ app, http, ws } = await startApp(module, '/', platform, undefined, { beforeListen }));
  });
  after(() => app.close());

  it('serves the browser client at /realtime/client.js, outside the prefix', async () => {
    const response = await fetch(`${http}/realtime/client.js`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^text\/javascript/);
    assert.match(await response.text(), /RealtimeSocket/);
    assert.equal((await fetch(`${http}/api/realtime/client.js`)).status, 404);
  });

  it('gives prefixed routes an identity, and a page outside the prefix its connection id', async () => {
    const subscribed = await fetch(`${http}/api/subscribe?channels=news`);
    assert.equal(subscribed.status, 200);
    const { connectionId } = (await subscribed.json()) as { connectionId: string };
    const cookie = cookieOf(subscribed);
    const client = await connectPage(ws, { connectionId, cookie });
    assert.deepEqual(client.welcome.payload.channels, ['news']);
    await fetch(`${http}/api/push/news`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { n: 1 }, event: 'Story' }),
    });
    assert.deepEqual((await client.next(frame => frame.event === 'Story')).payload, { n: 1 });
    client.close();

    const page = await fetch(`${http}/page`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200, 'the excluded page is served outside the prefix');
    assert.match(await page.text(), /<body data-socket-connection-id="[0-9a-f]{64}" class="x">/);
  });

  it('calls routes over the socket by their full, prefixed path', async () => {
    const client = await TestClient.connect(ws);
    const reply = await client.callRoute('get', '/api/routes/greet/ada');
    assert.equal(reply.status, 200);
    assert.equal(reply.body.greeting, 'hello ada');
    assert.equal((await client.callRoute('get', '/routes/greet/ada')).status, 404, 'the unprefixed path is not a route');
    client.close();
  });
});
