import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventSourceClient } from '../support/event-source-client.js';
import { RawEventStream } from '../support/event-stream-client.js';
import { connectPage } from '../support/page-socket.js';
import { startAppsOnRedis, stopAppsOnRedis, type AppsOnRedis } from '../support/redis-apps.js';
import { actAs, post, subscribePage } from '../support/test-app.js';
import { positioned } from '../support/positioned.js';

/** The event stream of a fleet: a stream on one instance gets what the other does, as a socket would. */
describe('event stream on Redis: two instances', () => {
  let apps: AppsOnRedis;
  before(async () => (apps = await startAppsOnRedis()));
  after(() => stopAppsOnRedis(apps));

  it("gets pushes made on the other instance, to what a route there subscribed the page to", async () => {
    const { a, b } = apps;
    const page = await subscribePage(a, ['fleet-news']);
    const stream = await EventSourceClient.page(b, page);
    const socket = await connectPage(a, page);
    assert.deepEqual(stream.welcome.payload.channels, ['fleet-news'], 'B found what A subscribed, in Redis');
    await post(a, '/push/fleet-news', { message: { n: 1 } });
    await post(b, '/push/fleet-news', { message: { n: 2 } });
    for (const n of [1, 2]) {
      // One sequence for the fleet: the same offset on both instances.
      const frame = { event: 'Push', channel: 'fleet-news', payload: { n }, offset: n };
      const [onStream, onSocket] = [await stream.next(candidate => candidate.payload?.n === n), await socket.next(candidate => candidate.payload?.n === n)];
      assert.deepEqual(positioned(onStream), frame);
      assert.deepEqual(onSocket, onStream);
    }
    stream.close();
    socket.close();
  });

  it('takes a route subscription and a direct send made on the other instance, at once', async () => {
    const { a, b } = apps;
    const page = await subscribePage(a, ['fleet-first']);
    const stream = await EventSourceClient.page(b, page);
    await fetch(`${a.http}/subscribe?channels=fleet-later`, { headers: actAs(page) });
    await post(a, '/push/fleet-later', { message: 'later' });
    await stream.next(frame => frame.channel === 'fleet-later');
    await post(a, '/notify', { message: 'just you' }, actAs(page));
    assert.deepEqual(await stream.next(frame => frame.event === 'Notice'), { event: 'Notice', payload: 'just you' });
    stream.close();
  });

  it('is ended by a sign-out on the other instance: Error AccessRevoked, close 4004', async () => {
    const { a, b } = apps;
    const page = await subscribePage(a, ['fleet-private']);
    const stream = await RawEventStream.open(`${b.http}/?socket_connection_id=${page.connectionId}`, { cookie: page.cookie });
    await stream.next(frame => frame.event === 'Welcome');
    await post(a, '/signout', {}, { cookie: page.cookie });
    await stream.ended;
    assert.equal(stream.frames.at(-1)?.payload?.error, 'AccessRevoked');
    assert.deepEqual(stream.closeEvent, { code: 4004, reason: 'Access revoked' });
  });
});
