import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { connectPage } from '../support/page-socket.js';
import { cookieOf, startApp, type TestApp } from '../support/test-app.js';
import { positioned } from '../support/positioned.js';

describe('smoke', () => {
  let server: TestApp;
  before(async () => (server = await startApp(fixtureModule())));
  after(() => server.close());

  it('subscribes from a route before connecting, then receives a push', async () => {
    const page = await fetch(`${server.http}/subscribe?channels=foo`);
    const { connectionId } = (await page.json()) as { connectionId: string };
    const client = await connectPage(server, { connectionId, cookie: cookieOf(page) });
    assert.equal(client.welcome.payload.id, connectionId);
    await fetch(`${server.http}/push/foo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello' }),
    });
    const push = await client.next(frame => frame.channel === 'foo');
    assert.deepEqual(positioned(push), { event: 'Push', channel: 'foo', payload: 'hello', offset: 1 });
    client.close();
  });
});
