import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { backoffDelay, RealtimeSocket, type RealtimeError, type RealtimeSocketOptions } from 'nestjs-realtime/client';
import { WebSocket } from 'ws';
import { post, subscribePage } from '../support/test-app.js';
import {
  nextEvent,
  nextOn,
  recordingWebSocket,
  RestartableApp,
  within,
  type FixtureActions,
  type FixtureEvents,
} from './client-support.js';

type Socket = RealtimeSocket<FixtureActions, FixtureEvents>;

/** Fast retries, so that a restart is picked up soon; the values are not asserted. */
const FAST = { initialDelayMs: 10, maxDelayMs: 50 };

describe('RealtimeSocket reconnecting', () => {
  let server: RestartableApp;
  let sockets: Socket[] = [];
  before(async () => (server = await RestartableApp.start()));
  afterEach(async () => {
    await Promise.all(sockets.map(socket => socket.close()));
    sockets = [];
    if (!server.app) await server.start();
  });
  after(() => server.stop());

  function client(options: RealtimeSocketOptions<FixtureActions, FixtureEvents> = {}): Socket {
    const socket = new RealtimeSocket<FixtureActions, FixtureEvents>({
      url: server.ws,
      WebSocket,
      reconnect: FAST,
      ...options,
    });
    sockets.push(socket);
    return socket;
  }

  /** Stops the app and waits until every given client has seen its socket close. */
  async function outage(...clients: Socket[]): Promise<void> {
    const down = clients.map(socket => nextEvent(socket, 'disconnected'));
    await server.stop();
    for (const event of await Promise.all(down)) {
      assert.deepEqual(event, { code: 1001, reason: 'Server shutting down; reconnect_within_ms=1000', willReconnect: true });
    }
  }

  it('reconnects to a new app on the same port: authenticates, re-subscribes in one batch per family, gets pushes', async () => {
    const sent: Array<Record<string, any>> = [];
    let authentications = 0;
    const socket = client({
      WebSocket: recordingWebSocket(sent),
      authenticate: async ({ request }) => {
        authentications += 1;
        await request('Authenticate', { token: 'good-token' });
      },
    });
    const authenticated: Array<{ reconnected: boolean }> = [];
    socket.on('authenticated', ({ reconnected }) => authenticated.push({ reconnected }));
    const { id } = await socket.connect();

    const subscriptions = [
      socket.subscribe('widgets', 1),
      socket.subscribe('widgets', 1234),
      socket.subscribe('widgets', 'secret'), // only for a signed-in connection
      socket.subscribe('rooms', 'a'),
    ];
    await Promise.all(subscriptions.map(subscription => subscription.ready));

    await outage(socket);
    assert.equal(socket.state, 'connecting');
    sent.length = 0;
    const reconnected = nextEvent(socket, 'connected');
    const resubscribed = subscriptions.map(subscription => nextOn(subscription, 'Subscribed'));
    await server.start();

    assert.deepEqual(await reconnected, { connectionId: id, reconnected: true });
    assert.equal(socket.connectionId, id, 'the client reconnects with the connection id it was given');
    assert.equal(socket.state, 'open');
    assert.equal(authentications, 2);
    assert.deepEqual(authenticated, [{ reconnected: false }, { reconnected: true }]);
    await within(Promise.all(resubscribed), 'every family subscription confirmed again');

    // What went over the wire on the new connection: Authenticate first, then
    // one Subscribe per family carrying every key it had, each with where its
    // channel stood when the old app confirmed it (nothing pushed yet there).
    const nothing = { epoch: '', offset: 0 };
    assert.deepEqual(
      sent.map(frame => [frame.action, frame.payload]),
      [
        ['Authenticate', { token: 'good-token' }],
        ['Subscribe', { exchange: 'widgets', routing_keys: [1, 1234, 'secret'], since: { 1: nothing, 1234: nothing, secret: nothing } }],
        ['Subscribe', { exchange: 'rooms', routing_keys: ['a'], since: { a: nothing } }],
      ],
    );

    const [, big, secret, room] = subscriptions;
    const pushes = [nextOn(big!, 'WidgetQtyChanged'), nextOn(secret!, 'WidgetQtyChanged'), nextOn(room!, 'Said')];
    await post(server.testApp, '/push-event/widgets/1234', { event: 'WidgetQtyChanged', payload: { quantity: 5 } });
    await post(server.testApp, '/push-event/widgets/secret', { event: 'WidgetQtyChanged', payload: { quantity: 6 } });
    await post(server.testApp, '/push-event/rooms/a', { event: 'Said', payload: {} });
    const [bigPush, secretPush, roomPush] = await Promise.all(pushes);
    assert.deepEqual(bigPush.payload, { quantity: 5 });
    assert.deepEqual(secretPush.payload, { quantity: 6 });
    assert.deepEqual(roomPush.payload, {});
    assert.deepEqual((await socket.request('ListSubscriptions')).subscriptions, {
      widgets: ['1', '1234', 'secret'],
      rooms: ['a'],
    });
  });

  it('drops a family subscription the new app refuses, with Error on it and a global error', async () => {
    let token = 'good-token';
    const socket = client({ authenticate: ({ request }) => request('Authenticate', { token }) });
    await socket.connect();
    const secret = socket.subscribe('widgets', 'secret');
    const open = socket.subscribe('widgets', 2);
    await Promise.all([secret.ready, open.ready]);

    await outage(socket);
    token = 'expired-token';
    const errors: string[] = [];
    socket.on('error', (error: RealtimeError) => errors.push(error.code));
    const refused = nextOn(secret, 'Error');
    const kept = nextOn(open, 'Subscribed');
    await server.start();

    assert.equal((await refused).payload.error, 'SubscriptionDenied');
    await kept;
    assert.equal(secret.active, false);
    assert.equal(open.active, true);
    assert.deepEqual(errors, ['InvalidSessionToken', 'SubscriptionDenied']);
  });

  it('queues requests made while offline and sends them after authenticate', async () => {
    const sent: Array<Record<string, any>> = [];
    const socket = client({
      WebSocket: recordingWebSocket(sent),
      authenticate: ({ request }) => request('Authenticate', { token: 'good-token' }),
    });
    await socket.connect();
    await outage(socket);

    sent.length = 0;
    const whoAmI = socket.request('WhoAmI'); // needs a signed-in connection
    const hello = socket.request('SayHello', { name: 'queued', times: 1 });
    await server.start();

    assert.deepEqual(await within(whoAmI, 'the queued WhoAmI'), { name: 'alice' });
    assert.deepEqual(await within(hello, 'the queued SayHello'), { greeting: 'hello queued', isDto: true });
    assert.deepEqual(
      sent.map(frame => frame.action),
      ['Authenticate', 'WhoAmI', 'SayHello'],
    );
  });

  it("fails at once with Offline when offline is 'fail'", async () => {
    const socket = client({ offline: 'fail' });
    await socket.connect();
    await outage(socket);
    await assert.rejects(socket.request('SayHello', { name: 'x', times: 1 }), { name: 'RealtimeError', code: 'Offline' });
  });

  it('fails with QueueFull past maxQueue, and sends what the queue held', async () => {
    const socket = client({ maxQueue: 2 });
    await socket.connect();
    await outage(socket);
    const first = socket.request('SayHello', { name: 'one', times: 1 });
    const second = socket.request('SayHello', { name: 'two', times: 1 });
    await assert.rejects(socket.request('SayHello', { name: 'three', times: 1 }), { code: 'QueueFull' });
    await server.start();
    assert.deepEqual(await Promise.all([first, second]), [
      { greeting: 'hello one', isDto: true },
      { greeting: 'hello two', isDto: true },
    ]);
  });

  it('keeps plain channels across a reconnect to the same app, with the same id and cookie', async () => {
    await server.stop();
    const limited = await RestartableApp.start({ messageRate: { burst: 3, perSecond: 0.001 }, workUnitsPerMs: 0 });
    try {
      const page = await subscribePage(limited.testApp, ['news']);
      const socket = client({
        url: limited.ws,
        connectionId: page.connectionId,
        webSocketOptions: { headers: { cookie: page.cookie } },
      });
      await socket.connect();
      const news = socket.subscribe('news');
      const errors: string[] = [];
      socket.on('error', error => errors.push(error.code));

      // Three messages are allowed; the fourth makes the server close with 1008.
      for (let i = 0; i < 3; i += 1) await socket.request('Ping');
      const disconnected = nextEvent(socket, 'disconnected');
      const reconnected = nextEvent(socket, 'connected');
      await assert.rejects(socket.request('Ping'), { code: 'Disconnected' });
      assert.deepEqual(await disconnected, { code: 1008, reason: 'Rate limit exceeded', willReconnect: true });
      assert.deepEqual(errors, ['RateLimited'], 'the untagged Error event is a global error');
      assert.deepEqual(await reconnected, { connectionId: page.connectionId, reconnected: true });

      const pushed = nextOn(news, 'Push');
      await post(limited.testApp, '/push/news', { message: 'still here' });
      assert.equal((await pushed).payload, 'still here');
    } finally {
      await Promise.all(sockets.map(socket => socket.close()));
      await limited.stop();
    }
  });

  it("reports plain channels an in-memory server lost in a restart as 'stale'", async () => {
    const page = await subscribePage(server.testApp, ['news', 'alerts']);
    const socket = client({ connectionId: page.connectionId, webSocketOptions: { headers: { cookie: page.cookie } } });
    const welcomes: Array<{ id: string; channels?: string[] }> = [];
    socket.on('welcome', welcome => welcomes.push(welcome));
    const stale: string[][] = [];
    socket.on('stale', ({ channels }) => stale.push(channels));
    await socket.connect();
    socket.subscribe('news');
    socket.subscribe('alerts');
    assert.deepEqual([...welcomes[0]!.channels!].sort(), ['alerts', 'news']);

    await outage(socket);
    const reconnected = nextEvent(socket, 'connected');
    await server.start();
    await reconnected;
    assert.deepEqual(welcomes[1], { id: page.connectionId, channels: [], positions: {} }, 'the new process holds nothing for this page');
    assert.deepEqual(stale.map(channels => [...channels].sort()), [['alerts', 'news']]);
  });

  it('connect() while waiting to reconnect tries at once', async () => {
    // random() 0: the first attempt, within the shutdown's reconnect hint, is at once and fails.
    const socket = client({ reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 }, random: () => 0 });
    const { id } = await socket.connect();
    const waiting = nextEvent(socket, 'reconnecting', event => event.attempt === 2);
    await outage(socket);
    assert.deepEqual(await waiting, { attempt: 2, delayMs: 60_000 });
    await server.start();
    assert.deepEqual(await within(socket.connect(), 'connect() during the backoff'), { id, channels: [], positions: {} });
    assert.equal(socket.state, 'open');
  });

  it('gives up after maxAttempts, waiting backoffDelay() between attempts', async () => {
    const reconnect = { initialDelayMs: 5, maxDelayMs: 40, factor: 3, jitter: 0.5, maxAttempts: 3 };
    const random = () => 0.25;
    const socket = client({ reconnect, random });
    await socket.connect();
    const attempts: Array<{ attempt: number; delayMs: number }> = [];
    socket.on('reconnecting', event => attempts.push(event));
    const disconnects: boolean[] = [];
    socket.on('disconnected', ({ willReconnect }) => disconnects.push(willReconnect));
    const gaveUp = nextEvent(socket, 'disconnected', event => !event.willReconnect);
    await server.stop();
    const queued = socket.request('SayHello', { name: 'x', times: 1 });
    await gaveUp;

    // The first attempt follows the shutdown's reconnect hint (1000 ms, capped
    // at maxDelayMs: 40 × random()); the next ones back off.
    assert.deepEqual(attempts, [
      { attempt: 1, delayMs: 10 },
      ...[2, 3].map(attempt => ({ attempt, delayMs: backoffDelay(attempt, reconnect, random) })),
    ]);
    assert.deepEqual(disconnects, [true, true, true, false]);
    assert.equal(socket.state, 'closed');
    await assert.rejects(queued, { code: 'Closed' });
    await assert.rejects(socket.request('SayHello', { name: 'x', times: 1 }), { code: 'Closed' });
  });
});
