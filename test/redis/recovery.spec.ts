import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ChannelService, RealtimeModule } from 'nestjs-realtime';
import { RealtimeSocket } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { within, type FixtureActions, type FixtureEvents } from '../client/client-support.js';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { CaptureLogger } from '../support/capture-logger.js';
import { connectPage } from '../support/page-socket.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { transportUp } from '../support/redis-apps.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { post, startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';

const HISTORY = { history: [{ match: 'feed-*', size: 1000, ttl: 120_000 }] };

describe('no lost messages on Redis: the render gap across instances, a rolling restart and a Redis restart', () => {
  const logs = new CaptureLogger();
  let redis: RedisProcess;
  let a: TestApp;
  let b: TestApp;
  const start = () => startApp(redisFixtureModule({ url: redis.url }, HISTORY), '/', 'express', logs);

  before(async () => {
    redis = await startRedis();
    [a, b] = [await start(), await start()];
  });
  after(async () => {
    if (!redis.running) await redis.start();
    await a?.close();
    await b?.close();
    await redis.stop();
  });

  it('gives a page rendered on A, whose socket reaches B, what was pushed in between, then live', async () => {
    const page = await subscribePage(a, ['feed-gap']);
    for (const message of ['one', 'two']) await post(a, '/push/feed-gap', { message });
    const client = await connectPage(b, page);
    assert.equal((client.welcome.payload.positions as Record<string, { recovered?: boolean }>)['feed-gap']!.recovered, true);
    await post(a, '/push/feed-gap', { message: 'three' });
    await client.next(frame => frame.payload === 'three');
    assert.deepEqual(
      client.frames.filter(frame => frame.channel === 'feed-gap').map(frame => [frame.offset, frame.payload]),
      [[1, 'one'], [2, 'two'], [3, 'three']],
    );
    client.close();
  });

  it('loses and doubles nothing while clients move between instances in a rolling restart, and while Redis restarts', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ gateway: false, secret: 'fixture-secret-0123456789', redis: { url: redis.url } })] })
    class WorkerModule {}
    const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: logs });
    const proxy = await TcpProxy.start(a.port);
    const pages = await Promise.all([1, 2, 3].map(() => subscribePage(a, ['feed-rolling'])));
    const sockets = pages.map(page =>
      new RealtimeSocket<FixtureActions, FixtureEvents>({
        url: `ws://127.0.0.1:${proxy.port}/`,
        connectionId: page.connectionId,
        WebSocket,
        webSocketOptions: { headers: { cookie: page.cookie } },
        reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
      }),
    );
    const got = sockets.map(() => ({ feed: [] as number[], room: [] as number[], stale: 0, recovered: 0, connects: 0 }));
    await Promise.all(sockets.map(socket => socket.connect()));
    sockets.forEach((socket, index) => {
      socket.subscribe('feed-rolling').on('*', payload => got[index]!.feed.push(payload as number));
      socket.subscribe('rooms', 'rolling').on('*', payload => got[index]!.room.push((payload as { n: number }).n));
      socket.on('stale', () => (got[index]!.stale += 1));
      socket.on('recovered', ({ channels }) => (got[index]!.recovered += channels.length));
      socket.on('connected', () => (got[index]!.connects += 1));
    });
    await Promise.all(sockets.map(socket => socket.subscribe('rooms', 'rolling').ready));

    // The worker pushes every message with an id, retrying what was refused
    // (an outage past what the outbox holds): each is delivered once.
    const channels = worker.get(ChannelService);
    let pushed = 0;
    let stop = false;
    const pushing = (async () => {
      for (let n = 0; !stop; n++) {
        for (;;) {
          try {
            await channels.push(n, 'feed-rolling', { id: `feed-${n}` });
            await channels.pushEvent('rooms', 'rolling', 'Said', { n }, { id: `room-${n}` });
            break;
          } catch {
            await new Promise(resolve => setTimeout(resolve, 50));
          }
        }
        pushed = n + 1;
        await new Promise(resolve => setTimeout(resolve, 2));
      }
    })();
    const after = async (count: number) => until(() => pushed >= count, `${count} pushes made`);

    try {
      await after(40);
      // The balancer moves to B and the network drops everyone.
      proxy.routeTo(b.port);
      proxy.cutAll();
      await after(80);
      // A restarts; clients are sent to the new A, then B goes down too.
      await a.close();
      a = await start();
      proxy.routeTo(a.port);
      await after(120);
      await b.close();
      // B drained its clients over shutdownDrain: the last ones are still on
      // their way to the new A, and Redis restarts once they are there.
      await until(() => sockets.every(socket => socket.state === 'open'), 'every client is on the new A');
      await after(160);
      b = await start();
      // Redis restarts, losing what it held: connected clients keep everything.
      await redis.kill();
      await after(180).catch(() => undefined);
      await redis.start();
      await until(() => transportUp(a) && transportUp(worker), 'Redis is back');
      await after(pushed + 40);
    } finally {
      stop = true;
      await pushing;
    }
    const everything = Array.from({ length: pushed }, (_, n) => n);
    await within(
      until(() => got.every(one => one.feed.length >= pushed && one.room.length >= pushed), 'every client got every push'),
      'every push',
      35_000,
    );
    for (const one of got) {
      assert.deepEqual(one.feed, everything, 'the plain channel: once each, in order');
      assert.deepEqual(one.room, everything, 'the family key: once each, in order');
      assert.equal(one.stale, 0, 'recovery covered every move');
      assert.ok(one.connects >= 2, `it moved twice (to B, then to the new A): ${one.connects} reconnects`);
      assert.ok(one.recovered >= 2 * one.connects, `both channels recovered on every move (${one.recovered} for ${one.connects})`);
    }
    await Promise.all(sockets.map(socket => socket.close()));
    await proxy.close();
    await worker.close();
    assert.deepEqual(logs.errors.filter(entry => !/Health Check has failed/.test(entry.text)), []);
  });
});
