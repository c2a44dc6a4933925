import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { RealtimeModule } from 'nestjs-realtime';
import { RealtimeHealthIndicator } from 'nestjs-realtime/health';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { startAppProcess } from '../support/app-process.js';
import { rawUpgrade } from '../support/raw-http.js';
import { RawEventStream } from '../support/event-stream-client.js';
import { post, startApp, subscribePage } from '../support/test-app.js';
import { until } from '../support/until.js';
import { TestClient, type Closed } from '../support/ws-client.js';

/** The documented close of a draining instance. */
const GOING_AWAY: Closed = { code: 1001, reason: 'Server shutting down; reconnect_within_ms=1000' };

/** Fails a wait that would otherwise hang the suite; not a timing assertion. */
function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Gave up waiting for ${what}`)), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** A client on `rooms:a`, and when its socket closed (by this process's clock). */
async function roomClient(ws: string): Promise<{ client: TestClient; closedAt: Promise<number> }> {
  const client = await TestClient.connect(ws);
  assert.equal((await client.call('Subscribe', { exchange: 'rooms', routing_key: 'a' })).event, 'Subscribed');
  return { client, closedAt: client.closed.then(() => Date.now()) };
}

/** Pushes `message` to `rooms:a` and returns to how many local sockets it went. */
async function pushToRoom(http: string, message: number): Promise<number> {
  const response = await fetch(`${http}/push/rooms:a`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, event: 'Tick' }),
  });
  const text = await response.text();
  assert.equal(response.status, 201, `push ${message}: ${text}`);
  return (JSON.parse(text) as { localDeliveries: number }).localDeliveries;
}

describe('drained restarts (shutdownDrain)', () => {
  it('on SIGTERM: refuses new sockets with 503, reports draining, closes the open ones spread over the window with 1001 and a reconnect hint, and pushes to those still open', async () => {
    const COUNT = 24;
    const WINDOW = 3600;
    const app = await startAppProcess('.build/test/fixtures/drain-main.js', { FIXTURE_OPTIONS: JSON.stringify({ shutdownDrain: WINDOW }) });
    try {
      assert.equal((await fetch(`${app.http}/health`)).status, 200, 'ready before the drain');
      const clients = await Promise.all(Array.from({ length: COUNT }, () => roomClient(app.ws)));
      assert.equal(await pushToRoom(app.http, 0), COUNT, 'every client is on the room');

      const closes: number[] = [];
      for (const { closedAt } of clients) void closedAt.then(at => closes.push(at));
      process.kill(app.pid, 'SIGTERM');
      await until(() => closes.length > 0, 'the first socket closed');

      // While the drain runs: a new upgrade, the health endpoint, a second SIGTERM.
      const refusal = await rawUpgrade(app.port, '/');
      const response = await fetch(`${app.http}/health`);
      const health = { status: response.status, body: (await response.json()) as any };
      // Nest runs one shutdown at a time: this one is ignored, and changes nothing.
      process.kill(app.pid, 'SIGTERM');

      // Push until nobody is left: each push reaches the sockets still open.
      const deliveries: number[] = [];
      for (let message = 1; closes.length < COUNT; message += 1) {
        try {
          deliveries.push(await pushToRoom(app.http, message));
        } catch {
          // Once the last socket is gone the drain is over, and so is the HTTP
          // server, maybe before this process has seen every close: the
          // assertions below say whether they all came, and how.
          break;
        }
      }
      const closed = await Promise.all(clients.map(({ client }) => client.closed));
      for (const close of closed) assert.deepEqual(close, GOING_AWAY);

      assert.equal(refusal.statusLine, 'HTTP/1.1 503 Service Unavailable', refusal.bytes);
      assert.match(refusal.bytes, /\r\nRetry-After: 1\r\n/);
      assert.match(refusal.bytes, /\r\n\r\nServer shutting down$/);
      assert.equal(health.status, 503, 'the health endpoint says not ready');
      assert.equal(health.body.error.realtime.status, 'down');
      assert.equal(health.body.error.realtime.draining, true);
      assert.equal(health.body.error.realtime.windowMs, WINDOW);

      // Each socket got every push until its close, and none after: what
      // reached it is the pushes 0 to some n, in order...
      const received = clients.map(({ client }) => client.frames.filter(frame => frame.event === 'Tick').map(frame => frame.payload as number));
      for (const ticks of received) assert.deepEqual(ticks, ticks.map((_, index) => index));
      // ...never more sockets than the server counted...
      const got = deliveries.map((reached, index) => {
        const count = received.filter(ticks => ticks.includes(index + 1)).length;
        assert.ok(count <= reached, `push ${index + 1} reached ${count} sockets, the server counted ${reached}`);
        return count;
      });
      // ...and they closed one after the other, not at once: the sockets a
      // push reached went down in many steps...
      const steps = new Set(got.filter(count => count > 0 && count < COUNT));
      assert.ok(steps.size >= 3, `sockets each push reached: ${got.join(' ')}`);
      // ...and the closes fall into most quarters of the window.
      const first = Math.min(...closes);
      const quarters = new Set(closes.map(at => Math.min(3, Math.floor((at - first) / (WINDOW / 4)))));
      assert.ok(quarters.size >= 3, `closes at ${closes.map(at => at - first).sort((a, b) => a - b).join(' ')} ms`);

      // The drain is over: the process ends by itself (stop() would SIGKILL it after 5 s).
      const exit = await app.stop();
      assert.notEqual(exit.signal, 'SIGKILL', `the process ended by itself: ${app.output()}`);
    } finally {
      await app.kill();
    }
  });

  it('a second app.close() during the drain waits for the same drain, and both resolve', async () => {
    const server = await startApp(fixtureModule({ shutdownDrain: 1500 }));
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.ws)));
    const first = server.close();
    await until(() => clients.some(client => client.socket.readyState === client.socket.CLOSED), 'the first close');
    await within(Promise.all([first, server.close()]), 'both app.close() calls');
    for (const client of clients) assert.deepEqual(await client.closed, GOING_AWAY);
  });

  it('ends as soon as no socket is left, however long the window', async () => {
    const server = await startApp(fixtureModule({ shutdownDrain: 3_600_000 }));
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(server.ws)));
    const closing = server.close();
    const [gone] = await Promise.race(clients.map(client => client.closed.then(close => [client, close] as const)));
    assert.deepEqual(await gone.closed, GOING_AWAY, 'the first socket is closed at once');
    // The others leave by themselves, as clients that were told elsewhere do.
    for (const client of clients) if (client !== gone) client.close();
    await within(closing, 'app.close() once every socket is gone');
  });

  it('drains event streams with the sockets: spread over the same window, 1001 with the hint, new streams refused with 503', async () => {
    const server = await startApp(fixtureModule({ shutdownDrain: 3_600_000 }));
    const page = await subscribePage(server, ['news']);
    const streams = await Promise.all([1, 2].map(() => RawEventStream.open(`${server.http}/?socket_connection_id=${page.connectionId}`, { cookie: page.cookie })));
    for (const stream of streams) await stream.next(frame => frame.event === 'Welcome');
    const closing = server.close();
    // Two streams over an hour: one is ended at once, the other keeps streaming.
    const [gone] = await Promise.race(streams.map(stream => stream.ended.then(() => [stream] as const)));
    assert.deepEqual(gone.closeEvent, { code: 1001, reason: 'Server shutting down; reconnect_within_ms=1000' });
    const kept = streams.find(stream => stream !== gone)!;
    await post(server, '/push/news', { message: { during: 'drain' } });
    assert.deepEqual((await kept.next(frame => frame.channel === 'news')).payload, { during: 'drain' });
    const refused = await fetch(`${server.http}/`, { headers: { accept: 'text/event-stream' } });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(await refused.text(), 'Server shutting down');
    kept.close();
    await within(closing, 'app.close() once the last stream is gone');
  });

  it('does not hold up an instance without sockets, nor a publish-only process (gateway: false), which never reports draining', async () => {
    const idle = await startApp(fixtureModule({ shutdownDrain: 3_600_000 }));
    await within(idle.close(), 'app.close() of an instance without sockets');

    @Module({
      imports: [RealtimeModule.forRoot({ gateway: false, secret: 'fixture-secret-0123456789', shutdownDrain: 3_600_000 }), TerminusModule],
      providers: [RealtimeHealthIndicator],
    })
    class WorkerModule {}
    const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
    const health = worker.get(RealtimeHealthIndicator);
    const closing = worker.close();
    const { realtime } = health.isHealthy();
    assert.equal(realtime.status, 'up', 'a worker does not drain');
    assert.equal(realtime.draining, undefined);
    await within(closing, 'close() of a publish-only process');
  });
});
