import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CaptureLogger } from '../support/capture-logger.js';
import { connectPage } from '../support/page-socket.js';
import { startAppsOnRedis, stopAppsOnRedis, transportUp } from '../support/redis-apps.js';
import type { RedisProcess } from '../support/redis-server.js';
import { actAs, subscribePage, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';


/**
 * A Redis that hangs: SIGSTOPped, its sockets stay open and it answers
 * nothing, so nothing but a timeout can tell. Every call must still be
 * answered, with a named error, and nothing may be lost or doubled.
 */
describe('Redis that hangs (SIGSTOP)', () => {
  const logs = new CaptureLogger();
  let redis: RedisProcess;
  let a: TestApp;
  let b: TestApp;

  before(async () => ({ redis, a, b } = await startAppsOnRedis({ redis: { commandTimeout: 1000 }, logger: logs })));
  after(() => stopAppsOnRedis({ redis, a, b }));

  it('answers every HTTP call, socket and action with a named error or a queued push, then recovers with nothing lost or doubled', async () => {
    const pageA = await subscribePage(a, ['feed']);
    const pageB = await subscribePage(b, ['feed']);
    const onA = await connectPage(a, pageA);
    const onB = await connectPage(b, pageB);
    await onA.call('Subscribe', { exchange: 'widgets', routing_key: 1234 });
    const later = await subscribePage(a, ['later']);

    redis.pause();
    try {
      // A route that subscribes its page: 503, with the error's code.
      const subscribe = await fetch(`${a.http}/subscribe?channels=news`);
      assert.equal(subscribe.status, 503);
      const body = (await subscribe.json()) as { code: string; message: string };
      assert.ok(['Timeout', 'Unavailable'].includes(body.code), `code ${body.code}`);
      assert.doesNotMatch(body.message, /127\.0\.0\.1|Redis/, 'no Redis details in what a client sees');

      // A push: queued; nobody gets it before Redis gives it its place, this instance included.
      const push = await fetch(`${a.http}/push/feed`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: { n: 1 } }),
      });
      assert.equal(push.status, 201);
      assert.deepEqual(await push.json(), { channels: ['feed'], localDeliveries: 1, status: 'queued' });

      // A page that connects now cannot be told what it holds: it is sent away, to come back.
      const refused = await connectPage(a, later, { welcome: false });
      assert.deepEqual(await refused.closed, { code: 1013, reason: 'Try again later' });
      assert.deepEqual(refused.frames.map(frame => [frame.event, frame.payload.error]), [['Error', 'Unavailable']]);

      // Every action gets exactly one answer.
      const subscribed = await onA.call('Subscribe', { exchange: 'widgets', routing_key: 2 });
      assert.deepEqual([subscribed.event, subscribed.payload.error, subscribed.payload.routing_key], ['Error', 'Unavailable', 2]);
      const unsubscribed = await onA.call('Unsubscribe', { exchange: 'widgets', routing_key: 1234 });
      assert.deepEqual([unsubscribed.event, unsubscribed.payload.error], ['Error', 'Unavailable']);
      const list = await onA.call('ListSubscriptions');
      assert.deepEqual(list.payload.channels.sort(), ['feed', 'widgets:1234'], 'a refused Unsubscribe changed nothing');
      assert.equal(transportUp(a), false, 'health reports the stall');
      await onA.barrier();
      assert.deepEqual(onA.frames.filter(frame => frame.channel === 'feed'), [], 'the queued push waits');
    } finally {
      redis.resume();
    }

    await until(() => transportUp(a) && transportUp(b), 'both instances see Redis answer again');
    // Both get the queued push once, before the later one.
    await fetch(`${a.http}/push/feed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { n: 2 } }),
    });
    await onB.next(frame => frame.channel === 'feed' && frame.payload.n === 2);
    for (const client of [onA, onB]) {
      await client.barrier();
      assert.deepEqual(client.frames.filter(frame => frame.channel === 'feed').map(frame => frame.payload.n), [1, 2]);
    }

    // The page that was sent away comes back with its subscriptions.
    const back = await connectPage(a, later);
    assert.deepEqual(back.welcome.payload.channels, ['later']);
    assert.equal((await onA.call('Subscribe', { exchange: 'widgets', routing_key: 2 })).event, 'Subscribed');
    assert.equal((await fetch(`${a.http}/subscribe?channels=news`, { headers: actAs(pageA) })).status, 200);

    assert.deepEqual(logs.errors, [], 'a hung Redis is not an error of the module');
    assert.ok(logs.entries.some(entry => entry.level === 'warn' && /Redis stalled/.test(entry.text)), 'the stall is reported once, as a warning');
    for (const client of [onA, onB, back]) client.close();
  });
});
