import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChannelService, RealtimeModule } from 'nestjs-realtime';
import { RealtimeSocket, type RealtimeSocketEvents } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { redisFixtureModule } from '../fixtures/redis-fixture.module.js';
import { CaptureLogger } from '../support/capture-logger.js';
import { startRedis } from '../support/redis-server.js';
import { TcpBalancer } from '../support/tcp-balancer.js';
import { startApp } from '../support/test-app.js';
import { until } from '../support/until.js';

/** One client behind the balancer, and what it saw. */
interface Watched {
  socket: RealtimeSocket;
  /** The ticks it received, in order. */
  ticks: number[];
  /** Its global events, in order, with the last tick it had received by then. */
  events: Array<{ name: string; value: unknown; lastTick: number | undefined }>;
  /** Channels it was told were given back (`recovered`), or lost (`stale`). */
  recovered: string[];
  stale: string[];
}

describe('drained restarts on Redis', () => {
  it('the clients of a draining instance go, spread out, through the balancer to the other instance, and lose nothing (rooms keep a history)', async () => {
    const redis = await startRedis();
    const logger = new CaptureLogger(['error', 'fatal']);
    const start = () => startApp(redisFixtureModule({ url: redis.url }, { shutdownDrain: 1500 }), '/', 'express', logger);
    const a = await start();
    const b = await start();
    const balancer = await TcpBalancer.start([a, b]);
    @Module({ imports: [RealtimeModule.forRoot({ gateway: false, secret: 'fixture-secret-0123456789', redis: { url: redis.url } })] })
    class WorkerModule {}
    const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
    const watched: Watched[] = [];
    let pushing = true;
    let aOpen = true;
    try {
      for (let i = 0; i < 6; i += 1) {
        // Backoff short enough that a refused attempt stays within the rooms' history (50 pushes).
        const socket = new RealtimeSocket({ url: balancer.ws, WebSocket, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } });
        const client: Watched = { socket, ticks: [], events: [], recovered: [], stale: [] };
        await socket.connect();
        socket.on('recovered', ({ channels }) => client.recovered.push(...channels));
        socket.on('stale', ({ channels }) => client.stale.push(...channels));
        for (const name of ['disconnected', 'reconnecting', 'connected'] as const) {
          socket.on(name, (value: RealtimeSocketEvents[typeof name]) => client.events.push({ name, value, lastTick: client.ticks.at(-1) }));
        }
        const room = socket.subscribe('rooms', 'a');
        room.on('Tick', payload => client.ticks.push(payload as number));
        await room.ready;
        watched.push(client);
      }
      const onA = watched.filter((_, index) => balancer.routed[index] === 0);
      const onB = watched.filter((_, index) => balancer.routed[index] === 1);
      assert.ok(onA.length >= 2 && onB.length >= 1, `the balancer took turns: ${balancer.routed.join(' ')}`);

      // A publish-only process pushes all along, on its own Redis connection.
      const channels = worker.get(ChannelService);
      let sent = 0;
      let drainStartedAt = Infinity;
      const pushes = (async () => {
        while (pushing) {
          sent += 1;
          assert.equal((await channels.push(sent, 'rooms:a', { event: 'Tick' })).status, 'published');
          await new Promise(resolve => setTimeout(resolve, 50));
        }
      })();
      await until(() => watched.every(client => client.ticks.length > 0), 'every client receives pushes');

      drainStartedAt = sent + 1;
      await a.close();
      aOpen = false;
      await until(() => b.app.get(ChannelService).connectionCount === 6, 'every client is on B');
      const last = sent;
      await until(() => watched.every(client => client.ticks.some(tick => tick > last)), 'every client receives pushes made after');
      pushing = false;
      await pushes;
      const final = sent;
      await until(() => watched.every(client => client.ticks.includes(final)), 'every client receives the last push');

      for (const client of onA) {
        const [closed, reconnecting] = client.events;
        assert.deepEqual(closed?.value, {
          code: 1001,
          reason: 'Server shutting down; reconnect_within_ms=1000',
          willReconnect: true,
        });
        assert.equal(reconnecting?.name, 'reconnecting');
        const { delayMs } = reconnecting!.value as { delayMs: number };
        assert.ok(delayMs >= 0 && delayMs <= 1000, `waited a random time within the hint: ${delayMs} ms`);
        // A reconnect that came before the balancer took A out was refused
        // (503: the client sees 1006) and tried again with backoff.
        const retries = client.events.slice(2, -1);
        for (const [index, event] of retries.entries()) {
          assert.equal(event.name, index % 2 === 0 ? 'disconnected' : 'reconnecting', JSON.stringify(client.events));
          if (event.name === 'disconnected') assert.equal((event.value as { code: number }).code, 1006);
        }
        const connected = client.events.at(-1);
        assert.equal(connected?.name, 'connected', JSON.stringify(client.events));
        assert.equal((connected!.value as { reconnected: boolean }).reconnected, true);
      }
      for (const client of onB) assert.deepEqual(client.events, [], 'the clients of B never noticed');
      // While A drained, the worker's pushes still reached the sockets open on
      // it: its Redis receiver outlives the drain.
      const heardWhileDraining = onA.filter(client => (client.events[0]?.lastTick ?? 0) >= drainStartedAt);
      assert.ok(heardWhileDraining.length > 0, `last ticks before the close: ${onA.map(client => client.events[0]?.lastTick).join(' ')}; drain from ${drainStartedAt}`);
      // Only the health endpoint said anything at error level (terminus logs each failed check).
      const errors = logger.entries.filter(entry => !entry.text.startsWith('Health Check has failed!'));
      assert.deepEqual(errors, []);
      // Nothing lost, nothing doubled, in order: what the clients of A missed
      // while they moved was given back from the rooms' history on B.
      for (const client of watched) {
        const first = client.ticks[0]!;
        assert.deepEqual(client.ticks, Array.from({ length: final - first + 1 }, (_, index) => first + index));
        assert.deepEqual(client.stale, []);
      }
      for (const client of onA) assert.ok(client.recovered.includes('rooms:a'), 'recovered on B');
    } finally {
      pushing = false;
      await Promise.all(watched.map(client => client.socket.close()));
      await balancer.close();
      await worker.close();
      await b.close();
      if (aOpen) await a.close();
      await redis.stop();
    }
  });
});
