import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ChannelService } from 'nestjs-realtime';
import { fixtureModule } from '../fixtures/fixture.module.js';
import { CaptureLogger } from '../support/capture-logger.js';
import { EventSourceClient } from '../support/event-source-client.js';
import { RawEventStream } from '../support/event-stream-client.js';
import { connectPage } from '../support/page-socket.js';
import { actAs, PLATFORMS, post, startApp, subscribePage, type TestApp } from '../support/test-app.js';
import { TestClient } from '../support/ws-client.js';
import { until } from '../support/until.js';
import { positioned } from '../support/positioned.js';

/** A page's event-stream URL: the gateway's path with its connection id. */
function streamUrl(server: TestApp, connectionId: string, path = '/'): string {
  return `${server.http}${path}?socket_connection_id=${connectionId}`;
}

/** Waits for a comment line written after now: every frame written before it has arrived. */
async function pingBarrier(stream: RawEventStream): Promise<void> {
  const seen = stream.comments.length;
  await stream.until(candidate => candidate.comments.length > seen, 'a ping after the barrier');
}

/** Bytes the kernel may hold for one loopback connection, both ends together. */
async function kernelBufferBytes(): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const max = (file: string) => Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]);
  return max('/proc/sys/net/ipv4/tcp_rmem') + max('/proc/sys/net/ipv4/tcp_wmem');
}

for (const platform of PLATFORMS) {
  describe(`event stream (server-sent events on the gateway's path) on ${platform}`, () => {
    let server: TestApp;
    const logger = new CaptureLogger(['error']);
    before(async () => (server = await startApp(fixtureModule({ eventStream: { ping: 50 } }), '/', platform, logger)));
    after(async () => {
      await server.close();
      assert.deepEqual(logger.entries, [], 'nothing was logged at error level');
    });

    it('streams what a route subscribed the page to, as the frames its socket would get (eventsource client)', async () => {
      const page = await subscribePage(server, ['news', 'alerts']);
      const stream = await EventSourceClient.page(server, page);
      const socket = await connectPage(server, page);
      assert.equal(stream.welcome.payload.id, page.connectionId);
      assert.deepEqual([...stream.welcome.payload.channels].sort(), ['alerts', 'news']);
      assert.deepEqual(stream.frames[0], stream.welcome, 'Welcome comes first');
      await post(server, '/push/alerts', { message: { level: 'high' }, event: 'Alert' });
      const pushed = await stream.next(frame => frame.channel === 'alerts');
      assert.deepEqual(positioned(pushed), { event: 'Alert', channel: 'alerts', payload: { level: 'high' }, offset: 1 });
      assert.deepEqual(pushed, await socket.next(frame => frame.channel === 'alerts'), 'the same frame as on the socket');
      assert.equal(server.app.get(ChannelService).connectionCount, 2, 'the stream counts as a connection');
      stream.close();
      socket.close();
      await until(() => server.app.get(ChannelService).connectionCount === 0, 'both closed');
    });

    it("sends the stream's head, retry: first, and comment pings", async () => {
      const page = await subscribePage(server, ['quiet']);
      const stream = await RawEventStream.open(streamUrl(server, page.connectionId), { cookie: page.cookie });
      assert.equal(stream.status, 200);
      assert.equal(stream.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.equal(stream.response.headers.get('cache-control'), 'no-cache, no-transform');
      assert.equal(stream.response.headers.get('x-accel-buffering'), 'no');
      await stream.until(candidate => candidate.comments.includes('ping'), 'a comment ping');
      assert.ok(stream.text.startsWith('retry: 5000\n\n'), stream.text.slice(0, 40));
      assert.equal(stream.retry, 5000);
      assert.equal(stream.frames[0]?.event, 'Welcome');
      stream.close();
    });

    it("delivers direct sends to the page's stream, with or without a channel", async () => {
      const page = await subscribePage(server, ['direct-feed']);
      const stream = await EventSourceClient.page(server, page);
      await post(server, '/notify', { message: { n: 1 } }, actAs(page));
      await post(server, '/notify', { message: { n: 2 }, channel: 'direct-feed' }, actAs(page));
      assert.deepEqual(await stream.next(frame => frame.payload?.n === 1), { event: 'Notice', payload: { n: 1 } });
      assert.deepEqual(await stream.next(frame => frame.payload?.n === 2), { event: 'Notice', channel: 'direct-feed', payload: { n: 2 } });
      stream.close();
    });

    it('applies route subscriptions made while the stream is open, and route unsubscriptions with Unsubscribed', async () => {
      const page = await subscribePage(server, ['first']);
      const stream = await EventSourceClient.page(server, page);
      await fetch(`${server.http}/subscribe?channels=later`, { headers: actAs(page) });
      await post(server, '/push/later', { message: 'now' });
      await stream.next(frame => frame.channel === 'later');
      await fetch(`${server.http}/subscribe?channels=later`, { method: 'DELETE', headers: actAs(page) });
      assert.deepEqual(await stream.next(frame => frame.event === 'Unsubscribed'), {
        event: 'Unsubscribed',
        payload: { channel: 'later', auto: true },
      });
      stream.close();
    });

    it("gives a stream with someone else's id, or without the cookie, nothing of theirs", async () => {
      const page = await subscribePage(server, ['private-feed']);
      const owner = await RawEventStream.open(streamUrl(server, page.connectionId), { cookie: page.cookie });
      const wrongId = await RawEventStream.open(streamUrl(server, 'f'.repeat(64)), { cookie: page.cookie });
      const noCookie = await RawEventStream.open(streamUrl(server, page.connectionId));
      for (const stream of [owner, wrongId, noCookie]) await stream.next(frame => frame.event === 'Welcome');
      assert.deepEqual(wrongId.frames[0]!.payload, { id: 'f'.repeat(64), channels: [], positions: {} });
      assert.deepEqual(noCookie.frames[0]!.payload, { id: page.connectionId, channels: [], positions: {} });
      await post(server, '/push/private-feed', { message: 'for your eyes' });
      await post(server, '/notify', { message: 'for you only' }, actAs(page));
      await owner.next(frame => frame.channel === 'private-feed');
      await owner.next(frame => frame.event === 'Notice');
      await pingBarrier(wrongId);
      await pingBarrier(noCookie);
      assert.deepEqual(wrongId.frames.slice(1), []);
      assert.deepEqual(noCookie.frames.slice(1), []);
      for (const stream of [owner, wrongId, noCookie]) stream.close();
    });

    it('runs connect hooks: a refusing guard ends the stream with its Error and close 4003', async () => {
      const stream = await RawEventStream.open(streamUrl(server, 'refused-connection-0001'), { 'x-reject': '1' });
      await stream.ended;
      assert.deepEqual(stream.frames, [{ event: 'Error', payload: { error: 'BadToken', message: 'Token refused' } }]);
      assert.deepEqual(stream.closeEvent, { code: 4003, reason: 'Connection rejected' });
      await until(async () => {
        const state = (await (await fetch(`${server.http}/state`)).json()) as { events: string[] };
        return state.events.includes('disconnect:refused-connection-0001');
      }, 'disconnect hooks ran too');
    });

    it("ends the page's streams at sign-out: Error AccessRevoked, then close 4004", async () => {
      const page = await subscribePage(server, ['signed-in']);
      const stream = await RawEventStream.open(streamUrl(server, page.connectionId), { cookie: page.cookie });
      await stream.next(frame => frame.event === 'Welcome');
      await post(server, '/signout', {}, { cookie: page.cookie });
      await stream.ended;
      assert.equal(stream.frames.at(-1)?.payload?.error, 'AccessRevoked');
      assert.deepEqual(stream.closeEvent, { code: 4004, reason: 'Access revoked' });
    });

    it('ends a stream that reads too slowly (close 4001); the others get everything', async () => {
      const slowServer = await startApp(fixtureModule({ sendBufferLimit: 256 * 1024, eventStream: { ping: 0 } }), '/', platform);
      try {
        const page = await subscribePage(slowServer, ['firehose']);
        const fast = await RawEventStream.open(streamUrl(slowServer, page.connectionId), { cookie: page.cookie });
        await fast.next(frame => frame.event === 'Welcome');
        const slow = await openPausedStream(slowServer, page);
        const channels = slowServer.app.get(ChannelService);
        await until(() => channels.connectionCount === 2, 'the slow stream is set up');
        const chunk = 'x'.repeat(64 * 1024);
        const pushes = Math.ceil((2 * (await kernelBufferBytes())) / chunk.length) + 16;
        for (let i = 0; i < pushes; i++) {
          await channels.push({ i, chunk }, 'firehose');
          // The reader runs in this process: let it read between pushes.
          await new Promise(resolve => setImmediate(resolve));
        }
        await fast.until(stream => stream.frames.find(frame => frame.payload?.i === pushes - 1), 'the last push', 60_000);
        assert.equal(fast.closeEvent, undefined, 'the fast reader was not closed');
        const received = fast.frames.filter(frame => frame.channel === 'firehose').map(frame => frame.payload.i);
        assert.deepEqual(received, Array.from({ length: pushes }, (_, i) => i), 'the fast reader got every push, in order');
        const text = await slow.readToEnd();
        assert.match(text, /event: close\r?\ndata: \{"code":4001,"reason":"Send buffer full"\}/);
        const slowGot = text.split('"channel":"firehose"').length - 1;
        assert.ok(slowGot < pushes, `the slow reader was cut off (${slowGot} of ${pushes})`);
        fast.close();
      } finally {
        await slowServer.close();
      }
    });

    it('passes other requests on to the app: without the Accept header, another method or path', async () => {
      assert.equal((await fetch(`${server.http}/`)).status, 404, 'GET / is the app’s (none here)');
      assert.equal((await fetch(`${server.http}/`, { method: 'POST', headers: { accept: 'text/event-stream' } })).status, 404);
      const elsewhere = await fetch(`${server.http}/state`, { headers: { accept: 'text/event-stream' } });
      assert.match(elsewhere.headers.get('content-type')!, /^application\/json/);
    });
  });
}

describe('event stream admission', () => {
  let server: TestApp;
  before(
    async () =>
      (server = await startApp(fixtureModule({ maxConnectionsPerAddress: 2, allowedOrigins: ['https://app.example'], eventStream: { retry: 2500 } }))),
  );
  after(() => server.close());

  it('refuses a disallowed Origin with 403; an allowed one may read it cross-origin', async () => {
    const refused = await fetch(`${server.http}/`, { headers: { accept: 'text/event-stream', origin: 'https://evil.example' } });
    assert.equal(refused.status, 403);
    assert.equal(await refused.text(), 'Origin not allowed');
    const allowed = await RawEventStream.open(`${server.http}/`, { origin: 'https://app.example' });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.response.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(allowed.response.headers.get('access-control-allow-credentials'), 'true');
    await allowed.next(frame => frame.event === 'Welcome');
    assert.equal(allowed.retry, 2500, 'the retry option');
    allowed.close();
    await until(() => server.app.get(ChannelService).connectionCount === 0, 'closed');
  });

  it('counts streams and sockets together against maxConnectionsPerAddress', async () => {
    const socket = await TestClient.connect(server.ws);
    const stream = await RawEventStream.open(`${server.http}/`);
    await stream.next(frame => frame.event === 'Welcome');
    const third = await fetch(`${server.http}/`, { headers: { accept: 'text/event-stream' } });
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '10');
    await assert.rejects(TestClient.open(server.ws), /Unexpected server response: 429/);
    stream.close();
    await until(() => server.app.get(ChannelService).connectionCount === 1, 'the stream left');
    const again = await RawEventStream.open(`${server.http}/`);
    await again.next(frame => frame.event === 'Welcome');
    again.close();
    socket.close();
  });

  it('ends open streams with close 1001 when the app shuts down', async () => {
    const app = await startApp(fixtureModule());
    const stream = await RawEventStream.open(`${app.http}/`);
    await stream.next(frame => frame.event === 'Welcome');
    await app.close();
    await stream.ended;
    assert.deepEqual(stream.closeEvent, { code: 1001, reason: 'Server shutting down; reconnect_within_ms=1000' });
  });

  it('with eventStream: false, leaves such requests to the app', async () => {
    const app = await startApp(fixtureModule({ eventStream: false }));
    try {
      assert.equal((await fetch(`${app.http}/`, { headers: { accept: 'text/event-stream' } })).status, 404);
    } finally {
      await app.close();
    }
  });

  it('listens on the gateway path only, exactly', async () => {
    const app = await startApp(fixtureModule({}, '/rt'), '/rt');
    try {
      const stream = await RawEventStream.open(`${app.http}/rt?socket_connection_id=on-the-gateway-path-1`);
      assert.equal((await stream.next(frame => frame.event === 'Welcome')).payload.id, 'on-the-gateway-path-1');
      stream.close();
      assert.equal((await fetch(`${app.http}/rt/`, { headers: { accept: 'text/event-stream' } })).status, 404);
      assert.equal((await fetch(`${app.http}/`, { headers: { accept: 'text/event-stream' } })).status, 404);
    } finally {
      await app.close();
    }
  });
});

/** A stream read through a raw TCP socket that stops reading at once, so the server's buffers fill. */
async function openPausedStream(server: TestApp, page: { connectionId: string; cookie: string }): Promise<{ readToEnd(): Promise<string> }> {
  const socket: Socket = connect(server.port, '127.0.0.1');
  await new Promise<void>(resolve => socket.once('connect', resolve));
  socket.pause();
  socket.write(
    `GET /?socket_connection_id=${page.connectionId} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
      `Accept: text/event-stream\r\nCookie: ${page.cookie}\r\nConnection: close\r\n\r\n`,
  );
  return {
    readToEnd: () =>
      new Promise<string>(resolve => {
        const chunks: Buffer[] = [];
        socket.on('data', chunk => chunks.push(chunk));
        socket.once('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
        socket.resume();
      }),
  };
}

describe('event stream: Last-Event-ID resumes from history', () => {
  let server: TestApp;
  before(async () => (server = await startApp(fixtureModule({ history: [{ match: 'sse-*', size: 10, ttl: 60_000 }] }))));
  after(() => server.close());

  it('gives a stream that comes back with its Last-Event-ID what it missed, in order, then live; or says it cannot', async () => {
    const page = await subscribePage(server, ['sse-feed', 'bare-feed']);
    const first = await RawEventStream.open(streamUrl(server, page.connectionId), { cookie: page.cookie });
    await first.next(frame => frame.event === 'Welcome');
    await post(server, '/push/sse-feed', { message: 1 });
    await post(server, '/push/bare-feed', { message: 'b1' });
    await first.next(frame => frame.payload === 'b1');
    const lastId = first.events.filter(event => event.id !== undefined).at(-1)!.id!;
    first.close();
    await post(server, '/push/sse-feed', { message: 2 });
    await post(server, '/push/sse-feed', { message: 3 });
    await post(server, '/push/bare-feed', { message: 'b2' });

    const back = await RawEventStream.open(streamUrl(server, page.connectionId), { cookie: page.cookie, 'last-event-id': lastId });
    const welcome = await back.next(frame => frame.event === 'Welcome');
    const positions = welcome.payload.positions as Record<string, { offset: number; recovered?: boolean }>;
    assert.deepEqual([positions['sse-feed']!.offset, positions['sse-feed']!.recovered], [1, true]);
    assert.deepEqual([positions['bare-feed']!.offset, positions['bare-feed']!.recovered], [2, false], 'no history: the page must reload it');
    await post(server, '/push/sse-feed', { message: 4 });
    await back.next(frame => frame.payload === 4);
    assert.deepEqual(
      back.frames.filter(frame => frame.channel === 'sse-feed').map(frame => [frame.offset, frame.payload]),
      [[2, 2], [3, 3], [4, 4]],
    );
    assert.deepEqual(back.frames.filter(frame => frame.channel === 'bare-feed'), []);
    back.close();
  });

  it('resumes from the positions in the URL, as a client that moved from its WebSocket sends them', async () => {
    const page = await subscribePage(server, ['sse-moved']);
    const socket = await connectPage(server, page);
    await post(server, '/push/sse-moved', { message: 'on the socket' });
    const seen = await socket.next(frame => frame.channel === 'sse-moved');
    socket.close();
    await post(server, '/push/sse-moved', { message: 'while moving' });
    const since = encodeURIComponent(JSON.stringify({ 'sse-moved': { epoch: seen.epoch, offset: seen.offset } }));
    const stream = await RawEventStream.open(`${streamUrl(server, page.connectionId)}&since=${since}`, { cookie: page.cookie });
    const welcome = await stream.next(frame => frame.event === 'Welcome');
    assert.deepEqual(welcome.payload.positions['sse-moved'], { epoch: seen.epoch, offset: 1, recovered: true });
    await stream.next(frame => frame.payload === 'while moving');
    assert.deepEqual(stream.frames.filter(frame => frame.channel === 'sse-moved').map(frame => frame.payload), ['while moving']);
    stream.close();
  });
});
