import { Redis } from 'ioredis';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChannelService, RealtimeTransportError } from 'nestjs-realtime';
import { RealtimeSocket } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { CaptureLogger } from '../support/capture-logger.js';
import { connectPage } from '../support/page-socket.js';
import { startAppsOnRedis, stopAppsOnRedis, transportUp } from '../support/redis-apps.js';
import type { RedisProcess } from '../support/redis-server.js';
import { subscribePage, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { TestClient } from '../support/ws-client.js';


/** Subscriptions while Redis is down (killed): every request answered, none answered falsely. */
describe('subscriptions during a Redis outage', () => {
  const logs = new CaptureLogger();
  let redis: RedisProcess;
  let a: TestApp;
  let b: TestApp;

  before(async () => ({ redis, a, b } = await startAppsOnRedis({ logger: logs })));
  after(() => stopAppsOnRedis({ redis, a, b }));

  it('answers Subscribe, Unsubscribe and ListSubscriptions once each, says Subscribed only while listening on Redis, and sends new sockets away to retry', async () => {
    const page = await subscribePage(a, ['lobby']);
    const client = await connectPage(a, page);
    assert.equal((await client.call('Subscribe', { exchange: 'widgets', routing_key: 1 })).event, 'Subscribed');

    await redis.kill();
    await until(() => !transportUp(a), 'the instance notices the outage');

    const subscribe = await client.call('Subscribe', { exchange: 'widgets', routing_key: 2 });
    assert.deepEqual(subscribe.payload, {
      exchange: 'widgets',
      routing_key: 2,
      error: 'Unavailable',
      message: 'The realtime service is unavailable for a moment; try again.',
    });
    const unsubscribe = await client.call('Unsubscribe', { channel: 'lobby' });
    assert.equal(unsubscribe.payload.error, 'Unavailable');
    const all = await client.call('Unsubscribe', {});
    assert.equal(all.payload.error, 'Unavailable');
    assert.deepEqual((await client.call('ListSubscriptions')).payload.channels.sort(), ['lobby', 'widgets:1'], 'nothing changed');
    await client.barrier();
    const tagged = client.frames.filter(frame => frame.tag !== undefined).map(frame => frame.tag);
    assert.equal(new Set(tagged).size, tagged.length, 'exactly one answer per request');

    // A page that (re)connects now is told to come back, not welcomed with nothing.
    const fresh = await subscribePage(a, ['x']).catch(error => error as Error);
    assert.match(String(fresh), /503/, 'a route that subscribes answers 503');
    const refused = await TestClient.open(b.ws);
    assert.deepEqual(await refused.closed, { code: 1013, reason: 'Try again later' });
    assert.equal(refused.frames[0]?.payload.error, 'Unavailable');

    // Server code hears it with a named error.
    const channels = b.app.get(ChannelService);
    await assert.rejects(channels.subscribe({ connectionId: page.connectionId, digest: page.digest }, 'y'), RealtimeTransportError);
    await assert.rejects(channels.subscriptions({ connectionId: page.connectionId, digest: page.digest }), RealtimeTransportError);

    await redis.start();
    await until(() => transportUp(a) && transportUp(b), 'both instances are back');
    const again = await client.call('Subscribe', { exchange: 'widgets', routing_key: 2 });
    assert.equal(again.event, 'Subscribed');
    const inspect = new Redis(redis.url);
    try {
      const [, listeners] = (await inspect.pubsub('NUMSUB', 'rt:{c:widgets:2}')) as [string, number];
      assert.equal(listeners, 1, 'Subscribed means the instance listens on Redis');
    } finally {
      inspect.disconnect();
    }
    await b.app.get(ChannelService).pushEvent('widgets', 2, 'WidgetQtyChanged', { quantity: 9 });
    await client.next(frame => frame.event === 'WidgetQtyChanged' && frame.payload.quantity === 9);
    const welcomed = await TestClient.connect(b.ws);
    welcomed.close();
    client.close();
    assert.deepEqual(logs.errors, [], 'an outage is not an error of the module');
  });
  it("lets the client library ride out the outage: a socket opened meanwhile connects, and a family subscription made meanwhile is confirmed, once Redis is back", async () => {
    const fast = { initialDelayMs: 50, maxDelayMs: 200 };
    const early = new RealtimeSocket<object, { WidgetQtyChanged: { quantity: number } }>({ url: a.ws, WebSocket, reconnect: fast });
    await early.connect();
    const late = new RealtimeSocket({ url: b.ws, WebSocket, reconnect: fast });
    try {
      await redis.kill();
      await until(() => !transportUp(a), 'the instance notices the outage');
      const refusals: string[] = [];
      late.on('error', error => refusals.push(error.code));
      const connected = late.connect();
      const widget = early.subscribe('widgets', 1234);
      let confirmed = false;
      void widget.ready.then(() => (confirmed = true), () => undefined);
      const answers: string[] = [];
      early.on('message', frame => {
        const { event, payload } = frame as { event?: string; payload?: { error?: string } };
        if (event === 'Error' && payload?.error) answers.push(payload.error);
      });
      await until(() => answers.includes('Unavailable') && refusals.includes('Unavailable'), 'the server says Unavailable, to both');
      assert.equal(confirmed, false, 'not confirmed while the server cannot listen for it');

      await redis.start();
      await connected;
      await widget.ready;
      const pushed = new Promise<number>(resolve => widget.on('WidgetQtyChanged', ({ quantity }) => resolve(quantity)));
      await b.app.get(ChannelService).pushEvent('widgets', 1234, 'WidgetQtyChanged', { quantity: 3 });
      assert.equal(await pushed, 3);
    } finally {
      await early.close();
      await late.close();
    }
    assert.deepEqual(logs.errors, []);
  });
});
