import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChannelService, RealtimeModule, type PushStatus } from 'nestjs-realtime';
import { CaptureLogger } from '../support/capture-logger.js';
import { connectPage } from '../support/page-socket.js';
import { startAppsOnRedis, stopAppsOnRedis, transportUp } from '../support/redis-apps.js';
import type { RedisProcess } from '../support/redis-server.js';
import { subscribePage, type TestApp } from '../support/test-app.js';
import { until } from '../support/until.js';
import { TestClient } from '../support/ws-client.js';

/** The payloads of the pushes on a channel that a client got. */
const got = (client: TestClient, channel: string) => client.frames.filter(frame => frame.channel === channel).map(frame => frame.payload);

/** Waits until a marker pushed after everything else arrived, so that nothing else can still be on its way. */
async function settle(channels: ChannelService<object>, channel: string, clients: TestClient[]): Promise<void> {
  const marker = `marker-${Math.random()}`;
  await channels.push(marker, channel);
  for (const client of clients) {
    await client.next(frame => frame.channel === channel && frame.payload === marker);
    await client.barrier();
  }
}

describe('push ids on Redis: the same id reaches each subscriber at most once, on every instance', () => {
  const logs = new CaptureLogger();
  let redis: RedisProcess;
  let a: TestApp;
  let b: TestApp;

  before(async () => ({ redis, a, b } = await startAppsOnRedis({ redis: { commandTimeout: 1000 }, logger: logs })));
  after(() => stopAppsOnRedis({ redis, a, b }));

  it('drops a repeat made on the same instance, on another, or at the same time on both', async () => {
    const [onA, onB] = [await connectPage(a, await subscribePage(a, ['room'])), await connectPage(b, await subscribePage(b, ['room']))];
    const [fromA, fromB] = [a.app.get(ChannelService), b.app.get(ChannelService)];
    const statuses: PushStatus[] = [];
    statuses.push((await fromA.push('one', 'room', { id: 'msg-1' })).status);
    statuses.push((await fromA.push('one again', 'room', { id: 'msg-1' })).status);
    await onB.next(frame => frame.payload === 'one');
    statuses.push((await fromB.push('one from B', 'room', { id: 'msg-1' })).status);
    assert.deepEqual(statuses, ['published', 'duplicate', 'duplicate']);
    const [first, second] = await Promise.all([fromA.push('two', 'room', { id: 42 }), fromB.push('two', 'room', { id: 42 })]);
    assert.deepEqual([first.status, second.status].sort(), ['duplicate', 'published'], 'Redis sequenced one of the two');
    // The same id on another channel is another push.
    await fromA.push('elsewhere', ['room', 'other'], { id: 'msg-1' });
    await settle(fromA, 'room', [onA, onB]);
    for (const client of [onA, onB]) assert.deepEqual(got(client, 'room').slice(0, 2), ['one', 'two']);
    for (const client of [onA, onB]) assert.equal(got(client, 'room').length, 3, 'one, two, and the marker');
    onA.close();
    onB.close();
  });

  it('lets Redis drop a repeat from an instance that never saw the id (a worker)', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ gateway: false, secret: 'fixture-secret-0123456789', redis: { url: redis.url } })] })
    class WorkerModule {}
    const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: logs });
    try {
      const onA = await connectPage(a, await subscribePage(a, ['jobs']));
      await a.app.get(ChannelService).push({ job: 1 }, 'jobs', { id: 'job-1' });
      assert.equal((await worker.get(ChannelService).push({ job: 1 }, 'jobs', { id: 'job-1' })).status, 'duplicate', 'Redis says so');
      await settle(worker.get(ChannelService), 'jobs', [onA]);
      assert.deepEqual(got(onA, 'jobs').slice(0, -1), [{ job: 1 }]);
      onA.close();
    } finally {
      await worker.close();
    }
  });

  it('still drops a repeat after Redis lost its data: the instances that delivered the id remember it', async () => {
    @Module({ imports: [RealtimeModule.forRoot({ gateway: false, secret: 'fixture-secret-0123456789', redis: { url: redis.url } })] })
    class WorkerModule {}
    const [onA, onB] = [await connectPage(a, await subscribePage(a, ['prices'])), await connectPage(b, await subscribePage(b, ['prices']))];
    await a.app.get(ChannelService).push({ price: 10 }, 'prices', { id: 'tick-1' });
    await onB.next(frame => frame.channel === 'prices');
    await redis.kill();
    await redis.start();
    await until(() => transportUp(a) && transportUp(b), 'both instances are back on the empty Redis');
    const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: logs });
    try {
      assert.equal((await worker.get(ChannelService).push({ price: 10 }, 'prices', { id: 'tick-1' })).status, 'published', 'Redis forgot it');
      await settle(worker.get(ChannelService), 'prices', [onA, onB]);
      for (const client of [onA, onB]) assert.deepEqual(got(client, 'prices').slice(0, -1), [{ price: 10 }]);
    } finally {
      await worker.close();
    }
    onA.close();
    onB.close();
  });

  it('sends a push that timed out on one instance and its retry on another, both made while Redis hung, once', async () => {
    const [onA, onB] = [await connectPage(a, await subscribePage(a, ['orders'])), await connectPage(b, await subscribePage(b, ['orders']))];
    const [fromA, fromB] = [a.app.get(ChannelService), b.app.get(ChannelService)];
    redis.pause();
    try {
      // A's first attempt is sent and never answered (a push without an id);
      // A's next push waits in its outbox; B's attempt is sent, and times out.
      assert.equal((await fromA.push({ order: 8 }, 'orders')).status, 'queued');
      assert.equal((await fromA.push({ order: 7 }, 'orders', { id: 'order-7' })).status, 'queued');
      assert.equal((await fromB.push({ order: 7 }, 'orders', { id: 'order-7' })).status, 'queued');
    } finally {
      redis.resume();
    }
    await until(() => transportUp(a) && transportUp(b), 'Redis answers again');
    await settle(fromA, 'orders', [onA, onB]);
    const byOrder = (x: { order: number }, y: { order: number }) => x.order - y.order;
    for (const client of [onA, onB]) assert.deepEqual(got(client, 'orders').slice(0, -1).sort(byOrder), [{ order: 7 }, { order: 8 }]);
    assert.deepEqual(logs.errors, []);
    onA.close();
    onB.close();
  });
});
